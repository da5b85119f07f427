"""The tamper-evident audit log: a hash chain of every write and every read of personal data.

Link ``n`` stores ``hash_n = sha256(hash_{n-1} + canonical_json(entry_n))``, where the entry is
its sequence number, time, user, agency, action, record kind and id, and details. The single
``audit_head`` row holds the last link; a writer locks it (``SELECT ... FOR UPDATE``; SQLite
serialises writers anyway), so links are appended one at a time, in the same transaction as the
write they record: a write that rolls back leaves no link, and a link never lacks its write.

``verify`` walks the chain and names the first broken link: a changed entry, a deleted or
inserted one, or a head that does not match the last link.

A plain hash chain proves nothing against someone who can write to the database: they can
change a link and recompute every hash after it. Two things close that:

- **A key outside the database.** With ``$ONCA_REGISTRY_AUDIT_KEY_FILE`` naming a file that
  holds a secret (``onca registry audit-key FILE`` makes one), each new link is the
  HMAC-SHA256 of the same text under that key (``keyed``); without the key nobody can make a
  link that verifies. Once a keyed link exists, an unkeyed link after it is a break (the tail
  was rewritten without the key).
- **An exported head.** ``onca registry audit-head`` prints the last link's number and hash;
  kept elsewhere (a partner agency, a signed e-mail, a printout), it lets ``verify-audit
  --head FILE`` tell whether the chain up to that link is still the one exported.

``verify_records`` also checks the tables that decide who sees what, which a direct edit of the
database would change without a link: every agreement and every user's agency, role and
active flag must be what their audit links say.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onca.errors import ParameterError
from onca.registry._auth import Principal
from onca.registry._db import begin_writing
from onca.registry._models import Agency, Agreement, ApiToken, AuditEntry, AuditHead, User, utcnow

GENESIS = "0" * 64


def _canonical(
    seq: int,
    ts: dt.datetime,
    user_id: int | None,
    agency_id: int | None,
    action: str,
    record_kind: str | None,
    record_id: str | None,
    detail: str,
) -> str:
    return json.dumps(
        [
            seq,
            ts.isoformat(timespec="microseconds"),
            user_id,
            agency_id,
            action,
            record_kind,
            record_id,
            detail,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )


KEY_ENV = "ONCA_REGISTRY_AUDIT_KEY_FILE"
_keys: dict[str, bytes] = {}


def make_key(path: str | os.PathLike[str]) -> None:
    """Write a new random audit key to ``path`` (readable by its owner only); never overwrites."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")


def load_key(path: str | os.PathLike[str] | None = None) -> bytes | None:
    """The audit key in ``path`` (default ``$ONCA_REGISTRY_AUDIT_KEY_FILE``), or None when no
    key is configured. A configured key that cannot be read is an error, never a silent
    fall-back to unkeyed links."""
    where = str(path) if path else os.environ.get(KEY_ENV, "")
    if not where:
        return None
    if where not in _keys:
        try:
            with open(where, "rb") as f:
                key = f.read().strip()
        except OSError as e:
            raise ParameterError(f"audit key file {where}: cannot be read ({e.strerror})") from None
        if len(key) < 32:
            raise ParameterError(f"audit key file {where}: holds {len(key)} bytes; at least 32")
        _keys[where] = key
    return _keys[where]


def link_hash(prev: str, entry: AuditEntry, key: bytes | None = None) -> str:
    """The link's hash: SHA-256 of the previous hash and the entry, or their HMAC under ``key``
    for a keyed link."""
    body = _canonical(
        entry.seq,
        entry.ts,
        entry.user_id,
        entry.agency_id,
        entry.action,
        entry.record_kind,
        entry.record_id,
        entry.detail,
    )
    text = (prev + body).encode("utf-8")
    if entry.keyed:
        if key is None:
            raise ParameterError("the audit chain has keyed links: give its key")
        return hmac.new(key, text, hashlib.sha256).hexdigest()
    return hashlib.sha256(text).hexdigest()


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
    entry = AuditEntry(
        seq=head.seq + 1,
        ts=utcnow(),
        user_id=user_id,
        agency_id=agency_id,
        action=action,
        record_kind=record_kind,
        record_id=None if record_id is None else str(record_id),
        detail=json.dumps(detail or {}, sort_keys=True, ensure_ascii=False, default=str),
        prev_hash=head.hash,
        hash="",
    )
    key = load_key()
    entry.keyed = key is not None
    entry.hash = link_hash(head.hash, entry, key)
    session.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    return entry


