"""`vsm mine LOG --update MAP` keeps the shares and rework probabilities the user edited: each
mined flow carries a `mined` snapshot of its share and probability as mining set them (kept in
.vsm and vsm-json); a refresh updates only the flows still equal to their snapshot and lists the
flows it kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.itsm_logs import service_desk, write_log
from tests.helpers.mining import mine
from vsm.files.formats import load_project, save_project_any
from vsm.files.vsmjson_read import project_from_dict
from vsm.files.vsmjson_write import project_to_dict
from vsm.model import Flow, ModelError, ValueStreamMap


def _flow(map_: ValueStreamMap, source: str, target: str, kind: str) -> Flow:
    names = {step.id: step.name for step in map_.steps}
    return next(f for f in map_.flows if (names[f.source], names[f.target], f.kind)
                == (source, target, kind))


def test_mining_snapshots_each_flows_figures_and_the_files_keep_them(tmp_path: Path,
                                                                      capsys) -> None:
    log = tmp_path / "desk.csv"
    write_log(log, service_desk(), 300, seed=3)
    path = tmp_path / "desk.vsm"
    assert mine(capsys, str(log), "-o", str(path))[0] == 0
    map_ = load_project(path).maps[0]
    for flow in map_.flows:  # as mined: the snapshot equals the figures
        assert flow.mined == (("share", flow.share), ("probability", flow.probability))
    again = project_from_dict(json.loads(json.dumps(project_to_dict(load_project(path)))))
    assert [f.mined for f in again.maps[0].flows] == [f.mined for f in map_.flows]
    with pytest.raises(ModelError, match="from 0 to 100"):
        map_.set_flow_mined(map_.flows[0].id, {"share": 140.0})
    with pytest.raises(ModelError, match="not a mined figure of a flow"):
        map_.set_flow_mined(map_.flows[0].id, {"wait_time": 1.0})


def test_a_refresh_keeps_edited_shares_and_probabilities(tmp_path: Path, capsys) -> None:
    first, second = tmp_path / "march.csv", tmp_path / "april.csv"
    write_log(first, service_desk(), 400, seed=1)
    write_log(second, service_desk(), 400, seed=2)
    path, fresh_path = tmp_path / "desk.vsm", tmp_path / "fresh.vsm"
    assert mine(capsys, str(first), "-o", str(path))[0] == 0
    assert mine(capsys, str(second), "-o", str(fresh_path))[0] == 0
    project = load_project(path)
    map_ = project.maps[0]
    rework = _flow(map_, "Resolved", "In Progress", "rework")  # reopened
    share = next(f for f in map_.flows if f.share is not None)
    map_.set_flow_state(rework.id, "rework", None, 4.5)  # the user's own figures
    map_.set_flow_state(share.id, "normal", 12.5, None)
    edited_ids = {rework.id, share.id}
    save_project_any(project, path)
    status, out, err = mine(capsys, str(second), "--update", str(path), "--json")
    assert status == 0, err
    after, fresh = load_project(path).maps[0], load_project(fresh_path).maps[0]
    flows = {f.id: f for f in after.flows}
    assert flows[rework.id].probability == 4.5 and flows[share.id].share == 12.5  # kept
    assert flows[rework.id].mined == rework.mined  # still seen as edited next time
    names = {step.id: step.name for step in after.steps}
    for flow in after.flows:  # every other mined flow: the new log's figures and snapshot
        if flow.id in edited_ids:
            continue
        new = _flow(fresh, names[flow.source], names[flow.target], flow.kind)
        assert (flow.share, flow.probability, flow.mined) == (new.share, new.probability,
                                                              new.mined)
    for flow in after.flows:  # the counts are always the new log's
        new = _flow(fresh, names[flow.source], names[flow.target], flow.kind)
        assert flow.cases == new.cases
    report = json.loads(out)
    assert sorted(report["flows_kept"]) == sorted(
        [f"{names[rework.source]} ↺ {names[rework.target]}",
         f"{names[share.source]} → {names[share.target]}"])
