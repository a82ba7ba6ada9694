"""File > New from Template…: pick one of the bundled ITIL 4 templates, with a preview.

The list shows every template (vsm.files.bundled.list_templates); the preview shows the selected
template's description, each of its maps (name, kind, steps, lead time), the lead time from the
current to the future state, and a small picture of its current map. The dialog only chooses:
the FileController makes the untitled document from `selected_id()`.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.document.document import Document
from ui.render.images import content_region, export_scene, render_image
from vsm.analysis import analyse
from vsm.errors import VsmError
from vsm.files.bundled import Template, list_templates, new_from_template
from vsm.model import ModelError, Project
from vsm.model.durations import format_duration

PREVIEW_SIZE = QSize(420, 200)
ID_ROLE = Qt.ItemDataRole.UserRole


def template_summary(project: Project) -> tuple[list[tuple[str, str, int, str]], str]:
    """Each map as (name, kind, steps, lead time text), and the 'current → future' lead time."""
    rows = []
    leads: dict[str, str] = {}
    for map_ in project.maps:
        lead = format_duration(analyse(map_).lead_time)
        rows.append((map_.name, map_.kind, len(map_.steps), lead))
        leads.setdefault(map_.kind, lead)
    current, future = leads.get("current"), leads.get("future")
    if current and future:
        change = f"{current} → {future} (future)"
    else:
        change = current or future or "–"
    return rows, change


def map_picture(project: Project, map_id: str, size: QSize = PREVIEW_SIZE) -> QPixmap:
    """A small picture of one map of `project`, fitted into `size` keeping its proportions."""
    document = Document(project, autosave=False)
    try:
        with export_scene(document, map_id) as scene:
            region = content_region(scene)
            factor = min(size.width() / region.width(), size.height() / region.height())
            pixels = QSize(max(1, round(region.width() * factor)),
                           max(1, round(region.height() * factor)))
            return QPixmap.fromImage(render_image(scene, region, pixels))
    finally:
        document.close()
        document.deleteLater()


class TemplateDialog(QDialog):
    """The templates on the left, the preview of the selected one on the right; OK / Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New from Template")
        self.templates: dict[str, Template] = {t.id: t for t in list_templates()}
        self._previews: dict[str, tuple[str, QPixmap]] = {}
        self.list = QListWidget()
        self.list.setMinimumWidth(240)
        for template in self.templates.values():
            item = QListWidgetItem(template.title)
            item.setData(ID_ROLE, template.id)
            item.setToolTip(template.description)
            self.list.addItem(item)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.maps = QLabel()
        self.maps.setTextFormat(Qt.TextFormat.RichText)
        self.maps.setWordWrap(True)
        self.picture = QLabel()
        self.picture.setMinimumSize(PREVIEW_SIZE)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        preview = QVBoxLayout()
        for widget in (self.description, self.maps, self.picture):
            preview.addWidget(widget)
        preview.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.list)
        body.addLayout(preview, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)
        self.list.currentItemChanged.connect(lambda *_: self._show_preview())
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.description.setText("No templates are installed.")
        self._show_preview()

    def selected_id(self) -> str | None:
        """The id of the chosen template, or None when there is none."""
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def select(self, template_id: str) -> bool:
        """Choose the template with this id (for the keyboard-less and for tests)."""
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == template_id:
                self.list.setCurrentRow(row)
                return True
        return False

    def _show_preview(self) -> None:
        template_id = self.selected_id()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(template_id is not None)
        if template_id is None:
            self.maps.clear()
            self.picture.clear()
            return
        template = self.templates[template_id]
        self.description.setText(template.description or template.title)
        if template_id not in self._previews:
            self._previews[template_id] = self._build_preview(template_id)
        html, pixmap = self._previews[template_id]
        self.maps.setText(html)
        self.picture.setPixmap(pixmap)

    @staticmethod
    def _build_preview(template_id: str) -> tuple[str, QPixmap]:
        try:
            project = new_from_template(template_id)
        except (VsmError, ModelError, OSError) as error:
            return f"<i>Cannot read this template: {escape(str(error))}</i>", QPixmap()
        rows, change = template_summary(project)
        lines = "".join(
            f"<tr><td>{escape(name)}</td><td>{escape(kind)}</td>"
            f"<td align='right'>{steps}</td><td align='right'>{escape(lead)}</td></tr>"
            for name, kind, steps, lead in rows)
        html = (f"<p><b>Lead time:</b> {escape(change)}</p>"
                "<table cellspacing='0' cellpadding='3'>"
                "<tr><th align='left'>Map</th><th align='left'>Kind</th><th>Steps</th>"
                f"<th>Lead time</th></tr>{lines}</table>")
        current = next((m for m in project.maps if m.kind == "current"),
                       project.maps[0] if project.maps else None)
        pixmap = map_picture(project, current.id) if current is not None else QPixmap()
        return html, pixmap
