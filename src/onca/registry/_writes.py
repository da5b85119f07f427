"""What every update of a record does: find it among your agency's own records, under a row
lock, and stamp and audit the change. (Only the agency that recorded a record may change it;
sharing agreements never grant writes.)"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from onca.registry import _audit
from onca.registry._auth import Principal
from onca.registry._errors import NotFound, require
from onca.registry._models import Case, Seizure, utcnow

Record = TypeVar("Record", Seizure, Case)


def own_for_update(
    session: Session, principal: Principal, model: type[Record], record_id: int, kind: str
) -> Record:
    """The `kind` record `record_id` of the principal's agency, locked for the update; NotFound
    when there is none (another agency's record is not named as such)."""
    require(principal.may("write"), "updating records")
    found = session.execute(
        select(model)
        .where(model.id == record_id, model.agency_id == principal.agency_id)
        .with_for_update()
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no {kind} {record_id} of your agency")
    return found


def stamp_update(
    session: Session, principal: Principal, row: Record, kind: str, changed: list[str]
) -> None:
    """Mark `row` updated now and audit which fields changed (names only, not values)."""
    row.updated_at = utcnow()
    _audit.append_for(
        session,
        principal,
        action="update",
        record_kind=kind,
        record_id=row.id,
        detail={"fields": sorted(changed)},
    )
