"""The shared secret: key files, sub-keys per field, keyed tokens and the key's fingerprint.

Both parties hold one secret of at least 32 random bytes (``onca pprl keygen``). Nothing is
hashed under it directly: each use gets its own sub-key, ``HMAC-SHA256(secret, label)``, so
that the Bloom filter of names, the token of ID numbers and the blocking keys never share a
key (key separation), and the fingerprint that an encoded file carries reveals none of them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from onca.errors import ParameterError

MIN_KEY_BYTES = 32
KEYGEN_BYTES = 32
TOKEN_BYTES = 16  # 128 bits: no two values collide in any file that fits on a disk
_LABEL = b"onca-pprl/v1/"


def generate_key() -> bytes:
    """Fresh random secret bytes from the operating system's generator."""
    return secrets.token_bytes(KEYGEN_BYTES)


def write_key(path: str | Path, key: bytes) -> Path:
    """Write ``key`` as one line of hex, readable by its owner only; refuse to overwrite."""
    p = Path(path)
    if p.exists():
        raise ParameterError(f"{p}: already exists; a key file is never overwritten")
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key.hex() + "\n")
    return p


def read_key(path: str | Path) -> bytes:
    """The secret in a key file: hex text (as ``keygen`` writes it) or raw bytes.

    Raises ParameterError when the file is missing or holds fewer than 32 bytes."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"--key-file {p}: no such file (make one with 'onca pprl keygen')")
    raw = p.read_bytes()
    text = raw.strip()
    try:
        key = bytes.fromhex(text.decode("ascii")) if text else b""
    except (UnicodeDecodeError, ValueError):
        key = raw
    if len(key) < MIN_KEY_BYTES:
        raise ParameterError(
            f"--key-file {p}: the key has {len(key)} bytes, at least {MIN_KEY_BYTES} random bytes"
            f" are needed (make one with 'onca pprl keygen')"
        )
    return key


def subkey(key: bytes, purpose: str) -> bytes:
    """The sub-key for one purpose ('token/id_key', 'bloom/name', ...): HMAC of a fixed label."""
    return hmac.new(key, _LABEL + purpose.encode(), hashlib.sha256).digest()


def fingerprint(key: bytes) -> str:
    """What two encoded files compare to tell whether they share a key (never the key)."""
    return subkey(key, "fingerprint").hex()[:32]


def token(field_key: bytes, value: str, size: int = TOKEN_BYTES) -> str:
    """The keyed token of one normalised value: HMAC-SHA256 truncated to ``size`` bytes, hex."""
    return hmac.digest(field_key, value.encode(), "sha256")[:size].hex()


def tokens(field_key: bytes, values: list[str | None], size: int = TOKEN_BYTES) -> list[str | None]:
    """``token`` of many values (None stays None), each distinct value hashed once."""
    memo: dict[str, str] = {}
    out: list[str | None] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        found = memo.get(value)
        if found is None:
            found = memo[value] = token(field_key, value, size)
        out.append(found)
    return out
