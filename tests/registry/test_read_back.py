"""A route that writes answers the record as the writer may see it, or only its id for a
write-only token; the write (and the read's audit link) are committed."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.orm import Session

from onca.registry._auth import Principal
from onca.registry._routes._read_back import read_back


class Commits:
    def __init__(self) -> None:
        self.commits = 0

    def commit(self) -> None:
        self.commits += 1


def principal(*permissions: str) -> Principal:
    return Principal(7, "ed@PE", 1, "PE-SERFOR", "editor", frozenset(permissions))


def test_a_reader_gets_the_record_and_both_commits() -> None:
    session, asked = Commits(), []

    def read(s: Session, p: Principal, record_id: int) -> dict[str, Any]:
        asked.append((p.username, record_id, session.commits))
        return {"id": record_id, "reference": "R-1"}

    got = read_back(cast(Session, session), principal("read", "write"), 42, read)
    assert got == {"id": 42, "reference": "R-1"}
    assert asked == [("ed@PE", 42, 1)]  # read after the write was committed
    assert session.commits == 2


def test_a_write_only_token_gets_only_the_id() -> None:
    session = Commits()

    def read(s: Session, p: Principal, record_id: int) -> dict[str, Any]:
        raise AssertionError("a write-only token must not read the record back")

    assert read_back(cast(Session, session), principal("write"), 42, read) == {"id": 42}
    assert session.commits == 1
