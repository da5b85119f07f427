"""Dynamic occupancy (DynamicOccupancy, unmarked's colext) against unmarked's published numbers:
tests/testthat/test_colext.R, the vignette colext.Rmd (its simulated data set, rebuilt with R's
random numbers, and the Swiss crossbill survey), and an exact gradient
(tests/ecology/data/unmarked/README.md has the sources)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit
from typer.testing import CliRunner

from onca.cli import app
from onca.ecology.occupancy import DynamicOccupancy, SeasonalHistory, read_seasons_csv
from onca.ecology.occupancy._dynamic import ColextLikelihood, build_dynamic_design
from onca.errors import InputFileError, OncaWarning, ParameterError

from ._rrng import RRandom

DATA = Path(__file__).resolve().parents[1] / "data" / "unmarked"
runner = CliRunner()

# test_colext.R: 6 sites, 4 seasons of 2 occasions
Y = np.array(
    [
        [1, 0, 1, 1, 0, 0, 0, 0],
        [1, 1, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 1, 1, 0, 0, 0, 0],
        [1, 1, 1, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0, 0, 1, 1],
    ],
    dtype=np.float64,
)
SITES = tuple(str(i + 1) for i in range(6))


def small(y: np.ndarray = Y) -> SeasonalHistory:
    """test_colext.R's data with its covariates: set.seed(123); sc1 = rnorm(6);
    oc = matrix(rnorm(48), 6, 8); ysc = matrix(rnorm(24), 6, 4) (R fills by column)."""
    r = RRandom(123)
    sc1 = r.rnorm(6)
    oc = r.rnorm(48).reshape(8, 6).T
    ysc = r.rnorm(24).reshape(4, 6).T
    return SeasonalHistory(
        SITES, y.reshape(6, 4, 2), {"sc1": sc1}, {"ysc": ysc}, {"oc": oc.reshape(6, 4, 2)}
    )


def printed(value: float, text: str) -> bool:
    """``value`` agrees with a number R printed as ``text``: to the digits printed, or to 1e-3
    where more were printed (R's BFGS stops up to about 4e-4 short of the maximum on these
    flat likelihoods; Onca's log-likelihood there is the higher)."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(value - float(text)) <= max(0.5 * 10.0**-decimals, 1e-3) + 1e-9


def test_r_random_numbers() -> None:
    """R 4.x: set.seed(123); rnorm(6)."""
    expected = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499]
    assert RRandom(123).rnorm(6) == pytest.approx(expected, abs=5e-9)


@pytest.mark.parametrize(
    ("formulas", "expected"),
    [
        ({}, [0.14227, -1.49561, 0.210121, 1.200177]),
        ({"psi": "~ sc1"}, [1.3473, -6.3828, -1.5830, 0.1416, 1.1643]),
        ({"p": "~ oc"}, [0.1434, -1.4980, 0.2083, 1.2006, -0.03827]),
        (
            {"gamma": "~ ysc", "epsilon": "~ ysc"},
            [0.2677, -2.0574, -1.0604, 0.2156, 0.6871, 1.1025],
        ),
    ],
)
def test_unmarked_testthat_coefficients(formulas: dict[str, str], expected: list[float]) -> None:
    """test_colext.R 'colext model fitting works' (fm1 to fm4)."""
    m = DynamicOccupancy(**formulas).fit(small())
    assert m.beta_ == pytest.approx(expected, abs=1e-3)
    assert m.converged_


def test_unmarked_testthat_fitted_getp_and_ranef() -> None:
    """test_colext.R: fitted(fm2)[1:3, 1:3] (projected occupancy x p), getP(fm4)[1, 1] and
    ranef(fm4)@post[1, 1, ] (P(empty) from the projected occupancy and that season's data)."""
    h = small()
    fm2 = DynamicOccupancy(psi="~ sc1").fit(h)
    p = ColextLikelihood(h, fm2.design_).probabilities(fm2.beta_)[3]
    fitted = fm2.site_projected_[:, :, None] * p  # (S, T, J)
    got = fitted.reshape(6, 8)[:3, :3]
    expected = np.array(
        [[0.7566, 0.7566, 0.3525], [0.7191, 0.7191, 0.3415], [0.00014] * 2 + [0.1299]]
    )
    assert got == pytest.approx(expected, abs=1e-4)
    fm4 = DynamicOccupancy(gamma="~ ysc", epsilon="~ ysc").fit(h)
    p4 = ColextLikelihood(h, fm4.design_).probabilities(fm4.beta_)[3]
    assert p4[0, 0, 0] == pytest.approx(0.7507, abs=1e-4)
    prior = fm4.site_projected_[0]
    seen = np.prod(np.where(Y[0].reshape(4, 2) == 1, p4[0], 1 - p4[0]), axis=1)
    empty = (1 - prior) * (Y[0].reshape(4, 2).sum(axis=1) == 0)
    assert empty / (empty + prior * seen) == pytest.approx([0, 0, 0.9865, 0.99098], abs=1e-4)


