"""Report sections for screening: alerts by typology, the top alerts, and quality on truth."""

from __future__ import annotations

from pathlib import Path

from onca.finance._account_scores import top_accounts
from onca.finance._quality import BudgetResult, evaluate
from onca.metrics import percent
from onca.report import Figure, Section, TableBlock
from onca.report._figures import horizontal_bars
from onca.workspace import Workspace


def screening_section(ws: Workspace, *, top: int = 15) -> Section:
    """Counts by typology (a chart), the highest-scoring alerts and the riskiest parties."""
    title = "Red-flag screening"
    counts = ws.db.fetch("SELECT typology_id, count(*) FROM alerts GROUP BY 1 ORDER BY 2 DESC, 1")
    alerts = ws.db.fetch(
        """SELECT a.score, a.typology_id, a.subject_type || ' ' || a.subject_id,
                  coalesce(p.name, a.party_id, ''), a.evidence
           FROM alerts AS a LEFT JOIN parties AS p ON p.party_id = a.party_id
           ORDER BY a.score DESC, a.severity, a.alert_id LIMIT ?""",
        [top],
    )
    parties = ws.db.fetch(
        """SELECT s.party_id, coalesce(p.name, ''), s.score, s.alerts, s.typologies,
                  array_to_string(s.typology_ids, ', ')
           FROM party_scores AS s LEFT JOIN parties AS p ON p.party_id = s.party_id
           WHERE s.alerts > 0
           ORDER BY s.score DESC, s.typologies DESC, s.alerts DESC, s.party_id LIMIT ?""",
        [top],
    )
    accounts = top_accounts(ws.db, top)
    account_table = TableBlock(
        f"Top {len(accounts)} accounts by account score (every account is scored)",
        ["rank", "account", "holder", "score", "alerts", "why"],
        [
            [
                a["rank"],
                a["account_id"],
                a["holder"] or "",
                f"{a['score']:.4f}",
                a["alerts"],
                a["reasons"] or ("its alerts" if a["alerts"] else "-"),
            ]
            for a in accounts
        ],
        [True, False, False, True, True, False],
    )
    if not counts:
        return Section(
            title,
            ["No alerts: run 'onca screen WORKSPACE'." if not accounts else "No alerts."],
            [account_table] if accounts else [],
            anchor="screening",
        )
    total = sum(int(n) for _, n in counts)
    labels, values = [str(c[0]) for c in counts], [int(c[1]) for c in counts]
    figure = Figure(
        png=horizontal_bars(labels, values, xlabel="alerts"),
        alt="Bar chart of alerts by typology: "
        + ", ".join(f"{label} {n}" for label, n in zip(labels, values, strict=True)),
        caption="Alerts by typology.",
    )
    return Section(
        title,
        [
            f"{total:,} alerts from {len(counts)} typologies. Each alert carries the sentence"
            " that explains it; party risk combines a party's alerts as"
            " 1 - prod(1 - min(severity weight x score, 0.9)) over its typologies"
            " (docs/screening.md). Every account also has a score: how unusual its activity,"
            " amounts against its peer group, counterparties and daily bursts are, with its"
            " alerts, combined by a weighted Fisher's method (docs/screening.md, 'Account"
            " scores'); 'why' names the families that set it apart.",
        ],
        [
            TableBlock(
                f"Top {len(alerts)} alerts",
                ["score", "typology", "subject", "party", "evidence"],
                [[f"{r[0]:.2f}", r[1], r[2], r[3], r[4]] for r in alerts],
                [True, False, False, False, False],
            ),
            TableBlock(
                f"Top {len(parties)} parties by risk score",
                ["party", "name", "risk", "alerts", "typologies", "which"],
                [[r[0], r[1], f"{r[2]:.4f}", r[3], r[4], r[5]] for r in parties],
                [False, False, True, True, True, False],
            ),
            *([account_table] if accounts else []),
        ],
        [figure],
        anchor="screening",
    )


def _budget_row(b: BudgetResult) -> list[object]:
    return [
        f"top {b.share * 100:g}%",
        b.slots,
        b.bad,
        percent(b.recall),
        percent(b.best_recall),
        percent(b.precision),
        f"{b.networks} of {b.networks_total}",
    ]


def quality_section(
    ws: Workspace, *, truth_dir: Path | str, budgets: tuple[float, ...] = (0.01, 0.05, 0.1)
) -> Section:
    """Per-typology precision and recall, and party recall at alert budgets, against the
    scenario's truth in ``truth_dir``; ``data`` is :meth:`QualityReport.to_dict`."""
    report = evaluate(ws, truth_dir, budgets=budgets)
    return Section(
        "Screening against the scenario's ground truth",
        [
            "Precision: share of alerted parties that belong to a planted network. Recall: share"
            " of the typology's target (the planted pattern it is meant to find) that it alerted"
            " on. Definitions in docs/screening.md.",
        ],
        [
            TableBlock(
                "Quality per typology",
                ["typology", "alerts", "parties", "precision", "recall", "recall target"],
                [
                    [
                        q.typology_id,
                        q.alerts,
                        q.parties,
                        percent(q.precision),
                        percent(q.recall),
                        q.target,
                    ]
                    for q in report.typologies
                ],
                [False, True, True, True, True, False],
            ),
            TableBlock(
                f"Parties ranked by risk score ({report.bad_parties:,} of {report.parties:,}"
                " parties are in a network)",
                [
                    "budget",
                    "parties",
                    "network parties",
                    "recall",
                    "best possible",
                    "precision",
                    "networks reached",
                ],
                [_budget_row(b) for b in report.budgets],
                [False, True, True, True, True, True, False],
            ),
        ],
        anchor="screening-quality",
        data=report.to_dict(),
    )
