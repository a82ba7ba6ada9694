"""Qt test set-up: offscreen, settings and data in throwaway test locations."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QStandardPaths  # noqa: E402

QStandardPaths.setTestModeEnabled(True)  # before any QSettings exists
QCoreApplication.setOrganizationName("VSM Studio Tests")
QCoreApplication.setApplicationName("VSM Studio Tests")


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path, monkeypatch):
    """Each test sees empty settings and its own data directory."""
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    QSettings().clear()
    yield
    QSettings().clear()


@pytest.fixture(autouse=True)
def _no_unexpected_dialogs(monkeypatch):
    """A modal dialog nobody answers would hang the run: make it fail the test instead.

    Tests that expect a dialog monkeypatch it themselves (their patch replaces this one).
    """
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    def refuse(name):
        def dialog(*args, **kwargs):
            raise AssertionError(f"unexpected modal dialog {name}: {args[1:3]}")
        return dialog

    for owner, names in ((QMessageBox, ("question", "critical", "warning", "information")),
                         (QFileDialog, ("getOpenFileName", "getSaveFileName")),
                         (QInputDialog, ("getText", "getItem"))):
        for name in names:
            monkeypatch.setattr(owner, name, refuse(f"{owner.__name__}.{name}"))


@pytest.fixture(autouse=True)
def _collect_qt_garbage(qapp):
    """Free each test's widgets and scenes at its end, while the application is alive.

    Python's cycle collector otherwise frees them at a random later moment, in any order, and a
    scene freed after its items' wrappers can crash the process.
    """
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
