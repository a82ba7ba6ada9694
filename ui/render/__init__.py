"""Pictures of maps: PNG, SVG and PDF files, the clipboard and the one-page A3 report."""
