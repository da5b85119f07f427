"""A small column store that grows by whole batches (vectorised) or by single records.

Parties, accounts, shipments, permits and seizures are built this way: the ordinary population
arrives as one large batch of arrays, the records of networks, customs and the police one by
one. Numeric columns come back as NumPy arrays, text columns as Arrow arrays.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

_TEXT = "text"


class Columns:
    """Columns named in ``spec``: a NumPy dtype string ('int64', 'float64', 'bool') or 'text'.

    Missing numbers are written as the column's fill value (MISSING for integers, NaN, False)
    and read back as such; missing text is null.
    """

    def __init__(self, spec: Mapping[str, str]) -> None:
        self.spec = dict(spec)
        self._chunks: dict[str, list[Any]] = {name: [] for name in spec}
        self._pending: dict[str, list[Any]] = {name: [] for name in spec}
        self._length = 0
        self._flushed = 0
        self._starts: list[int] = []
        self._cache: dict[str, Any] = {}

    def __len__(self) -> int:
        return self._length

    def extend(self, **columns: Any) -> np.ndarray:
        """Add a batch; every column of the spec must be given, all of one length.

        Returns the row numbers of the new rows.
        """
        self._flush()
        lengths = {len(v) for v in columns.values()}
        if set(columns) != set(self.spec) or len(lengths) != 1:
            missing = sorted(set(self.spec) - set(columns))
            raise ValueError(f"extend needs every column with one length; missing {missing}")
        n = lengths.pop()
        for name, values in columns.items():
            self._chunks[name].append(self._convert(name, values))
        start = self._length
        self._starts.append(start)
        self._length += n
        self._flushed = self._length
        self._cache.clear()
        return np.arange(start, start + n)

    def append(self, **values: Any) -> int:
        """Add one record; columns not given are missing. Returns its row number."""
        unknown = set(values) - set(self.spec)
        if unknown:
            raise ValueError(f"unknown columns {sorted(unknown)}")
        for name in self.spec:
            self._pending[name].append(values.get(name))
        self._length += 1
        return self._length - 1

    def __getitem__(self, name: str) -> Any:
        """The whole column: a NumPy array, or an Arrow large_string array for text."""
        self._flush()
        if name not in self._cache:
            chunks = self._chunks[name]
            if self.spec[name] == _TEXT:
                merged = pa.concat_arrays(chunks) if chunks else pa.array([], pa.large_string())
            else:
                merged = np.concatenate(chunks) if chunks else np.array([], self.spec[name])
            self._cache[name] = merged
        return self._cache[name]

    def replace(self, **columns: np.ndarray) -> None:
        """Overwrite whole numeric columns (for values decided after the rows exist)."""
        self._flush()
        for name, values in columns.items():
            if len(values) != self._length or self.spec[name] == _TEXT:
                raise ValueError(f"replace needs a numeric column of length {self._length}")
            whole = np.asarray(values, dtype=self.spec[name])
            self._chunks[name] = np.split(whole, self._starts[1:])
        self._cache.clear()

    def value(self, name: str, row: int) -> Any:
        """One cell as a Python value (None when missing), without merging the chunks."""
        if row >= self._flushed:
            pending = self._pending[name][row - self._flushed]
            return (
                pending
                if pending is not None or self.spec[name] == _TEXT
                else _FILL[self.spec[name]]
            )
        chunk = bisect.bisect_right(self._starts, row) - 1
        cell = self._chunks[name][chunk][row - self._starts[chunk]]
        return cell.as_py() if self.spec[name] == _TEXT else cell.item()

    def _convert(self, name: str, values: Any) -> Any:
        if self.spec[name] == _TEXT:
            if isinstance(values, pa.Array):
                return values.cast(pa.large_string())
            return pa.array(list(values), pa.large_string())
        return np.asarray(values, dtype=self.spec[name])

    def _flush(self) -> None:
        if self._flushed == self._length:
            return
        for name, values in self._pending.items():
            self._chunks[name].append(self._convert(name, _fill(values, self.spec[name])))
            self._pending[name] = []
        self._starts.append(self._flushed)
        self._flushed = self._length
        self._cache.clear()


MISSING = int(np.iinfo(np.int64).min)
"""How a missing integer is stored (row references use any negative number for 'none')."""
_FILL: dict[str, Any] = {"int64": MISSING, "float64": np.nan, "bool": False}


def _fill(values: Sequence[Any], dtype: str) -> Sequence[Any]:
    if dtype == _TEXT:
        return values
    return [_FILL[dtype] if v is None else v for v in values]
