"""Matching two encodings: candidate pairs, comparison levels, weights, one-to-one links.

1. **Candidates** (``_block``): only records that share a keyed token are compared.
2. **Levels.** Each pair gets one level per comparison (``COMPARISONS``): the Dice coefficient
   of the name and address Bloom filters cut into bands, and agreement of the ID, birth-date
   (same date; one part off or day and month swapped; same year) and phone (same number; same
   last 8 digits) tokens; a value missing on either side weighs nothing.
3. **Weights.** Fellegi-Sunter: the level frequencies over all pairs are measured (random
   pairs for the Bloom filters, exact token counts for the rest); m and the share of matches
   are estimated by EM over the candidates (``_fellegi_sunter``); a pair's match probability
   follows from the sum of its level weights.
4. **One-to-one.** Each record of one institution is the same party as at most one of the
   other: pairs at or above the threshold are taken greedily, highest weight first.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from onca.errors import ParameterError
from onca.resolve.pprl._block import (
    DEFAULT_MAX_BLOCK_PAIRS,
    Candidates,
    candidate_pairs,
    token_codes,
)
from onca.resolve.pprl._bloom import as_words, dice
from onca.resolve.pprl._encode import Encoding
from onca.resolve.pprl._fellegi_sunter import FellegiSunter

Progress = Callable[[str, int, int], None]
IntArray = npt.NDArray[np.int64]

DEFAULT_THRESHOLD = 0.9
RANDOM_PAIRS = 1_000_000


@dataclass(frozen=True)
class Comparison:
    """One comparison: its levels, strongest agreement first, and the m-probabilities that EM
    starts from (and is pulled towards on small files)."""

    name: str
    levels: tuple[str, ...]
    m_prior: tuple[float, ...]


NAME_DICE = (0.9, 0.8, 0.7, 0.6, 0.5)
ADDRESS_DICE = (0.9, 0.8, 0.7, 0.6)


def _dice_levels(cuts: Sequence[float]) -> tuple[str, ...]:
    return (*(f"Dice >= {c}" for c in cuts), f"Dice < {cuts[-1]}")


COMPARISONS = (
    Comparison("name", _dice_levels(NAME_DICE), (0.55, 0.15, 0.08, 0.07, 0.07, 0.08)),
    Comparison("address", _dice_levels(ADDRESS_DICE), (0.5, 0.25, 0.12, 0.06, 0.07)),
    Comparison("id_number", ("same", "different"), (0.9, 0.1)),
    Comparison(
        "birth_date",
        ("same", "one part off, or day and month swapped", "same year", "different"),
        (0.8, 0.08, 0.04, 0.08),
    ),
    Comparison("phone", ("same", "same last 8 digits", "different"), (0.75, 0.1, 0.15)),
)


def check_compatible(left: Encoding, right: Encoding) -> None:
    """Refuse two encodings made under different keys or parameters (compares fingerprints,
    never keys)."""
    if left.key_fingerprint != right.key_fingerprint:
        raise ParameterError(
            f"{left.path or 'left'} and {right.path or 'right'} were encoded with different keys"
            f" (key fingerprints {left.key_fingerprint[:12]}... and"
            f" {right.key_fingerprint[:12]}...); both parties must encode with the same key file"
        )
    if left.params != right.params:
        a, b = left.params.to_dict(), right.params.to_dict()
        differ = ", ".join(f"{k}: {a[k]} vs {b.get(k)}" for k in a if a[k] != b.get(k))
        raise ParameterError(
            f"{left.path or 'left'} and {right.path or 'right'} were encoded with different"
            f" parameters ({differ}); encode both with the same Onca version and options"
        )


def _filters(
    encoding: Encoding, column: str
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
    array = encoding.table.column(column).combine_chunks()
    width = array.type.byte_width
    present = pc.is_valid(array).to_numpy(zero_copy_only=False)
    packed = np.zeros((len(array), width), dtype=np.uint8)
    if present.any():
        data = pc.drop_null(array)
        raw = np.frombuffer(
            data.buffers()[1], dtype=np.uint8, count=len(data) * width, offset=data.offset * width
        )
        packed[present] = raw.reshape(len(data), width)
    return as_words(packed), present


TOKEN_COLUMNS = (
    ("id_token",),
    ("birth_date_token",),
    ("birth_year_token",),
    ("birth_month_token", "birth_day_token"),  # one sub-key: swapped dates can agree
    ("phone_token",),
    ("phone_tail_token",),
)


@dataclass
class Fields:
    """What the comparisons read, for both sides: filters as 64-bit words, tokens as codes."""

    filters: dict[str, tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_]]]
    tokens: dict[str, IntArray]


def read_fields(left: Encoding, right: Encoding) -> tuple[Fields, Fields]:
    left_fields, right_fields = Fields({}, {}), Fields({}, {})
    for column in ("name_bloom", "address_bloom"):
        left_fields.filters[column] = _filters(left, column)
        right_fields.filters[column] = _filters(right, column)
    for columns in TOKEN_COLUMNS:
        left_codes, right_codes = token_codes(left, right, *columns)
        for column, lc, rc in zip(columns, left_codes, right_codes, strict=True):
            left_fields.tokens[column], right_fields.tokens[column] = lc, rc
    return left_fields, right_fields


def _dice_level(
    left: Fields, right: Fields, column: str, cuts: Sequence[float], li: IntArray, ri: IntArray
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float64]]:
    (lw, lp), (rw, rp) = left.filters[column], right.filters[column]
    both = lp[li] & rp[ri]
    score = np.full(li.size, np.nan)
    score[both] = dice(lw, rw, li[both], ri[both])
    level = np.sum(score[:, None] < np.asarray(cuts)[None, :], axis=1).astype(np.int8)
    level[~both] = -1
    return level, score


def _token_level(
    left: Fields, right: Fields, column: str, li: IntArray, ri: IntArray
) -> npt.NDArray[np.int8]:
    a, b = left.tokens[column][li], right.tokens[column][ri]
    level = np.where(a == b, 0, 1).astype(np.int8)
    level[(a < 0) | (b < 0)] = -1
    return level


def _birth_level(left: Fields, right: Fields, li: IntArray, ri: IntArray) -> npt.NDArray[np.int8]:
    """0 same date; 1 one of year, month, day off, or day and month swapped; 2 same year only;
    3 different; -1 missing."""
    date = _token_level(left, right, "birth_date_token", li, ri)
    y = _token_level(left, right, "birth_year_token", li, ri) == 0
    m = _token_level(left, right, "birth_month_token", li, ri) == 0
    d = _token_level(left, right, "birth_day_token", li, ri) == 0
    lm, ld = left.tokens["birth_month_token"][li], left.tokens["birth_day_token"][li]
    rm, rd = right.tokens["birth_month_token"][ri], right.tokens["birth_day_token"][ri]
    swapped = y & (lm == rd) & (ld == rm)
    parts = y.astype(np.int8) + m + d
    level = np.full(li.size, 3, dtype=np.int8)
    level[y] = 2
    level[(parts == 2) | swapped] = 1
    level[date == 0] = 0
    level[date < 0] = -1
    return level


def _phone_level(left: Fields, right: Fields, li: IntArray, ri: IntArray) -> npt.NDArray[np.int8]:
    """0 same number; 1 same last 8 digits (written another way); 2 different; -1 missing."""
    tail = _token_level(left, right, "phone_tail_token", li, ri)
    full = _token_level(left, right, "phone_token", li, ri)
    level = np.where(tail == 0, 1, 2).astype(np.int8)
    level[full == 0] = 0
    level[tail < 0] = -1
    return level


def comparison_levels(
    left: Fields, right: Fields, li: IntArray, ri: IntArray
) -> tuple[npt.NDArray[np.int8], dict[str, npt.NDArray[np.float64]]]:
    """Levels of every pair (pairs x ``COMPARISONS``) and the Dice scores behind them."""
    name, name_dice = _dice_level(left, right, "name_bloom", NAME_DICE, li, ri)
    address, address_dice = _dice_level(left, right, "address_bloom", ADDRESS_DICE, li, ri)
    id_number = _token_level(left, right, "id_token", li, ri)
    birth = _birth_level(left, right, li, ri)
    phone = _phone_level(left, right, li, ri)
    gamma = np.stack([name, address, id_number, birth, phone], axis=1)
    return gamma, {"name_dice": name_dice, "address_dice": address_dice}


def _agreement(left: Sequence[IntArray], right: Sequence[IntArray]) -> float:
    """Share of all pairs (every part present on both sides) that agree on every part, from
    exact counts of the combined values."""
    left_ok = np.all([c >= 0 for c in left], axis=0)
    right_ok = np.all([c >= 0 for c in right], axis=0)
    n_left, n_right = int(left_ok.sum()), int(right_ok.sum())
    if not n_left or not n_right:
        return 0.0
    stacked = np.concatenate(
        [
            np.stack([c[left_ok] for c in left], axis=1),
            np.stack([c[right_ok] for c in right], axis=1),
        ]
    )
    _, combined = np.unique(stacked, axis=0, return_inverse=True)
    combined = combined.ravel()
    size = int(combined.max()) + 1
    shared = np.bincount(combined[:n_left], minlength=size) * np.bincount(
        combined[n_left:], minlength=size
    )
    return float(shared.sum()) / (n_left * n_right)


def _birth_frequencies(left: Fields, right: Fields) -> npt.NDArray[np.float64]:
    """Exact share of each birth-date level among all pairs with both dates."""
    lt, rt = left.tokens, right.tokens
    ly, lm, ld = lt["birth_year_token"], lt["birth_month_token"], lt["birth_day_token"]
    ry, rm, rd = rt["birth_year_token"], rt["birth_month_token"], rt["birth_day_token"]
    same = _agreement([ly, lm, ld], [ry, rm, rd])
    year_month = _agreement([ly, lm], [ry, rm])
    year_day = _agreement([ly, ld], [ry, rd])
    two_parts = year_month + year_day + _agreement([lm, ld], [rm, rd]) - 3 * same
    # swapped: year the same, the left's month the right's day and the other way round; less
    # the dates whose day is their month (those are the same date, level 0)
    swapped = _agreement([ly, lm, ld], [ry, rd, rm]) - _agreement(
        [np.where(lm == ld, ly, -1), lm, ld], [ry, rm, rd]
    )
    year_only = _agreement([ly], [ry]) - year_month - year_day + same - swapped
    levels = np.clip(np.array([same, two_parts + swapped, year_only, 0.0]), 0.0, 1.0)
    levels[3] = max(1.0 - levels[:3].sum(), 0.0)
    return levels


def level_frequencies(
    left: Fields, right: Fields, n_left: int, n_right: int, *, sample: int = RANDOM_PAIRS
) -> list[npt.NDArray[np.float64]]:
    """How often each level occurs among all pairs (both values present): exact for tokens,
    from ``sample`` random pairs (or all pairs, when fewer) for the Bloom filters."""
    out = []
    total = n_left * n_right
    rng = np.random.default_rng(0)
    if total <= sample:
        li = np.repeat(np.arange(n_left, dtype=np.int64), n_right)
        ri = np.tile(np.arange(n_right, dtype=np.int64), n_left)
    else:
        li = rng.integers(0, n_left, sample, dtype=np.int64)
        ri = rng.integers(0, n_right, sample, dtype=np.int64)
    for column, cuts in (("name_bloom", NAME_DICE), ("address_bloom", ADDRESS_DICE)):
        level, _ = _dice_level(left, right, column, cuts, li, ri)
        counts = np.bincount(level[level >= 0], minlength=len(cuts) + 1) + 1.0
        out.append(counts / counts.sum())
    same_id = _agreement([left.tokens["id_token"]], [right.tokens["id_token"]])
    out.append(np.array([same_id, 1.0 - same_id]))
    out.append(_birth_frequencies(left, right))
    # among pairs with both last-8-digit tokens; a number with E.164 always has its tail
    lt, rt = left.tokens, right.tokens
    same_tail = _agreement([lt["phone_tail_token"]], [rt["phone_tail_token"]])
    tails = int(np.count_nonzero(lt["phone_tail_token"] >= 0)) * int(
        np.count_nonzero(rt["phone_tail_token"] >= 0)
    )
    numbers = int(np.count_nonzero(lt["phone_token"] >= 0)) * int(
        np.count_nonzero(rt["phone_token"] >= 0)
    )
    same_number = _agreement([lt["phone_token"]], [rt["phone_token"]]) * numbers / max(tails, 1)
    out.append(np.array([same_number, max(same_tail - same_number, 0.0), 1.0 - same_tail]))
    return out


@dataclass
class PprlLinks:
    """Linked pairs, the model that weighed them and what it took."""

    pairs: pa.Table  # left_id, right_id, match_probability, match_weight, name_dice, ...
    model: FellegiSunter
    candidates: Candidates
    left_records: int
    right_records: int
    seconds: dict[str, float] = field(default_factory=dict)


def one_to_one(
    left_rows: IntArray, right_rows: IntArray, weight: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Greedy one-to-one: highest weight first, a pair is kept when neither record is taken."""
    order = np.lexsort((right_rows, left_rows, -weight))
    taken_left: set[int] = set()
    taken_right: set[int] = set()
    keep = np.zeros(weight.size, dtype=bool)
    for i in order.tolist():
        a, b = int(left_rows[i]), int(right_rows[i])
        if a in taken_left or b in taken_right:
            continue
        taken_left.add(a)
        taken_right.add(b)
        keep[i] = True
    return keep


