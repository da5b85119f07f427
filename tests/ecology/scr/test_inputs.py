"""Bad inputs are named (file, line, parameter), and the vectorised likelihood equals a plain
loop over animals, occasions, detectors and mask points."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.special import gammaln

from onca.ecology.scr import SCR, CaptureHistory, Mask, Traps, make_mask, read_secr
from onca.ecology.scr._detectfn import detectfn
from onca.ecology.scr._likelihood import Prepared, Spec
from onca.errors import InputFileError, OncaWarning, ParameterError

TRAPS = "A 0 0\nB 100 0\nC 0 100\nD 100 100\n"


def files(tmp_path: Path, captures: str, traps: str = TRAPS) -> tuple[Path, Path]:
    (tmp_path / "trap.txt").write_text(traps)
    (tmp_path / "capt.txt").write_text(captures)
    return tmp_path / "trap.txt", tmp_path / "capt.txt"


def test_detector_not_in_the_trap_file(tmp_path: Path) -> None:
    t, c = files(tmp_path, "1 a1 1 0 0\n1 a1 2 50 50\n")
    with pytest.raises(InputFileError, match=r"capt.txt line 2: x=50 y=50 is not a detector"):
        read_secr(t, c)
    t, c = files(tmp_path, "1 a1 1 A\n1 a2 1 Z\n")
    with pytest.raises(InputFileError, match=r"line 2: detector 'Z' is not a detector"):
        read_secr(t, c, fmt="trapID")


def test_occasions_out_of_range(tmp_path: Path) -> None:
    t, c = files(tmp_path, "1 a1 1 0 0\n1 a1 4 0 0\n")
    with pytest.raises(InputFileError, match=r"line 2: occasion 4 is out of range .* 3 occasions"):
        read_secr(t, c, occasions=3)
    t, c = files(tmp_path, "1 a1 0 0 0\n")
    with pytest.raises(InputFileError, match=r"line 1: occasion must be a whole number"):
        read_secr(t, c)


def test_a_repeat_at_single_catch_traps_is_dropped_with_its_line(tmp_path: Path) -> None:
    t, c = files(tmp_path, "1 a1 1 0 0\n1 a1 1 100 0\n1 a2 2 0 100\n")
    with pytest.warns(
        OncaWarning, match=r"line 2: animal a1 was already detected on occasion 1 \(line 1\)"
    ):
        ch = read_secr(t, c, detector="single")
    assert ch.detections == 2
    proximity = read_secr(t, c, detector="proximity")  # proximity detectors keep both
    assert proximity.detections == 3


def test_a_detection_while_the_camera_was_off(tmp_path: Path) -> None:
    traps = "A 0 0 11\nB 100 0 10\nC 0 100 11\nD 100 100 11\n"
    t, c = files(tmp_path, "1 a1 1 0 0\n1 a1 2 100 0\n", traps)
    with pytest.warns(
        OncaWarning,
        match=r"line 2: detection of animal a1 on occasion 2 at detector B, which was not operating",
    ):
        ch = read_secr(t, c, detector="proximity")
    assert ch.effort()[1].tolist() == [1.0, 0.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no detections"),
        ("1 a1\n", "line 1: expected 'session animalID occasion"),
        ("1 a1 x 0 0\n", "line 1: occasion must be a number"),
    ],
)
def test_malformed_capture_files(tmp_path: Path, text: str, message: str) -> None:
    t, c = files(tmp_path, text)
    with pytest.raises(InputFileError, match=message):
        read_secr(t, c)


def test_malformed_trap_files(tmp_path: Path) -> None:
    t, c = files(tmp_path, "1 a1 1 0 0\n", "A 0 0\nA 5 5\n")
    with pytest.raises(InputFileError, match="line 2: detector 'A' is listed twice"):
        read_secr(t, c)
    t, c = files(tmp_path, "1 a1 1 0 0\n", "A 0 zero\n")
    with pytest.raises(InputFileError, match="line 1: y must be a number"):
        read_secr(t, c)


def test_a_mask_with_no_points() -> None:
    from shapely.geometry import box

    traps = Traps(("A", "B"), np.array([[0.0, 0.0], [100.0, 0.0]]))
    with pytest.raises(ParameterError, match=r"mask: no points left .* habitat polygon"):
        make_mask(traps, buffer=50, polygon=box(10_000, 10_000, 20_000, 20_000))
    with pytest.raises(ParameterError, match="buffer"):
        make_mask(traps, buffer=-1)
    kept = make_mask(traps, buffer=50, polygon=box(-100, -100, 50, 100))
    assert kept.xy[:, 0].max() < 50


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"detectfn": "HZ"}, "detectfn: expected one of HN, EX, HHN, HEX"),
        ({"model": {"lambda0": "~1"}}, "no parameter 'lambda0' with detectfn HN"),
        ({"model": {"g0": "sex"}}, "expected a formula"),
        ({"model": {"g0": "~ log(sex)"}}, "not a covariate name"),
        ({"model": {"g0": "~ sex"}}, "individual covariates \\(sex\\) need the conditional"),
        ({"model": {"g0": "~ age"}, "conditional": True}, "no individual covariate 'age'"),
        ({"model": {"D": "~ forest"}}, "no mask covariate 'forest'"),
        ({"model": {"D": "~ x"}, "conditional": True}, "conditional likelihood has no density"),
        ({"binom_n": -1}, "binom_n"),
    ],
)
def test_bad_models_are_named(captdata: CaptureHistory, kwargs: dict, message: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        with pytest.raises(ParameterError, match=message):
            SCR(**kwargs).fit(captdata)


def test_fixed_values_must_cover_the_model(captdata: CaptureHistory) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OncaWarning)
        with pytest.raises(ParameterError, match="give every parameter"):
            SCR().loglik(captdata, {"D": 5.0, "g0": 0.3})
        with pytest.raises(ParameterError, match=r"fixed g0: 1\.5 is out of range"):
            SCR().loglik(captdata, {"D": 5.0, "g0": 1.5, "sigma": 30.0})


# -- the likelihood as a plain loop -----------------------------------------------------------


def _brute(ch: CaptureHistory, mask: Mask, d: float, p0: float, sigma: float, size: int) -> float:
    """Full likelihood of a HN model written out term by term (module docstring of
    onca.ecology.scr._likelihood), one mask point, occasion and detector at a time. ``size``:
    binomial size of count detectors, 0 for Poisson counts. An animal removed on occasion r
    (``ch.removed``) has no terms after r, as secr's prwi: it stops after that occasion."""
    u = ch.effort()
    n, s_count, k_count = ch.counts.shape
    last = [
        s_count - 1 if ch.removed is None or ch.removed[i] < 0 else ch.removed[i] for i in range(n)
    ]
    lik = np.zeros((n, len(mask)))
    never = np.zeros(len(mask))
    for m, (x, y) in enumerate(mask.xy):
        g = [
            p0 * math.exp(-((x - tx) ** 2 + (y - ty) ** 2) / (2 * sigma**2))
            for tx, ty in ch.traps.xy
        ]
        h = [-math.log(1 - gk) for gk in g]
        never[m] = math.exp(-max(size, 1) * sum(h[k] * u[k].sum() for k in range(k_count)))
        for i in range(n):
            pr = 1.0
            for s in range(last[i] + 1):
                if ch.traps.detector == "multi":
                    total = sum(u[k, s] * h[k] for k in range(k_count))
                    caught = np.flatnonzero(ch.counts[i, s])
                    if caught.size:
                        k = int(caught[0])
                        pr *= u[k, s] * h[k] / total * (1 - math.exp(-total))
                    else:
                        pr *= math.exp(-total)
                elif size == 0:  # Poisson with mean u h
                    for k in range(k_count):
                        if u[k, s] == 0:
                            continue
                        mu, y = u[k, s] * h[k], int(ch.counts[i, s, k])
                        pr *= math.exp(-mu) * mu**y / math.factorial(y)
                else:  # binomial of size `size` with g' = 1 - (1 - g)^u
                    for k in range(k_count):
                        if u[k, s] == 0:
                            continue
                        gk = 1 - (1 - g[k]) ** u[k, s]
                        y = int(ch.counts[i, s, k])
                        pr *= math.comb(size, y) * gk**y * (1 - gk) ** (size - y)
            lik[i, m] = pr
    a = mask.cell_ha
    big_n = d * a * len(mask)
    pbar = float((1 - never).mean())
    histories = ch.counts.reshape(n, -1)
    if ch.removed is not None:  # a death makes a history differ (secr's sign)
        histories = np.column_stack([histories, ch.removed])
    _, mult = np.unique(histories, axis=0, return_counts=True)
    return float(
        np.log(lik.mean(axis=1)).sum()
        + n * math.log(big_n)
        - big_n * pbar
        - gammaln(mult + 1).sum()
    )


