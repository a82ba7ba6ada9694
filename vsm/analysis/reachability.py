"""Does an ordinary path lead from one step to another? Answered without descendant sets.

Steps are numbered by their rank in a topological order (0 .. n-1). A path from a to b needs

- rank(a) < rank(b), and the same in a second topological order that breaks ties the other way
  (latest rank first), which tells apart the branches of a split: one order runs the first branch
  before the second, the other the second before the first;

and a path is found by the *post-dominator tree* (every path from a step to an end of the map
passes its post-dominators; a virtual sink after every end is the root). If p post-dominates a and
rank(p) <= rank(b), every path from a to b passes p, so a reaches b exactly when p does; the
search therefore jumps from a to its latest post-dominator not after b (binary lifting: log n
hops), tries the successors there that both orders allow, and jumps again. On maps made of lines,
concurrent and alternative diamonds nested in each other, both orders rule out every wrong branch,
so a query costs a few jumps per level of nesting. On other maps it is still exact and costs at
most the steps between a and b.

Memory is O(n log n): no set of descendants is ever built.
"""

from __future__ import annotations

import heapq


class Reachability:
    """Reachability queries over a DAG given in topological order (steps as ranks 0 .. n-1)."""

    def __init__(self, successors: list[list[int]]) -> None:
        """`successors[i]`: the ranks of the ordinary successors of the step of rank i (all > i)."""
        n = len(successors)
        self.successors = successors
        self.second = _second_order(successors)
        sink = n
        depth = [0] * (n + 1)
        up: list[list[int]] = [[sink] * (n + 1)]  # up[k][i]: the 2^k-th post-dominator of i
        levels = 1
        for i in reversed(range(n)):
            out = successors[i]
            if out:
                p = out[0]
                for t in out[1:]:
                    p = self._meet(p, t, depth, up)
            else:
                p = sink
            depth[i] = depth[p] + 1
            while depth[i] >= 1 << levels:
                up.append([sink] * (n + 1))
                levels += 1
            up[0][i] = p
            for k in range(1, levels):
                up[k][i] = up[k - 1][up[k - 1][i]]
        self.sink = sink
        self.up = up

    @staticmethod
    def _meet(a: int, b: int, depth: list[int], up: list[list[int]]) -> int:
        """The nearest common post-dominator of a and b (lowest common ancestor in the tree)."""
        if depth[a] < depth[b]:
            a, b = b, a
        difference = depth[a] - depth[b]
        k = 0
        while difference:
            if difference & 1:
                a = up[k][a]
            difference >>= 1
            k += 1
        if a == b:
            return a
        for k in reversed(range(len(up))):
            if up[k][a] != up[k][b]:
                a, b = up[k][a], up[k][b]
        return up[0][a]

    def _jump(self, a: int, b: int) -> int:
        """The latest post-dominator of a (or a itself) whose rank is not after b's."""
        up = self.up
        for k in reversed(range(len(up))):
            p = up[k][a]
            if p <= b:  # the sink (rank n) is after every step
                a = p
        return a

    def reaches(self, a: int, b: int) -> bool:
        """True if an ordinary path of one or more flows leads from a to b."""
        if a >= b:
            return False
        second = self.second
        limit = second[b]
        if second[a] >= limit:
            return False
        a = self._jump(a, b)
        if a == b:
            return True
        seen = {a}
        stack = [a]
        successors = self.successors
        while stack:
            for t in successors[stack.pop()]:
                if t > b or second[t] > limit or t in seen:
                    continue
                if t == b:
                    return True
                t = self._jump(t, b)
                if t == b:
                    return True
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return False


def _second_order(successors: list[list[int]]) -> list[int]:
    """Position of each step in the topological order that always takes the latest-ranked ready
    step first (Kahn's algorithm)."""
    n = len(successors)
    indegree = [0] * n
    for out in successors:
        for t in out:
            indegree[t] += 1
    ready = [-i for i in range(n) if indegree[i] == 0]
    heapq.heapify(ready)
    position = [0] * n
    count = 0
    while ready:
        i = -heapq.heappop(ready)
        position[i] = count
        count += 1
        for t in successors[i]:
            indegree[t] -= 1
            if indegree[t] == 0:
                heapq.heappush(ready, -t)
    return position
