"""Read source files (CSV, Parquet, XLSX, FollowTheMoney JSON lines) as batches of text columns.

Every reader yields Arrow record batches whose columns are all strings, named as in the file
(trimmed, lower-cased), with rows in file order. Rows that cannot even be split into fields
(a CSV row with the wrong number of fields, a JSON line that does not parse) are reported as
:class:`MalformedRow` instead, so that ingest can quarantine them: nothing is dropped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from onca.errors import InputFileError

BATCH_ROWS = 262_144
CSV_BLOCK_BYTES = 32 << 20
FORMATS = ("csv", "parquet", "xlsx", "ftm")
_SUFFIX_FORMAT = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".ftm": "ftm", ".jsonl": "ftm", ".json": "ftm",
}  # fmt: skip

LINE_COLUMN = "__line__"
"""Optional int64 column a reader adds when it knows each row's line (XLSX row, JSON line)."""

Progress = Callable[[int], None]
"""Called with the number of bytes (or rows, for XLSX) read since the last call."""


@dataclass
class MalformedRow:
    """A row that could not be split into columns: its place in the file and its raw text."""

    row_number: int
    line: int | None
    text: str
    reason: str


@dataclass
class Source:
    """An opened source file: its format, encoding, delimiter, columns and fingerprint."""

    path: Path
    format: str
    sha256: str
    size: int
    columns: list[str]
    encoding: str = "utf-8"
    delimiter: str = ","
    warnings: list[str] = field(default_factory=list)
    malformed: list[MalformedRow] = field(default_factory=list)
    _batches: Callable[[Progress | None], Iterator[pa.RecordBatch]] | None = None

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        """Yield the rows as string batches; fills ``malformed`` as it goes."""
        assert self._batches is not None
        yield from self._batches(progress)


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise InputFileError(
                f"--format {fmt!r} is not supported; use one of {', '.join(FORMATS)}"
            )
        return fmt
    try:
        return _SUFFIX_FORMAT[path.suffix.lower()]
    except KeyError:
        raise InputFileError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r};"
            f" use .csv, .parquet, .xlsx or .jsonl, or pass --format"
        ) from None


def _fingerprint(path: Path) -> tuple[str, bool]:
    """SHA-256 of the file and whether it is valid UTF-8, in one streaming pass."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as f:
        while chunk := f.read(8 << 20):
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return digest.hexdigest(), utf8


def _clean_header(names: list[str]) -> list[str]:
    return [n.strip().lstrip("\ufeff").strip().lower() for n in names]


def open_source(
    path: Path | str,
    *,
    fmt: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Source:
    """Open ``path`` for ingest: check it exists and is not empty, detect format, encoding and
    delimiter (CSV), read the header. Raises InputFileError with the reason otherwise."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, expected a file")
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(f"{path}: the file is empty (0 bytes): expected a header row")
    fmt = detect_format(path, fmt)
    sha256, is_utf8 = _fingerprint(path)
    source = Source(path=path, format=fmt, sha256=sha256, size=size, columns=[])
    if fmt == "csv":
        _open_csv(source, is_utf8, encoding, delimiter)
    elif fmt == "parquet":
        _open_parquet(source)
    elif fmt == "xlsx":
        _open_xlsx(source)
    else:
        _open_ftm(source, is_utf8)
    return source


# -- CSV ------------------------------------------------------------------------------------


def _open_csv(source: Source, is_utf8: bool, encoding: str | None, delimiter: str | None) -> None:
    path = source.path
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputFileError(f"--encoding {encoding!r} is not a known text encoding") from None
        source.encoding = encoding
    elif is_utf8:
        source.encoding = "utf-8"
    else:
        source.encoding = "latin-1"
        source.warnings.append(
            f"{path.name} is not valid UTF-8; read it as Latin-1 (ISO-8859-1)."
            " Pass --encoding to choose another."
        )
    with path.open("r", encoding=source.encoding, errors="replace", newline="") as f:
        sample = f.read(64 << 10)
    first_line = sample.lstrip("\ufeff").splitlines()[0] if sample.strip() else ""
    if not first_line.strip():
        raise InputFileError(f"{path}: the first line is blank: expected a header row")
    if delimiter:
        source.delimiter = "\t" if delimiter in ("\\t", "tab") else delimiter
    else:
        try:
            source.delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
        except csv.Error:
            source.delimiter = ","
    source.columns = _clean_header(next(csv.reader([first_line], delimiter=source.delimiter)))
    source._batches = lambda progress: _csv_batches(source, progress)


