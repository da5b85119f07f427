"""Exports of the seizures you may see, redacted as agreed: CSV and FollowTheMoney."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from onca.registry import _exports
from onca.registry._deps import PrincipalDep, SessionDep
from onca.registry._routes._params import Text, When

router = APIRouter(tags=["exports"])


class CSVText(PlainTextResponse):
    media_type = "text/csv"


class JSONLines(PlainTextResponse):
    """FollowTheMoney entities, one JSON object a line."""

    media_type = "application/x-ndjson"


def _filters(
    taxon: str | None, country: str | None, date_from: dt.date | None, date_to: dt.date | None
) -> dict[str, Any]:
    return {"taxon": taxon, "country": country, "date_from": date_from, "date_to": date_to}


@router.get(
    "/exports/seizures.csv",
    response_class=CSVText,
)
def export_csv(
    session: SessionDep,
    principal: PrincipalDep,
    taxon: Text = None,
    country: Text = None,
    date_from: When = None,
    date_to: When = None,
) -> CSVText:
    """The seizures you may see as CSV (one row per specimen), redacted as agreed."""
    body = _exports.export_csv(session, principal, **_filters(taxon, country, date_from, date_to))
    session.commit()
    return CSVText(body)


@router.get(
    "/exports/seizures.ftm.json",
    response_class=JSONLines,
)
def export_ftm(
    session: SessionDep,
    principal: PrincipalDep,
    taxon: Text = None,
    country: Text = None,
    date_from: When = None,
    date_to: When = None,
) -> JSONLines:
    """The seizures you may see as FollowTheMoney entities (JSON lines), for Aleph."""
    body = _exports.export_ftm(session, principal, **_filters(taxon, country, date_from, date_to))
    session.commit()
    return JSONLines(body)
