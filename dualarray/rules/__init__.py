"""Derivative rules, one module per family; importing this package registers them all."""

from . import reductions, shape, ufuncs  # noqa: F401
from . import linalg  # noqa: F401
from . import fft, polynomial  # noqa: F401

try:  # scipy.special rules only when SciPy is installed
    from . import special  # noqa: F401
except ImportError:
    pass
