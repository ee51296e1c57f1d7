"""``scipy.sparse`` matrices as constants: ``A @ x`` and ``x @ A`` with a sparse 2-D ``A``.

Both are one linear map ``M`` applied along one axis of x, the same primitive in every mode:

    A @ x  (x of shape (n,) or (n, p)):   y = M·x along x's first axis, M = A
    x @ A  (x of shape (n,) or (q, n)):   y = M·x along x's last axis,  M = Aᵀ
    ẏ = M·ẋ along that axis;   x̄ = Mᴴ·ȳ along it;   pattern: y_i depends on x_j where M_ij ≠ 0

The zeros of ``A`` are structural (sparsity detection keeps them): the pattern holds for as long as
A is not changed. SciPy's ``A.__matmul__`` converts its operand with ``np.asanyarray``; a DualArray
answers that one call with a 0-d object array, which makes SciPy return ``NotImplemented`` and Python
call ``x.__rmatmul__(A)``, which lands here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._core import split
from .._linear import Lin, _record
from .._pattern import _combine, pattern_rule
from .._transposes import primitive

SPARSE_MATMUL = "sparse_matmul"


def along(m: Any, v: Any, axis: int) -> Any:
    """``M·v`` along ``axis`` (negative: counted from the end, so leading direction/batch axes are free)."""
    if isinstance(v, Lin):
        shape = list(v.shape)
        shape[axis] = m.shape[0]
        return _record(SPARSE_MATMUL, [v], tuple(shape), np.result_type(v.dtype, m.dtype), op=m, axis=axis)
    moved = np.moveaxis(v, axis, 0)
    rest = moved.shape[1:]
    flat = np.reshape(moved, (moved.shape[0], math.prod(rest)))
    product = m @ flat  # a nested DualArray (higher order) comes back through matmul() below
    return np.moveaxis(np.reshape(product, (m.shape[0], *rest)), 0, axis)


def _adjoint(node: Any) -> Any:
    adjoint = node.params.get("adjoint")
    if adjoint is None:
        adjoint = node.params["adjoint"] = sp.csr_array(node.params["op"].conj().T)
    return adjoint


@primitive(SPARSE_MATMUL, lambda node, v: along(node.params["op"], v, node.params["axis"]))
def _sparse_matmul_t(node: Any, g: Any, nb: int) -> tuple:
    # y = M·x along an axis  ⇒  x̄ = Mᴴ·ȳ along it
    return (along(_adjoint(node), g, node.params["axis"]),)


@pattern_rule(SPARSE_MATMUL)
def _sparse_matmul_pattern(node: Any, parents: list, constants: dict) -> sp.csr_array:
    # y[.., i, ..] depends on x[.., j, ..] for every stored (i, j) of M (its zeros are structural)
    m = sp.coo_array(node.params["op"])
    axis = node.params["axis"]
    in_shape = node.inputs[0][0]
    ins = np.moveaxis(np.arange(math.prod(in_shape)).reshape(in_shape), axis, 0).reshape(in_shape[axis], -1)
    outs = np.moveaxis(np.arange(math.prod(node.shape)).reshape(node.shape), axis, 0).reshape(node.shape[axis], -1)
    return _combine(parents[0], outs[m.row], ins[m.col], math.prod(node.shape))


def contraction(matrix: Any, x_shape: tuple, matrix_first: bool) -> tuple[sp.csr_array, int]:
    """``(M, axis)`` of ``matrix @ x`` (``matrix_first``) or ``x @ matrix``: y = M·x along ``axis`` of x."""
    first = matrix_first
    if matrix.ndim != 2 or len(x_shape) not in (1, 2):
        raise ValueError(f"matmul with a scipy.sparse operand needs a 2-d sparse matrix and a 1-d or 2-d array, "
                         f"got shapes {matrix.shape} and {x_shape}")
    axis = -len(x_shape) if first else -1
    n = matrix.shape[1] if first else matrix.shape[0]
    if x_shape[axis] != n:
        raise ValueError(f"matmul: dimension mismatch: {matrix.shape if first else x_shape} @ "
                         f"{x_shape if first else matrix.shape}")
    return (sp.csr_array(matrix) if first else sp.csr_array(matrix.T)), axis


def matmul(inputs: tuple, out: Any) -> Any:
    """``np.matmul(a, b)`` where one operand is a scipy.sparse matrix and the other carries a derivative."""
    if out is not None:
        raise TypeError("matmul with a scipy.sparse operand and out= is not supported: drop out=")
    frame, (a, b), (ta, tb) = split(inputs, sparse_ok=True)
    if sp.issparse(a) and sp.issparse(b):
        return a @ b
    first = sp.issparse(a)
    matrix, x, t = (a, b, tb) if first else (b, a, ta)
    m, axis = contraction(matrix, np.shape(x), matrix_first=first)
    value = along(m, x, axis)  # x may be a DualArray of an outer tag (higher order)
    if frame is None:
        return value
    return frame.wrap(value, None if t is None else along(m, t, axis))
