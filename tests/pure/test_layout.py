"""Auto-layout: columns by longest path, branches stacked around the main line, always total."""

from __future__ import annotations

from itertools import pairwise

from tests.helpers.maps import make_map, rework, share
from vsm.model import Flow, Step, ValueStreamMap
from vsm.model.layout import (
    BOX_HEIGHT,
    COLUMN_SPACING,
    LANE_HEIGHT,
    LANE_PADDING,
    ROW_SPACING,
    auto_layout,
    lane_bands,
    lane_key,
    lanes,
)


def test_a_chain_is_one_row_left_to_right():
    map_ = make_map({"a": (0, 1), "b": (0, 1), "c": (0, 1)}, [("a", "b"), ("b", "c")])
    layout = auto_layout(map_)
    assert layout == {"a": (0.0, 0.0), "b": (COLUMN_SPACING, 0.0), "c": (2 * COLUMN_SPACING, 0.0)}


def test_stored_order_does_not_decide_the_columns_flows_do():
    map_ = make_map({"c": (0, 1), "a": (0, 1), "b": (0, 1)}, [("a", "b"), ("b", "c")])
    layout = auto_layout(map_)
    assert layout["a"][0] < layout["b"][0] < layout["c"][0]
    assert {y for _, y in layout.values()} == {0.0}


def test_a_split_puts_the_branches_in_one_column_on_different_rows():
    map_ = make_map({"a": (0, 1), "b": (0, 1), "c": (0, 1), "d": (0, 1)},
                    [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])
    layout = auto_layout(map_)
    assert layout["b"][0] == layout["c"][0] == COLUMN_SPACING
    assert layout["b"][1] != layout["c"][1]
    assert abs(layout["b"][1] - layout["c"][1]) == ROW_SPACING
    assert layout["a"][1] == layout["d"][1] == 0.0  # the main line


def test_three_branches_are_centred_on_the_main_line():
    map_ = make_map({"a": (0, 1), "b": (0, 1), "c": (0, 1), "d": (0, 1), "e": (0, 1)},
                    [("a", "b", share(50)), ("a", "c", share(30)), ("a", "d", share(20)),
                     ("b", "e"), ("c", "e"), ("d", "e")])
    rows = sorted(auto_layout(map_)[v][1] for v in "bcd")
    assert rows == [-ROW_SPACING, 0.0, ROW_SPACING]


def test_the_result_covers_every_step_including_loose_ones():
    map_ = make_map({"a": (0, 1), "b": (0, 1), "loose1": (0, 1), "loose2": (0, 1)}, [("a", "b")])
    layout = auto_layout(map_)
    assert set(layout) == {"a", "b", "loose1", "loose2"}
    assert layout["loose1"][1] == layout["loose2"][1] > 0  # their own row, below the map
    assert layout["loose1"][0] < layout["loose2"][0]
    assert len(set(layout.values())) == 4  # no two steps on the same spot


def test_rework_flows_do_not_change_the_columns():
    plain = make_map({"a": (0, 1), "b": (0, 1), "c": (0, 1)}, [("a", "b"), ("b", "c")])
    with_rework = make_map({"a": (0, 1), "b": (0, 1), "c": (0, 1)},
                           [("a", "b"), ("b", "c"), ("c", "a", rework(20))])
    assert auto_layout(plain) == auto_layout(with_rework)


def test_a_cycle_of_ordinary_flows_does_not_crash_and_follows_stored_order():
    map_ = make_map({"a": (0, 1), "b": (0, 1), "c": (0, 1)}, [("a", "b"), ("b", "c"), ("c", "a")])
    layout = auto_layout(map_)
    assert layout["a"][0] < layout["b"][0] < layout["c"][0]


def test_separate_groups_are_stacked_without_overlap():
    map_ = make_map({"a": (0, 1), "b": (0, 1), "x": (0, 1), "y": (0, 1)}, [("a", "b"), ("x", "y")])
    layout = auto_layout(map_)
    assert layout["a"][1] == layout["b"][1] == 0.0
    assert layout["x"][1] == layout["y"][1] == ROW_SPACING


def test_a_long_flow_keeps_its_row_free_of_other_branches():
    # t -> n skips ahead to the end; the other branch (v) goes on the other side of the main line.
    map_ = make_map({"t": (0, 1), "d": (0, 1), "n": (0, 1), "f": (0, 1), "v": (0, 1),
                     "a": (0, 1), "e": (0, 1)},
                    [("t", "d"), ("t", "n"), ("d", "f"), ("d", "v"), ("f", "a"), ("v", "a"),
                     ("a", "e"), ("n", "e")])
    layout = auto_layout(map_)
    assert layout["n"][1] != 0 and layout["v"][1] != 0
    assert layout["n"][1] != layout["v"][1]


