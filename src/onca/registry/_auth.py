"""API tokens: issued per user with scopes, stored as argon2 hashes, checked on every request,
with repeated failures from one client throttled.

A token reads ``onca_<token id>_<secret>``; the token id finds the row, the secret is checked
against its argon2id hash (argon2-cffi's defaults). Verifying argon2 costs tens of
milliseconds on purpose, so a verified token is remembered in this process for
``CACHE_SECONDS`` (keyed by a SHA-256 of the whole token): a revoked token stops working
within that time. After ``MAX_FAILURES`` failed attempts from one client within
``FAILURE_WINDOW`` seconds, its requests are refused with 429 until the window passes.

What a request may do is the user's role intersected with the token's scopes:

| role | may |
|---|---|
| viewer | read records (not personal data) |
| analyst | + read personal data, search, export, write notes |
| editor | + create and update records, bulk import |
| admin | + manage the agency's users and agreements |

Scopes: ``read`` (read, personal data, search, export), ``write`` (create, update, notes),
``admin``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from onca.registry._models import ApiToken, User, utcnow

ROLE_PERMISSIONS = {
    "viewer": frozenset({"read"}),
    "analyst": frozenset({"read", "read_personal", "search", "export", "note"}),
    "editor": frozenset({"read", "read_personal", "search", "export", "note", "write"}),
    "admin": frozenset({"read", "read_personal", "search", "export", "note", "write", "admin"}),
}
SCOPE_PERMISSIONS = {
    "read": frozenset({"read", "read_personal", "search", "export"}),
    "write": frozenset({"write", "note"}),
    "admin": frozenset({"admin"}),
}
SCOPES = tuple(SCOPE_PERMISSIONS)
CACHE_SECONDS = 60.0
MAX_FAILURES = 10
FAILURE_WINDOW = 300.0

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """Who is asking, for which agency, and what they may do."""

    user_id: int
    username: str
    agency_id: int
    agency_code: str
    role: str
    permissions: frozenset[str]

    def may(self, permission: str) -> bool:
        return permission in self.permissions


class AuthError(Exception):
    """Authentication failed; ``status`` is 401 (bad token) or 429 (throttled)."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def issue_token(
    session: Session, user: User, scopes: tuple[str, ...] = SCOPES, *, days: int | None = None
) -> str:
    """A new token for ``user`` (returned once; only its hash is stored)."""
    unknown = [s for s in scopes if s not in SCOPE_PERMISSIONS]
    if unknown or not scopes:
        raise ValueError(
            f"scopes: expected some of {', '.join(SCOPES)}, got {', '.join(scopes) or 'none'}"
        )
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_id=token_id,
            secret_hash=_hasher.hash(secret),
            scopes=",".join(scopes),
            expires_at=utcnow() + dt.timedelta(days=days) if days else None,
        )
    )
    return f"onca_{token_id}_{secret}"


def principal_of(user: User, scopes: tuple[str, ...] = SCOPES) -> Principal:
    """What ``user`` may do with a token of ``scopes``: their role's permissions within the
    scopes' (unknown scopes grant nothing). The command line acts with every scope."""
    allowed = frozenset().union(*(SCOPE_PERMISSIONS[s] for s in scopes if s in SCOPE_PERMISSIONS))
    return Principal(
        user.id,
        user.username,
        user.agency_id,
        user.agency.code,
        user.role,
        ROLE_PERMISSIONS[user.role] & allowed,
    )


_dummy_hash: str | None = None


def _verify_nothing(secret: str) -> None:
    """Spend the time of a real verification on an unknown token id, so that the answer's
    timing does not tell which token ids exist."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(32))
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash, secret)


class Authenticator:
    """Checks bearer tokens against the database, with the cache and throttle above.

    The throttle counts failures per client address (as the server sees it: forwarded headers
    count only from the proxies the service was told to trust). A throttled client gets 429
    for malformed tokens, unknown token ids and wrong secrets, without the database or argon2
    work for the first two; a token that verifies is still taken, so that other people's
    failures from a shared address (a NAT, a spoofed one) never lock out a legitimate user.
    Guessing a secret stays hopeless: 256 random bits, one argon2 verification per guess."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _throttled(self, client: str) -> int | None:
        now = time.monotonic()
        with self._lock:
            q = self._failures.get(client)
            while q and now - q[0] > FAILURE_WINDOW:
                q.popleft()
            if q is not None and not q:
                del self._failures[client]
            if q and len(q) >= MAX_FAILURES:
                return int(FAILURE_WINDOW - (now - q[0])) + 1
        return None

    def _fail(self, client: str, message: str) -> AuthError:
        wait = self._throttled(client)
        with self._lock:
            self._failures.setdefault(client, deque()).append(time.monotonic())
        if wait is not None:
            return AuthError(
                429, f"too many failed sign-ins from {client}; try again in {wait} s", wait
            )
        return AuthError(401, message)

    def authenticate(self, session: Session, authorization: str | None, client: str) -> Principal:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise AuthError(401, "missing token: send 'Authorization: Bearer onca_...'")
        token = authorization[7:].strip()
        key = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "onca":
            raise self._fail(client, "malformed token: expected onca_<id>_<secret>")
        throttled = self._throttled(client) is not None
        if (
            throttled
            and not session.execute(
                select(ApiToken.id).where(ApiToken.token_id == parts[1])
            ).first()
        ):
            raise self._fail(client, "unknown token")  # no argon2 work for a throttled client
        row = session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_id == parts[1])
        ).first()
        if row is None:
            _verify_nothing(parts[2])
            raise self._fail(client, "unknown token")
        tok, user = row
        try:
            _hasher.verify(tok.secret_hash, parts[2])
        except (VerificationError, InvalidHashError):
            raise self._fail(client, "wrong token secret") from None
        if (
            tok.revoked_at is not None
            or (tok.expires_at and tok.expires_at < utcnow())
            or not user.active
        ):
            raise self._fail(client, "token revoked or expired, or user deactivated")
        principal = principal_of(user, tuple(tok.scopes.split(",")))
        keep = CACHE_SECONDS
        if tok.expires_at is not None:  # never remembered past its expiry
            keep = min(keep, (tok.expires_at - utcnow()).total_seconds())
        with self._lock:
            self._cache[key] = (now + keep, principal)
        return principal