def _explain(gamma: npt.NDArray[np.int8], weights: list[npt.NDArray[np.float64]]) -> list[str]:
    out = []
    for row in gamma.tolist():
        parts = [
            {
                "comparison": comp.name,
                "level": comp.levels[level] if level >= 0 else "missing",
                "weight": round(float(weights[c][level]), 2) if level >= 0 else 0.0,
            }
            for c, (comp, level) in enumerate(zip(COMPARISONS, row, strict=True))
        ]
        out.append(json.dumps(parts))
    return out


def _check_threshold(threshold: float) -> None:
    if not 0.0 < threshold < 1.0:
        raise ParameterError(f"--threshold: a match probability between 0 and 1, got {threshold}")


def link_encodings(
    left: Encoding,
    right: Encoding,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_block_pairs: int = DEFAULT_MAX_BLOCK_PAIRS,
    one_to_one_links: bool = True,
    progress: Progress | None = None,
) -> PprlLinks:
    """Link two encodings made under one key: pairs judged the same party, one-to-one."""
    _check_threshold(threshold)
    if max_block_pairs < 1:
        raise ParameterError(f"--max-block-pairs: at least 1, got {max_block_pairs}")
    check_compatible(left, right)
    report = progress or (lambda description, completed, total: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    report("candidate pairs", 0, 0)
    candidates = candidate_pairs(left, right, max_block_pairs=max_block_pairs)
    left_fields, right_fields = read_fields(left, right)
    seconds["candidates"] = time.perf_counter() - started

    report("comparing", 0, 0)
    li, ri = candidates.left_rows, candidates.right_rows
    gamma, scores = comparison_levels(left_fields, right_fields, li, ri)
    observed = level_frequencies(left_fields, right_fields, left.records, right.records)
    seconds["compare"] = time.perf_counter() - started - seconds["candidates"]

    report("estimating weights (EM)", 0, 0)
    total = max(left.records * right.records, 1)
    model = FellegiSunter(m_prior=[c.m_prior for c in COMPARISONS]).fit(
        gamma,
        observed,
        total_pairs=total,
        lambda_start=0.5 * min(left.records, right.records) / total,
    )
    weight = model.match_weight(gamma) + model.prior_weight()
    probability = model.predict_proba(gamma)
    keep = probability >= threshold
    if one_to_one_links:
        kept = np.flatnonzero(keep)
        keep[kept[~one_to_one(li[kept], ri[kept], weight[kept])]] = False
    seconds["score"] = time.perf_counter() - started - seconds["candidates"] - seconds["compare"]

    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((li[idx], -probability[idx]))]
    left_ids = left.table.column("record_id").take(pa.array(li[order]))
    right_ids = right.table.column("record_id").take(pa.array(ri[order]))
    pairs = pa.table(
        {
            "left_id": left_ids,
            "right_id": right_ids,
            "match_probability": pa.array(probability[order]),
            "match_weight": pa.array(weight[order]),
            "name_dice": pa.array(scores["name_dice"][order], from_pandas=True),
            "address_dice": pa.array(scores["address_dice"][order], from_pandas=True),
            "explanation": pa.array(_explain(gamma[order], model.level_weights()), pa.string()),
        }
    )
    seconds["total"] = time.perf_counter() - started
    return PprlLinks(pairs, model, candidates, left.records, right.records, seconds)
