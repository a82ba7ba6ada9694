"""Runtime hook of the bundle's `vsm` (packaging/vsm-studio.spec), in place of PyInstaller's
pyi_rth_pyside6, which imports QtCore as the program starts (a tenth of a second for every
`vsm` command, most of which never load Qt). This sets only what that hook sets in the
environment, where Qt's plugins are; the rest of it, an embedded qt.conf, PySide6's own
import already makes (as it does in any pip-installed PySide6), when a command loads Qt."""

import os
import sys


def _qt_paths() -> None:
    base = sys._MEIPASS  # the bundle's _internal/, set by PyInstaller's bootloader
    qt = os.path.join(base, "PySide6") if sys.platform == "win32" else os.path.join(
        base, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")
    if sys.platform == "win32":  # as pyi_rth_pyside6: DLLs Qt loads by name are found here
        os.environ["PATH"] = base + os.pathsep + os.environ.get("PATH", "")


_qt_paths()
del _qt_paths