def _csv_batches(source: Source, progress: Progress | None) -> Iterator[pa.RecordBatch]:
    bad_texts: list[tuple[int, str]] = []

    def on_invalid(row: Any) -> str:
        bad_texts.append((row.actual_columns, row.text))
        return "skip"

    counted = _CountingFile(source.path)
    reader = pacsv.open_csv(
        counted,
        read_options=pacsv.ReadOptions(
            encoding=source.encoding,
            block_size=CSV_BLOCK_BYTES,
            column_names=source.columns,
            skip_rows=1,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=source.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(source.columns, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    last = 0
    try:
        for batch in reader:
            if progress:
                progress(counted.position - last)
                last = counted.position
            yield batch
    except pa.ArrowInvalid as e:
        raise InputFileError(f"{source.path}: cannot be read as CSV: {e}") from e
    finally:
        counted.close()
    if progress:
        progress(source.size - last)
    if bad_texts:
        source.malformed.extend(_locate_malformed(source, len(bad_texts)))


class _CountingFile:
    """A binary file that counts the bytes read through it, for the progress bar."""

    def __init__(self, path: Path) -> None:
        self._f = path.open("rb")
        self.position = 0
        self.closed = False

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(n)
        self.position += len(data)
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self._f.close()
        self.closed = True


def _locate_malformed(source: Source, expected: int) -> list[MalformedRow]:
    """Find the rows whose field count differs from the header's, with their line numbers.

    Only runs when the fast reader skipped rows, so its Python speed does not matter often.
    """
    width = len(source.columns)
    found: list[MalformedRow] = []
    with source.path.open("r", encoding=source.encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=source.delimiter)
        next(reader, None)
        row_number = 0
        for fields in reader:
            if not fields:
                continue
            row_number += 1
            if len(fields) != width:
                found.append(
                    MalformedRow(
                        row_number=row_number,
                        line=reader.line_num,
                        text=source.delimiter.join(fields)[:2000],
                        reason=f"row has {len(fields)} fields but the header has {width}",
                    )
                )
    if len(found) != expected:
        source.warnings.append(
            f"{source.path.name}: the CSV reader skipped {expected} malformed row(s)"
            f" but a line-by-line scan found {len(found)}; their row numbers may be approximate"
        )
    return found


# -- Parquet --------------------------------------------------------------------------------


def _open_parquet(source: Source) -> None:
    try:
        pf = pq.ParquetFile(source.path)
    except (pa.ArrowInvalid, OSError) as e:
        raise InputFileError(f"{source.path}: not a readable Parquet file: {e}") from e
    source.columns = _clean_header(pf.schema_arrow.names)

    def batches(progress: Progress | None) -> Iterator[pa.RecordBatch]:
        step = source.size / max(pf.metadata.num_rows, 1)
        for batch in pf.iter_batches(batch_size=BATCH_ROWS):
            arrays = [_as_text(col) for col in batch.columns]
            if progress:
                progress(int(batch.num_rows * step))
            yield pa.RecordBatch.from_arrays(arrays, names=source.columns)

    source._batches = batches


def _as_text(arr: pa.Array) -> pa.Array:
    """Any Arrow column as text: lists joined with ';', timestamps in ISO 8601, nulls as ''."""
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        arr = pc.binary_join(pc.cast(arr, pa.list_(pa.string())), ";")
    elif pa.types.is_timestamp(arr.type):
        fmt = "%Y-%m-%dT%H:%M:%S%z" if arr.type.tz else "%Y-%m-%dT%H:%M:%S"
        arr = pc.strftime(arr, format=fmt)
    elif not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return pc.fill_null(arr, "")


# -- XLSX -----------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _open_xlsx(source: Source) -> None:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(source.path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds (zipfile, KeyError, InvalidFileException)
        raise InputFileError(f"{source.path}: not a readable XLSX workbook: {e}") from e
    sheet = wb.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise InputFileError(f"{source.path}: the first sheet is empty: expected a header row")
    source.columns = _clean_header([_cell_text(v) for v in header])
    width = len(source.columns)
    if len(wb.worksheets) > 1:
        source.warnings.append(f"{source.path.name}: read the first sheet only ({sheet.title!r})")

    def batches(progress: Progress | None) -> Iterator[pa.RecordBatch]:
        buffer: list[list[str]] = []
        lines: list[int] = []
        for sheet_row, values in enumerate(rows, start=2):
            texts = [_cell_text(v) for v in values[:width]]
            if not any(texts):
                continue  # blank rows are formatting, not data; line numbers stay exact
            buffer.append(texts + [""] * (width - len(texts)))
            lines.append(sheet_row)
            if len(buffer) >= 50_000:
                yield _rows_to_batch(buffer, source.columns, lines)
                buffer, lines = [], []
        if buffer:
            yield _rows_to_batch(buffer, source.columns, lines)
        wb.close()
        if progress:
            progress(source.size)

    source._batches = batches


def _rows_to_batch(rows: list[list[str]], names: list[str], lines: list[int]) -> pa.RecordBatch:
    cols = [pa.array([r[i] for r in rows], pa.string()) for i in range(len(names))]
    cols.append(pa.array(lines, pa.int64()))
    return pa.RecordBatch.from_arrays(cols, names=[*names, LINE_COLUMN])


# -- FollowTheMoney JSON lines (parties) ----------------------------------------------------

_FTM_KIND = {
    "Person": "person", "Company": "company", "Organization": "organization",
    "PublicBody": "organization", "LegalEntity": "organization",
}  # fmt: skip
_FTM_PROPS = {
    "name": "name", "birth_date": "birthDate", "nationality": "nationality",
    "country": "country", "address": "address", "phone": "phone", "id_number": "idNumber",
    "industry": "sector", "occupation": "position",
}  # fmt: skip
FTM_COLUMNS = ["party_id", "kind", *_FTM_PROPS, "is_pep"]


def _open_ftm(source: Source, is_utf8: bool) -> None:
    if not is_utf8:
        raise InputFileError(f"{source.path}: FollowTheMoney JSON must be UTF-8")
    source.columns = list(FTM_COLUMNS)

    def batches(progress: Progress | None) -> Iterator[pa.RecordBatch]:
        buffer: list[list[str]] = []
        lines: list[int] = []
        row_number = 0
        with source.path.open("r", encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                row_number += 1
                row, reason = _ftm_row(line)
                if row is None:
                    source.malformed.append(MalformedRow(row_number, line_no, line[:2000], reason))
                    continue
                buffer.append(row)
                lines.append(line_no)
        if buffer:
            yield _rows_to_batch(buffer, source.columns, lines)
        if progress:
            progress(source.size)

    source._batches = batches


def _ftm_row(line: str) -> tuple[list[str] | None, str]:
    try:
        entity = json.loads(line)
    except json.JSONDecodeError as e:
        return None, f"not valid JSON: {e.msg} at column {e.colno}"
    if not isinstance(entity, dict) or "schema" not in entity:
        return None, "not a FollowTheMoney entity (no 'schema')"
    kind = _FTM_KIND.get(entity["schema"])
    if kind is None:
        return (
            None,
            f"FtM schema {entity['schema']!r} is not a party (Person, Company, Organization)",
        )
    props = entity.get("properties") or {}

    def first(prop: str) -> str:
        values = props.get(prop) or []
        return str(values[0]) if values else ""

    topics = props.get("topics") or []
    row = [str(entity.get("id") or ""), kind, *(first(p) for p in _FTM_PROPS.values())]
    row.append("true" if any(str(t).startswith("role.pep") for t in topics) else "false")
    return row, ""
