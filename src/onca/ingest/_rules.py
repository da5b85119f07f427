"""Turn the data contract into SQL that types each text value and explains what is wrong with it.

Everything here builds SQL text from a :class:`~onca.contract.Table`; nothing runs it. The
expressions work on a staging table whose columns are the raw text of the file.
"""

from __future__ import annotations

from onca.contract import LIST_SEPARATOR, CodeList, Column, Contract, Table
from onca.sql import quote_name, quote_text

TRUE_WORDS = ("true", "t", "1", "yes", "y", "si", "sí", "sim", "verdadero", "verdadeiro")
FALSE_WORDS = ("false", "f", "0", "no", "n", "não", "nao", "falso")
_SHOWN_CHARS = 60


q = quote_name
"""Quote an identifier (:func:`onca.sql.quote_name`)."""
lit = quote_text
"""Quote a string literal (:func:`onca.sql.quote_text`)."""


def shown(expr: str) -> str:
    """SQL for a raw value as it appears in a reason: quoted, cut to a readable length."""
    return f"'''' || left({expr}, {_SHOWN_CHARS}) || ''''"


def _in_list(expr: str, codes: CodeList) -> str:
    return f"{expr} IN ({', '.join(lit(c) for c in codes.values)})"


def _normalise_code(expr: str, codes: CodeList) -> str:
    if codes.case == "upper":
        return f"upper({expr})"
    if codes.case == "lower":
        return f"lower({expr})"
    return expr


def _with_aliases(expr: str, codes: CodeList) -> str:
    """``expr`` with each alias of the code list replaced by its code (``kilograms`` -> ``kg``)."""
    if not codes.aliases:
        return expr
    cases = " ".join(f"WHEN {lit(a)} THEN {lit(c)}" for a, c in sorted(codes.aliases.items()))
    return f"(CASE {expr} {cases} ELSE {expr} END)"


def _split_list(raw: str, codes: CodeList | None) -> str:
    item = "trim(e)" if codes is None else _normalise_code("trim(e)", codes)
    return (
        f"list_filter(list_transform(string_split({raw}, {lit(LIST_SEPARATOR)}), lambda e: {item}),"
        " lambda e: e <> '')"
    )


def typed_expr(col: Column, raw: str, contract: Contract) -> str:
    """SQL turning the trimmed text ``raw`` (NULL when empty) into the column's stored type."""
    codes = contract.codes.get(col.codes) if col.codes else None
    match col.type:
        case "string":
            return raw
        case "integer" | "date":
            return f"TRY_CAST({raw} AS {col.sql_type})"
        case "double":  # 'inf' and 'nan' parse as doubles but are not quantities
            number = f"TRY_CAST({raw} AS {col.sql_type})"
            return f"CASE WHEN isfinite({number}) THEN {number} END"
        case "decimal":
            return f"TRY_CAST({raw} AS {col.sql_type})"
        case "timestamp":
            return f"CAST(TRY_CAST({raw} AS TIMESTAMPTZ) AS TIMESTAMP)"
        case "boolean":
            t = ", ".join(lit(w) for w in TRUE_WORDS)
            f = ", ".join(lit(w) for w in FALSE_WORDS)
            return f"CASE WHEN lower({raw}) IN ({t}) THEN true WHEN lower({raw}) IN ({f}) THEN false END"
        case "code":
            assert codes is not None
            norm = _with_aliases(_normalise_code(raw, codes), codes)
            return f"CASE WHEN {_in_list(norm, codes)} THEN {norm} END"
        case "code_list" | "string_list":
            return f"CASE WHEN {raw} IS NOT NULL THEN {_split_list(raw, codes)} END"
    raise AssertionError(f"unhandled column type {col.type}")


