"""Orthogonal routing of flows around boxes (vsm.model.routing), the rules every export follows.

Boxes are 1 × 1 with a margin of 0.1 and runs 0.05 apart, in any unit.
"""

from __future__ import annotations

from vsm.model.routing import BOTTOMS, SIDES, TOPS, Box, Router

MARGIN, SPACING = 0.1, 0.05


def crosses(points, box: Box) -> bool:
    """Whether any axis-parallel segment of the path enters the inside of `box`."""
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if (min(x0, x1) < box.right and max(x0, x1) > box.left
                and min(y0, y1) < box.bottom and max(y0, y1) > box.top):
            return True
    return False


def orthogonal(points) -> bool:
    return all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:]))


def test_neighbours_on_one_row_get_a_straight_line_right_edge_to_left_edge():
    router = Router({"a": Box(0, 0, 1, 1), "b": Box(2, 0, 3, 1)}, MARGIN, SPACING)
    route = router.route("a", "b")
    assert route.points == [(1, 0.5), (2, 0.5)]
    assert route.sites == SIDES


def test_a_step_one_row_down_gets_one_elbow_between_the_boxes():
    router = Router({"a": Box(0, 0, 1, 1), "b": Box(2, 2, 3, 3)}, MARGIN, SPACING)
    route = router.route("a", "b")
    assert len(route.points) == 4 and orthogonal(route.points)
    (_, _), (x, _), (_, _), (_, _) = route.points
    assert 1 + MARGIN <= x <= 2 - MARGIN  # the vertical run stays clear of both boxes


def test_a_box_in_the_way_is_gone_around_not_through():
    boxes = {"a": Box(0, 0, 1, 1), "middle": Box(2, 0, 3, 1), "b": Box(4, 0, 5, 1)}
    route = Router(boxes, MARGIN, SPACING).route("a", "b")
    assert orthogonal(route.points)
    assert not crosses(route.points, boxes["middle"].grown(MARGIN * 0.99))
    assert route.sites in (SIDES, BOTTOMS)


def test_rework_goes_back_over_the_top_clear_of_a_row_of_badges():
    boxes = {"a": Box(0, 0, 1, 1), "b": Box(2, 0, 3, 1), "c": Box(4, 0, 5, 1),
             "below": Box(-1, 1.15, 6, 2.3)}  # a wide box right under the row: no way below
    badges = [Box(2, -0.4, 2.9, 0)]  # two rows of flag badges on the middle box
    route = Router(boxes, MARGIN, SPACING, badges).route_back("c", "a")
    assert route.sites == TOPS
    peak = route.points[1][1]
    assert peak < -0.4 - SPACING / 2  # above the badges, a little clear of them
    assert not any(crosses(route.points, box) for box in badges)
