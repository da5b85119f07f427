"""Write contract tables as CSV or Parquet, batch by batch, from raw column values.

Raw values are what the generator works with: text as Arrow arrays, timestamps as seconds and
dates as days since the epoch, money and quantities as integers in minor units (cents,
thousandths), booleans as NumPy bools, lists as ';'-joined text. ``Raw(values, valid)`` marks
missing numbers. The contract's column types say how each is written:

- CSV: UTF-8, comma-separated, header row, '\\n' line ends, timestamps 'YYYY-MM-DDTHH:MM:SSZ',
  dates 'YYYY-MM-DD', decimals with their scale, 'true'/'false', empty for missing; a value is
  quoted only when it holds a comma, quote or line break.
- Parquet: typed columns (timestamp[s, UTC], date32, decimal128(18, scale), bool, double,
  list<string>), one row group per batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onca.contract import LIST_SEPARATOR, Column, Table
from onca.synth._text import dates, integers, money, thousandths, timestamps, when

FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class Raw:
    """A raw numeric column and which entries are present (None: all of them)."""

    values: np.ndarray
    valid: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.values)


RawValue: TypeAlias = Raw | pa.Array | np.ndarray


def _parts(value: RawValue) -> tuple[np.ndarray, np.ndarray | None]:
    if isinstance(value, Raw):
        return np.asarray(value.values), value.valid
    return np.asarray(value), None


def _decimal(units: np.ndarray, scale: int) -> pa.Array:
    """decimal128(18, scale) from integers already in units of 10**-scale."""
    words = np.empty((len(units), 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = units >> 63
    return pa.Array.from_buffers(pa.decimal128(18, scale), len(units), [None, pa.py_buffer(words)])


def as_text(column: Column, value: RawValue) -> pa.Array:
    """The column as CSV text (nulls for missing)."""
    if isinstance(value, pa.Array):
        return value.cast(pa.large_string())
    values, valid = _parts(value)
    if column.type == "timestamp":
        text = timestamps(values)
    elif column.type == "date":
        text = dates(np.where(valid, values, 0) if valid is not None else values)
    elif column.type == "decimal":
        text = money(values) if column.scale == 2 else thousandths(values)
        if column.scale not in (2, 3):
            raise ValueError(f"decimal scale {column.scale} of {column.name} is not handled")
    elif column.type == "boolean":
        text = when(values.astype(bool), "true", "false")
    elif column.type == "double":
        text = pc.cast(pa.array(values, pa.float64()), pa.large_string())
    else:
        text = integers(values)
    if valid is not None:
        text = pc.if_else(pa.array(valid), text, pa.scalar(None, pa.large_string()))
    return text


def as_typed(column: Column, value: RawValue) -> pa.Array:
    """The column as a typed Arrow array for Parquet."""
    if isinstance(value, pa.Array):
        text = value.cast(pa.string())
        if column.is_list:
            return pc.split_pattern(text, LIST_SEPARATOR).cast(pa.list_(pa.string()))
        return text
    values, valid = _parts(value)
    mask = None if valid is None else ~np.asarray(valid)
    if column.type == "timestamp":
        arr = pa.array(values, pa.timestamp("s", tz="UTC"), mask=mask)
    elif column.type == "date":
        arr = pa.array(
            np.where(mask, 0, values) if mask is not None else values, pa.int32(), mask=mask
        ).cast(pa.date32())
    elif column.type == "decimal":
        arr = _decimal(values.astype(np.int64), column.scale or 0)
        if mask is not None:
            arr = pc.if_else(pa.array(~mask), arr, pa.scalar(None, arr.type))
    elif column.type == "boolean":
        arr = pa.array(values.astype(bool), pa.bool_(), mask=mask)
    elif column.type == "double":
        arr = pa.array(values, pa.float64(), mask=mask)
    else:
        arr = pa.array(values, pa.int64(), mask=mask)
    return arr


def _typed_schema(table: Table) -> pa.Schema:
    types = {
        "timestamp": pa.timestamp("s", tz="UTC"),
        "date": pa.date32(),
        "boolean": pa.bool_(),
        "double": pa.float64(),
        "integer": pa.int64(),
    }
    fields = []
    for col in table.columns:
        if col.type == "decimal":
            t: pa.DataType = pa.decimal128(18, col.scale or 0)
        elif col.is_list:
            t = pa.list_(pa.string())
        else:
            t = types.get(col.type, pa.string())
        fields.append(pa.field(col.name, t, nullable=not col.required))
    return pa.schema(fields)


def _quoted(text: pa.Array) -> pa.Array:
    """Quote the values that hold a comma, quote or line break (RFC 4180)."""
    needs = pc.match_substring_regex(text, '[,"\r\n]')
    if not pc.any(needs).as_py():
        return text
    escaped = pc.binary_join_element_wise(
        pa.scalar('"', pa.large_string()),
        pc.replace_substring(text, '"', '""'),
        pa.scalar('"', pa.large_string()),
        pa.scalar("", pa.large_string()),
    )
    return pc.if_else(needs, escaped, text)


class TableWriter:
    """Writes one contract table to ``path`` in ``fmt``, a batch at a time.

    ``free_text`` names the columns whose values may need CSV quoting; the others (IDs, codes,
    numbers, dates) never do, which saves a scan per batch.
    """

    def __init__(self, path: Path, table: Table, fmt: str, free_text: frozenset[str]) -> None:
        self.path = path
        self.table = table
        self.fmt = fmt
        self.rows = 0
        self.free_text = free_text
        self._csv: BinaryIO | None = None
        self._parquet: pq.ParquetWriter | None = None
        if fmt == "csv":
            self._csv = path.open("wb")
            self._csv.write((",".join(table.column_names) + "\n").encode("utf-8"))
        else:
            self._parquet = pq.ParquetWriter(path, _typed_schema(table), compression="zstd")

    def write(self, columns: dict[str, RawValue]) -> None:
        """Append rows; ``columns`` has every column of the table, all of one length."""
        missing = [c for c in self.table.column_names if c not in columns]
        if missing:
            raise ValueError(f"{self.table.name}: no values for {missing}")
        n = len(next(iter(columns.values())))
        if n == 0:
            return
        if self._csv is not None:
            texts = []
            for col in self.table.columns:
                text = pc.fill_null(as_text(col, columns[col.name]), "")
                texts.append(_quoted(text) if col.name in self.free_text else text)
            lines = pc.binary_join_element_wise(*texts, pa.scalar(",", pa.large_string()))
            lines = pc.binary_join_element_wise(
                lines, pa.scalar("\n", pa.large_string()), pa.scalar("", pa.large_string())
            )
            self._csv.write(_text_bytes(lines))
        else:
            assert self._parquet is not None
            arrays = [as_typed(col, columns[col.name]) for col in self.table.columns]
            batch = pa.Table.from_arrays(arrays, schema=self._parquet.schema)
            self._parquet.write_table(batch)
        self.rows += n

    def close(self) -> None:
        if self._csv is not None:
            self._csv.close()
        if self._parquet is not None:
            self._parquet.close()


def _text_bytes(lines: pa.Array) -> memoryview:
    """The UTF-8 bytes of all values of a string array, back to back."""
    arr = lines.cast(pa.large_string()) if lines.type != pa.large_string() else lines
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    data = arr.buffers()[2]
    if data is None:
        return memoryview(b"")
    return memoryview(data)[int(offsets[0]) : int(offsets[-1])]
