"""Financial red-flag screening for wildlife trafficking: typologies as data, on DuckDB or Spark.

>>> from onca.finance import load_library, screen
>>> library = load_library()                          # 20+ built-in typologies
>>> result = screen(ws, library, engine="duckdb")     # doctest: +SKIP
>>> result.by_typology["structuring"]                 # doctest: +SKIP
4
"""

from onca.finance._account_scores import AccountScores
from onca.finance._evaluate import evaluate_screening, read_labels
from onca.finance._lists import ReferenceList, load_lists
from onca.finance._public import public_bodies, public_entities
from onca.finance._quality import BudgetResult, QualityReport, TypologyQuality, evaluate
from onca.finance._ranking import (
    RankedAlert,
    RankedParty,
    alerts_phrase,
    ranked_alerts,
    ranked_parties,
    typologies_run,
)
from onca.finance._screen import Alert, ScreenResult, alerts_from_rows, run_typologies, screen
from onca.finance._typology import (
    REQUIRED_COLUMNS,
    SEVERITY_WEIGHT,
    Parameter,
    Typology,
    load_library,
    load_typology,
)

__all__ = [
    "REQUIRED_COLUMNS",
    "SEVERITY_WEIGHT",
    "AccountScores",
    "Alert",
    "BudgetResult",
    "Parameter",
    "QualityReport",
    "RankedAlert",
    "RankedParty",
    "ReferenceList",
    "ScreenResult",
    "Typology",
    "TypologyQuality",
    "alerts_from_rows",
    "alerts_phrase",
    "evaluate",
    "evaluate_screening",
    "load_library",
    "load_lists",
    "load_typology",
    "public_bodies",
    "public_entities",
    "ranked_alerts",
    "ranked_parties",
    "read_labels",
    "run_typologies",
    "screen",
    "typologies_run",
]
