"""Onca: open-source analytics against illegal wildlife trade in the Americas."""

from onca.errors import OncaError

__version__ = "0.1.0"
__all__ = ["OncaError", "__version__"]
