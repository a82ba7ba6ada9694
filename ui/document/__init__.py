"""The open document: the project, its file and undo stack, the verbs that build commands, the
commands, autosave and the clipboard format. Imports no widget."""
