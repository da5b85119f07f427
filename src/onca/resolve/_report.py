"""Report section for entity resolution: duplicates found, accuracy on truth, one explained
match from a trafficking network, and risk rolled up to entities."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from onca.finance import ranked_parties
from onca.metrics import fmt, set_scores
from onca.report import Section, TableBlock
from onca.synth import Truth
from onca.workspace import Workspace


def _true_pairs(truth: Truth) -> tuple[set[tuple[str, str]], set[str]]:
    """Pairs of records of one real party, and the records of network members (none when the
    truth has no roles.csv)."""
    groups = truth.records_of()
    members = truth.network_parties() if truth.has("roles.csv") else set()
    pairs = {
        (min(a, b), max(a, b)) for ids in groups.values() for a, b in itertools.combinations(ids, 2)
    }
    return pairs, members


def pairwise_scores(
    predicted: set[tuple[str, str]], truth: set[tuple[str, str]]
) -> dict[str, float | int | None]:
    """Pairwise precision, recall and F1 of predicted record pairs against the true ones;
    undefined measures (no pair predicted, no true pair) are None (:mod:`onca.metrics`)."""
    s = set_scores(predicted, truth)
    return {
        "true_pairs": s.positives,
        "predicted_pairs": s.flagged,
        "correct_pairs": s.true_positives,
        "precision": s.precision,
        "recall": s.recall,
        "f1": s.f1,
    }


def pairwise_accuracy(ws: Workspace, truth_dir: Path | str) -> dict[str, float | int | None]:
    """Pairwise precision, recall and F1 of the workspace's entities against the truth."""
    truth, _ = _true_pairs(Truth.load(truth_dir))
    rows = ws.db.fetch(
        """SELECT a.party_id, b.party_id FROM entity_members AS a
           JOIN entity_members AS b ON a.entity_id = b.entity_id AND a.party_id < b.party_id"""
    )
    return pairwise_scores({(str(a), str(b)) for a, b in rows}, truth)


def _explained_match(ws: Workspace, prefer: set[str]) -> list[TableBlock]:
    """The strongest link of an entity with records from different sources, from a network
    when the truth says which records are network members."""
    links = ws.db.fetch(
        """SELECT l.left_id, l.right_id, l.match_probability, CAST(l.explanation AS VARCHAR),
                  pl.name, pr.name, m.entity_id
           FROM entity_links AS l
           JOIN parties AS pl ON pl.party_id = l.left_id
           JOIN parties AS pr ON pr.party_id = l.right_id
           JOIN entity_members AS m ON m.party_id = l.left_id
           ORDER BY l.left_id, l.right_id"""
    )
    if not links:
        return []

    def instructive(row: tuple) -> tuple[bool, bool, int, float]:
        # A network member's link across sources where the records differ the most.
        parts = json.loads(row[3])
        differing = sum(p["level"] not in ("the same", "missing") for p in parts[1:])
        cross = row[0][:3] != row[1][:3]
        return (row[0] in prefer or row[1] in prefer, cross, differing, row[2])

    chosen = max(links, key=instructive)
    left, right, probability, explanation, left_name, right_name, entity_id = chosen
    records = ws.db.fetch(
        """SELECT party_id, name, CAST(birth_date AS VARCHAR), id_number, phone, address
           FROM parties WHERE party_id IN (?, ?) ORDER BY party_id""",
        [left, right],
    )
    parts = json.loads(explanation)
    return [
        TableBlock(
            f"One explained match{' from a trafficking network' if chosen[0] in prefer or chosen[1] in prefer else ''}:"
            f" {left_name} = {right_name} ({entity_id}), match probability {probability:.6f}",
            ["record", "name", "born", "ID", "phone", "address"],
            [[v if v is not None else "" for v in r] for r in records],
        ),
        TableBlock(
            "Why: each comparison's weight (log2 of how much likelier a match makes what was"
            " seen); the prior is the weight of two records picked at random",
            ["comparison", "what was seen", "weight"],
            [[p["comparison"], p["level"], f"{p['weight']:+.1f}"] for p in parts],
            [False, False, True],
        ),
    ]


def resolve_section(
    ws: Workspace, *, truth_dir: Path | str | None = None, top: int = 10
) -> Section:
    """Entities found, accuracy on the scenario's truth (when ``truth_dir`` holds
    identities.csv; ``data`` is then :func:`pairwise_accuracy`), an explained match, entity
    risk."""
    title = "Entity resolution"
    run = ws.db.fetch(
        """SELECT run_id, engine, records, compared_pairs, links, entities, duplicate_entities,
                  threshold, CAST(flags AS VARCHAR)
           FROM resolve_runs ORDER BY run_id DESC LIMIT 1"""
    )
    if not run:
        return Section(title, ["Not run yet: 'onca resolve WORKSPACE'."], anchor="resolve")
    _, engine, records, compared, links, entities, duplicates, threshold, flags = run[0]
    in_duplicates = ws.db.scalar("SELECT coalesce(sum(members), 0) FROM entities WHERE members > 1")
    paragraphs = [
        f"{records:,} party records are {entities:,} distinct parties: {duplicates:,} of them"
        f" appear as two or more records ({in_duplicates:,} records in all), linked by"
        f" {links:,} record pairs with a match probability of at least {threshold}"
        f" ({compared:,} candidate pairs compared, {engine}). The model is Splink's"
        " Fellegi-Sunter, trained without labels; docs/resolve.md explains it.",
    ]
    flag_counts = json.loads(flags)
    if flag_counts:
        paragraphs.append(
            "Records kept but flagged (their bad value cannot link them): "
            + ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in flag_counts.items())
            + "."
        )
    tables: list[TableBlock] = []
    prefer: set[str] = set()
    acc: dict[str, float | int | None] = {}
    truth = None if truth_dir is None else Truth.load(truth_dir)
    if truth is not None and truth.has("identities.csv"):
        acc = pairwise_accuracy(ws, truth.folder)
        _, prefer = _true_pairs(truth)
        tables.append(
            TableBlock(
                "Against the scenario's truth (pairs of records of one real party)",
                ["true pairs", "found", "correct", "precision", "recall", "F1"],
                [
                    [
                        acc["true_pairs"],
                        acc["predicted_pairs"],
                        acc["correct_pairs"],
                        fmt(acc["precision"]),
                        fmt(acc["recall"]),
                        fmt(acc["f1"]),
                    ]
                ],
                [True] * 6,
            )
        )
    tables.extend(_explained_match(ws, prefer))
    several = dict(ws.db.fetch("SELECT entity_id, members FROM entities WHERE members > 1"))
    alerted = int(ws.db.scalar("SELECT count(*) FROM entity_scores") or 0)
    risky = [
        e for e in ranked_parties(ws.db, top=max(alerted, 1), level="entity") if e.id in several
    ][:top]
    if risky:
        tables.append(
            TableBlock(
                "Entities with several records and the most evidence: screening alerts of all"
                " their records together (evidence as for parties, in the screening section)",
                ["entity", "name", "records", "evidence", "alerts", "typologies"],
                [
                    [
                        e.id,
                        e.name,
                        several[e.id],
                        f"{e.evidence:.2f}",
                        e.alerts,
                        ", ".join(e.typology_ids),
                    ]
                    for e in risky
                ],
                [False, False, True, True, True, False],
            )
        )
    return Section(title, paragraphs, tables, anchor="resolve", data=acc)
