"""Multi-session SCR gives secr's numbers on secr's ovenbird data (five years of mist-netting,
one bird killed in a net), and sessions are read, fitted and compared as secr does.

References (tests/ecology/data/ovenbird/README.md): the fits stored in secr's
data/ovenbird.RData, ``ovenbird.model.1`` (D ~ 1) and ``ovenbird.model.D`` (D ~ Session), both
``secr.fit(ovenCH, mask = ovenmask)``: ``fit$value``, ``fit$estimate`` and ``beta.vcv``.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from onca.ecology.scr import (
    SCR,
    CaptureHistory,
    Mask,
    Sessions,
    compare_models,
    make_mask,
    read_secr,
)
from onca.errors import OncaWarning, ParameterError

DATA = Path(__file__).resolve().parents[1] / "data" / "ovenbird"
REL = 1e-3  # estimates; log-likelihoods to 1e-6 (they agree to 1e-11)
OCCASIONS = [9, 10, 10, 10, 10]

MODEL_1 = {  # ovenbird.model.1
    "value": 931.1404432310667,
    "beta": [-0.09366333865587194, -3.560782297727519, 4.364059306663844],
    "vcov": [
        [0.01886581183975127, -0.0003010460708544023, -0.006302980702794296],
        [-0.00030104607085439084, 0.02267727708003681, -0.0069282358565221115],
        [-0.006302980702794294, -0.0069282358565221115, 0.006584149100160367],
    ],
}
MODEL_D = {  # ovenbird.model.D
    "value": 930.7253869881406,
    "beta": [0.031709005961229796, -0.0638587644429462, -3.5619296999089296, 4.364109862294589],
    "vcov": [
        [0.03665684675332195, -0.009353220968958078, -0.0004919847916786217, -0.006295610326239377],
        [-0.009353220968958069, 0.004921234609849017, 9.106773158393318e-05, -3.97471386811e-06],
        [-0.0004919847916786672, 9.106773158394107e-05, 0.022687270935398938, -0.00692943834175],
        [-0.00629561032623936, -3.974713868116055e-06, -0.00692943834175123, 0.00658510479744406],
    ],
}


@pytest.fixture(scope="module")
def ovenbird() -> Sessions:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # declared occasions: nothing to warn about
        ch = read_secr(DATA / "trap.txt", DATA / "capt.txt", occasions=OCCASIONS, covnames=("sex",))
    assert isinstance(ch, Sessions)
    return ch


@pytest.fixture(scope="module")
def ovenmask() -> Mask:
    """secr's ovenmask, the stored fits' mask (type 'pdot', spacing 15 m)."""
    return Mask(np.loadtxt(DATA / "mask.txt"), 15.0)


def fit(ch: CaptureHistory | Sessions, mask: object = None, **kwargs: object) -> SCR:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        return SCR(**kwargs).fit(ch, mask)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def model_1(ovenbird: Sessions, ovenmask: Mask) -> SCR:
    return fit(ovenbird, ovenmask)


@pytest.fixture(scope="module")
def model_d(ovenbird: Sessions, ovenmask: Mask) -> SCR:
    return fit(ovenbird, ovenmask, model={"D": "~ Session"})


def test_ovenbird_reads_as_secr_does(ovenbird: Sessions) -> None:
    assert ovenbird.names == ("2005", "2006", "2007", "2008", "2009")
    assert ovenbird.occasions == (9, 10, 10, 10, 10)
    assert [ch.n for ch in ovenbird] == [20, 22, 26, 19, 16]
    assert [ch.detections for ch in ovenbird] == [35, 42, 52, 30, 33]
    assert ovenbird.n == 103 and ovenbird.detections == 192
    assert all(len(ch.traps) == 44 and ch.traps.detector == "multi" for ch in ovenbird)
    dead = ovenbird["2009"]
    assert dead.removed is not None
    i = dead.animals.index("1911.52289")
    assert dead.removed[i] == 2 and (dead.removed >= 0).sum() == 1  # occasion 3, net 36
    assert dead.counts[i, 2, 35] == 1 and dead.available[i].tolist() == [True] * 3 + [False] * 7
    assert all(ch.removed is None for ch in list(ovenbird)[:4])


@pytest.mark.parametrize(("model", "stored"), [(None, MODEL_1), ({"D": "~ Session"}, MODEL_D)])
def test_loglik_at_secrs_estimates(
    ovenbird: Sessions, ovenmask: Mask, model: dict | None, stored: dict
) -> None:
    """The log-likelihood at secr's maximum is secr's ``-fit$value``; the death counts."""
    prep = SCR(model=model).prepare(ovenbird, ovenmask)
    assert prep.loglik(np.asarray(stored["beta"])) == pytest.approx(-stored["value"], rel=1e-10)
    alive = Sessions(
        ovenbird.names,
        tuple(CaptureHistory(c.traps, c.animals, c.counts, c.covariates) for c in ovenbird),
    )
    ignoring_death = SCR(model=model).prepare(alive, ovenmask).loglik(np.asarray(stored["beta"]))
    assert abs(ignoring_death + stored["value"]) > 1.0  # -932.97 against -931.14


@pytest.mark.slow
@pytest.mark.parametrize(("name", "stored"), [("model_1", MODEL_1), ("model_d", MODEL_D)])
def test_ovenbird_fits_match_secr(request: pytest.FixtureRequest, name: str, stored: dict) -> None:
    model: SCR = request.getfixturevalue(name)
    assert model.loglik_ == pytest.approx(-stored["value"], rel=1e-6)
    assert model.converged_
    beta = [model.coef_[n][0] for n in model.names_]
    assert beta == pytest.approx(stored["beta"], rel=REL)
    se = [model.coef_[n][1] for n in model.names_]
    assert se == pytest.approx(np.sqrt(np.diag(stored["vcov"])), rel=REL)
    k = len(stored["beta"])
    aic = 2 * stored["value"] + 2 * k
    assert model.aic_ == pytest.approx(aic, abs=1e-3)
    assert model.aicc_ == pytest.approx(aic + 2 * k * (k + 1) / (103 - k - 1), abs=1e-3)


@pytest.mark.slow
def test_density_by_session_as_secrs_predict(model_d: SCR) -> None:
    """D in each year: exp(b0 + b1 Session) with the SE of that linear predictor from secr's
    beta.vcv, back-transformed as secr's predict (log-normal SE, interval on the log scale)."""
    assert model_d.names_ == ("D", "D.Session", "g0", "sigma")
    b, v = np.asarray(MODEL_D["beta"]), np.asarray(MODEL_D["vcov"])
    for session, (name, e) in enumerate(model_d.session_estimates_.items()):
        a = np.array([1.0, session, 0.0, 0.0])
        eta, se = float(a @ b), math.sqrt(float(a @ v @ a))
        d = e["D"]
        assert name == str(2005 + session)
        assert d.estimate == pytest.approx(math.exp(eta), rel=REL)
        assert d.se == pytest.approx(math.exp(eta) * math.sqrt(math.expm1(se**2)), rel=REL)
        assert d.lcl == pytest.approx(math.exp(eta - 1.959964 * se), rel=REL)
        assert d.ucl == pytest.approx(math.exp(eta + 1.959964 * se), rel=REL)
        g0 = 1 / (1 + math.exp(-b[2]))
        assert e["g0"].estimate == pytest.approx(g0, rel=REL)
        assert e["sigma"].estimate == pytest.approx(math.exp(b[3]), rel=REL)
    assert model_d.estimates_ == model_d.session_estimates_["2005"]