def test_unmarked_testthat_missing_values() -> None:
    """test_colext.R 'colext handles missing values': AIC with a missing occasion, a site with
    no data (removed, with a warning) and a missing season."""
    cases = [((0, 2), 50.48498), ((0, slice(None)), 41.87926), ((0, slice(2, 4)), 47.74454)]
    for where, aic in cases:
        y = Y.copy()
        y[where] = np.nan
        if where[1] == slice(None):
            with pytest.warns(
                OncaWarning, match=r"1 site\(s\) have no survey effort in any season"
            ):
                m = DynamicOccupancy().fit(SeasonalHistory(SITES, y.reshape(6, 4, 2)))
            assert m.n_sites_ == 5
        else:
            m = DynamicOccupancy().fit(SeasonalHistory(SITES, y.reshape(6, 4, 2)))
        assert m.aic_ == pytest.approx(aic, abs=1e-4)


def test_unmarked_testthat_missing_periods() -> None:
    """test_colext.R 'Missing primary periods are handled correctly' (unmarked PR 40):
    colext(data = unmarkedMultFrame(y, numPrimary = 9)), coefficients rounded to 4 places."""
    h = read_seasons_csv(DATA / "colext_missing_periods" / "y.csv", 9)
    m = DynamicOccupancy().fit(h)
    assert m.beta_ == pytest.approx([-0.0254, -2.1375, -2.0540, 0.8759], abs=1e-3)


def vignette_data() -> SeasonalHistory:
    """colext.Rmd 'Simulating, formatting, and summarizing data' (set.seed(13973); 250 sites,
    10 years, 3 visits), with R's generator."""
    r = RRandom(13973)
    m, j, t = 250, 3, 10
    p = [0.3, 0.4, 0.5, 0.5, 0.1, 0.3, 0.5, 0.5, 0.6, 0.2]
    phi = r.runif(t - 1, 0.6, 0.8)
    gamma = r.runif(t - 1, 0.1, 0.2)
    z = np.zeros((m, t), dtype=int)
    z[:, 0] = [r.rbinom1(0.4) for _ in range(m)]
    for i in range(m):
        for k in range(1, t):
            z[i, k] = r.rbinom1(z[i, k - 1] * phi[k - 1] + (1 - z[i, k - 1]) * gamma[k - 1])
    y = np.zeros((m, t, j))
    for i in range(m):
        for k in range(t):
            for jj in range(j):
                y[i, k, jj] = r.rbinom1(z[i, k] * p[k])
    years = tuple(f"{k + 1:02d}" for k in range(t))
    return SeasonalHistory(tuple(str(i + 1) for i in range(m)), y, seasons=years)


