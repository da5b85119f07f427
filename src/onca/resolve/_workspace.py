"""``onca resolve WORKSPACE``: deduplicate the workspace's parties into entities, stored."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from onca import __version__
from onca.errors import ParameterError
from onca.finance._scores import write_entity_scores
from onca.resolve._features import OPTIONAL, REQUIRED
from onca.resolve._model import Progress
from onca.resolve._resolve import DEFAULT_THRESHOLD, Links, dedupe_table, flagged
from onca.workspace import Workspace

PARTY_COLUMNS = (*REQUIRED, *OPTIONAL)


@dataclass
class ResolveSummary:
    """What a resolve run found: the counts a user reads and a report shows."""

    run_id: int
    engine: str
    threshold: float
    records: int
    compared_pairs: int
    links: int
    entities: int
    duplicate_entities: int
    records_in_duplicates: int
    flags: dict[str, int]
    seconds: float
    largest: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _entities(
    links: Links, parties: pa.Table
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Entities and members from the clusters (singletons included)."""
    features = links.features[0]
    ids = features.column("unique_id").to_pylist()
    names = parties.column("name").to_pylist()
    kinds = features.column("kind").to_pylist()
    flags = features.column("quality_flags").to_pylist()
    cluster_of = dict(
        zip(
            links.prediction.clusters.column("unique_id").to_pylist(),
            links.prediction.clusters.column("cluster_id").to_pylist(),
            strict=True,
        )
    )
    best: dict[str, float] = {}
    weakest: dict[str, float] = {}
    for left, right, p in zip(
        links.pairs.column("left_id").to_pylist(),
        links.pairs.column("right_id").to_pylist(),
        links.pairs.column("match_probability").to_pylist(),
        strict=True,
    ):
        for rid in (left, right):
            best[rid] = max(best.get(rid, 0.0), p)
    groups: dict[str, list[int]] = {}
    for i, pid in enumerate(ids):
        groups.setdefault(str(cluster_of.get(pid, pid)), []).append(i)
    entity_rows: list[tuple[Any, ...]] = []
    member_rows: list[tuple[Any, ...]] = []
    for rows in groups.values():
        members = sorted(ids[i] for i in rows)
        entity_id = f"ENT-{members[0]}"
        if len(rows) == 1:
            name, kind = names[rows[0]], kinds[rows[0]]
        else:
            # The name most records use; on a tie, that of the record with the smallest ID.
            ordered = sorted(rows, key=lambda i: ids[i])
            votes: dict[str, int] = {}
            for i in ordered:
                if names[i]:
                    votes[names[i]] = votes.get(names[i], 0) + 1
            name = max(votes, key=lambda n: votes[n]) if votes else None  # first of the best
            kind_votes: dict[str, int] = {}
            for i in ordered:
                kind_votes[kinds[i]] = kind_votes.get(kinds[i], 0) + 1
            kind = max(kind_votes, key=lambda k: kind_votes[k])
        probs = [best[ids[i]] for i in rows if ids[i] in best]
        if len(rows) > 1:
            weakest[entity_id] = min(probs) if probs else 0.0
        entity_rows.append((entity_id, kind, name, len(rows), members, weakest.get(entity_id)))
        member_rows.extend((ids[i], entity_id, best.get(ids[i]), flags[i] or []) for i in rows)
    return entity_rows, member_rows


