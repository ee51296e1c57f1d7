"""dualarray: forward-mode automatic differentiation for unmodified NumPy code.

>>> import numpy as np
>>> from dualarray import DualArray
>>> x = DualArray(np.linspace(0.0, 1.0, 5), 1.0)
>>> y = np.exp(2 * x)
>>> np.allclose(y.tangent, 2 * np.exp(2 * x.value))
True
"""

from . import rules as _rules  # noqa: F401  (registers every rule)
from ._core import DEFAULT_TAG, DualArray, new_tag
from ._registry import (
    PLAIN,
    ZERO,
    implements,
    no_derivative,
    register_nondifferentiable,
    register_ufunc,
    register_ufunc_jvp,
    register_zero_derivative,
    singular,
)
from .plotting import plot

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_TAG",
    "PLAIN",
    "ZERO",
    "DualArray",
    "implements",
    "new_tag",
    "no_derivative",
    "plot",
    "register_nondifferentiable",
    "register_ufunc",
    "register_ufunc_jvp",
    "register_zero_derivative",
    "singular",
]
