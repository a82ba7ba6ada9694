"""Pickling a frame at a time (ui.document.piecewise): the very pickles of `pickle`, read and
written with a turn of the interpreter between frames, where the GUI thread can take the lock.

A turn is a call of a Python function on the pickling thread (the interpreter hands its lock
over only while it runs Python code): a profile function sees each as a "call" event. Counting
them stands for timing the GUI thread's waits, which a test must not do."""

from __future__ import annotations

import pickle
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ui.document import piecewise
from ui.document.snapshots import MapRecords
from vsm.model import Flow, Step, ValueStreamMap

FRAME = 64 * 1024  # pickle's frame size target (protocol 4 on): a frame is at least this long


@dataclass(frozen=True)
class Record:
    """A record with a shared part, as the copies of a map hold them."""

    name: str
    minutes: float
    tags: tuple[str, ...]


def _big_payload(count: int = 40_000) -> dict[str, object]:
    shared = ["the same list, twice"]
    return {"records": [Record(f"step {n}", n * 1.5, ("a", "b")) for n in range(count)],
            "times": {f"s{n}": n / 7 for n in range(count)},
            "first": shared, "second": shared}


def _turns(work: Callable[[], object]) -> tuple[object, int]:
    """`work()`'s result and how many Python functions it called on this thread."""
    calls = 0

    def profile(_frame: object, event: str, _arg: object) -> None:
        nonlocal calls
        calls += event == "call"

    sys.setprofile(profile)
    try:
        result = work()
    finally:
        sys.setprofile(None)
    return result, calls - 1  # the profile sees `work` itself called


def test_the_pickle_is_picklers_own_byte_for_byte():
    payload = _big_payload(2_000)
    assert piecewise.dumps(payload) == pickle.dumps(payload, protocol=piecewise.PROTOCOL)


def test_what_comes_back_equals_what_went_and_shared_objects_stay_shared():
    payload = _big_payload(2_000)
    back = piecewise.loads(piecewise.dumps(payload))
    assert back == payload
    assert back["first"] is back["second"]  # one list, as pickle keeps it


def test_a_map_copy_comes_back_whole():
    map_ = ValueStreamMap(name="Map")
    map_.add_step(Step(id="a", name="Triage", wait_time=30.0, process_time=5.0))
    map_.add_step(Step(id="b", name="Fix", wait_time=60.0, process_time=20.0, team="Ops"))
    map_.add_flow(Flow(id="f", source="a", target="b"))
    records = MapRecords.of(map_)
    twin = piecewise.loads(piecewise.dumps(records)).rebuild()
    assert [vars(s) for s in twin.steps] == [vars(s) for s in map_.steps]
    assert [vars(f) for f in twin.flows] == [vars(f) for f in map_.flows]


def test_pickling_gives_the_interpreter_a_turn_every_frame():
    payload = _big_payload()
    data, turns = _turns(lambda: piecewise.dumps(payload))
    assert isinstance(data, bytes)
    frames = len(data) // FRAME  # 40,000 records and times: about 3 MB, some 45 frames
    assert frames >= 20
    assert turns >= frames  # one write a frame at least
    _plain, plain_turns = _turns(lambda: pickle.dumps(payload, protocol=piecewise.PROTOCOL))
    assert plain_turns < frames // 4  # copyreg's, once per class: pickle.dumps is one C call
    # the GUI thread waited for, whole


def test_unpickling_gives_the_interpreter_a_turn_every_frame():
    data = pickle.dumps(_big_payload(), protocol=piecewise.PROTOCOL)
    back, turns = _turns(lambda: piecewise.loads(data))
    assert turns >= len(data) // FRAME  # one read a frame at least
    assert back == pickle.loads(data)


def test_the_lock_is_let_go_between_frames(monkeypatch):
    # A turn alone hands the lock over only to a thread that has waited the switch interval,
    # and then to any waiting thread: the pickling thread sleeps a moment at each frame, so a
    # waiting GUI thread takes the lock at once (counted, not timed).
    pauses: list[float] = []
    monkeypatch.setattr(piecewise.time, "sleep", pauses.append)
    data = piecewise.dumps(_big_payload())
    frames = len(data) // FRAME
    assert len(pauses) >= frames
    pauses.clear()
    piecewise.loads(data)
    assert frames <= len(pauses) <= frames + 2  # not for the opcodes' short reads between
    assert set(pauses) == {piecewise.GIVE_WAY_SECONDS}


def test_large_strings_and_bytes_outside_frames_come_back():
    # Pickle writes an object of a frame's size or more outside any frame, and reads it with
    # readinto when it can: both paths, and the old protocols' lines (readline).
    payload = {"text": "x" * (3 * FRAME), "raw": b"\x00\n" * (2 * FRAME), "n": 7}
    assert piecewise.loads(piecewise.dumps(payload)) == payload
    for protocol in (0, 2):
        assert piecewise.loads(pickle.dumps(payload, protocol=protocol)) == payload


def test_what_cannot_be_pickled_or_read_raises_as_pickle_does():
    with pytest.raises(AttributeError, match="pickle"):
        piecewise.dumps(lambda: None)
    with pytest.raises(TypeError, match="pickle"):
        piecewise.dumps({"lock": threading.Lock()})
    for broken in (b"not a pickle", pickle.dumps([1, 2, 3])[:-3], b""):  # cut short, empty
        with pytest.raises(Exception) as by_pickle:
            pickle.loads(broken)
        with pytest.raises(type(by_pickle.value)):
            piecewise.loads(broken)
