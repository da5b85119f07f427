"""The investigator console: server-rendered pages served by ``onca registry serve`` under
/console, in English, Spanish and Portuguese."""

from pathlib import Path

STATIC = Path(__file__).parent / "static"
