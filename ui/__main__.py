"""`python -m ui` and the `vsm-editor` script: open the editor (ui.app).

The editor's modules are imported only when it runs: the second processes of the editor
(ui.document.processes) start by importing the script that started it, and a script importing
ui.app would load every window, panel and Qt widget module in each of them (about 20 MB and a
fraction of a second each) for jobs that need none.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Open the editor: ui.app.main (a file to open, else a new document)."""
    from ui.app import main as open_editor

    return open_editor(argv)


if __name__ == "__main__":
    sys.exit(main())
