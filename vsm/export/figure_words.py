"""The words the deck uses for the figures: what each means in plain words (the figures slides),
and how each is computed (the appendix and the speaker notes; docs/analysis.md has the detail).

Plain text only, so the slides, the notes and the tests share one wording.
"""

from __future__ import annotations

FIGURE_LABELS = {
    "lead_time": "Lead time",
    "process_time": "Process time",
    "flow_efficiency": "Flow efficiency",
    "rolled_pca": "Rolled %C&A",
    "critical_path": "Critical path",
    "saving": "Saving of a step",
}

MEANINGS = {
    "lead_time": "How long one request takes from its first step to its last, on average: "
                 "the waits, the work and the rework.",
    "process_time": "The hands-on time within the lead time: how long people or systems "
                    "actually work on it.",
    "flow_efficiency": "The share of the lead time spent working rather than waiting.",
    "rolled_pca": "The share of requests that every step hands on complete and accurate, usable "
                  "as it is the first time.",
    "critical_path": "The route that sets the lead time: shorten it, and the lead time falls.",
    "saving": "How much the lead time falls if the step's wait is removed.",
}

FORMULAS = {
    "lead_time": "Largest expected time to finish from a start step: "
                 "T(v) = d(v) + (1 − ρ(v))·F(v) + Σ p·T(rework target), d = wait + process, "
                 "ρ = share sent back for rework; "
                 "F = share-weighted mean over alternative routes, longest of concurrent branches.",
    "process_time": "The same recursion with d = process time, along the branches that set the "
                    "lead time.",
    "flow_efficiency": "Process time ÷ lead time.",
    "rolled_pca": "Expected product of the %C&A of every step the work passes (the share of its "
                  "output the next step can use as it is), alternative routes weighted by their "
                  "shares; rework ignored.",
    "critical_path": "From the lead start: at each concurrent split the branch that sets the lead "
                     "time, at each alternative split the route with the largest share.",
    "saving": "Saving = lead time − the lead time with the step's wait set to 0 (solved again).",
}