def problem_exprs(col: Column, raw: str, typed: str, contract: Contract) -> list[str]:
    """SQL expressions, each NULL or a sentence saying what is wrong with this column's value."""
    name = col.name
    out: list[str] = []
    if col.required:
        out.append(f"CASE WHEN {raw} IS NULL THEN {lit(name + ': required but empty')} END")
    codes = contract.codes.get(col.codes) if col.codes else None
    expect = {
        "integer": "is not a whole number",
        "double": "is not a number",
        "decimal": "is not a number (use '.' for decimals, no thousands separators)",
        "date": "is not a date (expected YYYY-MM-DD)",
        "timestamp": "is not an ISO 8601 timestamp (expected e.g. 2024-05-01T13:45:00Z)",
        "boolean": "is not true or false",
        "code": f"is not in {codes.title if codes else ''} ({col.codes})",
    }.get(col.type)
    if col.type == "decimal":
        digits = 18 - (col.scale or 0)
        out.append(
            f"CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL AND isfinite(TRY_CAST({raw} AS DOUBLE))"
            f" THEN {lit(name + ': ')} || {shown(raw)} ||"
            f" {lit(f' is too large (at most {digits} digits before the decimal point)')}"
            f" WHEN {raw} IS NOT NULL AND {typed} IS NULL"
            f" THEN {lit(name + ': ')} || {shown(raw)} || {lit(' ' + (expect or ''))} END"
        )
    elif expect:
        out.append(
            f"CASE WHEN {raw} IS NOT NULL AND {typed} IS NULL"
            f" THEN {lit(name + ': ')} || {shown(raw)} || {lit(' ' + expect)} END"
        )
    if col.type == "decimal":
        out.append(
            f"CASE WHEN {typed} IS NOT NULL AND TRY_CAST({raw} AS DECIMAL(38, 12)) <> {typed}"
            f" THEN {lit(name + ': ')} || {shown(raw)} ||"
            f" {lit(f' has more than {col.scale} decimal places')} END"
        )
    if col.type == "code_list" and codes is not None:
        bad = f"list_filter({typed}, lambda e: NOT ({_in_list('e', codes)}))"
        out.append(
            f"CASE WHEN len({bad}) > 0 THEN {lit(name + ': ')} ||"
            f" array_to_string({bad}, ', ') || {lit(' not in ' + codes.title)} END"
        )
    # Bounds are checked on the exact value written (not a rounded one) and quote it as written.
    exact = f"TRY_CAST({raw} AS DECIMAL(38, 12))" if col.type == "decimal" else typed
    if col.min is not None:
        op, words = ("<=", "greater than") if col.min_exclusive else ("<", "at least")
        out.append(
            f"CASE WHEN {typed} IS NOT NULL AND {exact} {op} {col.min} THEN {lit(name + ': ')}"
            f" || {shown(raw)} || {lit(f' must be {words} {col.min:g}')} END"
        )
    if col.max is not None:
        out.append(
            f"CASE WHEN {typed} IS NOT NULL AND {exact} > {col.max} THEN {lit(name + ': ')}"
            f" || {shown(raw)} || {lit(f' must be at most {col.max:g}')} END"
        )
    if col.pattern:
        out.append(
            f"CASE WHEN {raw} IS NOT NULL AND NOT regexp_full_match({raw}, {lit(col.pattern)})"
            f" THEN {lit(name + ': ')} || {shown(raw)} || {lit(' does not match ' + col.pattern)} END"
        )
    return out


def typing_sql(table: Table, contract: Contract, stage: str, present: dict[str, str]) -> str:
    """SELECT producing typed columns and ``_reason`` (problems within the row) from ``stage``.

    ``present`` maps each contract column the file has to the staged column holding it
    (:meth:`~onca.contract.Table.match_header`); the others (optional ones) are NULL.
    """
    raw_cols = ", ".join(
        f"NULLIF(trim({q(present[c.name])}), '') AS {q('raw_' + c.name)}"
        if c.name in present
        else f"CAST(NULL AS VARCHAR) AS {q('raw_' + c.name)}"
        for c in table.columns
    )
    typed_cols = ", ".join(
        f"{typed_expr(c, q('raw_' + c.name), contract)} AS {q(c.name)}" for c in table.columns
    )
    problems = [
        p for c in table.columns for p in problem_exprs(c, q("raw_" + c.name), q(c.name), contract)
    ]
    problems += row_check_exprs(table)
    return f"""
        SELECT _row, {", ".join(q(c.name) for c in table.columns)},
               concat_ws('; ', {", ".join(problems)}) AS _reason
        FROM (
          SELECT _row, {", ".join(q("raw_" + c.name) for c in table.columns)}, {typed_cols}
          FROM (SELECT _row, {raw_cols} FROM {stage})
        )
    """


def row_check_exprs(table: Table) -> list[str]:
    """The table's cross-column checks as NULL-or-reason expressions on typed columns."""
    return [
        f"CASE WHEN NOT coalesce(({c.sql}), true) THEN {lit(c.reason)} END" for c in table.checks
    ]
