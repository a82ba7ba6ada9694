"""The analysis of value-stream maps: the figures (lead time, process time, flow efficiency,
rolled %C&A, critical path), savings, flags, capacity, the Monte Carlo simulation, the comparison
of two maps and the improvement plan. Pure Python over vsm.model: no Qt, no file library.

The names below are the public API of the figures (vsm.analysis.figures); the other modules are
imported by name (vsm.analysis.compare, vsm.analysis.montecarlo...).
"""

from vsm.analysis.figures import Analyser, MapAnalysis, StepToChange, analyse
from vsm.analysis.flags import FLAG_LABELS, FLAGS
from vsm.analysis.structure import Problem, Structure, build_structure

__all__ = ["FLAGS", "FLAG_LABELS", "Analyser", "MapAnalysis", "Problem", "StepToChange", "Structure",
           "analyse", "build_structure"]
