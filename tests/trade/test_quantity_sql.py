"""TradeData.quantity_sql: one quantity and reporter per row, whichever kind of export."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from onca.trade._read import TradeData
from onca.workspace import Workspace

TEMPLATE = "SELECT {qty} AS qty, {reporter} AS reporter FROM trade"


def _data(kind: str) -> TradeData:
    no_workspace = cast(Workspace, cast(Any, None))  # quantity_sql does not read the workspace
    return TradeData(path=Path("trade.csv"), kind=kind, ws=no_workspace, rows=0, loaded=0)


def test_comptab_takes_the_exporters_figure_where_there_is_one() -> None:
    assert _data("comptab").quantity_sql(TEMPLATE) == (
        "SELECT coalesce(exporter_qty, importer_qty) AS qty, "
        "CASE WHEN exporter_qty IS NOT NULL THEN 'E' ELSE 'I' END AS reporter FROM trade"
    )


def test_shipments_have_one_quantity_and_a_reporter_column() -> None:
    assert _data("shipments").quantity_sql(TEMPLATE) == (
        "SELECT quantity AS qty, reporter AS reporter FROM trade"
    )