def test_vignette_simulated_data_constant_and_year_models() -> None:
    """colext.Rmd: summary(simUMF) (195 sites with a detection; 6430 zeros, 1070 ones), m0
    (constant; AIC 4972.593, predict psi 0.3072925 [0.2457293, 0.3765788]) and m1 (year-1 on
    colonisation, extinction and detection; AIC 4779.157), and m1's smoothed occupancy."""
    h = vignette_data()
    assert int((h.y.reshape(250, -1).sum(axis=1) > 0).sum()) == 195
    assert int((h.y == 0).sum()) == 6430 and int((h.y == 1).sum()) == 1070
    m0 = DynamicOccupancy().fit(h)
    assert m0.aic_ == pytest.approx(4972.593, abs=1e-3)
    summary = {
        "psi": ("-0.813", "0.158"),
        "gamma": ("-1.77", "0.0807"),
        "epsilon": ("-0.59", "0.102"),
        "p": ("-0.0837", "0.0562"),
    }
    for name, (beta, se) in summary.items():
        assert printed(m0.coef_[name][0], beta) and printed(m0.coef_[name][1], se), name
    psi = m0.estimates_["psi"]
    assert (psi.estimate, psi.se, psi.lcl, psi.ucl) == pytest.approx(
        (0.3072925, 0.03352807, 0.2457293, 0.3765788), abs=1e-3
    )
    m1 = DynamicOccupancy(gamma="~ season - 1", epsilon="~ season - 1", p="~ season - 1").fit(h)
    assert m1.aic_ == pytest.approx(4779.157, abs=1e-3)
    assert m1.n_params_ == 29
    table = {  # m1's printed summary, a few rows of each part
        "psi": ("-0.274", "0.302"),
        "gamma.season01": ("-2.08", "0.949"),
        "gamma.season05": ("-1.89", "0.478"),
        "gamma.season09": ("-2.35", "0.470"),
        "epsilon.season01": ("-1.4208", "0.418"),
        "epsilon.season04": ("-0.0902", "0.650"),
        "epsilon.season09": ("-0.6288", "0.635"),
        "p.season01": ("-1.0823", "0.244"),
        "p.season05": ("-2.0393", "0.433"),
        "p.season10": ("-1.1698", "0.306"),
    }
    wrong = {  # SEs to 1%: they move with where on the ridge each optimiser stopped
        name: (m1.coef_[name], beta, se)
        for name, (beta, se) in table.items()
        if not (
            printed(m1.coef_[name][0], beta)
            and m1.coef_[name][1] == pytest.approx(float(se), rel=0.01)
        )
    }
    assert not wrong
    smoothed = [0.4320202, 0.4110048, 0.3139971, 0.3278179, 0.2316124]
    smoothed += [0.2528342, 0.2928418, 0.3504813, 0.3936986, 0.3095675]
    assert m1.smoothed_ == pytest.approx(smoothed, abs=1e-3)


def crossbill() -> SeasonalHistory:
    """colext.Rmd's crossbill data: y with the detections whose date is missing removed, date
    standardised with the mean and SD of all dates, years 1999-2007."""
    folder = DATA / "crossbill"
    h = read_seasons_csv(
        folder / "y.csv",
        9,
        site_covs=folder / "site_covs.csv",
        obs_covs={"date": folder / "date.csv"},
        season_labels=[str(y) for y in range(1999, 2008)],
    )
    date = np.asarray(h.obs_covs["date"], dtype=np.float64)
    h.obs_covs["date"] = (date - np.nanmean(date)) / np.nanstd(date, ddof=1)
    return h


def test_vignette_crossbill_model_selection() -> None:
    """colext.Rmd 'Model selection': the seven models' numbers of parameters and AIC (printed
    to 2 decimals)."""
    h = crossbill()
    year = "~ season - 1"
    table = [
        ({}, 4, 5193.50),
        ({"p": "~ season"}, 12, 5111.31),
        ({"gamma": year, "epsilon": year}, 18, 5170.52),
        ({"gamma": year, "epsilon": year, "p": "~ season"}, 26, 5127.61),
        ({"psi": "~ forest", "gamma": year, "epsilon": year, "p": "~ season"}, 27, 5095.37),
        (
            {"psi": "~ forest", "gamma": year, "epsilon": year, "p": "~ season + date + I(date^2)"},
            29,
            5059.29,
        ),
        (
            {
                "psi": "~ forest",
                "gamma": year,
                "epsilon": year,
                "p": "~ season + date + I(date^2) + forest",
            },
            30,
            4986.36,
        ),
    ]
    for formulas, k, aic in table:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OncaWarning)  # fm6: colonisation 1999 at 0
            m = DynamicOccupancy(**formulas).fit(h)
        assert m.n_params_ == k, formulas
        assert m.aic_ == pytest.approx(aic, abs=5e-3), formulas
    # year 2007 is the last season: no transition follows, so it is no level of gamma/epsilon
    assert "gamma.season2007" not in m.coef_ and "p.season2007" in m.coef_


