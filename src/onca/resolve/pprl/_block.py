"""Candidate pairs: which records of two encodings are compared at all.

Only records that share a keyed token are compared: the same ID-number, birth-date or
phone-tail token, or a blocking key (a name word's Soundex code with the birth year, or two name
words' codes). A token shared by more than ``max_block_pairs`` pairs (a call centre's phone, a
very common name in one year) is left out and counted. Records of different kinds are never
compared. Joins run in NumPy on dictionary codes of the tokens: no pair is built twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from onca.resolve.pprl._encode import Encoding

IntArray = npt.NDArray[np.int64]

DEFAULT_MAX_BLOCK_PAIRS = 100_000


def token_codes(
    left: Encoding, right: Encoding, *columns: str
) -> tuple[list[IntArray], list[IntArray]]:
    """Tokens of both sides as integers, one dictionary for all ``columns`` (equal tokens,
    equal integers; -1 for missing)."""
    arrays = [e.table.column(c).combine_chunks() for e in (left, right) for c in columns]
    both = pa.concat_arrays(arrays).dictionary_encode()
    codes = both.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    parts = np.split(codes, np.cumsum([len(a) for a in arrays])[:-1])
    return list(parts[: len(columns)]), list(parts[len(columns) :])


@dataclass
class Candidates:
    """Candidate pairs as row numbers into the left and right encodings."""

    left_rows: IntArray
    right_rows: IntArray
    by_pass: dict[str, int] = field(default_factory=dict)
    skipped_keys: int = 0

    @property
    def size(self) -> int:
        return int(self.left_rows.size)


def _flatten(column: pa.ChunkedArray) -> tuple[pa.Array, IntArray]:
    """Non-null values of a string or list-of-string column with their row numbers."""
    array = column.combine_chunks()
    if pa.types.is_list(array.type):
        values = pc.list_flatten(array)
        rows = pc.list_parent_indices(array).to_numpy().astype(np.int64)
    else:
        values = array
        rows = np.arange(len(array), dtype=np.int64)
    valid = pc.is_valid(values).to_numpy(zero_copy_only=False)
    return values.filter(pa.array(valid)), rows[valid]


def _pairs_sharing(
    left: pa.ChunkedArray, right: pa.ChunkedArray, max_block_pairs: int
) -> tuple[IntArray, IntArray, int]:
    """Every (left row, right row) that share a value of the column; values shared by more
    than ``max_block_pairs`` pairs are skipped and counted."""
    left_values, left_rows = _flatten(left)
    right_values, right_rows = _flatten(right)
    if not len(left_values) or not len(right_values):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, 0
    encoded = pa.concat_arrays([left_values, right_values]).dictionary_encode()
    codes = encoded.indices.to_numpy().astype(np.int64)
    left_codes, right_codes = codes[: len(left_values)], codes[len(left_values) :]
    size = len(encoded.dictionary)
    left_count = np.bincount(left_codes, minlength=size)
    right_count = np.bincount(right_codes, minlength=size)
    block = left_count * right_count
    skipped = int(np.count_nonzero(block > max_block_pairs))
    usable = (block > 0) & (block <= max_block_pairs)
    order = np.argsort(right_codes, kind="stable")
    right_sorted = right_rows[order]
    right_start = np.concatenate([[0], np.cumsum(right_count)[:-1]])
    keep = usable[left_codes]
    codes_kept, rows_kept = left_codes[keep], left_rows[keep]
    repeats = right_count[codes_kept]
    left_out = np.repeat(rows_kept, repeats)
    offsets = np.arange(int(repeats.sum())) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    right_out = right_sorted[np.repeat(right_start[codes_kept], repeats) + offsets]
    return left_out, right_out, skipped


def _distinct(values: IntArray) -> IntArray:
    """The distinct values, sorted (a sort and a shift: faster than np.unique's hash here)."""
    values = np.sort(values)
    keep = np.ones(values.size, dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


BLOCKING_COLUMNS = ("id_token", "birth_date_token", "phone_tail_token", "block_keys")


def candidate_pairs(
    left: Encoding, right: Encoding, *, max_block_pairs: int = DEFAULT_MAX_BLOCK_PAIRS
) -> Candidates:
    """Pairs that share an ID, birth-date or phone token or a blocking key, of the same kind."""
    n_right = right.records
    if not left.records or not n_right:
        empty = np.empty(0, dtype=np.int64)
        return Candidates(empty, empty, dict.fromkeys(BLOCKING_COLUMNS, 0), 0)
    codes = []
    by_pass: dict[str, int] = {}
    skipped = 0
    for column in BLOCKING_COLUMNS:
        li, ri, s = _pairs_sharing(
            left.table.column(column), right.table.column(column), max_block_pairs
        )
        by_pass[column] = int(li.size)
        skipped += s
        codes.append(li * n_right + ri)
    unique = _distinct(np.concatenate(codes))
    left_rows, right_rows = unique // n_right, unique % n_right
    (left_kind,), (right_kind,) = token_codes(left, right, "kind_token")
    same_kind = left_kind[left_rows] == right_kind[right_rows]
    return Candidates(left_rows[same_kind], right_rows[same_kind], by_pass, skipped)
