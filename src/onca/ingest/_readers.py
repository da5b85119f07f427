"""Read source files (CSV, Parquet, XLSX, FollowTheMoney JSON lines) as batches of text columns.

Every reader yields Arrow record batches whose columns are all strings, named as in the file
(trimmed, lower-cased), with rows in file order. Rows that cannot even be split into fields
(a CSV row with the wrong number of fields, a JSON line that does not parse, a Parquet row whose
binary value is not text) are reported as :class:`MalformedRow` instead, so that ingest can
quarantine them: nothing is dropped.

CSV text is UTF-8 unless a byte-order mark says UTF-16 or UTF-32 (then it is transcoded), or
``--encoding`` says otherwise; text that is not UTF-8 and has no mark is read as Latin-1, with a
warning. A CSV row may hold at most ``CSV_BLOCK_BYTES``; a longer one (usually a quote left
open) refuses the file, naming its line.

Parquet columns of plain types (text, numbers, booleans, dates, times, timestamps, decimals) and
lists of them are read as text; binary columns are read as UTF-8 text. Nested columns (struct,
map, list of lists or structs, union) cannot be: they are listed in :attr:`Source.nested` so
that ingest can refuse a file that needs one and leave out one it does not.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from onca._ftm import PARTY_PROPS
from onca.errors import InputFileError
from onca.ingest._formats import FORMATS, SUFFIX_FORMAT

BATCH_ROWS = 262_144
CSV_BLOCK_BYTES = 32 << 20
"""The CSV reader's block: no row (as UTF-8) may be longer."""
_BYTE_ORDER_MARKS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

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
    """An opened source file: its format, encoding, delimiter, columns and fingerprint.

    ``binary`` and ``nested`` name the Parquet columns stored as bytes and as nested values (with
    their Arrow type); ``left_out`` the columns the batches skip (see :meth:`leave_out`).
    """

    path: Path
    format: str
    sha256: str
    size: int
    columns: list[str]
    encoding: str = "utf-8"
    delimiter: str = ","
    warnings: list[str] = field(default_factory=list)
    malformed: list[MalformedRow] = field(default_factory=list)
    binary: dict[str, str] = field(default_factory=dict)
    nested: dict[str, str] = field(default_factory=dict)
    left_out: set[str] = field(default_factory=set)
    _batches: Callable[[Progress | None], Iterator[pa.RecordBatch]] | None = None

    @property
    def read_columns(self) -> list[str]:
        """The columns the batches hold: all but those left out."""
        return [c for c in self.columns if c not in self.left_out]

    def leave_out(self, columns: Iterable[str]) -> None:
        """Do not read ``columns`` (Parquet binary or nested columns that are not needed)."""
        self.left_out.update(c for c in columns if c in self.binary or c in self.nested)

    def batches(self, progress: Progress | None = None) -> Iterator[pa.RecordBatch]:
        """Yield the rows as string batches; fills ``malformed`` as it goes.

        Raises InputFileError if a nested column is still to be read (see :meth:`check_readable`).
        """
        assert self._batches is not None
        self.check_readable()
        yield from self._batches(progress)

    def check_readable(self) -> None:
        """Raise InputFileError naming the nested columns still to be read (they have no text)."""
        nested = [c for c in self.read_columns if c in self.nested]
        if nested:
            types = ", ".join(f"'{c}' ({self.nested[c]})" for c in nested)
            raise InputFileError(
                f"{self.path}: column(s) {types} hold nested values, which ingest cannot read as"
                " text: it reads text, numbers, booleans, dates, times, timestamps, binary UTF-8"
                " text and lists of these. Flatten them into plain columns, or drop them."
            )


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise InputFileError(
                f"--format {fmt!r} is not supported; use one of {', '.join(FORMATS)}"
            )
        return fmt
    try:
        return SUFFIX_FORMAT[path.suffix.lower()]
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
    with path.open("rb") as f:
        start = f.read(64)
    marked = next((enc for bom, enc in _BYTE_ORDER_MARKS if start.startswith(bom)), None)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputFileError(f"--encoding {encoding!r} is not a known text encoding") from None
        source.encoding = encoding
    elif marked == "utf-8" and not is_utf8:
        raise InputFileError(
            f"{path}: starts with a UTF-8 byte-order mark but is not valid UTF-8 further on;"
            " repair the file or pass --encoding"
        )
    elif marked:
        source.encoding = marked
    elif is_utf8:
        source.encoding = "utf-8"
    else:
        source.encoding = "latin-1"
        source.warnings.append(
            f"{path.name} is not valid UTF-8; read it as Latin-1 (ISO-8859-1)."
            " Pass --encoding to choose another."
        )
    if not encoding and not marked and _looks_like_utf16(start):
        raise InputFileError(
            f"{path}: looks like UTF-16 text without a byte-order mark (every other byte of its"
            " header is NUL); pass --encoding utf-16-le (or utf-16-be)"
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


def _looks_like_utf16(start: bytes) -> bool:
    """Whether the file's first bytes are UTF-16 (every other byte NUL, as in an ASCII header)."""
    pairs = len(start) // 2
    return pairs >= 2 and (start[1::2].count(0) == pairs or start[0::2].count(0) == pairs)


def _csv_batches(source: Source, progress: Progress | None) -> Iterator[pa.RecordBatch]:
    bad_texts: list[tuple[int, str]] = []

    def on_invalid(row: Any) -> str:
        bad_texts.append((row.actual_columns, row.text))
        return "skip"

    counted = _CountingFile(source.path)
    last = 0
    try:
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
        for batch in reader:
            if progress:
                progress(counted.position - last)
                last = counted.position
            yield batch
    except pa.ArrowInvalid as e:
        if "straddl" in str(e) or "larger than block size" in str(e):  # a row, or the header
            raise InputFileError(_oversized_row_message(source)) from None
        raise InputFileError(f"{source.path}: cannot be read as CSV: {e}") from e
    except UnicodeDecodeError as e:
        raise InputFileError(
            f"{source.path}: is not valid {source.encoding} text at byte {e.start} of its"
            f" {source.encoding} stream ({e.reason}); repair it or pass --encoding"
        ) from None
    finally:
        counted.close()
    if progress:
        progress(source.size - last)
    if bad_texts:
        source.malformed.extend(_locate_malformed(source, len(bad_texts)))


@contextmanager
def _csv_field_limit(chars: int) -> Iterator[None]:
    """Let Python's csv module read fields of up to ``chars`` (its default is 128 KiB)."""
    before = csv.field_size_limit(chars)
    try:
        yield
    finally:
        csv.field_size_limit(before)


class _RowTooLong(Exception):
    """A physical line longer than a CSV block (raised while scanning for one)."""


def _oversized_row_message(source: Source) -> str:
    """Name the first row longer than ``CSV_BLOCK_BYTES`` (the CSV reader cannot hold it).

    Scans with Python's csv module, reading lines of at most a block, so that a runaway field
    (a quote left open until the end of a large file) is never held in memory whole.
    """
    limit = CSV_BLOCK_BYTES
    size = 0

    def lines(f: Any) -> Iterator[str]:
        nonlocal size
        while line := f.readline(limit + 1):
            size += len(line.encode("utf-8", "surrogatepass"))
            if size > limit:
                raise _RowTooLong
            yield line

    mib = limit >> 20
    header, row, line_no = True, 0, 1
    with (
        _csv_field_limit(limit),
        source.path.open("r", encoding=source.encoding, errors="replace", newline="") as f,
    ):
        reader = csv.reader(lines(f), delimiter=source.delimiter)
        try:
            while True:
                size, line_no = 0, reader.line_num + 1
                fields = next(reader, None)
                if fields is None:
                    break
                if header:
                    header = False
                elif fields:
                    row += 1
        except (_RowTooLong, csv.Error):
            where = "the header" if header else f"data row {row + 1}"
            return (
                f"{source.path}: line {line_no} ({where}) is longer than {mib} MiB, the most a"
                f' CSV row may hold: is a quote (") left open there? Repair the file, or load'
                " its data as Parquet"
            )
    return f"{source.path}: cannot be read as CSV: a row is longer than {mib} MiB"


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
    row_number = 0
    with (
        _csv_field_limit(CSV_BLOCK_BYTES),  # the fast reader held every row in a block
        source.path.open("r", encoding=source.encoding, errors="replace", newline="") as f,
    ):
        reader = csv.reader(f, delimiter=source.delimiter)
        try:
            next(reader, None)
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
        except csv.Error as e:
            raise InputFileError(
                f"{source.path}: line {reader.line_num + 1} (after data row {row_number})"
                f" cannot be read as CSV: {e}"
            ) from None
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
    except (pa.ArrowException, OSError) as e:
        raise InputFileError(f"{source.path}: not a readable Parquet file: {e}") from e
    schema = pf.schema_arrow
    source.columns = _clean_header(schema.names)
    for name, arrow_field in zip(source.columns, schema, strict=True):
        kind = _stored_as(arrow_field.type)
        if kind == "binary":
            source.binary[name] = str(arrow_field.type)
        elif kind == "nested":
            source.nested[name] = str(arrow_field.type)

    def batches(progress: Progress | None) -> Iterator[pa.RecordBatch]:
        step = source.size / max(pf.metadata.num_rows, 1)
        names = source.read_columns
        wanted = [schema.names[i] for i, c in enumerate(source.columns) if c in names]
        done = 0
        try:
            for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=wanted):
                yield _text_batch(source, batch, names, done)
                done += batch.num_rows
                if progress:
                    progress(int(batch.num_rows * step))
        except (pa.ArrowException, OSError) as e:
            raise InputFileError(
                f"{source.path}: cannot read the rows after row {done} of this Parquet file: {e}"
            ) from e

    source._batches = batches


