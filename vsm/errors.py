"""Errors that reach people: each carries one clear sentence, never a traceback."""

from __future__ import annotations

from pathlib import Path


class VsmError(Exception):
    """Base of every error this package reports to people (CLI: one line on stderr, exit 2)."""

    def __reduce__(self) -> tuple:
        """Pickled whatever arguments a subclass's __init__ takes (the editor's second process
        sends its errors back, ui.document.processes): rebuilt from `args` and the attributes,
        without calling __init__ (Exception's own pickling calls it with `args` alone)."""
        return (_rebuilt, (type(self), self.args, self.__dict__))


def _rebuilt(kind: type[VsmError], args: tuple, attributes: dict) -> VsmError:
    error = kind.__new__(kind, *args)
    error.args = args
    error.__dict__.update(attributes)
    return error


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
