"""Occupancy model terms as R's ``model.matrix`` builds them for unmarked, so that coefficients
compare name for name.

A formula is ``~1``, ``~ a + b`` or, without the intercept, ``~ a + b - 1`` (or ``+ 0``).
Numeric covariates enter linearly; ``I(a^2)`` (any whole power) adds a power of one, as in R. Text covariates, and numeric ones declared factors
(``--factor NAME``), enter as factors with treatment contrasts: the first level is the reference
and every other level gets an indicator column named parameter.covariateLEVEL (``p.obsNum2``:
R's ``obsNum2``). Levels are sorted as R's ``factor()`` sorts them: numerically for numeric
codes (1, 2, 10), by code point for text (R in the C locale; R in an English locale sorts
letters case-insensitively). Without the intercept, the first factor gets a column for every
level (``~ year - 1``: one coefficient per year, unmarked's means parameterisation).

A level is a level of the covariate as read, whether or not any surveyed site or occasion
holds it: R's ``factor()`` and unmarked's ``getDesign`` keep levels that lose their data when
sites are removed, so their columns are all zero and their coefficients cannot be estimated
(unmarked reports them with no standard error, after a singular-Hessian warning). Onca does
the same and says which level has no data. The one exception is unmarked's too: colonisation
and extinction in a dynamic model drop the levels found only in the final season
(``drop_final_year``), since no transition follows it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from onca.ecology._design import Columns, parse_formula
from onca.errors import ParameterError

F64 = npt.NDArray[np.float64]
MISSING = ("", "NA", "NaN", ".")
POWER = re.compile(r"^I\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\^\s*([0-9]+)\s*\)$")


def base_of(term: str) -> tuple[str, int]:
    """The covariate a term reads and its power: ``I(date^2)`` -> ('date', 2)."""
    match = POWER.match(term)
    return (match.group(1), int(match.group(2))) if match else (term, 1)


def term_values(values: Mapping[str, npt.ArrayLike], term: str) -> npt.NDArray[np.generic]:
    name, power = base_of(term)
    raw = np.asarray(values[name])
    return raw if power == 1 else raw.astype(np.float64) ** power


def is_missing(values: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Which cells hold no value: NaN, None or an empty or NA text."""
    arr = np.asarray(values)
    if arr.dtype.kind in "fc":
        return np.isnan(arr)
    if arr.dtype.kind in "iub":
        return np.zeros(arr.shape, dtype=bool)
    flat = [
        v is None
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and v.strip() in MISSING)
        for v in arr.ravel().tolist()
    ]
    return np.asarray(flat, dtype=bool).reshape(arr.shape)


def r_number(value: float) -> str:
    """A number as R's ``as.character`` writes it (15 significant digits; scientific notation
    when shorter): the label of a numeric code turned into a factor level."""
    v = float(value)
    if v == 0:
        return "0"
    fixed = f"{v:.15g}"
    if "e" in fixed:  # %g chose an exponent: write the fixed form out
        fixed = np.format_float_positional(float(fixed), trim="-")
    mantissa, exponent = f"{v:.14e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    sci = f"{mantissa}e{int(exponent):+03d}"
    return sci if len(fixed) > len(sci) else fixed


