"""Derivative rules, one module per family; importing this package registers them all."""

from importlib.util import find_spec

from . import fft, linalg, polynomial, reductions, shape, sparse_matrices, ufuncs  # noqa: F401

if find_spec("scipy") is not None:  # scipy.special rules only when SciPy is installed
    from . import special  # noqa: F401
