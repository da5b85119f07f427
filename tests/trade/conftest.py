"""The screening fixtures (tiny hand-made workspaces) serve the permit checks too."""

from tests.finance.conftest import build_workspace, library

__all__ = ["build_workspace", "library"]
