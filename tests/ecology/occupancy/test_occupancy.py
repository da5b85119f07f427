"""Occupancy models: closed forms, recovery of known covariate effects, empirical Bayes,
goodness of fit, bad inputs named, and ``onca occupancy``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import expit
from scipy.stats import poisson
from typer.testing import CliRunner

from onca.cli import app
from onca.ecology.occupancy import DetectionHistory, Occupancy, read_history_csv
from onca.ecology.occupancy._gof import mb_gof
from onca.ecology.occupancy._simulate import simulate_occu, simulate_rn
from onca.errors import InputFileError, OncaWarning, ParameterError

runner = CliRunner()


def constant(seed: int = 1, sites: int = 300, occasions: int = 5) -> DetectionHistory:
    rng = np.random.default_rng(seed)
    h, _ = simulate_occu(np.full(sites, 0.6), np.full((sites, occasions), 0.3), rng)
    return h


def test_constant_model_matches_the_closed_form() -> None:
    """MacKenzie et al. (2002): with constant psi and p and no missing occasions, p-hat solves
    p / (1 - (1-p)^J) = d / (n J) and psi-hat = n / (S (1 - (1-p)^J))."""
    h = constant()
    s, j = h.y.shape
    n = int((h.y.sum(axis=1) > 0).sum())
    d = float(h.y.sum())
    p_hat = brentq(lambda p: p / (1 - (1 - p) ** j) - d / (n * j), 1e-9, 1 - 1e-9)
    star = 1 - (1 - p_hat) ** j
    psi_hat = n / (s * star)
    loglik = (
        n * math.log(psi_hat)
        + d * math.log(p_hat)
        + (n * j - d) * math.log(1 - p_hat)
        + (s - n) * math.log(1 - psi_hat * star)
    )
    m = Occupancy().fit(h)
    assert m.estimates_["psi"].estimate == pytest.approx(psi_hat, rel=1e-7)
    assert m.estimates_["p"].estimate == pytest.approx(p_hat, rel=1e-7)
    assert m.loglik_ == pytest.approx(loglik, rel=1e-10)
    assert m.aic_ == pytest.approx(-2 * loglik + 4)
    e = m.estimates_["psi"]
    assert e.lcl < e.estimate < e.ucl and e.se > 0
    # empirical Bayes: detected sites are occupied; the others by Bayes' rule
    undetected = psi_hat * (1 - p_hat) ** j / (psi_hat * (1 - p_hat) ** j + 1 - psi_hat)
    seen = h.y.sum(axis=1) > 0
    assert np.all(m.site_occupancy_[seen] == 1)
    assert m.site_occupancy_[~seen] == pytest.approx(undetected, rel=1e-6)


def test_royle_nichols_equals_the_sum_over_abundance() -> None:
    h = constant(2, 60, 4)
    m = Occupancy(model="rn", K=40).fit(h)
    lam, r = m.estimates_["lambda"].estimate, m.estimates_["r"].estimate
    total = 0.0
    for row in h.y:
        n = np.arange(41)
        p = 1 - (1 - r) ** n
        like = poisson.pmf(n, lam) * np.prod([p**y * (1 - p) ** (1 - y) for y in row], axis=0)
        total += math.log(like.sum())
    assert m.loglik_ == pytest.approx(total, rel=1e-9)
    assert m.estimates_["psi"].estimate == pytest.approx(1 - math.exp(-lam))


def test_covariate_effects_are_recovered() -> None:
    rng = np.random.default_rng(3)
    s, j = 2000, 6
    x, w = rng.normal(size=s), rng.normal(size=(s, j))
    surveyed = rng.random((s, j)) > 0.15
    h, _ = simulate_occu(
        expit(0.4 + 1.2 * x),
        expit(-0.8 + 0.7 * w),
        rng,
        surveyed=surveyed,
        site_covs={"x": x},
        obs_covs={"w": np.where(surveyed, w, np.nan)},
    )
    m = Occupancy(psi="~ x", p="~ w").fit(h)
    for name, true in (("psi", 0.4), ("psi.x", 1.2), ("p", -0.8), ("p.w", 0.7)):
        b, se = m.coef_[name]
        assert abs(b - true) < 3.5 * se, name
    assert m.estimates_ == {}  # no constant part to back-transform
    lam_h, _ = simulate_rn(np.exp(0.2 + 0.5 * x[:800]), np.full((800, j), 0.25), rng)
    lam_h = DetectionHistory(lam_h.sites, lam_h.y, {"x": x[:800]})
    rn = Occupancy(model="rn", psi="~ x").fit(lam_h)
    assert abs(rn.coef_["lambda.x"][0] - 0.5) < 3.5 * rn.coef_["lambda.x"][1]


def test_goodness_of_fit_on_data_from_the_model() -> None:
    m = Occupancy().fit(constant(4, 150, 5))
    g = mb_gof(m, replicates=40, seed=1)
    assert 0 < g.p_value <= 1 and g.failed == 0 and g.replicates == 40
    assert 0.5 < g.c_hat < 2.0
    long = constant(5, 80, 14)  # 2^14 histories: collapsed to detection counts
    g2 = mb_gof(Occupancy().fit(long), replicates=10, seed=2)
    assert np.isfinite(g2.statistic) and g2.statistic > 0


def write(tmp: Path, name: str, text: str) -> Path:
    (tmp / name).write_text(text)
    return tmp / name


def test_csv_input_and_its_errors(tmp_path: Path) -> None:
    hist = write(tmp_path, "h.csv", "site_id,o1,o2,o3\nA,1,0,\nB,0,0,0\nC,,,\nD,0,1,1\n")
    covs = write(
        tmp_path, "s.csv", "site_id,forest,kind\nA,0.5,wet\nB,0.1,dry\nC,0.3,dry\nD,0.9,wet\n"
    )
    date = write(tmp_path, "d.csv", "site_id,o1,o2,o3\nA,1,2,\nB,1,2,3\nC,,,\nD,1,2,3\n")
    with pytest.warns(
        OncaWarning, match=r"1 site\(s\) have no survey effort at all and are left out: C"
    ):
        h = read_history_csv(hist, site_covs=covs, obs_covs={"date": date}).drop_unsurveyed()
    assert h.sites == ("A", "B", "D") and h.site_covs["kind"].tolist() == ["wet", "dry", "wet"]
    bad = write(tmp_path, "bad.csv", "site_id,o1,o2\nA,1,0\nB,1\n")
    with pytest.raises(InputFileError, match=r"line 3: site 'B' has 1 occasions, the header 2"):
        read_history_csv(bad)
    counts = write(tmp_path, "two.csv", "site_id,o1,o2\nA,1,2\nB,3,0\nC,0,\n")
    with pytest.warns(
        OncaWarning, match=r"2 cell\(s\) .* counts above 1 \(largest 3\);.*truncated"
    ):
        assert read_history_csv(counts).y[:2].tolist() == [[1, 1], [1, 0]]
    half = write(tmp_path, "half.csv", "site_id,o1,o2\nA,1,0.5\n")
    with pytest.raises(
        InputFileError, match=r"line 2: site 'A', o2: expected 1, 0, a count or empty, got '0.5'"
    ):
        read_history_csv(half)
    nan_cov = write(tmp_path, "n.csv", "site_id,forest\nA,0.5\nB,\nC,0.3\nD,0.9\n")
    with pytest.raises(InputFileError, match=r"line 3: site 'B' has no value for 'forest'"):
        read_history_csv(hist, site_covs=nan_cov)
    hole = write(tmp_path, "hole.csv", "site_id,o1,o2,o3\nA,1,,\nB,1,2,3\nC,,,\nD,1,2,3\n")
    with pytest.raises(
        InputFileError, match=r"'date' is missing for site 'A' occasion 2, which was surveyed"
    ):
        read_history_csv(hist, obs_covs={"date": hole})
    with pytest.raises(InputFileError, match="first column must be site_id"):
        read_history_csv(write(tmp_path, "x.csv", "site,o1\nA,1\n"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "abundance"}, "model: expected one of occu, rn"),
        ({"psi": "~ elevation"}, "no site covariate 'elevation'"),
        ({"p": "~ wind"}, "no site or observation covariate 'wind'"),
        ({"psi": "forest"}, "expected a formula"),
    ],
)
def test_bad_models_are_named(tmp_path: Path, kwargs: dict, message: str) -> None:
    hist = write(tmp_path, "h.csv", "site_id,o1,o2\nA,1,0\nB,0,0\n")
    covs = write(tmp_path, "s.csv", "site_id,forest\nA,0.5\nB,0.1\n")
    with pytest.raises(ParameterError, match=message):
        Occupancy(**kwargs).fit(read_history_csv(hist, site_covs=covs))


def test_cli_json_constant_and_covariates(tmp_path: Path) -> None:
    h = constant(6, 120, 4)
    lines = ["site_id,o1,o2,o3,o4"] + [
        f"{s}," + ",".join(str(int(v)) for v in row) for s, row in zip(h.sites, h.y, strict=True)
    ]
    hist = write(tmp_path, "h.csv", "\n".join(lines) + "\n")
    rng = np.random.default_rng(0)
    covs = write(
        tmp_path,
        "s.csv",
        "site_id,forest\n"
        + "\n".join(f"{s},{v:.3f}" for s, v in zip(h.sites, rng.random(120), strict=True))
        + "\n",
    )
    result = runner.invoke(app, ["occupancy", str(hist), "--json", "--gof", "5"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["estimates"]) == {"psi", "p"}
    assert set(data["estimates"]["psi"]) == {"estimate", "se", "lcl", "ucl"}
    assert data["loglik"] < 0 and data["aic"] == pytest.approx(-2 * data["loglik"] + 4)
    assert 0 < data["gof"]["p_value"] <= 1
    cov = runner.invoke(
        app,
        [
            "occupancy",
            str(hist),
            "--site-covs",
            str(covs),
            "--psi",
            "~ forest",
            "--json",
            "--plots",
            str(tmp_path / "png"),
        ],
    )
    data = json.loads(cov.stdout)
    assert "psi.forest" in data["coefficients"] and "psi" not in data["estimates"]
    assert (tmp_path / "png" / "psi_forest.png").read_bytes()[:4] == b"\x89PNG"
    rn = json.loads(runner.invoke(app, ["occupancy", str(hist), "--model", "rn", "--json"]).stdout)
    assert set(rn["estimates"]) == {"lambda", "psi", "r"} and rn["K"] == 25
    text = runner.invoke(app, ["occupancy", str(hist)])
    assert text.exit_code == 0 and "naive occupancy" in text.stdout
    missing = runner.invoke(app, ["occupancy"])
    assert missing.exit_code == 2 and "give a detection history CSV" in missing.output


def test_cli_camtrap(tmp_path: Path) -> None:
    from onca.synth._camtrap import write_camtrap_survey

    write_camtrap_survey(tmp_path, seed=7)
    folder = tmp_path / "camtrap"
    result = runner.invoke(
        app,
        [
            "occupancy",
            "--camtrap-dp",
            str(folder),
            "--species",
            "ocelot",
            "--site-covs",
            str(folder / "site_covariates.csv"),
            "--psi",
            "~ forest",
            "--p",
            "~ effort",
            "--json",
            "--plots",
            str(tmp_path / "png"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    truth = json.loads((tmp_path / "truth" / "camtrap_truth.json").read_text())["occupancy"][
        "Leopardus pardalis"
    ]
    b, se = data["coefficients"]["psi.forest"]["beta"], data["coefficients"]["psi.forest"]["se"]
    assert abs(b - truth["beta_forest"]) < 2.5 * se
    assert data["n_sites"] == 40 and data["n_occasions"] == 13
    assert (tmp_path / "png" / "site_occupancy.png").exists()
    unknown = runner.invoke(app, ["occupancy", "--camtrap-dp", str(folder), "--species", "puma"])
    assert unknown.exit_code == 2 and "no observations of it" in unknown.output


def test_factors_text_codes_and_empty_levels(tmp_path: Path) -> None:
    """Text observation covariates are factors; --factor makes numeric codes one, levels in
    numeric order; a level left with no data keeps its column (as R's model.matrix does) and
    is named in a warning."""
    hist = write(tmp_path, "h.csv", "site_id,o1,o2,o3\nA,1,0,1\nB,0,0,0\nC,1,1,0\nD,0,1,\n")
    who = write(
        tmp_path, "w.csv", "site_id,o1,o2,o3\nA,ann,bo,ann\nB,bo,bo,ann\nC,ann,bo,bo\nD,bo,ann,cy\n"
    )
    code = write(tmp_path, "c.csv", "site_id,o1,o2,o3\nA,10,2,2\nB,2,10,2\nC,10,2,10\nD,2,2,10\n")
    h = read_history_csv(hist, obs_covs={"who": who, "code": code}, factors=["code"])
    assert h.factors == {"who": ("ann", "bo", "cy"), "code": ("2", "10")}
    with pytest.warns(OncaWarning, match=r"level 'cy' of 'who' has no data, so p.whocy cannot"):
        m = Occupancy(p="~ who + code").fit(h)  # cy: only at D occasion 3, not surveyed
    assert list(m.coef_) == ["psi", "p", "p.whobo", "p.whocy", "p.code10"]
    no_intercept = Occupancy(p="~ code - 1").fit(h)
    assert list(no_intercept.coef_) == ["psi", "p.code2", "p.code10"]
    sites = write(tmp_path, "s.csv", "site_id,zone\nA,3\nB,1\nC,3\nD,1\n")
    result = runner.invoke(
        app,
        [
            "occupancy",
            str(hist),
            "--site-covs",
            str(sites),
            "--factor",
            "zone",
            "--psi",
            "~ zone",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "psi.zone3" in json.loads(result.stdout)["coefficients"]