def append_for(
    session: Session,
    principal: Principal,
    *,
    action: str,
    record_kind: str | None = None,
    record_id: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one link for what `principal` did, in their name and their agency's."""
    return append(
        session,
        action=action,
        user_id=principal.user_id,
        agency_id=principal.agency_id,
        record_kind=record_kind,
        record_id=record_id,
        detail=detail,
    )


@dataclass(frozen=True)
class AuditCheck:
    """The result of ``verify``: how many links were checked and the first broken one."""

    links: int
    broken_at: int | None
    reason: str | None
    keyed: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(
    session: Session,
    batch: int = 10_000,
    *,
    key: bytes | None = None,
    head: dict[str, Any] | None = None,
) -> AuditCheck:
    """Recompute the chain from the start; stop at the first broken link. ``key``: the audit
    key (default: the configured one); ``head``: an exported head ({"seq", "hash"}) the chain
    must still contain."""
    key = key or load_key()
    prev, expected, n, keyed = GENESIS, 1, 0, 0
    rows = session.execute(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    )
    for entry in rows.scalars():
        n += 1
        if entry.seq != expected:
            return AuditCheck(
                n, expected, f"link {expected} is missing (the next link is {entry.seq})", keyed
            )
        if entry.prev_hash != prev:
            return AuditCheck(
                n,
                entry.seq,
                f"link {entry.seq} does not point to link {entry.seq - 1}'s hash",
                keyed,
            )
        if keyed and not entry.keyed:
            return AuditCheck(
                n,
                entry.seq,
                f"link {entry.seq} is not keyed but comes after keyed"
                " links: the chain was rewritten without the key",
                keyed,
            )
        if entry.keyed and key is None:
            return AuditCheck(
                n,
                entry.seq,
                f"link {entry.seq} is keyed: give the audit key"
                f" (--key-file or ${KEY_ENV}) to verify it",
                keyed,
            )
        keyed += entry.keyed
        if link_hash(prev, entry, key) != entry.hash:
            what = "or the key is not the one it was written with" if entry.keyed else ""
            return AuditCheck(
                n,
                entry.seq,
                f"link {entry.seq} was changed after it was written"
                f" ({entry.action}) {what}".rstrip(),
                keyed,
            )
        if head is not None and entry.seq == head["seq"] and entry.hash != head["hash"]:
            return AuditCheck(
                n,
                entry.seq,
                f"link {entry.seq} is not the one in the exported head:"
                " the chain was rewritten up to it",
                keyed,
            )
        prev, expected = entry.hash, expected + 1
    if key is not None and n and not keyed:  # a keyed registry's latest link must be keyed
        return AuditCheck(
            n,
            expected - 1,
            f"link {expected - 1}, the last, is not keyed: the chain"
            " was written (or rewritten) without the key",
            keyed,
        )
    if head is not None and head["seq"] > expected - 1:
        return AuditCheck(
            n,
            expected,
            f"the chain ends at link {expected - 1} but the exported"
            f" head is link {head['seq']}: links were cut",
            keyed,
        )
    last = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    if last.seq != expected - 1 or last.hash != prev:
        return AuditCheck(
            n,
            expected,
            f"the chain ends at link {expected - 1} but the head says {last.seq}",
            keyed,
        )
    return AuditCheck(n, None, None, keyed)


def export_head(session: Session) -> dict[str, Any]:
    """The last link, to keep outside the database (``verify(head=...)``)."""
    last = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    return {"seq": last.seq, "hash": last.hash, "exported_at": utcnow().isoformat() + "Z"}


def _expires_as_said(t: ApiToken, days: int | None) -> bool:
    """The token expires as its audit link said: never, or ``days`` after it was issued (to
    the minute)."""
    if days is None:
        return t.expires_at is None
    if t.expires_at is None:
        return False
    return abs(t.expires_at - t.created_at - dt.timedelta(days=days)) < dt.timedelta(minutes=1)


def verify_records(session: Session) -> list[str]:
    """The rows that decide who sees what (agencies, agreements, users, tokens) that differ from
    what their audit links say (a direct edit of the database), or that have no link at all."""
    said: dict[tuple[str, str], dict[str, Any]] = {}
    active: dict[str, bool] = {}
    revoked: set[str] = set()
    kinds = ("agency", "agreement", "user", "token", "revoke", "activate", "deactivate")
    for entry in session.execute(
        select(AuditEntry).where(AuditEntry.action.in_(kinds)).order_by(AuditEntry.seq)
    ).scalars():
        detail = {
            **json.loads(entry.detail),
            "agency_id": entry.agency_id,
            "record_id": entry.record_id,
        }
        if entry.action in ("activate", "deactivate"):
            active[str(entry.record_id)] = entry.action == "activate"
        elif entry.action == "revoke":
            revoked.add(str(detail.get("token_id")))
        else:
            said[(entry.action, str(entry.record_id))] = detail
            if entry.action in ("user", "token") and detail.get("token_id"):
                said[("token_id", str(detail["token_id"]))] = {**detail, "user_id": entry.record_id}
    problems: list[str] = []

    def compare(what: str, now: dict[str, Any], was: dict[str, Any]) -> None:
        changed = sorted(k for k in now if now[k] != was.get(k))
        if changed:
            problems.append(f"{what} differs from its audit link in {', '.join(changed)}")

    codes: dict[int, str] = {}
    for agency in session.execute(select(Agency).order_by(Agency.id)).scalars():
        codes[agency.id] = agency.code
        d = said.get(("agency", str(agency.id)))
        if d is None:
            problems.append(f"agency {agency.code} has no audit link (made outside the registry)")
            continue
        compare(
            f"agency {agency.code}",
            {"code": agency.code, "country": agency.country, "kind": agency.kind},
            d,
        )
    for a in session.execute(select(Agreement).order_by(Agreement.id)).scalars():
        d = said.get(("agreement", str(a.id)))
        if d is None:
            problems.append(f"agreement {a.id} has no audit link (made outside the registry)")
            continue
        was = {
            **d,
            "grantor": d["agency_id"],
            "fields": None if d.get("fields") is None else sorted(set(d["fields"])),
        }
        now: dict[str, Any] = {
            "grantor": a.grantor_id,
            "grantee": codes.get(a.grantee_id),
            "record_kind": a.record_kind,
            "fields": None if a.fields is None else sorted(json.loads(a.fields)),
            "valid_until": str(a.valid_until) if a.valid_until else None,
        }
        for key, value in (("grantee_id", a.grantee_id), ("valid_from", str(a.valid_from))):
            if key in d:  # links written before these were recorded lack them
                now[key] = value
        compare(f"agreement {a.id}", now, was)
    for u in session.execute(select(User).order_by(User.id)).scalars():
        d = said.get(("user", str(u.id)))
        if d is None:
            problems.append(f"user {u.username} has no audit link (made outside the registry)")
            continue
        compare(
            f"user {u.username}",
            {"username": u.username, "role": u.role, "agency_id": u.agency_id, "active": u.active},
            {**d, "active": active.get(str(u.id), True)},
        )
    for t in session.execute(select(ApiToken).order_by(ApiToken.id)).scalars():
        d = said.get(("token_id", t.token_id))
        if d is None:
            problems.append(
                f"token {t.token_id} has no audit link (made outside the registry, or"
                " issued before tokens were audited: revoke it and issue another)"
            )
            continue
        days = d.get("days")
        expiry_ok = _expires_as_said(t, days)
        compare(
            f"token {t.token_id}",
            {
                "user_id": str(t.user_id),
                "scopes": t.scopes.split(","),
                "revoked": t.revoked_at is not None,
                "expires": expiry_ok,
            },
            {
                **d,
                "scopes": list(d.get("scopes", [])),
                "revoked": t.token_id in revoked,
                "expires": True,
            },
        )
    return problems
