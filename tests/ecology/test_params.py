"""Declared parameter constraints: every estimator declares one for every constructor argument,
``fit`` refuses a bad value first (before it looks at the data), and the message names the
parameter, the value and what is allowed."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from onca.ecology._params import (
    Boolean,
    Estimator,
    InstanceOf,
    Interval,
    Options,
    validate_parameter,
    validate_parameters,
)
from onca.ecology.distribution import MaxEnt
from onca.ecology.occupancy import Occupancy
from onca.ecology.scr import SCR
from onca.errors import ParameterError

ESTIMATORS: list[type[Estimator]] = [SCR, Occupancy, MaxEnt]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_init_parameter_has_a_constraint(cls: type[Estimator]) -> None:
    init = inspect.signature(cls.__init__).parameters
    names = {n for n, p in init.items() if p.kind is p.KEYWORD_ONLY}
    assert names and names == set(cls._parameter_constraints)
    assert all(p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) for p in init.values())
    assert [n for n, p in init.items() if p.kind is p.POSITIONAL_OR_KEYWORD] == ["self"]
    validate_parameters(cls._parameter_constraints, cls().get_params())  # defaults pass


@pytest.mark.parametrize(
    ("estimator", "n_data", "message"),
    [
        (SCR(nx=0), 1, "nx: expected an integer >= 1, got 0"),
        (SCR(buffer=-5.0), 1, "buffer: expected a number >= 0, got -5.0"),
        (SCR(conditional="yes"), 1, "conditional: expected True or False, got 'yes'"),
        (SCR(mask_type="circle"), 1, "mask_type: expected one of trapbuffer, traprect"),
        (SCR(spacing=0.0), 1, "spacing: expected a number > 0 or None, got 0.0"),
        (Occupancy(K=0), 1, "K: expected an integer >= 1 or None, got 0"),
        (Occupancy(psi=1), 1, "psi: expected a formula such as '~1' or '~ forest', got 1"),
        (Occupancy(model="abundance"), 1, "model: expected one of occu, rn, got 'abundance'"),
        (MaxEnt(folds=1), 3, "folds: expected an integer >= 2, got 1"),
        (MaxEnt(background=50), 3, "background: expected an integer >= 100, got 50"),
        (MaxEnt(block_km=-1.0), 3, "block_km: expected a number > 0 or None, got -1.0"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Estimator) else None,
)
def test_fit_refuses_a_bad_parameter_before_the_data(
    estimator: Estimator, n_data: int, message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        estimator.fit(*[None] * n_data)


def test_scr_loglik_checks_parameters_too() -> None:
    with pytest.raises(ParameterError, match="binom_n: expected an integer >= 0, got -2"):
        SCR(binom_n=-2).loglik(None, {})


def test_intervals() -> None:
    positive = Interval(float, 0, None, closed="neither")
    assert positive.accepts(0.5) and positive.accepts(3) and not positive.accepts(0.0)
    assert not positive.accepts(float("nan")) and not positive.accepts("1")
    count = Interval(int, 1, 10)
    assert count.accepts(1) and count.accepts(10) and not count.accepts(11)
    assert not count.accepts(2.0) and not count.accepts(True)  # booleans are not counts
    assert count.describe() == "an integer in [1, 10]"
    assert Interval(float, 0, 1, closed="left").describe() == "a number in [0, 1)"
    assert Interval(float, None, 0, closed="neither").describe() == "a number < 0"


def test_options_and_messages() -> None:
    fns = Options(("HN", "EX"), ignore_case=True)
    assert fns.accepts("hn") and not fns.accepts("HR") and not fns.accepts(None)
    assert not Options(("occu",)).accepts("OCCU")
    assert Boolean().accepts(False) and not Boolean().accepts(0)
    assert InstanceOf(dict, "a dict").accepts({}) and not InstanceOf(dict, "a dict").accepts([])
    validate_parameter("start", None, [None, InstanceOf(dict, "a dict")])
    with pytest.raises(ParameterError) as caught:
        validate_parameter("start", [1], [None, InstanceOf(dict, "a dict")])
    assert str(caught.value) == "start: expected a dict or None, got [1]"
    with pytest.raises(ParameterError, match=r"^--detectfn: expected one of HN, EX, HHN, HEX"):
        SCR.check_parameter("detectfn", "XX", label="--detectfn")
    with pytest.raises(ParameterError, match="colour: no constraint is declared"):
        validate_parameters({}, {"colour": "red"})


def test_get_params_and_repr() -> None:
    model: dict[str, Any] = {"g0": "~ b"}
    scr = SCR(detectfn="HHN", model=model)
    assert scr.get_params()["model"] is model and scr.get_params()["detectfn"] == "HHN"
    assert repr(Occupancy(model="rn", K=30)) == "Occupancy(model='rn', psi='~1', p='~1', K=30)"
