"""The demo: the Operation Jaguar scenario from generation to report, in one call.

Everything the demo knows about its scenario (the species its cameras record, its title, the
story it tells) lives here, not in the analyses, and the pipeline that ``onca demo`` runs is
:func:`run`. :func:`report_sections` gives the sections ``onca report`` adds to a workspace's
report without running anything again.

>>> from onca.demo import run
>>> result = run("onca-demo", transactions=5000)  # doctest: +SKIP
>>> result.report  # doctest: +SKIP
PosixPath('onca-demo/report.html')
"""

from onca.demo._run import SUMMARY_KEYS, DemoResult, run
from onca.demo._sections import analysis_sections, report_sections, survey_sections
from onca.demo._story import DEMO_TRANSACTIONS, MARKED_SPECIES, TITLE, UNMARKED_SPECIES, story

__all__ = [
    "DEMO_TRANSACTIONS",
    "MARKED_SPECIES",
    "SUMMARY_KEYS",
    "TITLE",
    "UNMARKED_SPECIES",
    "DemoResult",
    "analysis_sections",
    "report_sections",
    "run",
    "story",
    "survey_sections",
]
