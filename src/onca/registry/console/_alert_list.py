"""The alerts page's paging and filters: ``?status=&typology=&min_score=&page=``, read and
checked here (a bad value is named to the user, never a 500), kept in the links to the other
pages and in each triage form, so that a decision returns to the same page of the same list.

    /console/alerts?status=open&typology=structuring&min_score=0.5&page=2
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from onca.registry._alerts import AlertFilter, alert_typologies, page_alerts
from onca.registry._auth import Principal

PAGE_SIZE = 25
STATUSES = ("open", "accepted", "dismissed", "all")
MAX_PAGE = 1_000_000
TYPOLOGY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-.")


class BadQuery(ValueError):
    """A query parameter that does not check: ``key`` is the catalogue's message, ``value``
    what was sent (cut to 40 characters)."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(f"{key}: {value!r}")
        self.key = key
        self.value = value[:40]


@dataclass(frozen=True)
class AlertQuery:
    """What the alerts page lists: a status (``all`` for every one), a typology, the lowest
    score and the page (from 1)."""

    status: str = "open"
    typology: str = ""
    min_score: float = 0.0
    page: int = 1

    @property
    def chosen(self) -> AlertFilter:
        return AlertFilter(
            status=None if self.status == "all" else self.status,
            typology=self.typology or None,
            min_score=self.min_score,
        )

    def query(self, page: int | None = None) -> str:
        """The query string of this list (``?...``, without the defaults), at ``page``."""
        pairs: list[tuple[str, Any]] = []
        if self.status != "open":
            pairs.append(("status", self.status))
        if self.typology:
            pairs.append(("typology", self.typology))
        if self.min_score:
            pairs.append(("min_score", f"{self.min_score:g}"))
        at = self.page if page is None else page
        if at != 1:
            pairs.append(("page", at))
        return "?" + urlencode(pairs) if pairs else ""


def read_query(params: QueryParams) -> AlertQuery:
    """The page's query parameters, checked; ``BadQuery`` names the first that is wrong."""
    status = params.get("status") or "open"
    if status not in STATUSES:
        raise BadQuery("alerts_bad_status", status)
    typology = (params.get("typology") or "").strip()
    if len(typology) > 80 or not set(typology) <= TYPOLOGY_CHARS:
        raise BadQuery("alerts_bad_typology", typology)
    raw_score = (params.get("min_score") or "").strip()
    try:
        min_score = float(raw_score) if raw_score else 0.0
    except ValueError:
        raise BadQuery("alerts_bad_score", raw_score) from None
    if not (math.isfinite(min_score) and 0 <= min_score <= 1):
        raise BadQuery("alerts_bad_score", raw_score)
    raw_page = (params.get("page") or "").strip()
    if raw_page and not (raw_page.isdigit() and 1 <= int(raw_page) <= MAX_PAGE):
        raise BadQuery("alerts_bad_page", raw_page)
    return AlertQuery(status, typology, min_score, int(raw_page) if raw_page else 1)


def query_or_default(params: QueryParams) -> AlertQuery:
    """The list a triage form came from (its action carries the list's query); the first page
    of open alerts when that query does not check."""
    try:
        return read_query(params)
    except BadQuery:
        return AlertQuery()


def after_triage(params: QueryParams, alert_id: int) -> str:
    """Where a triage decision returns: the same page of the same list, saying what was done."""
    back = query_or_default(params).query()
    return f"/console/alerts{back}{'&' if back else '?'}done={alert_id}"


def listing(session: Session, principal: Principal, q: AlertQuery) -> dict[str, Any]:
    """The alerts page's context for ``q``: one page of alerts, the count ``first-last of
    total``, links to the previous and next pages, and the filters' choices. A page past the
    last (the last alert of a page was just triaged) shows the last page."""
    items, total = page_alerts(
        session, principal, q.chosen, limit=PAGE_SIZE, offset=(q.page - 1) * PAGE_SIZE
    )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if q.page > pages:
        q = AlertQuery(q.status, q.typology, q.min_score, pages)
        items, total = page_alerts(
            session, principal, q.chosen, limit=PAGE_SIZE, offset=(pages - 1) * PAGE_SIZE
        )
    first = (q.page - 1) * PAGE_SIZE + 1 if items else 0
    return {
        "alerts": items,
        "total": total,
        "first": first,
        "last": first + len(items) - 1 if items else 0,
        "page_no": q.page,
        "pages": pages,
        "previous_url": f"/console/alerts{q.query(q.page - 1)}" if q.page > 1 else None,
        "next_url": f"/console/alerts{q.query(q.page + 1)}" if q.page < pages else None,
        "here": q.query(),
        "filters": {
            "status": q.status,
            "typology": q.typology,
            "min_score": f"{q.min_score:g}" if q.min_score else "",
        },
        "typologies": alert_typologies(session, principal),
        "statuses": STATUSES,
    }


def refused(params: QueryParams, bad: BadQuery) -> dict[str, Any]:
    """The alerts page's context for a query that does not check: no list, the filters as
    sent (so the user sees what to correct) and the message's key."""
    return {
        "alerts": [],
        "total": None,
        "here": "",
        "filters": {k: params.get(k, "") for k in ("status", "typology", "min_score")},
        "typologies": [],
        "statuses": STATUSES,
        "bad_query": bad,
    }
