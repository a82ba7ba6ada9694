"""What the test tiers share: map builders and strategies (pure), the damaged-file catalogue,
reference implementations the fast code is compared with, and the Qt set-up and window, canvas
and undo helpers of the document, widget and end-to-end tiers (tests/helpers/qt.py)."""
