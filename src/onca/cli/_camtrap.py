"""Options of the commands that read a camera-trap survey from a Camtrap DP package
(``onca density``, ``onca occupancy``), declared once so that they read the same in both.

>>> def cmd(camtrap_dp: Annotated[Path | None, camtrap_option("A survey.")] = None,
...         species: SpeciesOption = None, occasion_days: OccasionDaysOption = 1.0) -> None: ...
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from onca.errors import ParameterError


def camtrap_option(help: str) -> Any:
    """``--camtrap-dp DIR``: a Camtrap DP package (folder) to read a camera-trap survey from;
    ``help`` says what it stands in for and what its stations become."""
    return typer.Option("--camtrap-dp", help=help)


def camtrap_species(species: str | None) -> str:
    """The ``--species`` a ``--camtrap-dp`` survey is read for; it must be given."""
    if not species:
        raise ParameterError("--camtrap-dp needs --species (a scientific or common name)")
    return species


SpeciesOption = Annotated[
    str | None,
    typer.Option(
        help="With --camtrap-dp: scientific or common name, e.g. 'Panthera onca' or jaguar."
    ),
]
"""``--species``: the species a ``--camtrap-dp`` survey is read for."""

OccasionDaysOption = Annotated[
    float, typer.Option(help="With --camtrap-dp: length of an occasion in days.")
]
"""``--occasion-days``: how many days of a ``--camtrap-dp`` survey make one occasion."""