@pytest.mark.slow
def test_aic_compares_session_models(model_1: SCR, model_d: SCR) -> None:
    """secr's AIC(ovenbird.model.1, ovenbird.model.D): the constant density is preferred."""
    rows = compare_models({"D~1": model_1, "D~Session": model_d})
    assert [r["model"] for r in rows] == ["D~1", "D~Session"]
    secr_aicc = [1868.523, 1869.859]
    assert [r["aicc"] for r in rows] == pytest.approx(secr_aicc, abs=1e-3)
    assert rows[1]["delta_aicc"] == pytest.approx(1869.859 - 1868.523, abs=2e-3)
    payload = model_d.to_dict()
    assert [s["session"] for s in payload["sessions"]] == list(model_d.session_estimates_)
    assert payload["sessions"][4]["n_animals"] == 16 and payload["n_animals"] == 103


@pytest.mark.slow
def test_session_specific_parameters_equal_separate_fits(ovenbird: Sessions) -> None:
    """D, g0 and sigma all ~ session: the joint maximum is the sum of five separate fits (an
    independent check of the factor design; coarser mask to keep it quick)."""
    masks = [make_mask(ch.traps, buffer=300, spacing=50) for ch in ovenbird]
    formula = {"D": "~ session", "g0": "~ session", "sigma": "~ session"}
    joint = fit(ovenbird, masks, model=formula)
    assert joint.n_params_ == 15
    assert "D.session2009" in joint.names_ and "sigma.session2006" in joint.names_
    separate = [fit(ch, m) for ch, m in zip(ovenbird, masks, strict=True)]
    assert joint.loglik_ == pytest.approx(sum(m.loglik_ for m in separate), abs=1e-5)
    for name, alone in zip(ovenbird.names, separate, strict=True):
        for p in ("D", "g0", "sigma"):
            got = joint.session_estimates_[name][p].estimate
            assert got == pytest.approx(alone.estimates_[p].estimate, rel=REL)


