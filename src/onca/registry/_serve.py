"""Running the service: one uvicorn process, or several that share the port.

With several workers each process opens its own listening socket on the same port with
``SO_REUSEPORT`` (the kernel spreads connections over them) and serves it with uvicorn. The
sockets are made as TCP sockets explicitly: uvicorn's own multi-worker mode binds a socket
whose protocol field is 0, and asyncio then leaves Nagle's algorithm on for every connection,
which costs each small response about 40 ms of delayed-ACK wait (measured here: 178 requests/s
for ``/health`` with two workers against 574 with one). The parent forwards SIGINT and SIGTERM
to the workers and waits for them.

Forwarded headers (``X-Forwarded-For``, ``X-Forwarded-Proto``) are believed only from the
addresses in ``$ONCA_REGISTRY_TRUSTED_PROXIES`` (comma-separated; ``onca registry serve
--trusted-proxies``); without it they are ignored, so that nobody can choose the address the
sign-in throttle counts against by sending a header.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
from types import FrameType
from typing import Any

APP = "onca.registry.app:app_from_environment"


def _socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def proxy_options() -> dict[str, Any]:
    """uvicorn's settings for forwarded headers: on only for the configured proxies."""
    trusted = os.environ.get("ONCA_REGISTRY_TRUSTED_PROXIES", "").strip()
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def _worker(host: str, port: int, log_level: str) -> None:
    import uvicorn

    sock = _socket(host, port)
    config = uvicorn.Config(APP, factory=True, log_level=log_level, **proxy_options())
    uvicorn.Server(config).run(sockets=[sock])


def serve(host: str, port: int, workers: int = 1, log_level: str = "warning") -> None:
    """Serve the app named by ``$ONCA_REGISTRY_DB`` until interrupted."""
    import uvicorn

    if workers == 1:
        uvicorn.run(APP, factory=True, host=host, port=port, log_level=log_level, **proxy_options())
        return
    _socket(host, port).close()  # fail here, with a clear error, if the port is taken
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(target=_worker, args=(host, port, log_level), daemon=False)
        for _ in range(workers)
    ]
    for child in children:
        child.start()

    def stop(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.is_alive() and child.pid:
                os.kill(child.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        child.join()


def wait_until_up(base: str, timeout: float = 60.0) -> None:
    """Poll ``base``/health until it answers 200; raise TimeoutError after ``timeout`` seconds."""
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base}/health did not answer within {timeout:.0f} s")
