"""``onca resolve WORKSPACE``: deduplicate the workspace's parties into entities, stored."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from onca import __version__
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

    def as_dict(self) -> dict[str, Any]:
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
    parties = ws.con.sql(f"SELECT {cols} FROM parties ORDER BY party_id").to_arrow_table()
    links = dedupe_table(
        parties, threshold=threshold, engine=engine, labels=labels, progress=progress
    )
    entity_rows, member_rows = _entities(links, parties)
    if progress:
        progress("storing entities")
    con = ws.con
    con.execute("BEGIN")
    try:
        run_id = int(con.execute("SELECT nextval('resolve_run_seq')").fetchall()[0][0])
        for table in ("entities", "entity_members", "entity_links"):
            con.execute(f"DELETE FROM {table}")
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
        con.register("_ent", ent)
        con.register("_mem", mem)
        con.register("_lnk", lnk)
        con.execute("INSERT INTO entities SELECT * FROM _ent")
        con.execute("INSERT INTO entity_members SELECT * FROM _mem")
        con.execute(
            """INSERT INTO entity_links
               SELECT least(left_id, right_id), greatest(left_id, right_id), run_id,
                      match_probability, match_weight, CAST(explanation AS JSON) FROM _lnk"""
        )
        for name in ("_ent", "_mem", "_lnk"):
            con.unregister(name)
        write_entity_scores(con)
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
        con.execute(
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
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return summary