# -- sessions from the capture file ---------------------------------------------------------


def _two_sessions(captdata_files: tuple[Path, Path], tmp_path: Path, extra: str = "") -> Path:
    """captdata twice, as sessions 1 and 2 (the same animals caught again)."""
    lines = [line for line in captdata_files[1].read_text().splitlines() if line.strip()]
    second = [" ".join(["2", *line.split()[1:]]) for line in lines]
    path = tmp_path / "capt2.txt"
    path.write_text("\n".join(lines + second) + "\n" + extra)
    return path


def test_a_second_session_is_neither_pooled_nor_dropped(
    captdata_files: tuple[Path, Path], captdata: CaptureHistory, tmp_path: Path
) -> None:
    """Today's reader pooled session 2 into session 1, so the repeats were dropped under a
    multi-catch warning; now it is a session of its own, with every detection."""
    path = _two_sessions(captdata_files, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        both = read_secr(captdata_files[0], path, detector="single", covnames=("sex",))
    assert isinstance(both, Sessions) and both.names == ("1", "2")
    assert [ch.detections for ch in both] == [235, 235]
    assert np.array_equal(both["2"].counts, captdata.counts)


@pytest.mark.slow
def test_two_copies_of_captdata_give_captdatas_density(
    captdata_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """The same data twice with shared parameters: secr's captdata estimates (D does not double,
    as it did when the sessions were pooled) and twice its log-likelihood; SEs shrink by
    sqrt(2) (secr: D 5.47980, SE 0.646741; log-likelihood -759.0257457)."""
    both = read_secr(captdata_files[0], _two_sessions(captdata_files, tmp_path), detector="single")
    two = fit(both)
    assert two.loglik_ == pytest.approx(2 * -759.0257457315051, rel=1e-9)
    secr = {"D": 5.47980, "g0": 0.27319, "sigma": 29.36583}
    for p, value in secr.items():
        assert two.estimates_[p].estimate == pytest.approx(value, rel=REL)
        assert two.session_estimates_["2"][p].estimate == two.estimates_[p].estimate
    link_se = math.sqrt(math.log1p((0.646741 / 5.47980) ** 2))  # secr's, from its real SE
    assert two.coef_["D"][1] == pytest.approx(link_se / math.sqrt(2), rel=REL)
    assert two.n_animals_ == 152


def test_a_session_with_no_captures(
    captdata_files: tuple[Path, Path], captdata: CaptureHistory, tmp_path: Path
) -> None:
    """secr's NONE line: a session that caught nothing adds -N(D) pbar to the log-likelihood."""
    path = _two_sessions(captdata_files, tmp_path, "3 NONE 5 x x\n")
    three = read_secr(captdata_files[0], path, detector="single", covnames=("sex",))
    assert isinstance(three, Sessions) and [ch.n for ch in three] == [76, 76, 0]
    values = {"D": 5.4798, "g0": 0.2732, "sigma": 29.3658}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        difference = SCR().loglik(three, values) - 2 * SCR().loglik(captdata, values)
    mask = make_mask(captdata.traps, buffer=100)
    d2 = ((mask.xy[:, None, :] - captdata.traps.xy[None, :, :]) ** 2).sum(axis=2)
    g = 0.2732 * np.exp(-d2 / (2 * 29.3658**2))
    pdot = 1 - np.prod((1 - g) ** 5, axis=1)
    assert difference == pytest.approx(-5.4798 * mask.area_ha * pdot.mean(), rel=1e-10)


def test_per_session_trap_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A 0 0 111\nB 100 0 111\n")
    (tmp_path / "b.txt").write_text("A 0 0 11\nB 100 0 10\nC 0 100 11\n")
    (tmp_path / "c.txt").write_text("x a1 1 A\nx a1 2 B\ny b1 1 C\ny b2 2 A\n")
    ss = read_secr([tmp_path / "a.txt", tmp_path / "b.txt"], tmp_path / "c.txt")
    assert isinstance(ss, Sessions) and ss.names == ("x", "y")
    assert ss.occasions == (3, 2) and [len(ch.traps) for ch in ss] == [2, 3]
    by_name = read_secr({"y": tmp_path / "b.txt", "x": tmp_path / "a.txt"}, tmp_path / "c.txt")
    assert isinstance(by_name, Sessions) and by_name["y"].effort()[1].tolist() == [1.0, 0.0]
    with pytest.raises(ParameterError, match=r"traps: 1 given for 2 sessions \(x, y\)"):
        read_secr([tmp_path / "a.txt"], tmp_path / "c.txt")
    with pytest.raises(ParameterError, match=r"traps: expected one for each session.*missing y"):
        read_secr({"x": tmp_path / "a.txt"}, tmp_path / "c.txt")


def test_session_terms_need_sessions(captdata: CaptureHistory) -> None:
    with pytest.raises(ParameterError, match="'session' needs several sessions"):
        fit(captdata, model={"D": "~ session"})


def test_session_model_names_and_maps(ovenbird: Sessions, ovenmask: Mask) -> None:
    prep = SCR(model={"D": "~ session", "g0": "~ Session"}).prepare(ovenbird, ovenmask)
    assert prep.names == (
        "D",
        "D.session2006",
        "D.session2007",
        "D.session2008",
        "D.session2009",
        "g0",
        "g0.Session",
        "sigma",
    )
    beta = np.arange(1.0, 9.0)
    assert prep.local(beta)[0].tolist() == [1.0, 6.0, 8.0]
    assert prep.local(beta)[3].tolist() == [1.0 + 4.0, 6.0 + 3 * 7.0, 8.0]
    with pytest.raises(ParameterError, match="conditional likelihood has no density model"):
        SCR(model={"D": "~ session"}, conditional=True).prepare(ovenbird, ovenmask)


@pytest.mark.slow
def test_conditional_likelihood_derives_density_by_session(ovenbird: Sessions) -> None:
    """Conditional likelihood, g0 by session: a derived D for every session (Huggins-Alho:
    n_s / a_s with one detection class per session)."""
    coarse = make_mask(ovenbird["2005"].traps, buffer=300, spacing=40)
    cl = fit(ovenbird, coarse, conditional=True, model={"g0": "~ session"})
    assert "D" not in cl.coef_ and len(cl.names_) == 6
    prep = cl.prepared_
    for name, ch, part, beta in zip(
        ovenbird.names, ovenbird, prep.parts, prep.local(cl.beta_), strict=True
    ):
        d = cl.session_estimates_[name]["D"]
        assert d.estimate == pytest.approx(ch.n / float(part.esa(beta)[0]), rel=1e-9)
        assert 0.3 < d.estimate < 3 and d.lcl < d.estimate < d.ucl


def test_a_session_covariate_equal_to_the_session_number_is_secrs_trend(
    ovenbird: Sessions, ovenmask: Mask, tmp_path: Path
) -> None:
    """``D ~ year`` with year = 0..4 is ``D ~ Session``: the same likelihood at secr's
    estimates; a covariate that is not a trend gives another likelihood."""
    covs = tmp_path / "years.csv"
    covs.write_text(
        "session,year,rain\n2009,4,1.5\n2005,0,0.2\n2006,1,3.1\n2007,2,0.9\n2008,3,2.2\n"
    )
    from onca.ecology.scr import read_session_covariates

    with_covs = read_session_covariates(covs, ovenbird)
    assert with_covs.covariates["year"].tolist() == [0, 1, 2, 3, 4]  # in session order
    beta = np.asarray(MODEL_D["beta"])
    prep = SCR(model={"D": "~ year"}).prepare(with_covs, ovenmask)
    assert prep.names == ("D", "D.year", "g0", "sigma")
    assert prep.loglik(beta) == pytest.approx(-MODEL_D["value"], rel=1e-10)
    rain = SCR(model={"D": "~ rain"}).prepare(with_covs, ovenmask)
    assert abs(rain.loglik(beta) + MODEL_D["value"]) > 1e-3
    both = SCR(model={"D": "~ year", "g0": "~ rain"}).prepare(with_covs, ovenmask)
    assert both.names == ("D", "D.year", "g0", "g0.rain", "sigma")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year\n1\n", "'session' column"),
        ("session,year\n2005,0\n2006,1\n", "no row for session 2007, 2008, 2009"),
        ("session,year\n2005,0\n2005,1\n", "line 3: session '2005' given twice"),
        ("session,year\n2010,0\n", "line 2: no session '2010'"),
        ("session,year\n2005,=cmd|' /C calc'!A0\n", "line 2, column 'year': expected a number"),
        ("session,Session\n" + "".join(f"{y},{y}\n" for y in range(2005, 2010)), "taken by"),
    ],
)
def test_session_covariate_files_are_checked(
    ovenbird: Sessions, tmp_path: Path, text: str, message: str
) -> None:
    from onca.ecology.scr import read_session_covariates
    from onca.errors import OncaError

    path = tmp_path / "covs.csv"
    path.write_text(text)
    with pytest.raises(OncaError, match=re.escape(message)):
        read_session_covariates(path, ovenbird)