def test_layout_is_deterministic_and_ignores_current_positions():
    def build(offset: float) -> ValueStreamMap:
        map_ = ValueStreamMap("m")
        for index, name in enumerate("abcde"):
            map_.add_step(Step(name, id=name, x=offset * index, y=-offset))
        for source, target in [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e")]:
            map_.add_flow(Flow(source, target))
        return map_

    assert auto_layout(build(0)) == auto_layout(build(123)) == auto_layout(build(0))


def test_an_empty_map_has_an_empty_layout():
    assert auto_layout(ValueStreamMap("empty")) == {}


# ------------------------------------------------------------------ swimlanes


def lane_map() -> ValueStreamMap:
    """a -> b -> c -> d, with b and c splitting from a: two teams, three activities."""
    teams = {"a": ("Service desk", "engage"), "b": ("Hosting", "deliver_support"),
             "c": ("Service desk", "deliver_support"), "d": ("", "plan")}
    return make_map({v: (0, 1, 100, {"team": team, "activity": activity})
                     for v, (team, activity) in teams.items()},
                    [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])


def assert_inside_bands(map_, by, layout):
    bands = {key: (top, top + height) for key, _, top, height in lane_bands(map_, by, layout)}
    for step in map_.steps:
        top, bottom = bands[lane_key(step, by)]
        y = layout[step.id][1]
        assert top < y and y + BOX_HEIGHT < bottom, step.id
    return bands


def test_lanes_by_team_follow_first_appearance_and_activities_the_itil_order():
    map_ = lane_map()
    assert lanes(map_, "team") == [("Service desk", "Service desk"), ("Hosting", "Hosting"),
                                   ("(no team)", "(no team)")]
    assert lanes(map_, "activity") == [("engage", "Engage"), ("plan", "Plan"),
                                       ("deliver_support", "Deliver & support")]


def test_lane_layout_puts_every_step_in_its_band_in_lane_order():
    map_ = lane_map()
    for by in ("team", "activity"):
        layout = auto_layout(map_, lanes_by=by)
        bands = assert_inside_bands(map_, by, layout)
        tops = [bands[key][0] for key, _ in lanes(map_, by)]
        assert tops == sorted(tops)
        spans = sorted(bands.values())
        assert all(a[1] <= b[0] for a, b in pairwise(spans))  # no overlap


def test_lane_layout_keeps_the_flow_columns():
    map_ = lane_map()
    plain = auto_layout(map_)
    for by in ("team", "activity"):
        layout = auto_layout(map_, lanes_by=by)
        assert {v: x for v, (x, _) in layout.items()} == {v: x for v, (x, _) in plain.items()}
        assert layout["a"][0] < layout["b"][0] == layout["c"][0] < layout["d"][0]


def test_steps_of_one_lane_in_one_column_are_stacked_and_the_band_grows():
    map_ = lane_map()
    layout = auto_layout(map_, lanes_by="activity")  # b and c: same activity, same column
    assert layout["b"][0] == layout["c"][0]
    assert abs(layout["b"][1] - layout["c"][1]) == ROW_SPACING
    heights = {key: height for key, _, _, height in lane_bands(map_, "activity", layout)}
    assert heights["plan"] == heights["engage"] == LANE_HEIGHT
    assert heights["deliver_support"] == LANE_HEIGHT + ROW_SPACING
    assert layout["a"] == (0.0, LANE_PADDING)  # engage: the first lane
    assert layout["d"] == (2 * COLUMN_SPACING, LANE_HEIGHT + LANE_PADDING)  # plan: the second


def test_lane_layout_is_deterministic_and_bands_follow_membership_after_moves():
    map_ = lane_map()
    assert auto_layout(map_, lanes_by="team") == auto_layout(map_, lanes_by="team")
    layout = dict(auto_layout(map_, lanes_by="team"))
    layout["b"] = (layout["b"][0], 900.0)  # dragged far below its lane
    band = {key: (top, height) for key, _, top, height in lane_bands(map_, "team", layout)}
    assert band["Hosting"] == (900.0 - LANE_PADDING, BOX_HEIGHT + 2 * LANE_PADDING)


def test_lane_bands_of_an_empty_map_are_empty():
    assert lanes(ValueStreamMap("empty"), "team") == []
    assert auto_layout(ValueStreamMap("empty"), lanes_by="activity") == {}


def test_a_main_line_given_goes_on_row_0_instead_of_the_longest_chain():
    # a -> b -> c -> e is the longest chain; most items take a -> d -> e
    map_ = make_map({name: (0, 1) for name in "abcde"},
                    [("a", "b"), ("b", "c"), ("c", "e"), ("a", "d"), ("d", "e")])
    assert {v for v, (_, y) in auto_layout(map_).items() if y == 0} == {"a", "b", "c", "e"}
    layout = auto_layout(map_, main_line=["a", "d", "e"])
    assert {v for v, (_, y) in layout.items() if y == 0} == {"a", "d", "e"}
    assert layout["b"][1] == layout["c"][1] != 0
    # a path the flows do not make is ignored
    assert auto_layout(map_, main_line=["a", "c"]) == auto_layout(map_)


def test_a_copy_of_the_map_shape_is_laid_out_as_the_map_itself():
    """The worker lays out map_shape(map): the same positions as the map, with or without lanes;
    a loop among ordinary flows (b -> c -> b) and a second group (x -> y) in the map too."""
    from vsm.model.layout import map_shape

    map_ = ValueStreamMap("m")
    for name, team in (("a", "T1"), ("b", "T2"), ("c", "T1"), ("d", ""), ("x", "T2"),
                       ("y", "T2"), ("z", "")):
        map_.add_step(Step(id=name, name=name, team=team))
    for source, target in (("a", "b"), ("b", "c"), ("c", "b"), ("b", "d"), ("x", "y")):
        map_.add_flow(Flow(source=source, target=target))
    shape = map_shape(map_)
    assert shape == map_shape(map_)
    for by in (None, "team", "activity"):
        assert auto_layout(shape, lanes_by=by) == auto_layout(map_, lanes_by=by)
    # a: column 0; b: 1; c and d: 2 (the flow c -> b goes back in stored order: dropped)
    assert auto_layout(shape)["a"][0] == 0.0 and auto_layout(shape)["d"][0] == 2 * 240.0
