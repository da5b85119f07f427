"""Reference data: every list Onca ships loads through one loader, its values match the schema
declared in reference.yaml, its cross-references resolve, and a broken copy is refused with a
message naming the file, the entry and the field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from onca.contract import (
    load_contract,
    load_contract_from,
    load_reference,
    load_references,
    load_references_from,
    shipped_references,
)
from onca.contract._reference import declarations
from onca.errors import ContractError
from onca.finance import load_lists

ONCA = Path(str(resources.files("onca")))


def test_every_shipped_list_is_declared_loaded_and_hangs_together() -> None:
    lists = shipped_references()
    declared = declarations()
    assert set(lists) == set(declared)
    for folder in {d.folder for d in declared.values()}:
        on_disk = {p.stem for p in (ONCA / folder).glob("*.yaml")}
        assert on_disk == {n for n, d in declared.items() if d.folder == folder}, folder
    for ref in lists.values():
        assert ref.title and ref.source and ref.values, ref.name
    # the cross-references the schemas declare, checked here by hand as well
    countries, currencies = set(lists["countries"].codes), set(lists["currencies"].codes)
    for name in (
        "route_source_countries",
        "route_transit_countries",
        "route_destination_countries",
    ):
        assert set(lists[name].codes) <= countries, name
    for name in ("fx_units_per_usd", "cash_thresholds"):
        assert set(lists[name].codes) <= currencies, name
    units = lists["units"].values
    assert isinstance(units, dict)
    for code, unit in units.items():
        if "convert" in unit:
            assert unit["convert"]["to"] in units, code
    appendices = set(lists["cites_appendices"].codes)
    assert all(entry["appendix"] in appendices for entry in lists["cites_listings"].values)
    # one units list: the contract's code list and the trade's conversions read the same file
    assert load_contract().codes["units"].values.keys() == units.keys()


def test_the_loaders_of_the_packages_read_the_same_lists() -> None:
    finance = load_lists()
    assert set(finance) == {n for n, d in declarations().items() if d.folder == "finance/lists"}
    assert finance["fx_units_per_usd"] is load_reference("fx_units_per_usd")
    assert load_reference("route_source_countries").values[:3] == ["BO", "PE", "BR"]
    with pytest.raises(ContractError, match="no reference list named 'planets'"):
        load_reference("planets")


@pytest.fixture
def onca_copy(tmp_path: Path) -> Path:
    for folder in {d.folder for d in declarations().values()}:
        shutil.copytree(ONCA / folder, tmp_path / folder)
    return tmp_path


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def test_a_faithful_copy_loads(onca_copy: Path) -> None:
    assert set(load_references_from(onca_copy)) == set(shipped_references())


def _drop_bolivia(d: dict[str, Any]) -> None:
    del d["values"]["BO"]


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        (
            "finance/lists/fx_units_per_usd",
            lambda d: d["values"].update(XYZ=1.0),
            "lists/fx_units_per_usd.yaml: entry 'XYZ': key 'XYZ' is not a code of currencies",
        ),
        (
            "finance/lists/cash_thresholds",
            lambda d: d["values"].update(USD=-5),
            "lists/cash_thresholds.yaml: entry 'USD': expected a number above zero, found -5",
        ),
        (
            "finance/lists/route_source_countries",
            lambda d: d["values"].append("QQ"),
            "lists/route_source_countries.yaml: entry 15: 'QQ' is not a code of countries",
        ),
        (  # a country dropped from the ISO list breaks the lists that name it
            "contract/codes/countries",
            _drop_bolivia,
            "lists/route_source_countries.yaml: entry 1: 'BO' is not a code of countries",
        ),
        (
            "contract/codes/units",
            lambda d: d["values"]["g"]["convert"].update(to="kgz"),
            "codes/units.yaml: entry 'g', field 'convert.to': 'kgz' is not a code of units",
        ),
        (
            "contract/codes/units",
            lambda d: d["values"]["g"].update(colour="red"),
            "codes/units.yaml: entry 'g': unknown field(s) colour",
        ),
        (
            "finance/lists/permit_taxon_hs_codes",
            lambda d: d["values"].update({"Caiman yacare": "4103|41"}),
            "lists/permit_taxon_hs_codes.yaml: entry 'Caiman yacare': '4103|41' does not match",
        ),
        (
            "finance/lists/wildlife_hs_codes",
            lambda d: d["values"].append(106),
            "lists/wildlife_hs_codes.yaml: entry 15: expected text, found 106 (quote it)",
        ),
        (
            "finance/lists/cash_desks",
            lambda d: d["values"]["kinds"].append("tellr"),
            "lists/cash_desks.yaml: entry 'kinds', field '[2]': 'tellr' is not a code of"
            " account_kinds",
        ),
        (
            "trade/lists/cites_listings",
            lambda d: d["values"][0].update(appendix="IV"),
            "lists/cites_listings.yaml: entry 1, field 'appendix': 'IV' is not a code of"
            " cites_appendices",
        ),
        (
            "trade/lists/cites_listings",
            lambda d: d["values"][2].update({"from": "2017-13-02"}),
            "lists/cites_listings.yaml: entry 3, field 'from': expected a date YYYY-MM-DD",
        ),
        (
            "trade/lists/cites_listings",
            lambda d: d["values"][1].pop("rank"),
            "lists/cites_listings.yaml: entry 2: missing field(s) rank",
        ),
        (
            "contract/codes/cites_countries",
            lambda d: d.update(extends="planets"),
            "codes/cites_countries.yaml: field 'extends': no list named 'planets'",
        ),
        (
            "contract/codes/cites_terms",
            lambda d: d.pop("source"),
            "codes/cites_terms.yaml: missing required field(s) source",
        ),
        (
            "finance/lists/wildlife_terms",
            lambda d: d.update(name="wildlife_words"),
            "lists/wildlife_terms.yaml: name 'wildlife_words' must match the file name",
        ),
        (
            "finance/lists/high_risk_sectors",
            lambda d: d.update(values=[]),
            "lists/high_risk_sectors.yaml: field 'values': expected a non-empty list or mapping",
        ),
    ],
)
def test_a_broken_copy_is_refused_naming_file_entry_and_field(
    onca_copy: Path, file: str, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    _edit(onca_copy / f"{file}.yaml", change)
    with pytest.raises(ContractError) as caught:
        load_references_from(onca_copy)
    assert message in str(caught.value)


def test_a_list_must_be_declared_and_a_declared_list_must_exist(onca_copy: Path) -> None:
    extra = onca_copy / "trade/lists/cites_quotas.yaml"
    extra.write_text("name: cites_quotas\ntitle: quotas\nsource: us\nvalues: [1]\n")
    with pytest.raises(ContractError, match=r"lists/cites_quotas.yaml: the list 'cites_quotas'"):
        load_references_from(onca_copy)
    extra.unlink()
    (onca_copy / "trade/lists/cites_listings.yaml").unlink()
    with pytest.raises(ContractError, match="'cites_listings' has no file"):
        load_references_from(onca_copy)


def test_a_broken_code_list_breaks_the_contract_too(tmp_path: Path) -> None:
    contract = Path(str(resources.files("onca.contract")))
    shutil.copytree(contract / "tables", tmp_path / "tables")
    shutil.copytree(contract / "codes", tmp_path / "codes")
    _edit(tmp_path / "codes/units.yaml", lambda d: d["values"]["g"].update(aliases=["kilograms"]))
    # two units claim the name "kilograms" (the copy lists them in alphabetical order)
    with pytest.raises(ContractError, match="entry 'kg', field 'aliases': 'kilograms' already"):
        load_contract_from(tmp_path)
    _edit(tmp_path / "codes/units.yaml", lambda d: d["values"]["g"].update(aliases=[3]))
    with pytest.raises(ContractError, match=r"codes/units.yaml: entry 'g', field 'aliases\[1\]'"):
        load_contract_from(tmp_path)


def test_a_users_replacement_list_is_checked_against_the_shipped_schema(tmp_path: Path) -> None:
    (tmp_path / "cash_thresholds.yaml").write_text(
        "name: cash_thresholds\ndescription: ours\nsource: us\nvalues: {USD: 3000, EUR: lots}\n"
    )
    with pytest.raises(
        ContractError, match=r"cash_thresholds\.yaml: entry 'EUR': expected a number"
    ):
        load_references("finance/lists", tmp_path)
    (tmp_path / "cash_thresholds.yaml").write_text(
        "name: cash_thresholds\ndescription: ours\nsource: us\nvalues: {USD: 3000}\n"
    )
    lists = load_references("finance/lists", tmp_path)
    assert lists["cash_thresholds"].values == {"USD": 3000}
    assert lists["cash_thresholds"].title == "ours"
    (tmp_path / "cash_thresholds.yaml").write_text(  # a field of the user's own is let be
        "name: cash_thresholds\ndescription: ours\nsource: us\nupdated: 2025-01-01\n"
        "values: {USD: 2500}\n"
    )
    assert load_references("finance/lists", tmp_path)["cash_thresholds"].values == {"USD": 2500}
