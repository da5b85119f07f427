"""The shared audit seams: a principal's act is logged in their name and agency, and a user's
or a token's issue is logged with the token's id and never the token."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from onca.registry import make_engine, migrate, verify
from onca.registry._admin import add_agency, add_token, add_user
from onca.registry._audit import append_for
from onca.registry._auth import Principal
from onca.registry._db import session_factory
from onca.registry._models import AuditEntry


def test_append_for_logs_the_principal_and_the_token_issues(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    migrate(engine)
    with session_factory(engine)() as session:
        add_agency(session, "PE-SERFOR", "SERFOR", "PE", "wildlife")
        other = add_agency(session, "BO-POL", "Policia", "BO", "police")
        new = add_user(session, "BO-POL", "ana@bo", "analyst", days=30)
        token = add_token(session, "ana@bo", ("read",), days=7)
        me = Principal(
            user_id=new.user.id,
            username="ana@bo",
            agency_id=other.id,
            agency_code="BO-POL",
            role="analyst",
            permissions=frozenset({"read"}),
        )
        append_for(session, me, action="read_personal", record_kind="person", record_id=7)
        session.commit()
        links = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
        user_link, token_link, read_link = links[-3:]
        assert (read_link.user_id, read_link.agency_id) == (new.user.id, other.id)
        assert (read_link.action, read_link.record_kind, read_link.record_id) == (
            "read_personal",
            "person",
            "7",
        )
        assert json.loads(read_link.detail) == {}
        assert (user_link.action, user_link.agency_id, user_link.user_id) == (
            "user",
            other.id,
            None,
        )
        assert json.loads(user_link.detail) == {
            "username": "ana@bo",
            "role": "analyst",
            "scopes": list(json.loads(user_link.detail)["scopes"]),
            "token_id": new.token.split("_")[1],
            "days": 30,
        }
        assert new.token not in user_link.detail and token not in token_link.detail
        assert (token_link.action, token_link.agency_id, token_link.record_id) == (
            "token",
            other.id,
            str(new.user.id),
        )
        assert json.loads(token_link.detail) == {
            "username": "ana@bo",
            "scopes": ["read"],
            "token_id": token.split("_")[1],
            "days": 7,
        }
        assert verify(session).ok
    engine.dispose()
