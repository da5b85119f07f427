"""Permits in the workspace: does each shipment's CITES permit exist, cover its species and
quantity, hold at the shipment's date, and serve one shipment only?

The checks are screening typologies, so their findings are ordinary alerts in the workspace's
``alerts`` table: party scores, entity risk and the network's risk propagation use them as they
use any other alert. ``onca trade permits`` runs exactly these:

- ``permit_commodity_mismatch``: the goods (HS code) are not what the permit's taxon is traded as;
- ``permit_quantity_exceeded``: the shipments under a permit in kilograms weigh more than it
  covers, beyond a packaging tolerance;
- ``permit_expired_or_early``: the shipment is dated outside the permit's validity;
- ``permit_reused``: one permit on two or more shipments.

A shipment naming a permit the workspace does not have cannot be loaded at all (the contract's
reference check), so "the permit exists" is answered from the quarantine: every quarantined
shipment row whose reason names its ``permit_id`` is a finding too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from onca.finance import load_library, screen
from onca.workspace import Workspace

PERMIT_TYPOLOGIES = (
    "permit_commodity_mismatch",
    "permit_quantity_exceeded",
    "permit_expired_or_early",
    "permit_reused",
)


def _years(*values: Any) -> list[int]:
    return sorted({v.year for v in values if v is not None})


def check_permits(
    ws: Workspace,
    *,
    engine: str = "duckdb",
    parameters: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Run the permit checks, store their alerts, and return ``{"findings": [...], ...}``.

    Each finding has ``check``, ``permit``, ``shipments``, ``taxon``, ``countries``, ``years``,
    ``quantities``, ``party_id``, ``score`` and a sentence ``explanation``; alerts come first
    (highest score first), then shipments quarantined for an unknown permit.
    """
    result = screen(
        ws,
        load_library(),
        engine=engine,
        typologies=list(PERMIT_TYPOLOGIES),
        parameters=parameters,
        progress=progress,
    )
    findings = [
        _from_alert(
            a.typology_id,
            a.subject_type,
            a.subject_id,
            a.party_id,
            a.score,
            a.evidence,
            a.details,
            a.window_start,
            a.window_end,
        )
        for a in result.alerts
    ]
    _add_countries(ws, findings)
    findings.extend(_unknown_permits(ws))
    counts = {t: result.by_typology.get(t, 0) for t in PERMIT_TYPOLOGIES}
    counts["permit_unknown"] = sum(1 for f in findings if f["check"] == "permit_unknown")
    n_shipments = ws.db.fetch("SELECT count(*), count(permit_id) FROM shipments")[0]
    return {
        "shipments": int(n_shipments[0]),
        "shipments_with_permit": int(n_shipments[1]),
        "permits": ws.db.row_count("permits"),
        "screen_run": result.run_id,
        "by_check": counts,
        "findings": findings,
    }


def _from_alert(
    check: str,
    subject_type: str,
    subject_id: str,
    party_id: str | None,
    score: float,
    evidence: str,
    d: dict[str, Any],
    start: Any,
    end: Any,
) -> dict[str, Any]:
    if subject_type == "permit":
        permit, shipments = subject_id, list(d.get("shipment_ids") or [])
    else:
        permit, shipments = str(d.get("permit_id")), [subject_id]
    quantities: dict[str, Any] = {}
    for key in ("permit_kg", "shipped_kg", "permit_quantity", "n", "days_late", "days_early"):
        if d.get(key) is not None:
            quantities[key] = d[key]
    return {
        "check": check,
        "permit": permit,
        "shipments": sorted(str(s) for s in shipments),
        "taxon": d.get("taxon"),
        "countries": [c for c in [d.get("issuing_country")] if c],
        "years": _years(start, end),
        "quantities": quantities,
        "party_id": party_id,
        "score": score,
        "explanation": evidence.strip(),
    }


def _add_countries(ws: Workspace, findings: list[dict[str, Any]]) -> None:
    """Countries of each finding: the permit's issuer, then its shipments' routes, in order."""
    issuers = dict(ws.db.fetch("SELECT permit_id, issuing_country FROM permits"))
    wanted = sorted({s for f in findings for s in f["shipments"]})
    routes: dict[str, list[str]] = {}
    for sid, origin, transit, destination in ws.db.fetch(
        "SELECT shipment_id, origin_country, transit_countries, destination_country FROM shipments"
        " WHERE list_contains(?, shipment_id)",
        [wanted],
    ):
        routes[sid] = [origin, *(transit or []), destination]
    for f in findings:
        seen = [issuers.get(f["permit"])] + [c for s in f["shipments"] for c in routes.get(s, [])]
        f["countries"] = list(dict.fromkeys(c for c in seen if c))


def _unknown_permits(ws: Workspace) -> list[dict[str, Any]]:
    rows = ws.db.fetch(
        "SELECT source_file, row_number, line, original, reason FROM quarantine"
        " WHERE kind = 'shipments' AND reason LIKE '%permit_id: %'"
        " ORDER BY source_file, row_number"
    )
    out = []
    for source_file, row_number, line, original, reason in rows:
        row = json.loads(original) if isinstance(original, str) else dict(original)
        permit = row.get("permit_id")
        where = f"{source_file} line {line}" if line else f"{source_file} row {row_number}"
        out.append(
            {
                "check": "permit_unknown",
                "permit": permit,
                "shipments": [row.get("shipment_id")],
                "taxon": None,
                "countries": [
                    c for c in [row.get("origin_country"), row.get("destination_country")] if c
                ],
                "years": [int(str(row["ts"])[:4])]
                if str(row.get("ts") or "")[:4].isdigit()
                else [],
                "quantities": {"weight_kg": row.get("weight_kg")},
                "party_id": row.get("consignor_id"),
                "score": 1.0,
                "explanation": f"Shipment {row.get('shipment_id')} ({where}) names permit {permit}, which"
                f" the workspace does not hold; the row was quarantined: {reason}",
            }
        )
    return out
