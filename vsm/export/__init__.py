"""Outputs for stakeholders that need no Qt: the PowerPoint deck (python-pptx)."""
