"""The HTML reports of the folder given to ``onca registry serve --reports``: which files may be
served, and how (as they are, in a sandbox).

Only regular files whose resolved path lies inside the resolved folder are reports: a symlink
pointing out of the folder (``x.html -> /etc/passwd``) is not listed and not served. A report
is served byte for byte, with ``Content-Security-Policy: sandbox allow-scripts`` (an opaque
origin: its inline scripts run but cannot read the console or use its cookie).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fastapi.responses import Response

from onca.registry._web_security import REPORT_POLICY


def reports_in(folder: Path | None) -> dict[str, Path]:
    """The folder's ``*.html`` by file name, each as its resolved path (empty without a
    folder)."""
    if folder is None:
        return {}
    root = Path(folder).resolve()
    if not root.is_dir():
        return {}
    found = {}
    for p in sorted(root.glob("*.html")):
        real = p.resolve()
        if real.is_relative_to(root) and real.is_file():
            found[p.name] = real
    return found


def read_regular(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is (still, when opened) a regular file and not a symlink."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        return f.read() if stat.S_ISREG(os.fstat(f.fileno()).st_mode) else None


def report_response(data: bytes) -> Response:
    """A report's bytes as text/html, sandboxed. UTF-8 is declared only when the bytes are
    UTF-8; otherwise the page's own ``<meta charset>`` (or the browser) decides."""
    try:
        data.decode("utf-8")
        kind = "text/html; charset=utf-8"
    except UnicodeDecodeError:
        kind = "text/html"
    return Response(data, headers={"content-type": kind, "content-security-policy": REPORT_POLICY})
