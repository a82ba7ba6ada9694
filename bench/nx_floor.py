"""The floor of the analysis: networkx's longest path over a map's ordinary flows (weights: wait
+ process time of the source), from a vsm-json document.

bench/core.py times `longest` in process; run as a script, `python bench/nx_floor.py FILE.json`
is bench/run.py's floor process (it loads the JSON and prints the length, importing json and
networkx and nothing else), so the two floors are the same code.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def longest(document: dict[str, Any]) -> float:
    """networkx's `dag_longest_path_length` over the first map's ordinary flows."""
    import networkx as nx

    map_ = document["maps"][0]
    duration = {s["id"]: s["wait_time"] + s["process_time"] for s in map_["steps"]}
    graph = nx.DiGraph()
    graph.add_nodes_from(duration)
    graph.add_weighted_edges_from((f["from"], f["to"], duration[f["from"]]) for f in map_["flows"]
                                  if f.get("kind", "normal") == "normal")
    return nx.dag_longest_path_length(graph)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        print(longest(json.load(file)))
