"""How well screening finds the planted networks of a scenario (``onca synth``'s ``truth/``).

Definitions (also in docs/screening.md):

- A party record is **bad** when its real person (``identities.csv``) has a role in a network
  (``roles.csv``).
- **Precision** of a typology: the share of the parties it alerted on that are bad.
- **Recall** of a typology: the share of its *target* that it found. The target is what the
  typology is meant to find, from the ground truth: the planted episodes of the matching pattern
  (e.g. ``structuring`` -> the scenario's ``structuring`` episodes; an episode is found when an
  alerted party holds an account on one of its transactions), the network officials, the planted
  shipments or permits for trade typologies, and every bad party for typologies without a
  matching pattern (so their recall is coverage of the networks).
- **Party recall at a budget**: rank parties by risk score; the share of bad parties within the
  top ``budget`` (default 1%) of all parties, and the precision there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from onca.metrics import percent, ratio
from onca.synth import Truth
from onca.workspace import Workspace

# typology -> (kind of target, truth selector). Kinds: "txn" (the planted episodes of these
# scenario typologies; one is found when an alerted party holds an account in one of its
# transactions), "role" (bad parties with these roles),
# "shipment", "permit" (truth issues), "network" (every bad party).
TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "structuring": ("txn", ("structuring",)),
    "cash_then_crossborder": ("txn", ("cash_then_wire",)),
    "funnel_account": ("txn", ("fan_in", "gather_scatter")),
    "rural_fan_out": ("txn", ("fan_out",)),
    "rapid_pass_through": ("txn", ("rapid_pass_through",)),
    "round_trip_cycle": ("txn", ("cycle",)),
    "scatter_gather": ("txn", ("scatter_gather",)),
    "gather_scatter": ("txn", ("gather_scatter",)),
    "official_unexplained_inflow": ("role", ("official",)),
    "foreign_national_paying_locals": ("role", ("buyer", "financier", "middleman")),
    "trade_payment_mismatch": ("shipment", ()),
    "invoice_unit_value_outlier": ("shipment", ()),
    "goods_outside_declared_business": ("shipment", ()),
    "permit_expired_or_early": ("shipment", ()),
    "permit_commodity_mismatch": ("permit", ("wrong_species", "reused")),
    "permit_reused": ("permit", ("reused",)),
    "permit_quantity_exceeded": ("permit", ("reused",)),
}


@dataclass
class TypologyQuality:
    typology_id: str
    alerts: int
    parties: int
    bad_parties: int
    target: str
    target_size: int
    target_found: int

    @property
    def precision(self) -> float | None:
        return ratio(self.bad_parties, self.parties)

    @property
    def recall(self) -> float | None:
        return ratio(self.target_found, self.target_size)


@dataclass
class BudgetResult:
    """Parties in the top ``share`` of all parties by risk score, and how many are bad."""

    share: float
    slots: int  # parties the budget allows
    parties: int  # parties with a score within it (fewer when few parties have alerts)
    bad: int
    bad_total: int
    networks: int
    networks_total: int

    @property
    def recall(self) -> float | None:
        return ratio(self.bad, self.bad_total)

    @property
    def precision(self) -> float | None:
        return ratio(self.bad, self.parties)

    @property
    def best_recall(self) -> float | None:
        """The recall a perfect ranking would reach with this budget."""
        return ratio(min(self.slots, self.bad_total), self.bad_total)


@dataclass
class QualityReport:
    typologies: list[TypologyQuality]
    parties: int
    bad_parties: int
    budgets: list[BudgetResult]

    def to_dict(self) -> dict[str, object]:
        return {
            "typologies": [
                {
                    "id": q.typology_id,
                    "alerts": q.alerts,
                    "parties": q.parties,
                    "precision": q.precision,
                    "recall": q.recall,
                    "target": q.target,
                    "target_size": q.target_size,
                }
                for q in self.typologies
            ],
            "parties": self.parties,
            "bad_parties": self.bad_parties,
            "budgets": [
                {
                    "share": b.share,
                    "slots": b.slots,
                    "parties": b.parties,
                    "bad": b.bad,
                    "recall": b.recall,
                    "precision": b.precision,
                    "best_recall": b.best_recall,
                    "networks": b.networks,
                    "networks_total": b.networks_total,
                }
                for b in self.budgets
            ],
        }

    def to_markdown(self) -> str:
        lines = [
            "| typology | alerts | parties alerted | precision | recall | recall target |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for q in self.typologies:
            lines.append(
                f"| `{q.typology_id}` | {q.alerts:,} | {q.parties:,} | {percent(q.precision)} |"
                f" {percent(q.recall)} | {q.target} ({q.target_size:,}) |"
            )
        lines += [
            "",
            f"Party level: {self.parties:,} parties, {self.bad_parties:,} of them in a network,"
            " ranked by risk score:",
            "",
            "| budget | parties (scored) | network parties | recall | best possible recall | precision"
            " | networks with a member in it |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for b in self.budgets:
            lines.append(
                f"| top {b.share * 100:g}% | {b.slots:,} ({b.parties:,}) | {b.bad:,} | {percent(b.recall)} |"
                f" {percent(b.best_recall)} | {percent(b.precision)} | {b.networks} of {b.networks_total} |"
            )
        return "\n".join(lines) + "\n"


def _episode_holders(
    ws: Workspace, episodes: dict[str, dict[str, set[str]]]
) -> dict[tuple[str, str], set[str]]:
    """(scenario typology, episode) -> parties holding an account on its transactions."""
    txn_episode = {
        txn: (typology, episode)
        for typology, by_episode in episodes.items()
        for episode, txns in by_episode.items()
        for txn in txns
    }
    planted = pa.table({"txn_id": list(txn_episode), "n": list(range(len(txn_episode)))})
    with ws.db.registered("_truth_txns", planted):
        rows = ws.db.fetch(
            """SELECT t.txn_id, a.holder_id FROM _truth_txns AS k
               JOIN transactions AS t ON t.txn_id = k.txn_id
               JOIN accounts AS a ON a.account_id IN (t.from_account, t.to_account)"""
        )
    holders: dict[tuple[str, str], set[str]] = {key: set() for key in set(txn_episode.values())}
    for txn, holder in rows:
        holders[txn_episode[str(txn)]].add(str(holder))
    return holders


def evaluate(
    ws: Workspace, truth_dir: Path | str, *, budgets: tuple[float, ...] = (0.01, 0.05, 0.1)
) -> QualityReport:
    """Compare the workspace's alerts and party scores with a scenario's ground truth (every
    file of it but the JSON ones must be there: :class:`onca.synth.Truth`)."""
    truth = Truth.load(truth_dir)
    identities = truth.identities
    roles: dict[str, set[str]] = {}
    networks_of: dict[str, set[str]] = {}
    for role in truth.roles:
        roles.setdefault(role.person_key, set()).add(role.role)
        networks_of.setdefault(role.person_key, set()).add(role.network_id)
    bad = {p for p, k in identities.items() if k in roles}
    episodes: dict[str, dict[str, set[str]]] = {}  # scenario typology -> episode -> txn ids
    for r in truth.transactions:
        episodes.setdefault(r["typology"], {}).setdefault(r["episode_id"], set()).add(r["txn_id"])
    holders_of = _episode_holders(ws, episodes)
    ship_truth = set(truth.shipments)
    permit_truth = truth.permit_issues

    alerts = ws.db.fetch("SELECT typology_id, subject_type, subject_id, party_id FROM alerts")
    typology_ids = sorted({str(a[0]) for a in alerts})
    run_typologies = ws.db.fetch("SELECT typologies FROM screen_runs")
    for (listed,) in run_typologies:
        typology_ids = sorted(set(typology_ids) | set(json.loads(listed)))

    results = []
    for tid in typology_ids:
        mine = [a for a in alerts if a[0] == tid]
        parties = {str(a[3]) for a in mine if a[3] is not None}
        kind, selector = TARGETS.get(tid, ("network", ()))
        target: set[str] | set[tuple[str, str]]
        if kind == "txn":
            planted = {(s, e) for s in selector for e in episodes.get(s, {})}
            target, found = planted, sum(1 for key in planted if holders_of[key] & parties)
            label = "planted " + " / ".join(selector) + " episodes"
        elif kind == "role":
            target = {p for p in bad if roles[identities[p]] & set(selector)}
            found = len(target & parties)
            label = "network parties with role " + " / ".join(selector)
        elif kind == "shipment":
            target = ship_truth
            shipped = {str(a[2]) for a in mine if a[1] == "shipment"}
            found = len(target & (shipped | _shipments_of(ws, parties, mine)))
            label = "network shipments"
        elif kind == "permit":
            target = set().union(*(permit_truth.get(s, set()) for s in selector))
            found = len(target & _permits_of(ws, mine))
            label = "permits " + " / ".join(selector)
        else:
            target = bad
            found = len(bad & parties)
            label = "every network party"
        results.append(
            TypologyQuality(
                tid, len(mine), len(parties), len(parties & bad), label, len(target), found
            )
        )

    n_parties = int(ws.db.scalar("SELECT count(*) FROM parties"))
    ranked = [
        str(r[0])
        for r in ws.db.fetch(
            "SELECT party_id FROM party_scores WHERE alerts > 0"
            " ORDER BY score DESC, typologies DESC, alerts DESC, party_id"
        )
    ]
    all_networks = {n for nets in networks_of.values() for n in nets}
    results_at = []
    for share in budgets:
        k = max(1, round(n_parties * share))
        top = set(ranked[:k])
        flagged = {n for p in top & bad for n in networks_of[identities[p]]}
        results_at.append(
            BudgetResult(
                share, k, len(top), len(top & bad), len(bad), len(flagged), len(all_networks)
            )
        )
    return QualityReport(results, n_parties, len(bad), results_at)


def _shipments_of(ws: Workspace, parties: set[str], alerts: list[tuple[object, ...]]) -> set[str]:
    """Shipments of alerted consignors, for typologies whose subject is not the shipment."""
    if not parties or any(a[1] == "shipment" for a in alerts):
        return set()
    rows = ws.db.fetch(
        "SELECT shipment_id FROM shipments WHERE list_contains(?, consignor_id)", [sorted(parties)]
    )
    return {str(r[0]) for r in rows}


def _permits_of(ws: Workspace, alerts: list[tuple[object, ...]]) -> set[str]:
    """Permits named by alerts: the subject when it is a permit, else the shipment's permit."""
    permits = {str(a[2]) for a in alerts if a[1] == "permit"}
    shipments = sorted(str(a[2]) for a in alerts if a[1] == "shipment")
    if shipments:
        rows = ws.db.fetch(
            "SELECT permit_id FROM shipments WHERE list_contains(?, shipment_id)"
            " AND permit_id IS NOT NULL",
            [shipments],
        )
        permits |= {str(r[0]) for r in rows}
    return permits
