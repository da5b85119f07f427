"""Query and path parameters that several routers share, with their limits."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query

from onca.registry._seizures import MAX_LIMIT

Id = Annotated[int, Path(ge=1, le=2**62, description="the record's id")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
When = Annotated[dt.date | None, Query(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))]