def _small_history(detector: str, size: int) -> CaptureHistory:
    rng = np.random.default_rng(5)
    xy = np.array([[x, y] for x in (0.0, 40.0, 80.0) for y in (0.0, 40.0)])
    usage = rng.choice([0.0, 0.5, 1.0, 2.0], size=(6, 4), p=[0.2, 0.2, 0.4, 0.2])
    traps = Traps(tuple("ABCDEF"), xy, detector, usage)
    counts = np.zeros((5, 4, 6), dtype=np.int64)
    for i in range(5):
        for s in range(4):
            ks = np.flatnonzero(usage[:, s] > 0)
            if detector == "multi":
                if rng.random() < 0.5:
                    counts[i, s, rng.choice(ks)] = 1
            else:
                counts[i, s, ks] = rng.binomial(size, 0.3, size=ks.size)
    counts[counts.sum(axis=(1, 2)) == 0, 0, int(np.flatnonzero(usage[:, 0] > 0)[0])] = 1
    return CaptureHistory(traps, tuple(f"a{i}" for i in range(5)), counts)


@pytest.mark.parametrize(("detector", "size"), [("multi", 1), ("proximity", 1), ("count", 3)])
def test_vectorised_likelihood_equals_the_loop(detector: str, size: int) -> None:
    ch = _small_history(detector, size)
    mask = make_mask(ch.traps, buffer=60, nx=12)
    spec = Spec(detectfn("HN"), binom_n=size if detector == "count" else 0)
    prep = Prepared(ch, mask, spec)
    beta = np.array([math.log(2.0), math.log(0.3 / 0.7), math.log(25.0)])
    assert prep.loglik(beta) == pytest.approx(_brute(ch, mask, 2.0, 0.3, 25.0, size), rel=1e-10)