def resolve_workspace(
    ws: Workspace,
    *,
    engine: str = "duckdb",
    threshold: float = DEFAULT_THRESHOLD,
    labels: pa.Table | None = None,
    progress: Progress | None = None,
) -> ResolveSummary:
    """Deduplicate every party of ``ws``; replace entities, members and links; roll screening
    alerts up to entities. One run replaces the last (the log keeps every run)."""
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cols = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in PARTY_COLUMNS)
    parties = ws.db.arrow(f"SELECT {cols} FROM parties ORDER BY party_id")
    links = dedupe_table(
        parties, threshold=threshold, engine=engine, labels=labels, progress=progress
    )
    entity_rows, member_rows = _entities(links, parties)
    if progress:
        progress("storing entities")
    db = ws.db
    with db.transaction():
        run_id = db.next_value("resolve_run_seq")
        for table in ("entities", "entity_members", "entity_links"):
            db.execute(f"DELETE FROM {table}")
        ent = pa.table(
            {
                "entity_id": [r[0] for r in entity_rows],
                "run_id": [run_id] * len(entity_rows),
                "kind": [r[1] for r in entity_rows],
                "name": [r[2] for r in entity_rows],
                "members": [r[3] for r in entity_rows],
                "party_ids": [r[4] for r in entity_rows],
                "min_probability": pa.array([r[5] for r in entity_rows], pa.float64()),
            }
        )
        mem = pa.table(
            {
                "party_id": [r[0] for r in member_rows],
                "entity_id": [r[1] for r in member_rows],
                "run_id": [run_id] * len(member_rows),
                "match_probability": pa.array([r[2] for r in member_rows], pa.float64()),
                "quality_flags": pa.array([r[3] for r in member_rows], pa.list_(pa.string())),
            }
        )
        lnk = links.pairs.append_column(
            "run_id", pa.array([run_id] * links.pairs.num_rows, pa.int64())
        )
        with (
            db.registered("_ent", ent),
            db.registered("_mem", mem),
            db.registered("_lnk", lnk),
        ):
            db.execute("INSERT INTO entities SELECT * FROM _ent")
            db.execute("INSERT INTO entity_members SELECT * FROM _mem")
            db.execute(
                """INSERT INTO entity_links
                   SELECT least(left_id, right_id), greatest(left_id, right_id), run_id,
                          match_probability, match_weight, CAST(explanation AS JSON) FROM _lnk"""
            )
        write_entity_scores(db)
        finished = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        duplicates = [r for r in entity_rows if r[3] > 1]
        summary = ResolveSummary(
            run_id=run_id,
            engine=engine,
            threshold=threshold,
            records=parties.num_rows,
            compared_pairs=links.prediction.compared_pairs,
            links=links.pairs.num_rows,
            entities=len(entity_rows),
            duplicate_entities=len(duplicates),
            records_in_duplicates=sum(r[3] for r in duplicates),
            flags=flagged(links.features),
            seconds=round((finished - started).total_seconds(), 2),
            largest=[
                {"entity_id": r[0], "name": r[2], "members": r[3]}
                for r in sorted(duplicates, key=lambda r: (-r[3], r[0]))[:5]
            ],
        )
        db.execute(
            "INSERT INTO resolve_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                engine,
                started,
                finished,
                threshold,
                summary.records,
                summary.compared_pairs,
                summary.links,
                summary.entities,
                summary.duplicate_entities,
                json.dumps(summary.flags),
                json.dumps(links.prediction.model),
                __version__,
            ],
        )
    return summary


_MEMBER_FIELDS = ("party_id", "name", "birth_date", "id_number", "phone", "address", "flags")


def explain_entity(ws: Workspace, party_id: str) -> dict[str, Any]:
    """The entity of the record ``party_id`` (or the entity ``ENT-...`` itself, as `onca
    resolve` prints it): its members (with their quality flags) and every link between them
    with the comparisons that decided it (``explanation``), strongest first."""
    entity_id = ws.db.scalar(
        "SELECT entity_id FROM entity_members WHERE party_id = ? OR entity_id = ? LIMIT 1",
        [party_id, party_id],
    )
    if entity_id is None:
        resolved = ws.db.scalar("SELECT count(*) FROM entity_members")
        raise ParameterError(
            f"PARTY_ID {party_id!r}: no such record or entity in {ws.path}; give a party id"
            " (BNK0000046) or an entity id (ENT-BNK0000046)"
            if resolved
            else f"PARTY_ID {party_id!r}: {ws.path} has no resolved entities yet; run"
            f" 'onca resolve {ws.path}' first"
        )
    members = ws.db.fetch(
        """SELECT m.party_id, p.name, CAST(p.birth_date AS VARCHAR), p.id_number, p.phone,
                  p.address, m.quality_flags
           FROM entity_members AS m JOIN parties AS p USING (party_id)
           WHERE m.entity_id = ? ORDER BY m.party_id""",
        [entity_id],
    )
    links = ws.db.query(
        """SELECT l.left_id, l.right_id, l.match_probability, l.match_weight,
                  CAST(l.explanation AS VARCHAR) AS explanation
           FROM entity_links AS l JOIN entity_members AS m ON m.party_id = l.left_id
           WHERE m.entity_id = ? ORDER BY l.match_probability DESC, l.left_id, l.right_id""",
        [entity_id],
    )
    return {
        "entity_id": entity_id,
        "members": [dict(zip(_MEMBER_FIELDS, m, strict=True)) for m in members],
        "links": [{**link, "explanation": json.loads(link["explanation"])} for link in links],
    }


def read_match_labels(path: Path) -> pa.Table:
    """Clerical labels for training (``--labels``): a CSV of ``left_id``, ``right_id`` and
    optionally ``is_match`` (1/0, true/false, yes/no; default 1), as Splink's labels table."""
    try:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise ParameterError(f"--labels {path}: cannot read it: {e}") from None
    need = {"left_id", "right_id"}
    if not rows or not need <= set(rows[0]):
        raise ParameterError(
            f"--labels {path}: expected a CSV with columns left_id, right_id"
            " (and optionally is_match, 1 or 0)"
        )
    scores = []
    for i, r in enumerate(rows, start=2):
        raw = (r.get("is_match") or "1").strip().lower()
        if raw not in ("1", "0", "true", "false", "yes", "no"):
            raise ParameterError(f"--labels {path} line {i}: is_match must be 1 or 0, got {raw!r}")
        scores.append(1.0 if raw in ("1", "true", "yes") else 0.0)
    return pa.table(
        {
            "source_l": ["parties"] * len(rows),
            "unique_id_l": [r["left_id"] for r in rows],
            "source_r": ["parties"] * len(rows),
            "unique_id_r": [r["right_id"] for r in rows],
            "clerical_match_score": scores,
        }
    )
