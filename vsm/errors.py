"""Errors that reach people: each carries one clear sentence, never a traceback."""

from __future__ import annotations

from pathlib import Path


class VsmError(Exception):
    """Base of every error this package reports to people (CLI: one line on stderr, exit 2)."""


class FileFormatError(VsmError):
    """A file could not be read or written: names the file and what is wrong with it."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ExportCancelled(VsmError):
    """An export was cancelled through its progress callback; nothing was written.

    Defined here (re-exported by vsm.export.deck) so that the editor can catch it without
    importing python-pptx at start-up.
    """


class ModelError(ValueError):
    """A value the model refuses; the message names the step, flow, kaizen or map and the field.

    Defined here (and re-exported by vsm.model) so that vsm.model.kaizen can raise it without importing
    the model.
    """
