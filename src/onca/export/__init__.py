"""Exports for other tools: FollowTheMoney entities (Aleph, OpenSanctions, `ftm`)."""

from onca.export._ftm import ExportError, entity_id, export_ftm

__all__ = ["ExportError", "entity_id", "export_ftm"]
