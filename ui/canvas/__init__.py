"""The map canvas: the scene that mirrors one map, its passive items, the gestures (tools) and
the view."""