def test_gradient_is_exact_with_covariates_and_gaps() -> None:
    h = small()
    y = Y.copy()
    y[1, 2:4] = np.nan
    y[4, 5] = np.nan
    h = SeasonalHistory(SITES, y.reshape(6, 4, 2), h.site_covs, h.yearly_covs, h.obs_covs)
    formulas = {"psi": "~ sc1", "gamma": "~ ysc", "epsilon": "~ ysc", "p": "~ oc + season"}
    d = build_dynamic_design(h, formulas, dict(h.factors))
    fun = ColextLikelihood(h, d)
    beta = np.random.default_rng(1).normal(0, 0.7, len(d.names))
    value, grad = fun.value_grad(beta)
    step = 1e-6
    numeric = [
        (fun.value_grad(beta + e)[0] - fun.value_grad(beta - e)[0]) / (2 * step)
        for e in np.eye(beta.size) * step
    ]
    assert grad == pytest.approx(numeric, abs=1e-6)
    # the forward algorithm equals the sum over all 2^T occupancy paths
    psi, gam, eps, p = fun.probabilities(beta)
    total = 0.0
    for i in range(6):
        site = 0.0
        for path in range(16):
            z = [(path >> t) & 1 for t in range(4)]
            prob = psi[i] if z[0] else 1 - psi[i]
            for t in range(1, 4):
                stay = 1 - eps[i, t - 1] if z[t - 1] else 1 - gam[i, t - 1]
                prob *= stay if z[t] == z[t - 1] else 1 - stay
            for t in range(4):
                for j in range(2):
                    obs = h.y[i, t, j]
                    if not np.isnan(obs):
                        q = p[i, t, j] * z[t]
                        prob *= q if obs == 1 else 1 - q
            site += prob
        total += np.log(site)
    assert value == pytest.approx(total, rel=1e-12)


def test_long_seasons_do_not_underflow() -> None:
    """600 occasions a season: the unscaled likelihood of a detected season is below 1e-300."""
    rng = np.random.default_rng(3)
    z = rng.random((40, 3)) < 0.6
    y = (rng.random((40, 3, 600)) < 0.3) & z[:, :, None]
    m = DynamicOccupancy().fit(SeasonalHistory(tuple(map(str, range(40))), y.astype(float)))
    assert np.isfinite(m.loglik_) and m.estimates_["p"].estimate == pytest.approx(0.3, abs=0.01)


def test_recovers_a_simulated_forest_loss_effect() -> None:
    """Extinction rising with forest loss (a yearly-site covariate) is recovered, and projected
    occupancy follows the truth."""
    rng = np.random.default_rng(11)
    n, t, j = 400, 5, 4
    loss = rng.gamma(1.0, 0.5, (n, t))
    eps = expit(-2.0 + 1.5 * loss)
    z = np.zeros((n, t), dtype=bool)
    z[:, 0] = rng.random(n) < 0.6
    for k in range(1, t):
        stay = rng.random(n) >= eps[:, k - 1]
        come = rng.random(n) < 0.1
        z[:, k] = np.where(z[:, k - 1], stay, come)
    y = ((rng.random((n, t, j)) < 0.5) & z[:, :, None]).astype(float)
    h = SeasonalHistory(tuple(map(str, range(n))), y, yearly_covs={"loss": loss})
    m = DynamicOccupancy(epsilon="~ loss").fit(h)
    assert m.coef_["epsilon.loss"][0] == pytest.approx(1.5, abs=3 * m.coef_["epsilon.loss"][1])
    truth = z.mean(axis=0)
    for k, e in enumerate(m.projected_):
        assert e.lcl - 0.06 <= truth[k] <= e.ucl + 0.06
    curve = m.predict("epsilon", {"loss": [0.0, 2.0]})
    assert curve[0, 0] < curve[1, 0] and (curve[:, 2] < curve[:, 0]).all()


def write(tmp: Path, name: str, text: str) -> Path:
    (tmp / name).write_text(text)
    return tmp / name


