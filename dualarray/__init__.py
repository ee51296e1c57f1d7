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
from ._linear import NotLinearError
from ._pattern import SparsityWarning
from ._registry import (
    PLAIN,
    ZERO,
    DegenerateDirectionsError,
    implements,
    no_derivative,
    register_nondifferentiable,
    register_ufunc,
    register_ufunc_jvp,
    register_zero_derivative,
    singular,
)
from ._sparse import SparseHessian, SparseJacobian, hessian_sparsity, jacobian_sparsity
from .array_api import scipy_array_api
from .plotting import plot
from .transforms import (
    derivative,
    gradient,
    hessian,
    hvp,
    jacobian,
    jvp,
    linearize,
    value_and_gradient,
    value_and_jacobian,
    vjp,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_TAG",
    "PLAIN",
    "ZERO",
    "DegenerateDirectionsError",
    "DualArray",
    "derivative",
    "gradient",
    "hessian",
    "hessian_sparsity",
    "hvp",
    "jacobian",
    "jacobian_sparsity",
    "jvp",
    "linearize",
    "scipy_array_api",
    "NotLinearError",
    "SparseHessian",
    "SparseJacobian",
    "SparsityWarning",
    "value_and_gradient",
    "value_and_jacobian",
    "vjp",
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
