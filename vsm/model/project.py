"""Project: a document's named, ordered set of value-stream maps, and the events of adding,
removing and renaming them (MapAdded, MapRemoved, ProjectChanged).

A map's own content changes through ValueStreamMap (vsm.model.maps); the project only holds the
maps, checks their ids are unique, and emits its events to the subscribers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vsm.errors import ModelError
from vsm.model.events import Observable
from vsm.model.limits import clean_text, shown
from vsm.model.maps import ValueStreamMap
from vsm.model.records import check_id, new_id


@dataclass(frozen=True)
class MapAdded:
    map: ValueStreamMap
    index: int


@dataclass(frozen=True)
class MapRemoved:
    map: ValueStreamMap
    index: int


@dataclass(frozen=True)
class ProjectChanged:
    field: str


class Project(Observable):
    """A document: a named set of value-stream maps."""

    def __init__(self, name: str = "Untitled", maps: list[ValueStreamMap] | None = None,
                 id: str | None = None) -> None:
        super().__init__()
        self.id = new_id() if id is None else check_id(id, f"project {shown(name)}")
        self.name = clean_text(name, "the project's name")
        self._maps: list[ValueStreamMap] = []
        for map_ in maps or []:
            self.add_map(map_)

    @property
    def maps(self) -> list[ValueStreamMap]:
        return list(self._maps)

    def map(self, map_id: str) -> ValueStreamMap:
        for map_ in self._maps:
            if map_.id == map_id:
                return map_
        raise ModelError(f"project {self.name!r} has no map with id {map_id!r}")

    def map_named(self, name: str) -> ValueStreamMap:
        """The first map with this name (case-insensitive); ModelError naming the maps if none."""
        for map_ in self._maps:
            if map_.name.casefold() == name.casefold():
                return map_
        names = ", ".join(repr(m.name) for m in self._maps) or "none"
        raise ModelError(f"no map named {name!r} (maps: {names})")

    def first_map(self, kind: str) -> ValueStreamMap | None:
        return next((m for m in self._maps if m.kind == kind), None)

    def add_map(self, map_: ValueStreamMap, index: int | None = None) -> ValueStreamMap:
        """Insert a map (default: at the end)."""
        self.check_new_map(map_)
        position = len(self._maps) if index is None else max(0, min(index, len(self._maps)))
        self._maps.insert(position, map_)
        self._emit(MapAdded(map_, position))
        return map_

    def check_new_map(self, map_: ValueStreamMap) -> None:
        """Raise ModelError if add_map would refuse the map (its id is taken)."""
        if any(m.id == map_.id for m in self._maps):
            raise ModelError(f"project {self.name!r} already has a map with id {map_.id!r}")

    def remove_map(self, map_id: str) -> tuple[ValueStreamMap, int]:
        """Remove a map; return it and its index."""
        map_ = self.map(map_id)
        index = self._maps.index(map_)
        self._maps.remove(map_)
        self._emit(MapRemoved(map_, index))
        return map_, index

    def clean_name(self, name: Any) -> str:
        """The name set_name would give the project (stripped, within the limits of text);
        ModelError if it would refuse it."""
        if not isinstance(name, str) or not name.strip():
            raise ModelError("a project needs a name")
        cleaned = clean_text(name, "the project's name").strip()
        if not cleaned:
            raise ModelError("a project needs a name")
        return cleaned

    def set_name(self, name: str) -> str:
        old, self.name = self.name, self.clean_name(name)
        if old != self.name:
            self._emit(ProjectChanged("name"))
        return old

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Project):
            return NotImplemented
        return (self.id, self.name, [m.snapshot() for m in self._maps]) == (
            other.id, other.name, [m.snapshot() for m in other._maps])

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Project({self.name!r}, {len(self._maps)} maps)"
