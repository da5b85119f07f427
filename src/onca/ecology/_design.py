"""Model formulas and design matrices, shared by SCR and occupancy models.

A formula is ``~1`` (constant) or ``~ a + b + ...``. Density (D) takes mask covariates
(log-linear: log D = b0 + b1 x1 + ...). The detection parameters (g0 or lambda0, and sigma) take
individual covariates (sex, age class...) and, for g0/lambda0, ``b``: a learned response, the
detection parameter changing once an animal has been detected (trap-happy or trap-shy).
Numeric covariates enter linearly; text covariates as one indicator per level but the first
(levels sorted), as R's treatment contrasts do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from onca.errors import ParameterError

F64 = npt.NDArray[np.float64]
TERM = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def parse_formula(text: str | None, parameter: str) -> tuple[str, ...]:
    """The terms of ``~ a + b`` (``~1`` or None: no terms)."""
    if text is None:
        return ()
    body = text.strip()
    if not body.startswith("~"):
        raise ParameterError(
            f"model for {parameter}: expected a formula such as '~1' or '~ sex', got {text!r}"
        )
    parts = [p.strip() for p in body[1:].split("+")]
    terms = tuple(p for p in parts if p != "1")
    for term in terms:
        if not TERM.match(term):
            raise ParameterError(
                f"model for {parameter}: {term!r} is not a covariate name (formulas are"
                " '~1' or '~ a + b'; interactions and transformations are not supported)"
            )
    if len(set(terms)) != len(terms):
        raise ParameterError(f"model for {parameter}: a term is repeated in {text!r}")
    return terms


@dataclass(frozen=True)
class Columns:
    """Design columns built from covariates: ``names`` (one per column, intercept first) and,
    per term, how to make its columns from raw values."""

    parameter: str
    names: tuple[str, ...]
    terms: tuple[str, ...]
    levels: dict[str, tuple[str, ...]]  # text covariates: their levels (first = reference)

    def matrix(self, values: Mapping[str, npt.NDArray[np.generic]], rows: int) -> F64:
        """(rows, len(names)): intercept, then each term's columns."""
        columns = [np.ones(rows)]
        for term in self.terms:
            raw = np.asarray(values[term])
            if term in self.levels:
                for level in self.levels[term][1:]:
                    columns.append((raw.astype(str) == level).astype(np.float64))
            else:
                columns.append(raw.astype(np.float64))
        return np.column_stack(columns)


def columns_for(
    parameter: str,
    terms: tuple[str, ...],
    available: Mapping[str, npt.NDArray[np.generic]],
    *,
    where: str,
    special: tuple[str, ...] = (),
) -> Columns:
    """Design columns for ``terms`` drawn from ``available`` covariates (``special`` terms such
    as ``b`` are numeric 0/1 columns supplied later)."""
    names = [parameter]
    levels: dict[str, tuple[str, ...]] = {}
    for term in terms:
        if term in special:
            names.append(f"{parameter}.{term}")
            continue
        if term not in available:
            known = ", ".join(sorted(available)) or "none"
            raise ParameterError(
                f"model for {parameter}: no {where} covariate {term!r} (known: {known})"
            )
        raw = np.asarray(available[term])
        if raw.dtype.kind in "fiub":
            if not np.isfinite(raw.astype(np.float64)).all():
                raise ParameterError(f"{where} covariate {term!r} has missing or infinite values")
            names.append(f"{parameter}.{term}")
        else:
            found = tuple(sorted({str(v) for v in raw}))
            if len(found) < 2:
                raise ParameterError(
                    f"{where} covariate {term!r} has one level ({found}); it cannot be a term"
                )
            levels[term] = found
            names.extend(f"{parameter}.{term}{level}" for level in found[1:])
    return Columns(parameter, tuple(names), terms, levels)
