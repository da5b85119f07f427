"""Bulk import in the console (on SQLite and PostgreSQL): a CSV and an XLSX with good and bad
rows show counts that add up and each bad row with its line, column and the importer's
reason, and import nothing; the rejects download as a CSV whose cells a spreadsheet will not
run; a good file imports; formulas and scripts in cells stay data; only writers may import."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import httpx
from fastapi.testclient import TestClient
from openpyxl import Workbook

from onca.registry.console._i18n import Translator
from tests.registry.conftest import Registry
from tests.registry.console.test_console_pages import form_token_of, signed_in

A, B = "PE-SERFOR", "BO-POL"
REF = "reference (the agency's own)"
english = Translator("en")
HEADER = ["reference", "seized_on", "country", "taxon", "commodity", "quantity", "unit"]
HEADER += ["description", "person_name"]
GOOD = [
    ["IMP-1", "2026-01-15", "PE", "Ara ararauna", "live", "2", "number", "=HYPERLINK(1)", ""],
    [
        "IMP-2",
        "2026-02-15",
        "PE",
        "Panthera onca",
        "teeth",
        "4",
        "number",
        "",
        "<script>x</script>",
    ],
    ["IMP-3", "2026-03-15", "BO", "Panthera onca", "skin", "1", "number", "", ""],
]
BAD = [
    ["IMP-1", "2026-04-01", "PE", "Ara ararauna", "live", "1", "number", "", ""],  # twice
    ["IMP-5", "2026-13-01", "ZZ", "Ara ararauna", "live", "-3", "number", "", ""],
]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return buffer.getvalue().encode()


def _xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in [HEADER, *rows]:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _counts(html: str) -> dict[str, int]:
    pairs = re.findall(r'<th scope="row">([^<]+)</th><td>([\d,]+)</td>', html)
    return {label: int(n.replace(",", "")) for label, n in pairs}


def _upload(client: TestClient, name: str, content: bytes) -> httpx.Response:
    return client.post(
        "/console/imports",
        data={"csrf": form_token_of(client)},
        files={"file": (name, content, "application/octet-stream")},
    )


def test_import_with_bad_rows_reports_them_and_imports_nothing(registry: Registry) -> None:
    editor = signed_in(registry, A, "editor")
    assert 'href="/console/imports"' in editor.get("/console/").text
    form = editor.get("/console/imports", headers={"Accept-Language": "es"}).text
    assert 'type="file"' in form and "fecha del decomiso" in form
    template = editor.get("/console/imports/template.csv")
    assert template.text.startswith("reference,seized_on,country,taxon,commodity,quantity,unit,")
    for name, content in (("mixed.csv", _csv(GOOD + BAD)), ("mixed.xlsx", _xlsx(GOOD + BAD))):
        r = _upload(editor, name, content)
        assert r.status_code == 200 and "/console/imports/" in str(r.url), r.text[-800:]
        counts = _counts(r.text)
        assert counts == {
            "Rows in the file": 5,
            "Rows that check": 3,
            "Rows rejected": 2,
            "Seizures imported": 0,
        }, (name, counts)
        assert counts["Rows in the file"] == counts["Rows that check"] + counts["Rows rejected"]
        found_rows = re.findall(
            r"<tr><td>(\d+)</td><td>([^<]+)</td><td lang=\"en\">([^<]+)</td></tr>", r.text
        )
        rows = [(line, unescape(field), unescape(why)) for line, field, why in found_rows]
        found = {(int(line), field) for line, field, _ in rows}  # the columns' labels
        assert {
            (5, REF),
            (6, "date seized"),
            (6, "country of the seizure"),
            (6, "quantity"),
        } <= found
        reasons = {field: why for line, field, why in rows if line == "6"}
        assert "greater than or equal to 0" in reasons["quantity"]
        assert "is also on line 2" in dict((f, w) for _, f, w in rows)[REF]
        link = re.search(r'href="(/console/imports/[0-9a-f]{32}/rejects\.csv)"', r.text)
        assert link
        download = editor.get(link.group(1))
        assert download.headers["content-type"].startswith("text/csv")
        table = list(csv.DictReader(io.StringIO(download.text)))
        assert {(int(x["line"]), english.label("import_col", x["field"])) for x in table} == found
        assert {x["field"] for x in table} >= {"reference", "seized_on", "country", "quantity"}
    api = registry.client
    assert api.get("/seizures", headers=registry.as_(A, "viewer")).json()["total"] == 0


def test_a_good_file_imports_and_cells_stay_data(registry: Registry) -> None:
    editor = signed_in(registry, A, "editor")
    r = _upload(editor, "good.csv", _csv(GOOD))
    assert r.status_code == 200, r.text[-800:]
    assert _counts(r.text) == {
        "Rows in the file": 3,
        "Rows that check": 3,
        "Rows rejected": 0,
        "Seizures imported": 3,
    }
    assert "3 seizures imported." in r.text
    api = registry.client
    found = api.get("/seizures", headers=registry.as_(A, "analyst")).json()["items"]
    by_ref = {s["reference"]: s for s in found}
    assert by_ref["IMP-1"]["description"] == "=HYPERLINK(1)"  # kept as text, never run
    person_id = by_ref["IMP-2"]["persons"][0]["person_id"]
    page = signed_in(registry, A, "admin").get(f"/console/persons/{person_id}").text
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_refused_files_and_roles(registry: Registry) -> None:
    editor = signed_in(registry, A, "editor")
    r = _upload(editor, "notes.txt", b"x")
    assert r.status_code == 422 and "not a .csv or .xlsx file" in r.text
    r = _upload(editor, "broken.xlsx", b"not a workbook")
    assert r.status_code == 200 and "The file as a whole was refused" in r.text
    assert "not a readable XLSX workbook" in r.text
    no_file = editor.post("/console/imports", data={"csrf": form_token_of(editor)})
    assert no_file.status_code == 422 and "Choose a CSV or XLSX file" in no_file.text
    forged = editor.post(
        "/console/imports", files={"file": ("good.csv", _csv(GOOD), "text/csv")}
    )  # no form token: another site's form
    assert forged.status_code == 403
    job = re.search(r"/console/imports/([0-9a-f]{32})", str(_upload(editor, "x.csv", b"a\n").url))
    assert job
    for role in ("viewer", "analyst"):
        reader = signed_in(registry, A, role)
        assert 'href="/console/imports"' not in reader.get("/console/").text
        assert reader.get("/console/imports").status_code == 403
        assert _upload(reader, "good.csv", _csv(GOOD)).status_code == 403
        assert reader.get(f"/console/imports/{job.group(1)}").status_code == 403
    other = signed_in(registry, B, "editor")  # another agency's job is not theirs to read
    assert other.get(f"/console/imports/{job.group(1)}").status_code == 404
    api = registry.client
    assert api.get("/seizures", headers=registry.as_(A, "viewer")).json()["total"] == 0
