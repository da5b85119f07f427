"""CITES listings as data (``lists/cites_listings.yaml``): which appendix a taxon was in on a date.

A listing names a species, genus or family; a trade record's taxon matches a species listing by
name, and a genus or family listing through its ``genus`` and ``family`` columns (``Manis spp.``
is the genus Manis, family Manidae). The latest listing in force on 1 July of the trade year
gives the appendix at the time of trade (the trade database records years, not dates).
"""

from __future__ import annotations

import datetime as dt

from onca.contract import load_reference


def appendix_at(
    taxon: str, year: int, *, genus: str | None = None, family: str | None = None
) -> str | None:
    """The appendix of ``taxon`` in ``year`` from the listings table, or None if not listed there."""
    when = dt.date(int(year), 7, 1)
    names = {taxon, genus or taxon.split(" ")[0], family or ""}
    best: tuple[dt.date, str] | None = None
    listings = load_reference("cites_listings").values
    assert isinstance(listings, list)  # the list's declared type: a list of records
    for entry in listings:
        start = dt.date.fromisoformat(str(entry["from"]))
        if entry["taxon"] in names and start <= when and (best is None or start >= best[0]):
            best = (start, str(entry["appendix"]))
    return best[1] if best else None