def _is_list(t: pa.DataType) -> bool:
    return bool(
        pa.types.is_list(t)
        or pa.types.is_large_list(t)
        or pa.types.is_fixed_size_list(t)
        or pa.types.is_list_view(t)
        or pa.types.is_large_list_view(t)
    )


def _is_bytes(t: pa.DataType) -> bool:
    return bool(
        pa.types.is_binary(t)
        or pa.types.is_large_binary(t)
        or pa.types.is_fixed_size_binary(t)
        or pa.types.is_binary_view(t)
    )


def _stored_type(t: pa.DataType) -> pa.DataType:
    """The type of the values themselves: without dictionary encoding or extension wrapper."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    if isinstance(t, pa.ExtensionType):
        t = t.storage_type
    return t


def _stored_as(t: pa.DataType) -> str:
    """How a Parquet column is read: "text" (plain values or lists of them), "binary" (bytes,
    or lists of bytes, read as UTF-8) or "nested" (structs, maps, lists of lists: no text)."""
    t = _stored_type(t)
    if _is_list(t):
        t = _stored_type(t.value_type)
        if _is_list(t):
            return "nested"
    if pa.types.is_nested(t) or pa.types.is_union(t):
        return "nested"
    return "binary" if _is_bytes(t) else "text"


def _text_batch(
    source: Source, batch: pa.RecordBatch, names: list[str], offset: int
) -> pa.RecordBatch:
    """A Parquet batch as text; rows with bytes that are not UTF-8 go to ``source.malformed``.

    ``offset`` is the number of rows in the batches before this one.
    """
    arrays: list[pa.Array] = []
    bad: dict[int, dict[str, str]] = {}  # row in batch -> column -> the bytes, in hex
    for name, arr in zip(names, batch.columns, strict=True):
        arr = arr.storage if isinstance(arr, pa.ExtensionArray) else arr
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        if name in source.binary:
            arr, not_text = _bytes_as_utf8(arr)
            for i, shown in not_text.items():
                bad.setdefault(i, {})[name] = shown
        try:
            arrays.append(_as_text(arr))
        except pa.ArrowException as e:
            raise InputFileError(
                f"{source.path}: column '{name}' (Parquet type {arr.type}) cannot be read as"
                f" text: {e}"
            ) from None
    out = pa.RecordBatch.from_arrays(arrays, names=names)
    if not bad:
        return out
    for i, columns in sorted(bad.items()):
        row = {name: out.column(j)[i].as_py() for j, name in enumerate(names)} | columns
        source.malformed.append(
            MalformedRow(
                row_number=offset + i + 1,
                line=None,
                text=json.dumps(row, ensure_ascii=False)[:2000],
                reason="; ".join(
                    f"{c}: binary value {v} is not UTF-8 text" for c, v in columns.items()
                ),
            )
        )
    return out.filter(pa.array([i not in bad for i in range(out.num_rows)]))


def _bytes_as_utf8(arr: pa.Array) -> tuple[pa.Array, dict[int, str]]:
    """Bytes (or lists of bytes) as UTF-8 text; values that are not UTF-8 become null and are
    returned by row, shown in hex (the first 16 bytes)."""
    if pa.types.is_fixed_size_binary(arr.type):
        arr = arr.cast(pa.binary())
    target = pa.list_(pa.string()) if _is_list(arr.type) else pa.string()
    try:
        return pc.cast(arr, target), {}  # checks the UTF-8 in one pass
    except pa.ArrowInvalid:
        pass
    not_text: dict[int, str] = {}
    for i, value in enumerate(arr.to_pylist()):
        items = value if isinstance(value, list) else [value]
        wrong = next((b for b in items if b is not None and not _is_utf8(b)), None)
        if wrong is not None:
            not_text[i] = "0x" + wrong[:16].hex() + ("..." if len(wrong) > 16 else "")
    mask = pa.array([i in not_text for i in range(len(arr))])
    return pc.cast(pc.if_else(mask, pa.scalar(None, arr.type), arr), target), not_text


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _as_text(arr: pa.Array) -> pa.Array:
    """A plain Arrow column as text: lists joined with ';', timestamps in ISO 8601, nulls as ''."""
    if _is_list(arr.type):
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
    "Person": "person",
    "Company": "company",
    "Organization": "organization",
    "PublicBody": "organization",
    "LegalEntity": "organization",
}
FTM_COLUMNS = ["party_id", "kind", *PARTY_PROPS, "is_pep"]


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
    row = [str(entity.get("id") or ""), kind, *(first(p) for p in PARTY_PROPS.values())]
    row.append("true" if any(str(t).startswith("role.pep") for t in topics) else "false")
    return row, ""
