"""Help > About VSM Studio: the icon, the version, Python and Qt, VSM Studio's licence (never
one it does not have), and every library it runs on with the version and licence its metadata
gives, in text that can be selected; the About role puts it in macOS's application menu."""

from __future__ import annotations

import platform
from importlib import metadata

import pytest
from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox

import ui.window.help as help_menu
from ui.window.help import LIBRARIES, LICENCES, AboutDialog, library_rows, project_licence
from vsm import __version__

REAL_METADATA = metadata.metadata


def text_of(dialog: AboutDialog) -> str:
    return dialog.text.toPlainText()


def test_about_shows_the_icon_and_every_version(window):
    about = AboutDialog(window)
    text = text_of(about)
    assert f"VSM Studio {__version__}" in text
    assert f"Python {platform.python_version()}" in text
    assert f"Qt {qVersion()}" in text and f"PySide6 {PYSIDE_VERSION}" in text
    assert project_licence() in text
    assert not about.icon.pixmap().isNull()
    assert about.icon.pixmap().width() >= help_menu.ICON_SIDE


def test_about_lists_each_library_with_its_version_and_licence(window):
    text = text_of(AboutDialog(window))
    listed = {name: (number, licence) for name, number, licence in library_rows()}
    for name in ("PySide6-Essentials", "networkx", "python-pptx", "openpyxl", "sqlite-utils",
                 "platformdirs", "lxml", "XlsxWriter"):
        assert listed[name][0] == metadata.version(name)  # installed: all of them are
        assert f"{name}\n{listed[name][0]}\n{listed[name][1]}\n" in text  # one table row
    assert listed["python-pptx"][1] == "MIT" and listed["sqlite-utils"][1] == "Apache-2.0"
    assert listed["networkx"][1].startswith("BSD") and "LGPL-3.0" in listed["PySide6-Essentials"][1]


def test_every_library_has_a_fallback_licence():
    assert set(LICENCES) == set(LIBRARIES)


def test_a_library_without_metadata_gets_the_fallback_licence(monkeypatch):
    def no_lxml_metadata(name):
        if name in ("lxml", "XlsxWriter"):
            raise metadata.PackageNotFoundError(name)
        return REAL_METADATA(name)

    monkeypatch.setattr(help_menu.metadata, "metadata", no_lxml_metadata)
    monkeypatch.setitem(LICENCES, "XlsxWriter", ("no_such_module_here", "BSD-2-Clause"))
    rows = {name: (number, licence) for name, number, licence in library_rows()}
    assert rows["lxml"] == ("bundled", "BSD-3-Clause")  # importable: listed with the fallback
    assert "XlsxWriter" not in rows  # neither metadata nor module: not there, not listed


def test_the_project_licence_is_never_invented(monkeypatch, tmp_path):
    def no_project_metadata(name):
        if name == "vsm-studio":
            raise metadata.PackageNotFoundError(name)
        return REAL_METADATA(name)

    monkeypatch.setattr(help_menu.metadata, "metadata", no_project_metadata)
    assert project_licence((tmp_path,)) == "Licence: to be decided by the owners"
    (tmp_path / "LICENSE").write_text("\n  MIT License\n\nCopyright (c) the owners\n")
    assert project_licence((tmp_path,)) == "Licence: MIT License"


@pytest.mark.skipif(any((folder / "LICENSE").exists() for folder in help_menu.LICENCE_FOLDERS),
                    reason="the owners have chosen a licence")
def test_without_a_licence_file_about_says_it_is_to_be_decided(window):
    assert "Licence: to be decided by the owners" in text_of(AboutDialog(window))


def test_the_text_can_be_selected_and_close_closes(window, qtbot):
    about = AboutDialog(window)
    flags = about.text.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    about.text.selectAll()
    assert f"VSM Studio {__version__}" in about.text.textCursor().selectedText()
    about.show()
    qtbot.waitExposed(about)
    close = about.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    close.click()
    assert not about.isVisible()


def test_the_about_action_has_the_about_role(window):
    action = window.menu_actions.help["about"]
    assert isinstance(action, QAction)
    assert action.menuRole() == QAction.MenuRole.AboutRole
