"""Convert an IBM AMLSim sample (nodes.csv, transactions.csv) into data-contract files.

AMLSim (https://github.com/IBM/AMLSim) simulates bank accounts that pay each other in integer
time steps, with some accounts planted in laundering patterns (fan-in, cycles...). Its sample
outputs hold:

- ``nodes.csv``: ``nodeid, isFraud, init_balance, fraudStep`` (fraudStep -1 for ordinary accounts)
- ``transactions.csv``: ``sourceNodeId, targetNodeId, value, time`` (time: an integer step)

Mapping (see docs/convert.md): node N becomes party ``AMLSIM-PN`` (one per account) and account
``AMLSIM-AN``; a payment on line L of transactions.csv becomes ``AMLSIM-TL`` at
``start + time * step``. ``isFraud`` becomes ``labels/accounts.csv`` (1 = illicit). Rows that
cannot map go to ``rejected.csv`` with file, line and reason; for every file
``read == written + rejected``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from onca.convert._output import ConvertResult, FileCount, Rejects, make_out, parse_amount
from onca.convert._source import MAX_MEMBER_BYTES, open_source
from onca.errors import InputFileError, ParameterError

NODE_COLUMNS = ("nodeid", "isFraud", "init_balance", "fraudStep")
TRANSACTION_COLUMNS = ("sourceNodeId", "targetNodeId", "value", "time")

PARTY_HEADER = ("party_id", "kind", "name")
ACCOUNT_HEADER = ("account_id", "holder_id", "institution", "country", "currency")
TRANSACTION_HEADER = ("txn_id", "ts", "amount", "currency", "from_account", "to_account", "channel")

INSTITUTION = "AMLSim"
CHANNEL = "wire"

_ID = re.compile(r"^[0-9]+$")
_STEP = re.compile(r"^-?[0-9]+$")


def account_id(node: str) -> str:
    return f"AMLSIM-A{node}"


def party_id(node: str) -> str:
    return f"AMLSIM-P{node}"


def _rows(
    f: IO[str], name: str, wanted: tuple[str, ...]
) -> Iterator[tuple[int, list[str] | None, str]]:
    """Yield ``(line, values in wanted order, problem)`` per data row; header names match
    case-insensitively, extra columns are ignored; a row of the wrong width yields None."""
    reader = csv.reader(f)
    header = next(reader, None)
    if header is None:
        raise InputFileError(f"{name}: empty file (expected a header: {', '.join(wanted)})")
    lower = [h.strip().lower() for h in header]
    missing = [w for w in wanted if w.lower() not in lower]
    if missing:
        raise InputFileError(
            f"{name}: missing column(s) {', '.join(missing)}; found {', '.join(header)}"
        )
    index = [lower.index(w.lower()) for w in wanted]
    width = len(header)
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line: not a row
        if len(row) != width:
            yield reader.line_num, None, f"has {len(row)} fields, header has {width}"
            continue
        yield reader.line_num, [row[i].strip() for i in index], ""


def _node_id(value: str, column: str) -> tuple[str, str]:
    if not value:
        return "", f"{column} is missing"
    if not _ID.match(value):
        return "", f"{column} '{value[:40]}' is not a non-negative integer"
    return str(int(value)), ""


def _balance(value: str) -> str:
    """``init_balance`` is not written (the contract has no column for it) but must be sane."""
    try:
        d = Decimal(value)
    except InvalidOperation:
        return f"init_balance '{value[:40]}' is not a number"
    if not d.is_finite() or d < 0:
        return f"init_balance {value[:40]} is negative or not finite"
    return ""


def convert_amlsim(
    source: Path | str,
    out: Path | str,
    *,
    start: dt.date | dt.datetime = dt.date(2020, 1, 1),
    step: dt.timedelta = dt.timedelta(days=1),
    currency: str = "USD",
    country: str = "US",
    max_member_bytes: int = MAX_MEMBER_BYTES,
    progress: Callable[[str, int, int], None] | None = None,
) -> ConvertResult:
    """Convert the AMLSim sample at ``source`` (folder or .tgz) into contract files in ``out``.

    Writes ``parties.csv``, ``accounts.csv``, ``transactions.csv``, ``labels/accounts.csv``
    (``account_id,label``) and ``rejected.csv`` (``source_file,line,reason``). ``start`` is the
    time of step 0 (a date means midnight UTC); ``step`` the length of one step. Whole-file
    problems (missing file or column) raise InputFileError before anything is written.
    """
    began = time.perf_counter()
    currency, country = currency.strip().upper(), country.strip().upper()
    _check_options(currency, country, step)
    origin = _as_utc(start)
    out = Path(out)
    names = ("nodes.csv", "transactions.csv")
    with open_source(source, names, max_member_bytes=max_member_bytes) as src:
        for name in names:  # whole-file checks first, so a bad source leaves ``out`` untouched
            with src.open_text(name) as f:
                next(
                    _rows(
                        f,
                        src.names[name],
                        NODE_COLUMNS if name == names[0] else TRANSACTION_COLUMNS,
                    ),
                    None,
                )
        make_out(out, labels=True)
        nodes = FileCount(src.names["nodes.csv"])
        txns = FileCount(src.names["transactions.csv"])
        with open(out / "rejected.csv", "w", encoding="utf-8", newline="") as rf:
            rejects = Rejects(rf)
            with src.open_text("nodes.csv") as f:
                known, illicit = _convert_nodes(f, out, nodes, rejects, currency, country)
            with src.open_text("transactions.csv") as f:
                _convert_transactions(
                    f, out, txns, rejects, known, origin, step, currency, progress
                )
        skipped = list(src.skipped)
    return ConvertResult(
        source=str(source),
        out=str(out),
        files=[nodes, txns],
        outputs={
            "parties.csv": nodes.written,
            "accounts.csv": nodes.written,
            "labels/accounts.csv": nodes.written,
            "transactions.csv": txns.written,
            "rejected.csv": nodes.rejected + txns.rejected,
        },
        labels_illicit=illicit,
        seconds=time.perf_counter() - began,
        warnings=[f"archive member {s}" for s in skipped],
        top_reasons=rejects.top(),
    )


def _check_options(currency: str, country: str, step: dt.timedelta) -> None:
    from onca.contract import load_contract

    codes = load_contract().codes
    if currency not in codes["currencies"]:
        raise ParameterError(f"--currency {currency!r}: not an ISO 4217 code (e.g. USD, EUR, BRL)")
    if country not in codes["countries"]:
        raise ParameterError(f"--country {country!r}: not an ISO 3166-1 alpha-2 code (e.g. US)")
    if step <= dt.timedelta(0):
        raise ParameterError(f"step length must be positive, got {step}")


def _as_utc(start: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(start, dt.datetime):
        if start.tzinfo is None:
            return start.replace(tzinfo=dt.UTC)
        return start.astimezone(dt.UTC)
    return dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC)


def _convert_nodes(
    f: IO[str], out: Path, count: FileCount, rejects: Rejects, currency: str, country: str
) -> tuple[set[str], int]:
    known: set[str] = set()
    illicit = 0
    with (
        open(out / "parties.csv", "w", encoding="utf-8", newline="") as pf,
        open(out / "accounts.csv", "w", encoding="utf-8", newline="") as af,
        open(out / "labels" / "accounts.csv", "w", encoding="utf-8", newline="") as lf,
    ):
        parties, accounts, labels = (csv.writer(x, lineterminator="\n") for x in (pf, af, lf))
        parties.writerow(PARTY_HEADER)
        accounts.writerow(ACCOUNT_HEADER)
        labels.writerow(("account_id", "label"))
        for line, values, problem in _rows(f, count.file, NODE_COLUMNS):
            count.read += 1
            if values is None:
                rejects.add(count, line, problem)
                continue
            node, problem = _node_id(values[0], "nodeid")
            if not problem and node in known:
                problem = f"nodeid {node} repeats an earlier row"
            if not problem and values[1] not in ("0", "1"):
                problem = f"isFraud '{values[1][:40]}' is not 0 or 1"
            if not problem and values[2]:
                problem = _balance(values[2])
            if not problem and values[3] and not _STEP.match(values[3]):
                problem = f"fraudStep '{values[3][:40]}' is not an integer step"
            if problem:
                rejects.add(count, line, problem)
                continue
            known.add(node)
            illicit += values[1] == "1"
            parties.writerow((party_id(node), "person", f"AMLSim account holder {node}"))
            accounts.writerow((account_id(node), party_id(node), INSTITUTION, country, currency))
            labels.writerow((account_id(node), values[1]))
            count.written += 1
    return known, illicit


def _convert_transactions(
    f: IO[str],
    out: Path,
    count: FileCount,
    rejects: Rejects,
    known: set[str],
    origin: dt.datetime,
    step: dt.timedelta,
    currency: str,
    progress: Callable[[str, int, int], None] | None,
) -> None:
    with open(out / "transactions.csv", "w", encoding="utf-8", newline="") as tf:
        writer = csv.writer(tf, lineterminator="\n")
        writer.writerow(TRANSACTION_HEADER)
        stamps: dict[str, str] = {}
        for line, values, problem in _rows(f, count.file, TRANSACTION_COLUMNS):
            count.read += 1
            if progress is not None and count.read % 10_000 == 0:
                progress("transactions", count.read, 0)
            if values is None:
                rejects.add(count, line, problem)
                continue
            src, problem = _node_id(values[0], "sourceNodeId")
            dst, why = ("", "") if problem else _node_id(values[1], "targetNodeId")
            problem = problem or why
            if not problem and src not in known:
                problem = f"sourceNodeId {src} is not in nodes.csv (or was rejected there)"
            if not problem and dst not in known:
                problem = f"targetNodeId {dst} is not in nodes.csv (or was rejected there)"
            amount = ""
            if not problem:
                amount, problem = parse_amount(values[2], "value")
            if not problem:
                ts, problem = _timestamp(values[3], origin, step, stamps)
            if problem:
                rejects.add(count, line, problem)
                continue
            writer.writerow(
                (f"AMLSIM-T{line}", ts, amount, currency, account_id(src), account_id(dst), CHANNEL)
            )
            count.written += 1


def _timestamp(
    value: str, origin: dt.datetime, step: dt.timedelta, cache: dict[str, str]
) -> tuple[str, str]:
    if value in cache:
        return cache[value], ""
    if not value:
        return "", "time is missing"
    if not _STEP.match(value):
        return "", f"time '{value[:40]}' is not an integer step"
    n = int(value)
    if n < 0:
        return "", f"time {n} is a negative step"
    try:
        ts = (origin + n * step).strftime("%Y-%m-%dT%H:%M:%SZ")
    except OverflowError:
        return "", f"time {n} is past the year 9999 at this start and step"
    cache[value] = ts
    return ts, ""
