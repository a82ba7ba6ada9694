"""The Help menu: shortcuts read from the menus, the bundled guide offline, About with versions
and licences."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QPixmap, QTextDocument
from PySide6.QtWidgets import QDialog

from ui.window.help import GUIDE, AboutDialog, GuideWindow, ShortcutsDialog, menu_shortcuts


def test_the_help_menu_is_last_with_guide_shortcuts_and_about(window):
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus[-1] == "&Help"
    help_menu = window.menuBar().actions()[-1].menu()
    texts = [action.text() for action in help_menu.actions() if not action.isSeparator()]
    assert texts == ["VSM Studio &Guide", "&Keyboard Shortcuts", "&About VSM Studio"]


def test_shortcuts_list_every_menu_shortcut(window):
    rows = {(menu, name): keys for menu, name, keys in menu_shortcuts(window)}
    assert rows[("File", "Save")] == "Ctrl+S"
    assert rows[("Edit", "Append Next Step")] == "Ctrl+Return"
    assert rows[("View", "Presentation Mode")] == "F5"
    dialog = ShortcutsDialog(window)
    names = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    assert "Edit › Undo" in names and "Canvas › Add a step" in names
    assert len(names) == len(rows) + 8  # the menus' shortcuts, then the eight canvas gestures


def test_the_guide_shows_the_bundled_documents_offline(window):
    guide = GuideWindow(window)
    assert guide.topics.count() == len(GUIDE)
    assert "VSM Studio" in guide.page.toPlainText()  # README.md, read from disk
    guide.topics.setCurrentRow(1)
    assert "lead time" in guide.page.toPlainText().lower()  # docs/analysis.md
    guide.close()


def test_the_guide_shows_the_readme_picture(window, tmp_path, monkeypatch):
    # README.md shows docs/editor.png by a path relative to the README itself, wherever the
    # editor was started from.
    monkeypatch.chdir(tmp_path)
    guide = GuideWindow(window)
    image = guide.page.document().resource(QTextDocument.ResourceType.ImageResource,
                                           QUrl("docs/editor.png"))
    assert isinstance(image, (QImage, QPixmap)) and image.width() > 800  # the screenshot
    guide.close()


def test_about_gives_the_version_and_the_libraries_licences(window):
    about = AboutDialog(window)
    text = about.text.toPlainText()
    assert "VSM Studio" in text and "Python 3." in text and "Qt 6." in text
    for library in ("networkx", "python-pptx", "openpyxl", "PySide6-Essentials"):
        assert library in text
    assert "MIT" in text or "BSD" in text  # licences read from the packages' metadata


def test_help_actions_open_their_dialogs(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QDialog, "exec", lambda self: shown.append(type(self).__name__) or 0)
    window.menu_actions.help["shortcuts"].trigger()
    window.menu_actions.help["about"].trigger()
    window.menu_actions.help["guide"].trigger()
    assert shown == ["ShortcutsDialog", "AboutDialog"]
    guides = [w for w in window.findChildren(GuideWindow) if w.isVisible()]
    assert len(guides) == 1
