"""What a route that writes a record answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from onca.registry._auth import Principal


def read_back(
    session: Session,
    principal: Principal,
    record_id: int,
    read: Callable[[Session, Principal, int], dict[str, Any]],
) -> dict[str, Any]:
    """Commit the write, then answer the record as the writer may now see it (through `read`,
    with the sharing rules and any audit link of the read, also committed); a write-only token
    may not read, so it gets only the record's id."""
    session.commit()
    if not principal.may("read"):
        return {"id": record_id}
    record = read(session, principal, record_id)
    session.commit()
    return record
