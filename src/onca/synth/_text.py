"""Vectorised text building with NumPy and Arrow: patterned IDs, joins, dates, money.

Strings are built column-wise, never one row at a time in Python: fixed-width values (IDs,
timestamps, digit patterns) are written as a byte matrix and handed to Arrow as one buffer;
variable-width values are joined with ``pyarrow.compute``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH = dt.date(1970, 1, 1)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_LETTERS = np.frombuffer(b"ABCDEFGHJKLMNPRSTUVWXYZ", dtype=np.uint8)


def from_byte_matrix(matrix: np.ndarray) -> pa.Array:
    """An Arrow string array from an (n, width) uint8 matrix of ASCII: one row per value."""
    n, width = matrix.shape
    data = np.ascontiguousarray(matrix, dtype=np.uint8).tobytes()
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def digits_into(matrix: np.ndarray, values: np.ndarray, start: int, width: int) -> None:
    """Write ``values`` (non-negative integers) zero-padded into columns [start, start+width)."""
    v = values.astype(np.int64, copy=True)
    for col in range(start + width - 1, start - 1, -1):
        matrix[:, col] = _DIGITS[v % 10]
        v //= 10


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """IDs such as ``TXN000000123``: ``prefix`` then ``numbers`` zero-padded to ``width``."""
    p = prefix.encode("ascii")
    matrix = np.empty((len(numbers), len(p) + width), dtype=np.uint8)
    matrix[:, : len(p)] = np.frombuffer(p, dtype=np.uint8)
    digits_into(matrix, numbers, len(p), width)
    return from_byte_matrix(matrix)


def fill_pattern(rng: np.random.Generator, pattern: str, n: int) -> pa.Array:
    """``n`` random strings shaped like ``pattern`` ('#' digit, '@' capital letter)."""
    raw = pattern.encode("utf-8")
    if not raw.isascii():
        raise ValueError(f"pattern {pattern!r} must be ASCII")
    matrix = np.empty((n, len(raw)), dtype=np.uint8)
    matrix[:] = np.frombuffer(raw, dtype=np.uint8)
    for i, ch in enumerate(pattern):
        if ch == "#":
            matrix[:, i] = _DIGITS[rng.integers(0, 10, n)]
        elif ch == "@":
            matrix[:, i] = _LETTERS[rng.integers(0, len(_LETTERS), n)]
    return from_byte_matrix(matrix)


def pick(pool: Sequence[str] | pa.Array, index: np.ndarray) -> pa.Array:
    """``pool[index]`` as an Arrow string array (index -1 gives null)."""
    arr = pool if isinstance(pool, pa.Array) else pa.array(list(pool), pa.large_string())
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    idx = pa.array(index, mask=index < 0) if (index < 0).any() else pa.array(index)
    return pc.take(arr, idx)


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and literal strings (nulls count as '')."""
    filled = [_scalar(p) if isinstance(p, str) else pc.fill_null(p, "") for p in parts]
    return pc.binary_join_element_wise(*filled, _scalar(""))


def when(mask: np.ndarray, then: pa.Array | str, otherwise: pa.Array | str = "") -> pa.Array:
    """``then`` where ``mask`` else ``otherwise``, element-wise."""
    a = _scalar(then) if isinstance(then, str) else then
    b = _scalar(otherwise) if isinstance(otherwise, str) else otherwise
    return pc.if_else(pa.array(mask), a, b)


def _scalar(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def integers(values: np.ndarray) -> pa.Array:
    """Integers written in decimal."""
    return pc.cast(pa.array(values, pa.int64()), pa.large_string())


def fixed_point(values: np.ndarray, places: int) -> pa.Array:
    """Integers in units of 10**-places written with that many decimals: (123456, 2) -> '1234.56'."""
    values = np.asarray(values, dtype=np.int64)
    scale = 10**places
    frac = np.empty((len(values), places + 1), dtype=np.uint8)
    frac[:, 0] = ord(".")
    digits_into(frac, values % scale, 1, places)
    return concat(integers(values // scale), from_byte_matrix(frac))


def money(cents: np.ndarray) -> pa.Array:
    """Amounts in minor units written with two decimals: 123456 -> '1234.56'."""
    return fixed_point(cents, 2)


def thousandths(values: np.ndarray) -> pa.Array:
    """Quantities in thousandths written with three decimals: 1500 -> '1.500'."""
    return fixed_point(values, 3)


@cache
def _time_of_day_bytes() -> np.ndarray:
    """(86400, 10) bytes 'THH:MM:SSZ' for every second of a day."""
    s = np.arange(86_400)
    m = np.empty((86_400, 10), dtype=np.uint8)
    m[:] = np.frombuffer(b"T00:00:00Z", dtype=np.uint8)
    digits_into(m, s // 3600, 1, 2)
    digits_into(m, (s // 60) % 60, 4, 2)
    digits_into(m, s % 60, 7, 2)
    m.setflags(write=False)
    return m


def _date_bytes(days: np.ndarray) -> np.ndarray:
    """(n, 10) bytes 'YYYY-MM-DD' for days since 1970-01-01."""
    lo, hi = int(days.min()), int(days.max())
    table = np.frombuffer(
        "".join((EPOCH + dt.timedelta(days=d)).isoformat() for d in range(lo, hi + 1)).encode(),
        dtype=np.uint8,
    ).reshape(-1, 10)
    return table[days - lo]


def timestamps(seconds: np.ndarray) -> pa.Array:
    """UTC timestamps (seconds since the epoch) as 'YYYY-MM-DDTHH:MM:SSZ'."""
    seconds = np.asarray(seconds, dtype=np.int64)
    if len(seconds) == 0:
        return pa.array([], pa.large_string())
    matrix = np.empty((len(seconds), 20), dtype=np.uint8)
    matrix[:, :10] = _date_bytes(seconds // 86_400)
    matrix[:, 10:] = _time_of_day_bytes()[seconds % 86_400]
    return from_byte_matrix(matrix)


def dates(days: np.ndarray) -> pa.Array:
    """Dates (days since the epoch) as 'YYYY-MM-DD'."""
    days = np.asarray(days, dtype=np.int64)
    if len(days) == 0:
        return pa.array([], pa.large_string())
    return from_byte_matrix(_date_bytes(days))


def day_number(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01."""
    return (dt.date(year, month, day) - EPOCH).days


def strip_accents(text: str) -> str:
    """'José Müller' -> 'Jose Muller' (combining marks removed; other scripts kept)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
