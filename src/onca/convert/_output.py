"""What every converter writes: counts, rejected.csv, and the contract's parties/accounts/transactions.

``ContractWriter`` writes the three contract files with all of the contract's columns (empty where
the source has nothing), keeps the first row written under each id and ignores later repeats, so
that a party or account named by many transactions is written once.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Self

from onca._closing import Closing
from onca._totals import FilesTotal
from onca.contract import load_contract
from onca.errors import ParameterError


def _columns(table: str) -> tuple[str, ...]:
    """Every column of the contract table ``table``, in the contract's order."""
    return tuple(c.name for c in load_contract().table(table).columns)


PARTY_COLUMNS = _columns("parties")
ACCOUNT_COLUMNS = _columns("accounts")
TRANSACTION_COLUMNS = _columns("transactions")
"""The columns a converter writes: all of the contract's, read from it (not a copy)."""

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999.99")
"""The largest amount the contract's decimal(18, 2) holds."""


@dataclass
class FileCount:
    """One source file: ``read == written + rejected``."""

    file: str
    read: int = 0
    written: int = 0
    rejected: int = 0


@dataclass
class ConvertResult:
    """What a conversion read and wrote. ``outputs`` maps each written file to its row count;
    ``labels_illicit`` counts label-1 rows (accounts, or transactions where the source labels
    those instead)."""

    source: str
    out: str
    files: list[FileCount]
    outputs: dict[str, int]
    labels_illicit: int
    seconds: float
    warnings: list[str] = field(default_factory=list)
    top_reasons: list[tuple[str, int]] = field(default_factory=list)

    read = FilesTotal()
    written = FilesTotal()
    rejected = FilesTotal()

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "out": self.out,
            "read": self.read,
            "written": self.written,
            "rejected": self.rejected,
            "files": [asdict(f) for f in self.files],
            "outputs": self.outputs,
            "labels_illicit": self.labels_illicit,
            "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
            "top_reasons": [list(r) for r in self.top_reasons],
        }


