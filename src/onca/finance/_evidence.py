"""Evidence sentences: a typology's ``evidence`` template filled with the values its SQL found.

Rendering happens in Python, not in SQL, so DuckDB and Spark give the same words. Filters:

- ``money``: ``9400`` -> ``9,400``; ``9400.5`` -> ``9,400.50``.
- ``amounts``: a list of amounts, sorted, as ``9,400, 9,600 and 9,900``.
- ``names``: a list of texts, sorted and de-duplicated, as ``a, b and c`` (at most ``limit``,
  then ``and N more``).
- ``hours`` / ``days``: a number of hours or days, rounded (``5.5 hours``, ``1 day``).
- ``pct``: a share 0..1 as a percentage (``0.93`` -> ``93%``).
- ``date``: a timestamp as ``2024-03-05``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import jinja2


def money(value: Any) -> str:
    if value is None:
        return "?"
    number = float(value)
    if abs(number - round(number)) < 0.005:
        return f"{round(number):,}"
    return f"{number:,.2f}"


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def amounts(values: Iterable[Any] | None, limit: int = 8) -> str:
    numbers = sorted(float(v) for v in (values or []) if v is not None)
    shown = [money(v) for v in numbers[:limit]]
    if len(numbers) > limit:
        shown.append(f"{len(numbers) - limit} more")
    return _and(shown)


def names(values: Iterable[Any] | None, limit: int = 6) -> str:
    unique = sorted({str(v) for v in (values or []) if v is not None and str(v) != ""})
    shown = unique[:limit]
    if len(unique) > limit:
        shown.append(f"{len(unique) - limit} more")
    return _and(shown)


def _unit(value: Any, unit: str) -> str:
    number = round(float(value), 1) if value is not None else 0.0
    text = f"{number:.0f}" if number >= 10 or number == int(number) else f"{number:.1f}"
    return f"{text} {unit}" + ("" if text == "1" else "s")


def hours(value: Any) -> str:
    return _unit(value, "hour")


def days(value: Any) -> str:
    return _unit(value, "day")


def pct(value: Any) -> str:
    return f"{float(value) * 100:.0f}%" if value is not None else "?"


def date(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def make_environment() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters.update(
        money=money, amounts=amounts, names=names, hours=hours, days=days, pct=pct, date=date
    )
    return env


_ENVIRONMENT = make_environment()


@functools.lru_cache(maxsize=1024)
def template(text: str) -> jinja2.Template:
    """The compiled evidence template (compiled once per text: alerts come by the thousand)."""
    return _ENVIRONMENT.from_string(text)


def plain(value: Any) -> Any:
    """A value as JSON can hold it (for the alert's evidence record)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return sorted((plain(v) for v in value), key=lambda v: (v is None, str(v)))
    return value
