"""The typology library hangs together, and broken user typologies fail with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

import onca.workspace
from onca.contract import load_contract
from onca.engines import DuckDBEngine
from onca.errors import TypologyError
from onca.finance import load_library, load_lists, run_typologies
from onca.finance._sqltemplate import fold_text, terms_pattern
from onca.finance._typology import REQUIRED_COLUMNS, SEVERITY_WEIGHT, Typology
from tests.finance.conftest import BuildWorkspace

STRUCTURING = (
    Path(__file__).parents[2] / "src/onca/finance/typologies/structuring.yaml"
).read_text(encoding="utf-8")


def test_at_least_twenty_typologies_each_with_sources_and_known_tables(
    library: dict[str, Typology],
) -> None:
    assert len(library) >= 20
    tables = set(load_contract().load_order())
    for typology in library.values():
        assert typology.sources and all(len(s) > 10 for s in typology.sources), typology.id
        assert set(typology.tables) <= tables
        assert typology.severity in SEVERITY_WEIGHT
        assert len(typology.description) > 80, typology.id
        for param in typology.parameters.values():
            assert param.description, (typology.id, param.name)


def test_every_typology_has_its_title_in_spanish_and_portuguese(
    library: dict[str, Typology],
) -> None:
    """The console shows typology titles in the user's language."""
    for typology in library.values():
        assert set(typology.titles) == {"es", "pt"}, typology.id
        assert typology.title_in("es") != typology.title, typology.id
        assert typology.title_in("de") == typology.title
    assert library["structuring"].title_in("pt").startswith("Fracionamento")


def test_every_list_is_used_and_has_a_source(library: dict[str, Typology]) -> None:
    lists = load_lists()
    used = {
        name
        for t in library.values()
        for name, ref in lists.items()
        if f"list: {name}" in Path(t.path).read_text(encoding="utf-8")
    }
    # fx feeds the usd() helper, cash_desks the movements() relation, public_bodies the
    # filter that keeps public bodies out of the suspects (onca.finance.public_bodies)
    assert set(lists) - used - {"fx_units_per_usd", "cash_desks", "public_bodies"} == set()
    assert all(item.source for item in lists.values())


def test_the_terms_match_whole_words_without_accents_and_chinese_anywhere() -> None:
    import re

    pattern = re.compile(terms_pattern(["onça", "colmillos", "花胶", "shark fin"]))
    for text in ("ONÇA 12", "pago Colmillos", "货款花胶", "shark fin soup"):
        assert pattern.search(fold_text(text)), text
    for text in ("once", "colmillosx", "sharkfin"):
        assert not pattern.search(fold_text(text)), text


def user_typology(tmp_path: Path, text: str, name: str = "my_rule") -> Path:
    folder = tmp_path / "mine"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_user_typology_is_added_and_can_replace_a_list(tmp_path: Path) -> None:
    folder = user_typology(tmp_path, STRUCTURING.replace("id: structuring", "id: my_rule"))
    (folder / "lists").mkdir()
    (folder / "lists" / "cash_thresholds.yaml").write_text(
        "name: cash_thresholds\ndescription: ours\nsource: our regulator\nvalues: {USD: 3000}\n",
        encoding="utf-8",
    )
    library = load_library(folder)
    assert library["my_rule"].parameters["thresholds"].default == {"USD": 3000}
    assert "structuring" in library


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: "bad: [\n" + t, "not valid YAML"),
        (lambda t: t.replace("  es: Fraccionamiento", "  spanish: Fraccionamiento"), "'titles'"),
        (lambda t: t.replace("severity: high", "severity: extreme"), "field 'severity'"),
        (
            lambda t: t.replace("title: Structuring", "titel: Structuring"),
            "unknown fields ['titel']",
        ),
        (lambda t: t.replace("JOIN accounts AS acc", "JOIN payments AS acc"), "reads payments"),
        (lambda t: t.replace("d.amount < d.threshold", "d.amout < d.threshold"), "amout"),
        (lambda t: t.replace("AS subject_id", "AS subject"), "subject_id"),
        (lambda t: t.replace("{{ n }} cash", "{{ count }} cash"), "uses count"),
        (lambda t: t.replace("default: 0.8", "default: 1.5"), "must be <= 0.999"),
        (lambda t: t.replace("{list: cash_thresholds}", "{list: nope}"), "list 'nope'"),
        (
            lambda t: t.replace(
                "tables: [transactions, accounts, parties]", "tables: [transactions, accounts]"
            ),
            "'tables'",
        ),
        (lambda t: t.replace("{{ band }}", "{{ bnd }}"), "bnd"),
    ],
)
def test_broken_user_typologies_name_file_and_field(
    tmp_path: Path, change: object, expected: str
) -> None:
    text = STRUCTURING.replace("id: structuring", "id: my_rule")
    folder = user_typology(tmp_path, change(text))  # type: ignore[operator]
    with pytest.raises(TypologyError) as caught:
        load_library(folder)
    assert expected in str(caught.value)
    assert "my_rule.yaml" in str(caught.value)


def test_required_columns_are_documented_in_the_worked_example() -> None:
    for column in REQUIRED_COLUMNS:
        assert f"AS {column}" in STRUCTURING or f".{column}" in STRUCTURING


def test_the_example_in_the_docs_loads_and_runs(
    tmp_path: Path, build_workspace: BuildWorkspace
) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "screening.md").read_text(encoding="utf-8")
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    folder = user_typology(tmp_path, example, name="big_cash")
    library = load_library(folder)
    ws = build_workspace(
        {
            "parties": ["P1,person,Ana Rojas,,BO,BO,,,,,comerciante,false"],
            "accounts": ["A1,P1,Banco Uno,BO,BOB,2020-01-01,checking"],
            "transactions": [
                "T1,2024-03-01T10:00:00Z,174000.00,BOB,,A1,cash,",  # 25,000 USD
                "T2,2024-03-02T10:00:00Z,6960.00,BOB,,A1,cash,",  # 1,000 USD
            ],
        }
    )
    with onca.workspace.open(ws) as w:
        alerts, _ = run_typologies(DuckDBEngine.from_workspace(w), [library["big_cash"]])
    (alert,) = alerts
    assert alert.evidence == "a cash deposit of 174,000 BOB on 2024-03-01"
    assert alert.score == pytest.approx(0.3125)
