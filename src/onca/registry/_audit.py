"""The tamper-evident audit log: a hash chain of every write and every read of personal data.

Link ``n`` stores ``hash_n = sha256(hash_{n-1} + canonical_json(entry_n))``, where the entry is
its sequence number, time, user, agency, action, record kind and id, and details. The single
``audit_head`` row holds the last link; a writer locks it (``SELECT ... FOR UPDATE``; SQLite
serialises writers anyway), so links are appended one at a time, in the same transaction as the
write they record: a write that rolls back leaves no link, and a link never lacks its write.

``verify`` walks the chain and names the first broken link: a changed entry, a deleted or
inserted one, or a head that does not match the last link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onca.registry._db import begin_writing
from onca.registry._models import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64


def _canonical(seq: int, ts: dt.datetime, user_id: int | None, agency_id: int | None, action: str,
               record_kind: str | None, record_id: str | None, detail: str) -> str:  # fmt: skip
    return json.dumps([seq, ts.isoformat(timespec="microseconds"), user_id, agency_id, action,
                       record_kind, record_id, detail], separators=(",", ":"), ensure_ascii=False)  # fmt: skip


def link_hash(prev: str, entry: AuditEntry) -> str:
    body = _canonical(entry.seq, entry.ts, entry.user_id, entry.agency_id, entry.action,
                      entry.record_kind, entry.record_id, entry.detail)  # fmt: skip
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    action: str,
    user_id: int | None,
    agency_id: int | None,
    record_kind: str | None = None,
    record_id: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one link in the caller's transaction (the caller commits)."""
    begin_writing(session)
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    entry = AuditEntry(seq=head.seq + 1, ts=utcnow(), user_id=user_id, agency_id=agency_id,
                       action=action, record_kind=record_kind,
                       record_id=None if record_id is None else str(record_id),
                       detail=json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str),
                       prev_hash=head.hash, hash="")  # fmt: skip
    entry.hash = link_hash(head.hash, entry)
    session.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    return entry


@dataclass(frozen=True)
class AuditCheck:
    """The result of ``verify``: how many links were checked and the first broken one."""

    links: int
    broken_at: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session, batch: int = 10_000) -> AuditCheck:
    """Recompute the chain from the start; stop at the first broken link."""
    prev, expected, n = GENESIS, 1, 0
    rows = session.execute(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    )
    for entry in rows.scalars():
        n += 1
        if entry.seq != expected:
            return AuditCheck(
                n, expected, f"link {expected} is missing (the next link is {entry.seq})"
            )
        if entry.prev_hash != prev:
            return AuditCheck(
                n, entry.seq, f"link {entry.seq} does not point to link {entry.seq - 1}'s hash"
            )
        if link_hash(prev, entry) != entry.hash:
            return AuditCheck(
                n, entry.seq, f"link {entry.seq} was changed after it was written ({entry.action})"
            )
        prev, expected = entry.hash, expected + 1
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    if head.seq != expected - 1 or head.hash != prev:
        return AuditCheck(
            n, expected, f"the chain ends at link {expected - 1} but the head says {head.seq}"
        )
    return AuditCheck(n, None, None)
