"""Errors the registry raises on purpose; each carries the HTTP status the API answers with."""

from __future__ import annotations

from onca.errors import OncaError


class RegistryError(OncaError):
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(RegistryError, LookupError):
    """No such record, or one the user may not see (the two are not told apart)."""

    status = 404


class Forbidden(RegistryError, PermissionError):
    """The user's role or token scopes do not allow this."""

    status = 403


class Conflict(RegistryError, ValueError):
    """The record clashes with one that exists (a reference already used)."""

    status = 409


class Invalid(RegistryError, ValueError):
    """The input is well-formed but refers to something it may not (names the field)."""

    status = 422


class Busy(RegistryError):
    """The service has too much of this kind of work queued; try again later."""

    status = 429


def require(principal_may: bool, what: str) -> None:
    if not principal_may:
        raise Forbidden(f"your role or token does not allow {what}")
