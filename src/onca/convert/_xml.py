"""Read XML sources safely: defusedxml refuses DTDs (so entity bombs and external entities), files
are capped in size, and every element keeps the line it starts on, for rejected.csv.

Element names are compared without their namespace (``local``), so one reader serves several
versions of a schema; the namespace is checked once, at the root, by the converter.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from onca.convert._output import ContractWriter, ConvertResult, FileCount, Rejects, make_out
from onca.errors import InputFileError

MAX_XML_BYTES = 256 * 1024**2
"""Default limit on one XML file: 256 MiB (a goAML report or a day's statements is far smaller)."""

MAX_FILES = 100_000
"""A folder with more XML files than this is refused."""


@dataclass
class XmlDocument:
    """A parsed file: its root and the line each element starts on."""

    path: Path
    root: ET.Element
    lines: dict[ET.Element, int]

    def line(self, elem: ET.Element) -> int:
        return self.lines.get(elem, 0)


class _LineBuilder(ET.TreeBuilder):
    """A TreeBuilder that notes the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        elem = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[elem] = self.parser.parser.CurrentLineNumber
        return elem


def xml_files(source: Path | str, what: str) -> list[Path]:
    """``source`` itself, or the ``*.xml`` files in the folder ``source`` (sorted, recursive)."""
    source = Path(source)
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise InputFileError(f"{source}: no such file or folder")
    files = sorted(p for p in source.rglob("*") if p.suffix.lower() == ".xml" and p.is_file())
    if not files:
        raise InputFileError(f"{source}: no .xml file in it (expected {what})")
    if len(files) > MAX_FILES:
        raise InputFileError(f"{source}: more than {MAX_FILES:,} .xml files; give a smaller folder")
    return files


def parse_xml(path: Path, max_bytes: int = MAX_XML_BYTES) -> XmlDocument:
    """Parse ``path``, refusing DTDs, entities, files over ``max_bytes`` and anything that is not
    well-formed XML; every refusal is an InputFileError naming the file (and line)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InputFileError(f"{path}: {size:,} bytes, over the limit of {max_bytes:,}; not read")
    data = path.read_bytes()
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start != b"<":
        shown = data[:20].decode("utf-8", "replace")
        raise InputFileError(f"{path}: not XML (it starts with {shown!r})")
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as e:
        what = {
            "DTDForbidden": "has a DTD (<!DOCTYPE ...>)",
            "EntitiesForbidden": "declares an entity",
            "ExternalReferenceForbidden": "refers to an external resource",
        }.get(type(e).__name__, f"is refused ({type(e).__name__})")
        raise InputFileError(
            f"{path}: {what}; refused: DTDs and entities are never read, so entity expansion"
            " (billion laughs) and external entities cannot run"
        ) from None
    except ET.ParseError as e:
        line, column = e.position
        raise InputFileError(
            f"{path}: not well-formed XML at line {line}, column {column}"
        ) from None
    return XmlDocument(path, root, builder.lines)


def local(tag: str) -> str:
    """The element name without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def children(elem: ET.Element | None, name: str) -> Iterator[ET.Element]:
    """The children of ``elem`` called ``name`` (any namespace)."""
    if elem is None:
        return
    for c in elem:
        if local(c.tag) == name:
            yield c


def find(elem: ET.Element | None, *path: str) -> ET.Element | None:
    """The first element down ``path`` (names without namespace), or None."""
    for name in path:
        if elem is None:
            return None
        elem = next(children(elem, name), None)
    return elem


def text(elem: ET.Element | None, *path: str) -> str:
    """The stripped text of the element down ``path``; "" when absent or empty."""
    found = find(elem, *path)
    return (found.text or "").strip() if found is not None else ""


def convert_xml(
    source: Path | str,
    out: Path | str,
    what: str,
    *,
    max_file_bytes: int,
    check_root: Callable[[XmlDocument], None],
    convert: Callable[[XmlDocument, ContractWriter, FileCount, Rejects], None],
) -> ConvertResult:
    """The frame every XML converter shares: the ``*.xml`` files at ``source`` (``what`` names
    them in errors) are each parsed and passed to ``check_root`` first, so a bad file raises
    before anything is written; then each document is handed to ``convert`` with the one
    ContractWriter on ``out``, its own FileCount and the rejects of ``rejected.csv``.
    """
    began = time.perf_counter()
    files = xml_files(source, what)
    for path in files:  # whole-file checks first: a bad file leaves ``out`` untouched
        check_root(parse_xml(path, max_file_bytes))
    out = Path(out)
    make_out(out)
    counts: list[FileCount] = []
    with (
        open(out / "rejected.csv", "w", encoding="utf-8", newline="") as rf,
        ContractWriter(out) as writer,
    ):
        rejects = Rejects(rf)
        for path in files:
            count = FileCount(str(path))
            counts.append(count)
            convert(parse_xml(path, max_file_bytes), writer, count, rejects)
        outputs = writer.counts()
    outputs["rejected.csv"] = sum(c.rejected for c in counts)
    return ConvertResult(
        source=str(source),
        out=str(out),
        files=counts,
        outputs=outputs,
        labels_illicit=0,
        seconds=time.perf_counter() - began,
        top_reasons=rejects.top(),
    )
