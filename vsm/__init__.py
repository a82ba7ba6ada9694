"""vsm: the value-stream model, its analysis, files and command line. Never imports Qt."""

__version__ = "0.1.0"
