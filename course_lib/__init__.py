"""Support code for the course *Neural Networks from Scratch*.

- `course_lib.engine`: `Value`, a scalar with automatic gradients
- `course_lib.nn`: `Neuron`, `Layer`, `MLP` built from `Value`s
- `course_lib.viz`: `draw_dot`, computation graphs drawn with Graphviz
- `course_lib.gradcheck`: numerical gradient checks
- `course_lib.progress()`: which exercises you passed, tried or have not tried yet
  (`course_lib.learner_progress`)
- `course_lib.plots`, `course_lib.widgets`, `course_lib.datasets`, `course_lib.exercises`
"""

from course_lib.engine import Value
from course_lib.learner_progress import progress
from course_lib.nn import MLP, Layer, Module, Neuron
from course_lib.viz import draw_dot, trace

__all__ = ["Value", "Module", "Neuron", "Layer", "MLP", "draw_dot", "trace", "progress"]
__version__ = "0.1.0"
