"""Open the CSV members of a converter's source safely: a folder, or a .tgz read in memory.

An archive is never extracted to disk. Only regular-file members whose file name is one of the
expected names are read; a member whose path is absolute or climbs out (``..``), a link, a device
or anything over the size limit is never opened, and the reason is reported, not raised.
"""

from __future__ import annotations

import io
import tarfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from onca.errors import InputFileError

MAX_MEMBER_BYTES = 2 * 1024**3
"""Default limit on one CSV member of an archive (uncompressed): 2 GiB."""

MAX_MEMBERS = 10_000
"""An archive with more members than this is refused (the samples have about ten)."""

ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar")


@dataclass
class SourceFiles:
    """Where each expected CSV lives. ``names`` maps ``nodes.csv`` to a path or member name;
    ``skipped`` lists archive members that were refused, with the reason."""

    source: Path
    names: dict[str, str]
    skipped: list[str] = field(default_factory=list)
    _tar: tarfile.TarFile | None = None
    _members: dict[str, tarfile.TarInfo] = field(default_factory=dict)

    @contextmanager
    def open_text(self, name: str) -> Iterator[IO[str]]:
        """Open the expected file ``name`` as UTF-8 text (a BOM is dropped), streamed. A file
        that is not UTF-8, or an archive that breaks while being read, raises InputFileError."""
        where = f"{self.source}: {self.names[name]}" if self._tar else self.names[name]
        try:
            if self._tar is None:
                with open(self.names[name], encoding="utf-8-sig", newline="") as f:
                    yield f
                return
            raw = self._tar.extractfile(self._members[name])
            if raw is None:  # only regular files are kept, so this cannot happen
                raise InputFileError(f"{where}: cannot be read")
            with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as f:
                yield f
        except UnicodeDecodeError as e:
            raise InputFileError(f"{where}: not UTF-8 text (byte {e.start}: {e.reason})") from None
        except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
            raise InputFileError(f"{where}: cannot be read: {e}") from None


def _is_safe_member_path(name: str) -> str | None:
    """Why the member path ``name`` is refused, or None if it stays inside the archive."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        return "path climbs out with '..'"
    return None


@contextmanager
def open_source(
    source: Path | str, expected: Sequence[str], *, max_member_bytes: int = MAX_MEMBER_BYTES
) -> Iterator[SourceFiles]:
    """Find the ``expected`` file names in ``source``: a folder holding them (directly, or in
    exactly one sub-folder, as an unpacked sample is), or a .tgz/.tar.gz/.tar archive."""
    source = Path(source)
    if source.is_dir():
        yield _from_folder(source, expected)
        return
    if not source.is_file():
        raise InputFileError(f"{source}: no such folder or file")
    if not source.name.lower().endswith(ARCHIVE_SUFFIXES):
        raise InputFileError(
            f"{source}: expected a folder or a .tgz/.tar.gz/.tar archive, found another file"
        )
    try:
        tar = tarfile.open(source, mode="r:*")  # noqa: SIM115  (closed by the with just below)
    except (tarfile.TarError, OSError, EOFError) as e:
        raise InputFileError(f"{source}: not a readable tar archive: {e}") from None
    with tar:
        yield _from_archive(source, tar, expected, max_member_bytes)


def _from_folder(folder: Path, expected: Sequence[str]) -> SourceFiles:
    candidates = [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]
    for place in candidates:
        if all((place / name).is_file() for name in expected):
            others = [
                p for p in candidates[candidates.index(place) + 1 :] if (p / expected[0]).is_file()
            ]
            if place is not folder and others:
                raise InputFileError(
                    f"{folder}: several sub-folders hold {expected[0]}"
                    f" ({place.name}, {others[0].name}); give one of them"
                )
            return SourceFiles(folder, {name: str(place / name) for name in expected})
    raise InputFileError(
        f"{folder}: expected {', '.join(expected)} in it or in one sub-folder; not found"
    )


def _from_archive(
    source: Path, tar: tarfile.TarFile, expected: Sequence[str], max_member_bytes: int
) -> SourceFiles:
    found: dict[str, tarfile.TarInfo] = {}
    skipped: list[str] = []
    try:
        for count, member in enumerate(tar, start=1):
            if count > MAX_MEMBERS:
                raise InputFileError(f"{source}: more than {MAX_MEMBERS:,} members; refused")
            base = PurePosixPath(member.name.replace("\\", "/")).name
            if base not in expected:
                continue
            why = _is_safe_member_path(member.name)
            if why is None and not member.isfile():
                why = "not a regular file (link or device)"
            if why is None and member.size > max_member_bytes:
                why = f"{member.size:,} bytes, over the limit of {max_member_bytes:,}"
            if why is None and base in found:
                raise InputFileError(
                    f"{source}: two members named {base} ({found[base].name}, {member.name})"
                )
            if why is not None:
                skipped.append(f"{member.name!r}: {why}; not read")
                continue
            found[base] = member
    except (tarfile.TarError, OSError, EOFError) as e:
        raise InputFileError(f"{source}: archive is damaged: {e}") from None
    missing = [name for name in expected if name not in found]
    if missing:
        extra = f" (refused: {'; '.join(skipped)})" if skipped else ""
        raise InputFileError(f"{source}: no usable member {', '.join(missing)}{extra}")
    return SourceFiles(source, {name: m.name for name, m in found.items()}, skipped, tar, found)
