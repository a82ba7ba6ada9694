"""bench/responsiveness.py's Markdown shows each size's compute floor (bench/compute_floor.py)
and every block's ratio to it, so that runs made while the shared machine ran at different
speeds can be compared (issue 19). No Qt: the report is built from the workers' JSON lines."""

from __future__ import annotations

from bench.responsiveness import markdown


def test_a_block_is_shown_against_the_compute_floor_of_its_run():
    result = {"size": 20000, "floor": 0.010, "compute": 0.080, "actions": ("select all",),
              "lines": {"select all": {"action": "select all", "block": 0.120, "result": 0.3}}}
    text = markdown([result], "python bench/responsiveness.py", 60.0)
    assert "### 20,000 steps (floor: 10 ms; compute floor: 80 ms)" in text
    # 120 ms / 10 ms = 12x the idle floor; 120 ms / 80 ms = 1.50x the compute floor
    assert "| select all | 120 ms | 300 ms | 12× | 1.50× |  |" in text


def test_a_run_without_a_compute_floor_says_so_instead_of_a_ratio():
    result = {"size": 1000, "floor": 0.010, "actions": ("select all",),
              "lines": {"select all": {"action": "select all", "block": 0.020, "result": 0.1}}}
    text = markdown([result], "python bench/responsiveness.py", 60.0)
    assert "compute floor: –" in text
    assert "| select all | 20 ms | 100 ms | 2× | – |  |" in text
