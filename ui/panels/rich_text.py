"""A list delegate that draws each item's HTML (RICH_ROLE) wrapped to the width of the view.

Laying out rich text is the expensive part of a list refresh (a QTextDocument per item, for the
size hint and again for every paint), so the laid-out documents are kept, keyed by the HTML, the
width and the font, and reused until the delegate's cache fills up.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

RICH_ROLE = Qt.ItemDataRole.UserRole + 1  # the item as HTML
MARGIN = 4
CACHE_LIMIT = 400  # laid-out documents kept; the cache starts again when it is full


class RichTextDelegate(QStyledItemDelegate):
    """Draws an item's RICH_ROLE HTML wrapped to the width of the view."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self._documents: dict[tuple[str, int, str], QTextDocument] = {}

    def document(self, option: QStyleOptionViewItem, html: str, width: int) -> QTextDocument:
        """The HTML laid out at `width` pixels in the option's font (cached)."""
        key = (html, width, option.font.key())
        document = self._documents.get(key)
        if document is None:
            if len(self._documents) >= CACHE_LIMIT:
                self._documents.clear()
            document = QTextDocument()
            document.setDefaultFont(option.font)
            document.setDocumentMargin(0)
            document.setHtml(html)
            document.setTextWidth(max(width - 2 * MARGIN, 50))
            self._documents[key] = document
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        html = index.data(RICH_ROLE)
        if not html:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        style = item.widget.style() if item.widget else self.view.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, item.widget)
        document = self.document(item, html, item.rect.width())
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, item.palette.color(role))
        painter.save()
        painter.translate(QPointF(item.rect.topLeft()) + QPointF(MARGIN, MARGIN))
        painter.setClipRect(0, 0, item.rect.width() - MARGIN, item.rect.height())
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        html = index.data(RICH_ROLE)
        if not html:
            return super().sizeHint(option, index)
        width = self.view.viewport().width()
        document = self.document(option, html, width)
        return QSize(width, int(document.size().height()) + 2 * MARGIN + 2)
