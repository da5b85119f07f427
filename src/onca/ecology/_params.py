"""Declared parameter constraints and the estimator base the ecology models share.

Each estimator states, in a class-level ``_parameter_constraints`` dict, what every constructor
argument may be: a list of constraints, any one of which admits a value. ``fit`` checks them
all first, so that a bad value is refused with one message naming the parameter, the value and
what is allowed, before any data is touched:

>>> validate_parameters({"folds": [Interval(int, 2, None)]}, {"folds": 1})
Traceback (most recent call last):
...
onca.errors.ParameterError: folds: expected an integer >= 2, got 1
"""

from __future__ import annotations

import inspect
import math
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np

from onca.errors import OncaWarning, ParameterError

__all__ = [
    "Boolean",
    "Constraint",
    "Estimator",
    "InstanceOf",
    "Interval",
    "Options",
    "validate_parameter",
    "validate_parameters",
]


class Constraint:
    """One kind of value a parameter accepts."""

    def accepts(self, value: Any) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Interval(Constraint):
    """A number of ``kind`` (int or float) between ``left`` and ``right`` (None: unbounded);
    ``closed`` says which ends belong: 'both', 'left', 'right' or 'neither'. Booleans are not
    numbers here, and neither is NaN."""

    kind: type
    left: float | None
    right: float | None
    closed: str = "both"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool | np.bool_):
            return False
        if not isinstance(value, Integral if self.kind is int else Real):
            return False
        v = float(value)
        if math.isnan(v):
            return False
        left_in = self.closed in ("both", "left")
        right_in = self.closed in ("both", "right")
        if self.left is not None and (v < self.left or (v == self.left and not left_in)):
            return False
        return not (
            self.right is not None and (v > self.right or (v == self.right and not right_in))
        )

    def describe(self) -> str:
        noun = "an integer" if self.kind is int else "a number"
        low = ">=" if self.closed in ("both", "left") else ">"
        high = "<=" if self.closed in ("both", "right") else "<"
        if self.left is not None and self.right is not None:
            lb = "[" if low == ">=" else "("
            rb = "]" if high == "<=" else ")"
            return f"{noun} in {lb}{self.left:g}, {self.right:g}{rb}"
        if self.left is not None:
            return f"{noun} {low} {self.left:g}"
        if self.right is not None:
            return f"{noun} {high} {self.right:g}"
        return noun


@dataclass(frozen=True)
class Options(Constraint):
    """One of a fixed set of strings (``ignore_case``: 'hn' is 'HN')."""

    values: tuple[str, ...]
    ignore_case: bool = False

    def accepts(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if self.ignore_case:
            return value.upper() in {v.upper() for v in self.values}
        return value in self.values

    def describe(self) -> str:
        return f"one of {', '.join(self.values)}"


@dataclass(frozen=True)
class InstanceOf(Constraint):
    """An instance of ``kind``, described to the user as ``what`` ('a formula such as ...')."""

    kind: type | tuple[type, ...]
    what: str

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.kind)

    def describe(self) -> str:
        return self.what


@dataclass(frozen=True)
class Boolean(Constraint):
    """True or False."""

    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool | np.bool_)

    def describe(self) -> str:
        return "True or False"


def validate_parameter(
    name: str,
    value: Any,
    allowed: Sequence[Constraint | None],
    *,
    label: str | None = None,
) -> None:
    """Raise :class:`ParameterError` unless one of ``allowed`` admits ``value`` (None in the
    list admits None). ``label`` names the parameter in the message (default ``name``; the CLI
    passes its option, e.g. '--detectfn')."""
    if any(c is None and value is None for c in allowed):
        return
    if any(c is not None and c.accepts(value) for c in allowed):
        return
    words = [c.describe() for c in allowed if c is not None]
    if None in allowed:
        words.append("None")
    raise ParameterError(f"{label or name}: expected {' or '.join(words)}, got {value!r}")


def validate_parameters(
    constraints: Mapping[str, Sequence[Constraint | None]], params: Mapping[str, Any]
) -> None:
    """Check every parameter in ``params`` against its declared constraints; a parameter with
    none declared is a programming error, refused too."""
    for name, value in params.items():
        if name not in constraints:
            raise ParameterError(f"{name}: no constraint is declared for this parameter")
        validate_parameter(name, value, constraints[name])


class Estimator:
    """Base of Onca's ecology estimators, in scikit-learn's manner: a keyword-only constructor
    that only stores its arguments (declared in ``_parameter_constraints``), ``fit`` that checks
    them first and returns the estimator, learned values ending in ``_``.

    Every fit records ``warnings_`` (the messages of the OncaWarnings it raised, which are also
    passed on to the caller) and ``fit_seconds_`` (wall-clock seconds)."""

    _parameter_constraints: ClassVar[dict[str, list[Constraint | None]]] = {}
    warnings_: list[str]
    fit_seconds_: float

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments, by name."""
        return {name: getattr(self, name) for name in self._param_names()}

    def _validate_params(self) -> None:
        validate_parameters(self._parameter_constraints, self.get_params())

    @classmethod
    def check_parameter(cls, name: str, value: Any, *, label: str | None = None) -> None:
        """Check one value against this estimator's declared constraint for ``name`` (the CLI
        does so before reading data, naming its own option as ``label``)."""
        validate_parameter(name, value, cls._parameter_constraints[name], label=label)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    @contextmanager
    def _fitting(self) -> Iterator[None]:
        """Around a fit: the parameters checked, the OncaWarnings recorded in ``warnings_`` (and
        passed on), the time in ``fit_seconds_``."""
        started = time.perf_counter()
        self._validate_params()
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", OncaWarning)
                yield
        finally:  # passed on even when the fit fails: they may say why
            for w in caught:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        self.warnings_ = [str(w.message) for w in caught if issubclass(w.category, OncaWarning)]
        self.fit_seconds_ = time.perf_counter() - started
