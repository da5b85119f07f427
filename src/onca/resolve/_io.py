"""Reading party files (CSV or Parquet in the data contract) for linking and PPRL."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from onca.errors import ParameterError
from onca.resolve._features import check_columns


def read_party_file(path: str | Path) -> pa.Table:
    """A party file as an Arrow table of text columns; a clear error when it cannot be read or
    lacks the columns a party needs."""
    p = Path(path)
    if not p.exists():
        raise ParameterError(f"{p}: no such file")
    suffix = p.suffix.lower()
    con = duckdb.connect()
    try:
        if suffix in (".parquet", ".pq"):
            rel = con.sql("SELECT * FROM read_parquet(?)", params=[str(p)])
        elif suffix in (".csv", ".txt", ".tsv", ".gz"):
            rel = con.sql(
                "SELECT * FROM read_csv(?, all_varchar = true, header = true)", params=[str(p)]
            )
        else:
            raise ParameterError(f"{p}: expected a .csv or .parquet party file")
        table = rel.to_arrow_table()
    except duckdb.Error as e:
        raise ParameterError(f"{p}: cannot read it: {e}") from None
    finally:
        con.close()
    check_columns(table.column_names, str(p))
    return table
