"""Report section: temporal motifs and the learned scorer against the screening rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from onca.metrics import Scores, fmt
from onca.network._learn_report import LearnReport, transaction_labels
from onca.network._motifs import KINDS, MotifResult
from onca.report import Figure, Section, TableBlock
from onca.report._figures import horizontal_bars
from onca.workspace import Workspace

MOTIF_MEANING = {
    "fan_out": "one account pays many within the window",
    "fan_in": "many accounts pay one within the window",
    "cycle": "money returns to where it started, each step after the last",
    "scatter_gather": "A pays several intermediaries, each pays the same B",
    "gather_scatter": "many pay one account, which then pays many",
    "bipartite": "several payers each pay the same several payees",
    "stack": "two bipartite layers, the payees of the first paying in the second",
}


def _score_row(name: str, s: Scores) -> list[object]:
    return [
        name,
        s.flagged,
        s.true_positives,
        fmt(s.precision),
        fmt(s.recall),
        fmt(s.f1),
    ]


def _day(seconds: int) -> str:
    return np.datetime_as_string(np.datetime64(int(seconds), "s"), unit="D")


def motif_table(motifs: MotifResult) -> TableBlock:
    """Instances and accounts per motif kind, with what each shape is."""
    rows = []
    for kind in KINDS:
        accounts = int((motifs.account_counts[kind] > 0).sum())
        capped = "yes (a lower bound)" if kind in motifs.truncated else "no"
        rows.append([kind, MOTIF_MEANING[kind], len(motifs.instances[kind]), accounts, capped])
    return TableBlock(
        "Temporal motifs (onca network motifs)",
        ["motif", "shape", "instances", "accounts in one", "cap reached"],
        rows,
        [False, False, True, True, False],
    )


def _missed_by_rules(
    ws: Workspace, report: LearnReport, top: int, truth_dir: Path | None
) -> TableBlock:
    """The test transactions the scorer ranks highest among those no rule flagged."""
    test = (report.split == 2) & (report.rule_level == 0)
    idx = np.flatnonzero(test)
    idx = idx[np.argsort(-report.probability[idx], kind="stable")][:top]
    ids = [str(t) for t in report.txn_id[idx]]
    details = {
        r[0]: r[1:]
        for r in ws.db.fetch(
            "SELECT txn_id, strftime(ts, '%Y-%m-%d'), from_account, to_account, amount, currency,"
            " channel FROM transactions WHERE list_contains(?, txn_id)",
            [ids],
        )
    }
    illicit = (
        transaction_labels(truth_dir, np.asarray(ids, dtype=object))
        if truth_dir is not None
        else None
    )
    rows = []
    for n, (i, txn) in enumerate(zip(idx, ids, strict=True)):
        day, src, dst, amount, currency, channel = details[txn]
        row: list[object] = [txn, day, src or "(cash)", dst or "(cash)"]
        row += [f"{float(amount):,.2f} {currency}", channel, f"{report.probability[i]:.3f}"]
        if illicit is not None:
            row.append("illicit" if illicit[n] else "licit")
        rows.append(row)
    headings = ["transaction", "day", "from", "to", "amount", "channel", "probability"]
    if illicit is not None:
        headings.append("truth")
    return TableBlock(
        f"Highest-scored test transactions that no rule flagged (top {top})",
        headings,
        rows,
        [False, False, False, False, True, False, True, False],
    )


def learning_section(
    ws: Workspace,
    *,
    report: LearnReport,
    motifs: MotifResult | None = None,
    truth_dir: Path | None = None,
    top: int = 10,
) -> Section:
    """The learned scorer against the rules on the same temporal test split, the features
    that carry it, the motifs it counts, and what the rules missed (with ``truth_dir``: whether
    each of those is illicit in the truth)."""
    s = report.splits
    first, last = _day(s["train"]["first_ts"]), _day(s["test"]["last_ts"])
    paragraphs = [
        f"A LightGBM model on {len(report.importances)} graph features per transaction (amounts, "
        "recent fan-in and fan-out, degrees, pass-through, temporal motifs: the graph-feature "
        "baseline of Altman et al., NeurIPS 2023) learns from the earliest 60% of the "
        f"{report.transactions:,} transactions ({first} on), chooses its threshold on the next "
        f"20%, and is scored on the last 20% (to {last}), which it never saw: "
        f"{s['test']['transactions']:,} transactions, {s['test']['positives']:,} of them illicit "
        "in the scenario's truth.",
        f"Rules only means the screening alerts already in the workspace: a transaction counts "
        f"as flagged at the '{report.rules_level}' level (the level with the best F1 on the "
        "validation months; docs/network-learning.md). F1 of the illicit class: rules "
        f"{fmt(report.rules.f1)}, learned {fmt(report.learned.f1)} "
        f"({fmt(report.f1_difference, '+.3f')}).",
        "The scorer is for review after the fact: some features look at the whole period "
        "(degrees, motifs, the receiver's next 48 hours). Its scores are a ranking for analysts "
        "to read with the alerts, not a verdict.",
    ]
    tables = [
        TableBlock(
            "Test split, per transaction: the illicit class",
            ["scorer", "flagged", "true positives", "precision", "recall", "F1"],
            [
                _score_row(f"rules only ({report.rules_level} level)", report.rules),
                _score_row("learned (LightGBM on graph features)", report.learned),
            ],
            [False, True, True, True, True, True],
        )
    ]
    if report.parties is not None:
        p = report.parties
        tables.append(
            TableBlock(
                f"Test split, per party ({p['parties']:,} parties hold an account in a test "
                "transaction): rules flag a party with any alert, the scorer one with a "
                "flagged test transaction",
                ["scorer", "flagged", "true positives", "precision", "recall", "F1"],
                [
                    _score_row("rules only", Scores(**p["rules"])),
                    _score_row("learned", Scores(**p["learned"])),
                ],
                [False, True, True, True, True, True],
            )
        )
    tables.append(_missed_by_rules(ws, report, top, truth_dir))
    if motifs is not None:
        tables.append(motif_table(motifs))
    names = [n for n, _ in report.importances[:12]]
    shares = [v for _, v in report.importances[:12]]
    figure = Figure(
        horizontal_bars(names, shares, xlabel="share of the total gain"),
        alt="Bar chart of the features carrying most of the model's gain: "
        + ", ".join(f"{n} {v:.2f}" for n, v in zip(names[:5], shares[:5], strict=True))
        + ".",
        caption="What the learned scorer leans on (share of the total split gain, top 12).",
    )
    return Section(
        "Learned scoring against the rules",
        paragraphs,
        tables=tables,
        figures=[figure],
        anchor="learned-scoring",
        data=report.to_dict(),
    )
