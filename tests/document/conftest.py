"""The Qt set-up this tier shares with the others (tests/helpers/qt.py)."""

from tests.helpers.qt import (  # noqa: F401
                              _collect_qt_garbage,
                              _fresh_settings,
                              _no_unexpected_dialogs,
                              _routing_not_timed,
                              make_window,
                              window,
)
