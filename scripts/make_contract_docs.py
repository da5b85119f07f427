"""Write docs/data-contract.md from the contract YAML (tests check that it is up to date).

.venv/bin/python scripts/make_contract_docs.py
"""

from __future__ import annotations

from pathlib import Path

from onca.contract import Contract, load_contract

OUT = Path(__file__).resolve().parents[1] / "docs" / "data-contract.md"


def render(contract: Contract) -> str:
    lines = [
        "# The data contract",
        "",
        "Generated from `src/onca/contract/` by `scripts/make_contract_docs.py`; edit the YAML, not",
        "this file. Every file given to `onca ingest` is checked against these tables. Column names",
        "are matched case-insensitively; extra columns are ignored (and reported); a missing",
        "required column stops the ingest before anything is written. Empty cells are missing values.",
        "",
        f"Contract version {contract.version}. Load order: {', '.join(contract.load_order())}.",
        "",
    ]
    for name in contract.load_order():
        table = contract.table(name)
        lines += [f"## {table.name}: {table.title}", ""]
        if table.description:
            lines += [table.description, ""]
        key = f"`{table.primary_key}`" if table.primary_key else "none (rows have no identity)"
        lines += [f"Primary key: {key}.", ""]
        lines += ["| column | type | required | rule | description |", "|---|---|---|---|---|"]
        for col in table.columns:
            rule = []
            if col.codes:
                rule.append(f"one of [{col.codes}](#code-lists)")
            if col.references:
                rule.append(f"must exist in `{col.references}`")
            if col.scale is not None:
                rule.append(f"at most {col.scale} decimals")
            if col.min is not None:
                rule.append(f"{'>' if col.min_exclusive else '>='} {col.min:g}")
            if col.max is not None:
                rule.append(f"<= {col.max:g}")
            if col.pattern:
                rule.append(f"matches `{col.pattern}`")
            if col.is_list:
                rule.append("items separated by `;`")
            if col.headers:
                rule.append("also read from " + ", ".join(f"`{h}`" for h in col.headers))
            lines.append(
                f"| `{col.name}` | {col.type} | {'yes' if col.required else ''} |"
                f" {'; '.join(rule)} | {col.description} |"
            )
        for check in table.checks:
            lines.append(f"\nRow rule `{check.name}`: {check.description or check.reason}.")
        lines.append("")
    lines += ["## Code lists", ""]
    for code_list in contract.codes.values():
        size = len(code_list.values)
        lines.append(
            f"- **{code_list.name}**: {code_list.title} ({size} codes; source: {code_list.source})"
        )
        if size <= 15:
            lines += [f"  - `{code}`: {label}" for code, label in code_list.values.items()]
    lines += [
        "",
        "Values are normalised before they are checked: surrounding spaces are trimmed, ISO codes are",
        "upper-cased and lower-case code lists (channels, kinds, modes) are lower-cased. Booleans accept",
        "true/false, yes/no, 1/0, sí/no, sim/não. Timestamps are ISO 8601; an offset is converted to UTC",
        "and a timestamp without one is taken as UTC.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(render(load_contract()), encoding="utf-8")


if __name__ == "__main__":
    main()