def test_csv_input_and_its_errors(tmp_path: Path) -> None:
    hist = write(tmp_path, "y.csv", "site_id,a1,a2,b1,b2\nA,1,0,0,\nB,0,0,2,1\nC,,,,\n")
    yearly = write(tmp_path, "cut.csv", "site_id,s1,s2\nA,0.1,0.4\nB,0,0\nC,0.2,0.2\n")
    obs = write(tmp_path, "who.csv", "site_id,a1,a2,b1,b2\nA,ann,bo,bo,\nB,ann,ann,bo,bo\nC,,,,\n")
    with pytest.warns(OncaWarning, match=r"1 cell\(s\) .* counts above 1"):
        h = read_seasons_csv(
            hist, 2, yearly_covs={"cut": yearly}, obs_covs={"observer": obs}, factors=["cut"]
        )
    assert h.y.shape == (3, 2, 2) and h.y[1, 1].tolist() == [1, 1]
    assert h.factors["observer"] == ("ann", "bo") and h.factors["cut"] == ("0", "0.1", "0.2", "0.4")
    assert h.factors["season"] == ("1", "2")
    with pytest.warns(OncaWarning, match="left out: C"):
        m = DynamicOccupancy(p="~ observer").fit(h)
    assert "p.observerbo" in m.coef_
    with pytest.raises(InputFileError, match="4 occasion columns do not divide into 3 seasons"):
        read_seasons_csv(hist, 3)
    bad = write(tmp_path, "bad.csv", "site_id,s1\nA,1\nB,1\nC,1\n")
    with pytest.raises(InputFileError, match="one column per season"):
        read_seasons_csv(hist, 2, yearly_covs={"cut": bad})
    with pytest.raises(ParameterError, match="no site or yearly-site covariate 'forest'"):
        DynamicOccupancy(gamma="~ forest").fit(read_seasons_csv(hist, 2))
    hole = write(tmp_path, "hole.csv", "site_id,s1,s2\nA,,0.4\nB,0,0\nC,0.2,0.2\n")
    with pytest.raises(ParameterError, match="'cut' has no value for site A season 1"):
        DynamicOccupancy(epsilon="~ cut").fit(read_seasons_csv(hist, 2, yearly_covs={"cut": hole}))


def test_cli_dynamic(tmp_path: Path) -> None:
    folder = DATA / "crossbill"
    args = ["colext", str(folder / "y.csv"), "--seasons", "9"]
    args += ["--site-covs", str(folder / "site_covs.csv"), "--psi", "~ forest", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == "colext" and data["n_sites"] == 267 and data["n_seasons"] == 9
    assert set(data["estimates"]) == {"gamma", "epsilon", "p"}
    assert len(data["seasons"]) == 9 and set(data["seasons"][0]["projected"]) >= {"lcl", "ucl"}
    text = runner.invoke(app, ["colext", str(folder / "y.csv"), "--seasons", "9"])
    assert text.exit_code == 0 and "projected" in text.stdout
    help_text = runner.invoke(app, ["colext", "--help"])
    assert help_text.exit_code == 0 and "colonisation" in help_text.stdout


def test_camtrap_seasons_are_calendar_years() -> None:
    import datetime as dt

    from onca.ecology._camtrap import CamtrapSurvey, Detection
    from onca.ecology.occupancy import camtrap_seasons

    t0 = dt.datetime(2021, 12, 1, tzinfo=dt.UTC)
    starts = tuple(t0 + dt.timedelta(days=7 * k) for k in range(60))  # Dec 2021 - Jan 2023
    effort = np.zeros((2, 60))
    effort[:, 0:3] = 1.0  # 2021: three weeks
    effort[0, 10:14] = 1.0  # 2022: weeks 10-13 at station 0, 11-13 at station 1
    effort[1, 11:14] = 0.5
    detections = (
        Detection("o1", 0, 1, starts[1], None, None, 1),
        Detection("o2", 1, 12, starts[12], None, None, 2),
        Detection("o3", 1, 30, starts[30], None, None, 1),  # no camera running: ignored
    )
    survey = CamtrapSurvey(
        Path("."), "Leopardus pardalis", ("A", "B"), np.zeros((2, 2)), np.zeros((2, 2)),
        "EPSG:32618", effort, starts, 7.0, detections,
    )  # fmt: skip
    h = camtrap_seasons(survey)
    assert h.seasons == ("2021", "2022") and h.y.shape == (2, 2, 4)
    assert h.y[0, 0].tolist()[:3] == [0, 1, 0] and np.isnan(h.y[0, 0, 3])
    assert np.isnan(h.y[1, 1, 0]) and h.y[1, 1].tolist()[1:] == [0, 1, 0]
    assert h.obs_covs["effort"][1, 1, 1] == 0.5
