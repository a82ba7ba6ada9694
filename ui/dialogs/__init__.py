"""Dialogs: export, new from template, compare maps, crash recovery."""
