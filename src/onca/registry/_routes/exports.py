"""Exports of the seizures you may see, redacted as agreed: CSV and FollowTheMoney."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
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
    taxon: Text = None, country: Text = None, date_from: When = None, date_to: When = None
) -> dict[str, Any]:
    """The query parameters both exports take, as keywords for onca.registry._exports."""
    return {"taxon": taxon, "country": country, "date_from": date_from, "date_to": date_to}


Filters = Annotated[dict[str, Any], Depends(_filters)]


@router.get(
    "/exports/seizures.csv",
    response_class=CSVText,
)
def export_csv(session: SessionDep, principal: PrincipalDep, filters: Filters) -> CSVText:
    """The seizures you may see as CSV (one row per specimen), redacted as agreed."""
    body = _exports.export_csv(session, principal, **filters)
    session.commit()
    return CSVText(body)


@router.get(
    "/exports/seizures.ftm.json",
    response_class=JSONLines,
)
def export_ftm(session: SessionDep, principal: PrincipalDep, filters: Filters) -> JSONLines:
    """The seizures you may see as FollowTheMoney entities (JSON lines), for Aleph."""
    body = _exports.export_ftm(session, principal, **filters)
    session.commit()
    return JSONLines(body)