class Rejects:
    """rejected.csv: ``source_file,line,reason``, with a tally of reasons (quoted values folded,
    so that the tally counts kinds of problem, not values)."""

    def __init__(self, f: IO[str]) -> None:
        self.writer = csv.writer(f, lineterminator="\n")
        self.writer.writerow(("source_file", "line", "reason"))
        self.tally: dict[str, int] = {}

    def add(self, count: FileCount, line: int, reason: str) -> None:
        count.rejected += 1
        self.writer.writerow((count.file, line, reason))
        key = re.sub(r"'[^']*'", "'…'", reason)
        self.tally[key] = self.tally.get(key, 0) + 1

    def top(self, n: int = 10) -> list[tuple[str, int]]:
        return sorted(self.tally.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def parse_amount(value: str, column: str) -> tuple[str, str]:
    """A positive decimal with at most 2 places, as the contract's ``amount`` wants:
    ``(amount, "")`` or ``("", problem)``."""
    if not value:
        return "", f"{column} is missing"
    try:
        d = Decimal(value)
    except InvalidOperation:
        return "", f"{column} '{value[:40]}' is not a number"
    if not d.is_finite():
        return "", f"{column} '{value[:40]}' is not a finite number"
    if d <= 0:
        return "", f"{column} {value} is not positive"
    if d != d.quantize(CENT):
        return "", f"{column} {value} has more than 2 decimals"
    if d > MAX_AMOUNT:
        return "", f"{column} {value} is over the contract's largest amount"
    return f"{d.quantize(CENT)}", ""


def cents(d: Decimal) -> str:
    """``d`` rounded half-up to cents, as text ("" when it rounds to zero or less)."""
    r = d.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{r}" if r > 0 else ""


def utc_text(t: dt.datetime) -> str:
    """ISO 8601 UTC with a Z; a naive time is taken as UTC."""
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


_UNSAFE = re.compile(r"[^\w.:-]+")


def id_part(text: str, limit: int = 60) -> str:
    """A readable piece of an id: runs of characters other than letters (any script), digits
    and ``_.:-`` become one ``-``; at most ``limit`` characters."""
    return _UNSAFE.sub("-", text.strip()).strip("-")[:limit]


def contract_codes() -> Mapping[str, frozenset[str]]:
    """The contract's code lists a converter checks against (countries, currencies)."""
    from onca.contract import load_contract

    codes = load_contract().codes
    return {name: frozenset(codes[name].values) for name in ("countries", "currencies")}


def check_country(value: str | None, option: str) -> str | None:
    """An ISO 3166-1 alpha-2 code in upper case, or ParameterError naming ``option``."""
    if value is None:
        return None
    code = value.strip().upper()
    if code not in contract_codes()["countries"]:
        raise ParameterError(f"{option} {value!r}: not an ISO 3166-1 alpha-2 code (e.g. US, BR)")
    return code


class ContractWriter(Closing):
    """parties.csv, accounts.csv and transactions.csv in ``out``, all contract columns, each id
    written once (the first row wins). Use as a context manager."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._files: list[IO[str]] = []
        self._writers: dict[str, Any] = {}  # csv writers (their type is private to _csv)
        self.ids: dict[str, set[str]] = {"parties": set(), "accounts": set(), "transactions": set()}
        self.unchecked = 0

    def __enter__(self) -> Self:
        for name, header in (
            ("parties", PARTY_COLUMNS),
            ("accounts", ACCOUNT_COLUMNS),
            ("transactions", TRANSACTION_COLUMNS),
        ):
            f = open(
                self.out / f"{name}.csv", "w", encoding="utf-8", newline=""
            )  # closed by close(), on leaving the with block
            self._files.append(f)
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            self._writers[name] = writer
        return self

    def close(self) -> None:
        for f in self._files:
            f.close()

    def _write(self, table: str, columns: tuple[str, ...], row: Mapping[str, str]) -> bool:
        key = row[columns[0]]
        if key in self.ids[table]:
            return False
        self.ids[table].add(key)
        self._writers[table].writerow([row.get(c, "") for c in columns])
        return True

    def party(self, row: Mapping[str, str]) -> bool:
        """Write a party (``party_id``, ``kind``, ``name`` at least); False if the id was taken."""
        return self._write("parties", PARTY_COLUMNS, row)

    def account(self, row: Mapping[str, str]) -> bool:
        return self._write("accounts", ACCOUNT_COLUMNS, row)

    def transaction(self, row: Mapping[str, str]) -> bool:
        return self._write("transactions", TRANSACTION_COLUMNS, row)

    def transaction_values(self, values: tuple[str, ...]) -> None:
        """Write a transaction given as values in TRANSACTION_COLUMNS order, unchecked: for a
        caller whose ids cannot repeat (they count source lines). Not in ``ids``."""
        self._writers["transactions"].writerow(values)
        self.unchecked += 1

    def has(self, table: str, key: str) -> bool:
        return key in self.ids[table]

    def counts(self) -> dict[str, int]:
        counts = {f"{name}.csv": len(ids) for name, ids in self.ids.items()}
        counts["transactions.csv"] += self.unchecked
        return counts


def write_labels(path: Path, key: str, rows: Iterable[tuple[str, int]]) -> tuple[int, int]:
    """``key,label`` rows into ``path``; returns (rows, rows labelled 1)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = ones = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow((key, "label"))
        for ident, label in rows:
            writer.writerow((ident, label))
            n += 1
            ones += label == 1
    return n, ones


WRITTEN = ("parties.csv", "accounts.csv", "transactions.csv", "rejected.csv", "labels")


def make_out(out: Path, *, labels: bool = False) -> None:
    """Create ``out`` (and ``out/labels``) or raise ParameterError. A folder that already holds
    a conversion is refused: its old labels or rejected rows would sit beside the new files."""
    if out.is_dir():
        found = [name for name in WRITTEN if (out / name).exists()]
        if found:
            raise ParameterError(
                f"--out {out}: already holds {', '.join(found)} from an earlier conversion;"
                " choose an empty or new folder (or remove them first)"
            )
    try:
        (out / "labels" if labels else out).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ParameterError(f"--out {out}: cannot create it: {e}") from None
