"""Test set-up shared by every tier: always headless. Nothing here imports Qt: the pure tier
(tests/pure) runs without PySide6 installed; the document, widgets and e2e tiers take their Qt
set-up from tests/helpers/qt.py through their own conftest.py."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
