"""Ingest a whole folder: each file goes to the contract table its name gives, tables in the
order their references need (parties before accounts, permits before shipments...).

A file belongs to a table when its name, less the suffix, is the table's name or starts with it
and a separator: ``transactions.csv``, ``transactions-2024-01.parquet``, ``parties_bank.xlsx``.
Files that name no table and sub-folders are listed as left alone, never silently dropped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from onca._totals import FilesTotal
from onca.contract import Contract, load_contract
from onca.errors import InputFileError
from onca.ingest._formats import SUFFIX_FORMAT
from onca.ingest._ingest import IngestResult, ProgressCallback, ingest_plan
from onca.workspace import Workspace

_SEPARATORS = ("-", "_", ".", " ")


@dataclass
class FolderPlan:
    """Which files of a folder load into which table, in load order, and what is left alone."""

    folder: Path
    tables: list[tuple[str, list[Path]]]
    left_alone: list[str] = field(default_factory=list)


@dataclass
class FolderResult:
    """The outcome of one folder ingest: one :class:`IngestResult` per table, in load order."""

    folder: str
    results: list[IngestResult]
    left_alone: list[str]
    seconds: float

    rows = FilesTotal(over="results")
    loaded = FilesTotal(over="results")
    quarantined = FilesTotal(over="results")

    def to_dict(self) -> dict[str, object]:
        return {
            "folder": self.folder,
            "rows": self.rows,
            "loaded": self.loaded,
            "quarantined": self.quarantined,
            "seconds": round(self.seconds, 3),
            "tables": [r.to_dict() for r in self.results],
            "left_alone": self.left_alone,
        }


def _table_of(path: Path, names: Sequence[str]) -> str | None:
    """The contract table a file's name gives (the longest table name that matches), if any."""
    stem = path.name[: -len(path.suffix)].lower() if path.suffix else path.name.lower()
    matches = [
        n for n in names if stem == n or any(stem.startswith(n + sep) for sep in _SEPARATORS)
    ]
    return max(matches, key=len) if matches else None


def _why_left_alone(path: Path, names: Sequence[str]) -> str:
    """A left-alone file's name, with a hint when it looks meant for a table."""
    import difflib

    if path.is_dir():
        return path.name + "/"
    table = _table_of(path.with_suffix(""), names) if path.suffix else None
    if table is not None and path.with_suffix("").suffix.lower() in SUFFIX_FORMAT:
        return f"{path.name} (a {path.suffix} file is not read: unpack it)"
    stem = path.name.split(".", 1)[0].lower()
    close = difflib.get_close_matches(stem, names, n=1, cutoff=0.6)
    if close and path.suffix.lower() in SUFFIX_FORMAT:
        return f"{path.name} (did you mean {close[0]}{path.suffix}?)"
    return path.name


def plan_folder(folder: Path | str, contract: Contract | None = None) -> FolderPlan:
    """The files of ``folder`` (not its sub-folders) that load into contract tables, grouped by
    table in load order; raises InputFileError when the folder is missing or names no table."""
    root = Path(folder)
    if not root.is_dir():
        raise InputFileError(f"{root}: not a folder")
    contract = contract or load_contract()
    order = contract.load_order()
    found: dict[str, list[Path]] = {}
    left_alone = []
    for path in sorted(root.iterdir()):
        if path.name.startswith("."):
            continue
        table = _table_of(path, order) if path.is_file() else None
        if table is None or path.suffix.lower() not in SUFFIX_FORMAT:
            left_alone.append(_why_left_alone(path, order))
            continue
        found.setdefault(table, []).append(path)
    if not found:
        hints = [a for a in left_alone if "(" in a]
        raise InputFileError(
            f"{root}: no file is named after a contract table; name files after the table they"
            f" hold ({', '.join(order)}), e.g. parties.csv or transactions-2024.parquet"
            + (f". Left alone: {'; '.join(hints)}" if hints else "")
        )
    return FolderPlan(root, [(t, found[t]) for t in order if t in found], left_alone)


def ingest_folder(
    workspace: Workspace | Path | str,
    folder: Path | str,
    *,
    progress: ProgressCallback | None = None,
) -> FolderResult:
    """Load every file of ``folder`` into the table its name gives, in dependency order and in
    one transaction (see the module's docstring for the naming rule)."""
    plan = plan_folder(folder)
    started = time.perf_counter()
    results = ingest_plan(workspace, [(t, list(ps)) for t, ps in plan.tables], progress=progress)
    return FolderResult(str(plan.folder), results, plan.left_alone, time.perf_counter() - started)