@pytest.mark.parametrize(
    ("detector", "size"), [("multi", 1), ("proximity", 1), ("count", 3), ("count", 0)]
)
def test_deaths_in_the_likelihood_equal_the_loop(detector: str, size: int) -> None:
    """Animals removed (died) on an occasion: no terms after it, for every detector type. The
    loop is written from secr's rule (prwisimple.cpp: multi-catch traps stop after the capture,
    proximity and count detectors after the occasion), not from Onca's vectorised code; the
    multi-catch case also matches secr's own fit on the ovenbird data (test_sessions.py)."""
    ch = _small_history(detector, size if detector != "count" else max(size, 2))
    counts = ch.counts.copy()
    removed = np.full(ch.n, -1)
    for i, r in ((0, 1), (3, 0)):  # a0 dies on occasion 2, a3 on occasion 1, when caught
        counts[i, r + 1 :] = 0
        if not counts[i, r].any():
            counts[i, r, int(np.flatnonzero(ch.traps.usage[:, r] > 0)[0])] = 1
        removed[i] = r
    dead = CaptureHistory(ch.traps, ch.animals, counts, ch.covariates, removed)
    alive = CaptureHistory(ch.traps, ch.animals, counts, ch.covariates)
    mask = make_mask(ch.traps, buffer=60, nx=12)
    spec = Spec(detectfn("HN"), binom_n=size if detector == "count" else 0)
    beta = np.array([math.log(2.0), math.log(0.3 / 0.7), math.log(25.0)])
    got = Prepared(dead, mask, spec).loglik(beta)
    assert got == pytest.approx(_brute(dead, mask, 2.0, 0.3, 25.0, size), rel=1e-10)
    assert abs(got - Prepared(alive, mask, spec).loglik(beta)) > 0.1  # the deaths count
    prep = Prepared(dead, mask, spec)  # and the gradient follows them
    _, grad = prep.evaluate(beta)
    step = 1e-6
    numeric = [
        (prep.loglik(beta + step * e) - prep.loglik(beta - step * e)) / (2 * step)
        for e in np.eye(3)
    ]
    assert grad == pytest.approx(numeric, rel=1e-5, abs=1e-6)
