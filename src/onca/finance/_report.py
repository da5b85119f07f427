"""Report sections for screening: alerts by typology, the top alerts, and quality on truth."""

from __future__ import annotations

from pathlib import Path

from onca.finance._account_scores import top_accounts
from onca.finance._quality import BudgetResult, evaluate
from onca.finance._ranking import alerts_phrase, ranked_alerts, ranked_parties, typologies_run
from onca.metrics import percent
from onca.report import Figure, Section, TableBlock, party_anchor
from onca.report._figures import horizontal_bars
from onca.workspace import Workspace


def screening_section(ws: Workspace, *, top: int = 15) -> Section:
    """Counts by typology (a chart), the strongest alerts, the parties with the most evidence
    and the top accounts; ``data`` holds the counts and both rankings."""
    title = "Red-flag screening"
    counts = ws.db.fetch("SELECT typology_id, count(*) FROM alerts GROUP BY 1 ORDER BY 2 DESC, 1")
    alerts = ranked_alerts(ws.db, top=top)
    parties = ranked_parties(ws.db, top=top)
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
    run = typologies_run(ws.db)
    found = alerts_phrase(sum(run.values()), run)
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
            f"{found}. Each alert carries the sentence that explains it. Alerts are ranked by"
            " their score weighted by the typology's severity, then by the evidence on their"
            " party (other red flags that corroborate it), then the most recent first. A"
            " party's evidence adds, over its typologies, -ln(1 - min(severity weight x score,"
            " 0.9)): one strong red flag adds 2.3, independent ones add up, many alerts of one"
            " typology count once; its risk score is 1 - exp(-evidence), which squashes the"
            " strongest parties together near 1 (docs/screening.md). Parties with the same"
            " evidence are ranked by the US dollars through their accounts. Every account also"
            " has a score: how unusual its activity, amounts against its peer group,"
            " counterparties and daily bursts are, with its alerts, combined by a weighted"
            " Fisher's method (docs/screening.md, 'Account scores'); 'why' names the families"
            " that set it apart.",
        ],
        [
            TableBlock(
                f"Top {len(alerts)} alerts (rank: weighted score, then party evidence, then"
                " the most recent)",
                [
                    "rank",
                    "score",
                    "severity",
                    "typology",
                    "subject",
                    "party",
                    "party evidence",
                    "until",
                    "evidence",
                ],
                [
                    [
                        a.rank,
                        f"{a.score:.2f}",
                        a.severity,
                        a.typology_id,
                        a.subject,
                        a.party,
                        f"{a.party_evidence:.2f}",
                        a.window_end,
                        a.evidence,
                    ]
                    for a in alerts
                ],
                [True, True, False, False, False, False, True, False, False],
            ),
            TableBlock(
                f"Top {len(parties)} parties by evidence (ties: US$ through their accounts)",
                [
                    "rank",
                    "party",
                    "name",
                    "evidence",
                    "US$ through accounts",
                    "alerts",
                    "typologies",
                    "which",
                ],
                [
                    [
                        p.rank,
                        p.id,
                        p.name,
                        f"{p.evidence:.2f}",
                        f"{p.usd:,.0f}",
                        p.alerts,
                        p.typologies,
                        ", ".join(p.typology_ids),
                    ]
                    for p in parties
                ],
                [True, False, False, True, True, True, True, False],
                row_ids=[party_anchor(p.id) for p in parties],
            ),
            *([account_table] if accounts else []),
        ],
        [figure],
        anchor="screening",
        data={
            "typologies_run": run,
            "alerts": [a.to_dict() for a in alerts],
            "parties": [p.to_dict() for p in parties],
        },
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