def as_text(values: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Covariate values as factor labels (numeric codes written as R writes them; missing
    values as '')."""
    arr = np.asarray(values)
    missing = is_missing(arr)
    if arr.dtype.kind in "fiub":
        labels = [r_number(v) for v in arr.ravel().tolist()]
    else:
        labels = [str(v).strip() for v in arr.ravel().tolist()]
    out = np.asarray(labels, dtype=object).reshape(arr.shape)
    out[missing] = ""
    return out


def sorted_levels(values: npt.ArrayLike) -> tuple[str, ...]:
    """The levels R's ``factor()`` finds in ``values``: numeric codes in numeric order, text by
    code point; missing values are no level."""
    arr = np.asarray(values)
    present = arr[~is_missing(arr)]
    if arr.dtype.kind in "fiub":
        return tuple(r_number(v) for v in sorted({float(v) for v in present.tolist()}))
    return tuple(sorted({str(v).strip() for v in present.tolist()}))


def parse_terms(text: str, parameter: str) -> tuple[tuple[str, ...], bool]:
    """The terms of a formula and whether it keeps its intercept (``- 1`` or ``+ 0`` drops it)."""
    body = text.strip() if isinstance(text, str) else text
    if not isinstance(body, str) or not body.startswith("~"):
        return parse_formula(text, parameter), True  # parse_formula names the error
    intercept = True
    kept: list[str] = []
    pieces = re.split(r"([+-])", body[1:])
    sign = "+"
    for piece in pieces:
        token = piece.strip()
        if token in ("+", "-"):
            sign = token
            continue
        if not token:
            continue
        if token in ("0", "1") and (sign == "-") == (token == "1"):
            intercept = False
        elif sign == "-" or token == "0":
            raise ParameterError(
                f"model for {parameter}: only the intercept can be removed ('- 1' or '+ 0'),"
                f" got {text!r}"
            )
        elif token != "1":
            kept.append(re.sub(r"\s+", "", token) if POWER.match(token) else token)
        sign = "+"
    powers = [t for t in kept if POWER.match(t)]
    if len(set(kept)) != len(kept):
        raise ParameterError(f"model for {parameter}: a term is repeated in {text!r}")
    plain = parse_formula("~ " + (" + ".join(t for t in kept if t not in powers) or "1"), parameter)
    terms = tuple(t if t in powers else plain[plain.index(t)] for t in kept)
    if not intercept and not terms:
        raise ParameterError(f"model for {parameter}: {text!r} leaves no term at all")
    return terms, intercept


@dataclass(frozen=True)
class TermColumns(Columns):
    """:class:`Columns` with R's coding of factors: ``levels`` per factor term (first = the
    reference), ``intercept`` and, without it, ``full``: the factor coded with every level."""

    intercept: bool = True
    full: str | None = None

    def stack(self, values: Mapping[str, npt.ArrayLike], shape: tuple[int, ...]) -> F64:
        """shape + (len(names),): each term's columns from ``values`` (each broadcast to
        ``shape``); missing numeric values become 0 and missing levels no indicator (the cells
        that hold them must not be used)."""
        columns = [np.ones(shape)] if self.intercept else []
        for term in self.terms:
            raw = np.broadcast_to(term_values(values, term), shape)
            if term in self.levels:
                text = as_text(raw)
                levels = self.levels[term] if term == self.full else self.levels[term][1:]
                columns.extend((text == level).astype(np.float64) for level in levels)
            else:
                columns.append(np.nan_to_num(raw.astype(np.float64)))
        if not columns:
            return np.zeros((*shape, 0))
        return np.stack(columns, axis=-1)

    def matrix(self, values: Mapping[str, npt.NDArray[np.generic]], rows: int) -> F64:
        return self.stack(values, (rows,))

    def level_columns(self, term: str) -> list[tuple[str, int | None]]:
        """(level, column index or None for the reference) of a factor term."""
        out: list[tuple[str, int | None]] = []
        col = 1 if self.intercept else 0
        for t in self.terms:
            if t in self.levels:
                levels = self.levels[t]
                coded = levels if t == self.full else levels[1:]
                if t == term:
                    if t != self.full:
                        out.append((levels[0], None))
                    out.extend((lv, col + k) for k, lv in enumerate(coded))
                    return out
                col += len(coded)
            else:
                col += 1
        return out


def make_columns(
    parameter: str,
    terms: tuple[str, ...],
    intercept: bool,
    available: Mapping[str, npt.ArrayLike],
    factors: Mapping[str, tuple[str, ...]],
    *,
    where: str,
) -> TermColumns:
    """Design columns for ``terms`` from ``available`` covariates; ``factors``: the levels of
    the covariates that are factors (text covariates not listed get their sorted levels)."""
    names = [parameter] if intercept else []
    levels: dict[str, tuple[str, ...]] = {}
    full: str | None = None
    for term in terms:
        name, power = base_of(term)
        if name not in available:
            known = ", ".join(sorted(available)) or "none"
            raise ParameterError(
                f"model for {parameter}: no {where} covariate {name!r} (known: {known})"
            )
        raw = np.asarray(available[name])
        if power != 1:
            if name in factors or raw.dtype.kind not in "fiub":
                raise ParameterError(f"model for {parameter}: {term}: {name!r} is a factor")
            names.append(f"{parameter}.{term}")
            continue
        if term not in factors and raw.dtype.kind in "fiub":
            names.append(f"{parameter}.{term}")
            continue
        found = tuple(factors[term]) if term in factors else sorted_levels(raw)
        if len(found) < 2:
            raise ParameterError(
                f"{where} covariate {term!r} has one level ({', '.join(found) or 'none'}); it"
                " cannot be a term"
            )
        levels[term] = found
        if not intercept and full is None:
            full = term
            names.extend(f"{parameter}.{term}{level}" for level in found)
        else:
            names.extend(f"{parameter}.{term}{level}" for level in found[1:])
    return TermColumns(parameter, tuple(names), terms, levels, intercept, full)


def check_values(
    cols: TermColumns,
    values: Mapping[str, npt.ArrayLike],
    used: npt.NDArray[np.bool_],
    *,
    describe: Callable[..., str],
    where: str,
) -> None:
    """Refuse a covariate of the model with no value on a cell the likelihood uses;
    ``describe(*index)`` names the first such cell."""
    for term in cols.terms:
        raw = np.broadcast_to(np.asarray(values[base_of(term)[0]]), used.shape)
        bad = used & is_missing(raw)
        if raw.dtype.kind in "fc":
            bad |= used & ~np.isfinite(np.where(np.isnan(raw), 0.0, raw))
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ParameterError(
                f"{where} covariate {base_of(term)[0]!r} has no value for {describe(*first)}, which the"
                f" model for {cols.parameter} uses"
            )


def empty_levels(
    cols: TermColumns, values: Mapping[str, npt.ArrayLike], used: npt.NDArray[np.bool_]
) -> list[str]:
    """Sentences naming the factor levels that no used cell holds (their coefficients cannot be
    estimated; see the module docstring)."""
    out = []
    for term, levels in cols.levels.items():
        text = as_text(np.broadcast_to(np.asarray(values[term]), used.shape))[used]
        held = set(text.tolist())
        for level in levels:
            if level in held:
                continue
            if level == levels[0] and term != cols.full:
                out.append(
                    f"{cols.parameter}: level {level!r} of {term!r}, the reference, has no data;"
                    f" the intercept and the other levels of {term!r} cannot be told apart"
                )
            else:
                out.append(
                    f"{cols.parameter}: level {level!r} of {term!r} has no data, so"
                    f" {cols.parameter}.{term}{level} cannot be estimated (kept, as unmarked keeps"
                    " unused factor levels; merge or drop the level)"
                )
    return out
