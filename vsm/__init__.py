"""vsm: the value-stream model, its analysis, files and command line. Never imports Qt."""

# The version, defined here only: pyproject.toml reads it ([tool.setuptools.dynamic]) by parsing
# this file, so keep it a plain string literal and keep this module free of imports.
__version__ = "0.1.0"
