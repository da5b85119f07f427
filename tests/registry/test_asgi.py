"""The registry's middlewares act on HTTP requests only; other traffic reaches the app as is."""

from __future__ import annotations

import asyncio

import pytest
from starlette.types import Message, Receive, Scope, Send

from onca.registry._asgi import HTTPMiddleware


class Refuse(HTTPMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 403, "headers": []})


def test_only_http_requests_reach_handle() -> None:
    reached: list[str] = []
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope["type"])

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        sent.append(message)

    guard = Refuse(app)
    for kind in ("lifespan", "websocket", "http"):
        asyncio.run(guard({"type": kind, "path": "/", "method": "POST"}, receive, send))
    assert reached == ["lifespan", "websocket"]
    assert [m["status"] for m in sent] == [403]


def test_the_base_handles_nothing_itself() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("not reached")

    async def nothing() -> Message:
        return {}

    async def drop(message: Message) -> None:
        return None

    with pytest.raises(NotImplementedError):
        asyncio.run(HTTPMiddleware(app)({"type": "http"}, nothing, drop))
