"""Dependency patterns in the tangent slot: which inputs each element of f(x) can depend on.

A pattern is a boolean matrix ``P`` (``scipy.sparse`` CSR) with one row per element of an array (C
order) and one column per input element: ``P[i, j]`` says element ``i`` may depend on input ``j``.
Detection runs f once with recorded leaves, exactly as reverse mode does (the rules are the same and
unchanged), then reads the record node by node with each linear primitive's *structure* instead of
its numbers (the table :data:`PATTERNS`, beside ``TRANSPOSES``):

    scale, cast, conj, ldexp     P_out = broadcast(P)            a coefficient never prunes
    add, subtract, where         P_out = broadcast(P_a) ∨ broadcast(P_b)    both branches
    reshape, index, gather, pad  P_out = P[source]               rows gathered; padding has none
    sum, cumsum, scatter, reduceat, matmul, einsum
                                 P_out = A · P                   A: which elements combine
    solve, fft                   a whole line (or the whole array) depends on all of it

The pattern is *global*: valid for every x, not only the one it was detected at. A coefficient is
computed from the values, so its zeros at this x are never structural (``x * y`` at ``y = 0`` keeps
both); ``np.where``/``select``/``clip``/``maximum`` keep both branches; piecewise-constant functions
and comparisons record no tangent, so they add nothing. Zeros of *constants* (arrays given to a
contraction that do not come from x, and ``scipy.sparse`` matrices) are structural: the pattern holds
for as long as those constants are not changed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import _core
from ._transposes import APPLY, LEAF, Node

DENSE_LIMIT = 50_000_000
"""Most pattern entries one node may hold (8 bytes each): a denser pattern means a dense Jacobian."""

PATTERNS: dict[Any, Callable[[Node, list, dict], sp.csr_array]] = {}
"""``PATTERNS[kind](node, parent_patterns, constants)``: the pattern of a node from its parents' (None: zero)."""


class SparsityWarning(UserWarning):
    """Warning that a detected pattern is conservative or may depend on x.

    Issued at detection where a rule could not be read structurally (a dense block stands in) or
    where an index comes from the values (``argsort``, ``nonzero``, ``sort``, ``unique``, ``interp``):
    the pattern found then holds at this x only. Every evaluation of a sparse Jacobian still checks
    the compressed product and raises on an entry the pattern does not predict.

    See Also
    --------
    jacobian_sparsity : Detection.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import dualarray as da
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     p = da.jacobian_sparsity(lambda x: np.sort(x))(np.array([3.0, 1.0, 2.0]))
    >>> any(issubclass(w.category, da.SparsityWarning) for w in caught)
    True
    """


def pattern_rule(*kinds: Any) -> Callable:
    def register(rule: Callable) -> Callable:
        for kind in kinds:
            PATTERNS[kind] = rule
        return rule

    return register


# ----------------------------------------------------------------------------------------- helpers
def _empty(rows: int, n: int) -> sp.csr_array:
    return sp.csr_array((rows, n), dtype=np.float32)


def _ones(p: sp.csr_array) -> sp.csr_array:
    p.data[:] = 1  # counts of paths would grow with depth: keep only "depends"
    return p


def _gather(p: sp.csr_array, source: np.ndarray) -> sp.csr_array:
    """Rows ``p[source]``; a source of -1 is a row with no dependency."""
    source = np.asarray(source, dtype=np.intp).reshape(-1)
    if source.size == p.shape[0] and np.array_equal(source, np.arange(source.size)):
        return p
    if source.size and source.min() < 0:
        p = sp.vstack([p, _empty(1, p.shape[1])], format="csr")
        source = np.where(source < 0, p.shape[0] - 1, source)
    return p[source]


def _combine(p: sp.csr_array, outs: np.ndarray, ins: np.ndarray, size: int) -> sp.csr_array:
    """Row ``outs[k]`` of the result depends on everything row ``ins[k]`` of ``p`` does."""
    outs = np.asarray(outs, dtype=np.intp).reshape(-1)
    ins = np.asarray(ins, dtype=np.intp).reshape(-1)
    a = sp.csr_array((np.ones(outs.size, np.float32), (outs, ins)), shape=(size, p.shape[0]))
    return _ones(a @ p)


def _union(parts: Sequence[sp.csr_array], rows: int, n: int) -> sp.csr_array:
    parts = [q for q in parts if q is not None]
    if not parts:
        return _empty(rows, n)
    out = parts[0]
    for q in parts[1:]:
        out = out + q
    return _ones(out) if len(parts) > 1 else out


def _broadcast_source(shape: tuple, target: tuple) -> np.ndarray:
    """For each element of ``target``, the element of an operand of ``shape`` broadcast onto it."""
    ids = np.arange(math.prod(shape)).reshape(shape)
    return np.broadcast_to(ids, target).reshape(-1)


def _broadcast(node: Node, i: int, p: sp.csr_array | None) -> sp.csr_array | None:
    if p is None:
        return None
    shape = node.inputs[i][0]
    return p if tuple(shape) == tuple(node.shape) else _gather(p, _broadcast_source(shape, node.shape))


def _width(parents: list) -> int:
    return next(p.shape[1] for p in parents if p is not None)


def _size(node: Node) -> int:
    return math.prod(node.shape)


def _dense(node: Node, parents: list) -> sp.csr_array:
    """Every element depends on every input any parent element depends on (the safe answer)."""
    n = _width(parents)
    cols = np.unique(np.concatenate([p.indices for p in parents if p is not None]))
    rows = _size(node)
    if rows * cols.size > DENSE_LIMIT:
        raise ValueError(
            f"the dependency pattern of {_kind_name(node.kind)} is dense ({rows} x {cols.size} entries): this "
            "Jacobian is not sparse. Use jacobian(f) without sparsity="
        )
    indptr = np.arange(rows + 1, dtype=np.int64) * cols.size
    return sp.csr_array((np.ones(rows * cols.size, np.float32), np.tile(cols, rows), indptr), shape=(rows, n))


def _kind_name(kind: Any) -> str:
    return getattr(kind, "__name__", str(kind))


def _ids(shape: tuple, offset: int = 0) -> np.ndarray:
    """Element numbers ``offset + 1 ...`` laid out in ``shape`` (0 is kept for "no element")."""
    return np.arange(offset + 1, offset + 1 + math.prod(shape), dtype=np.int64).reshape(shape)


# ------------------------------------------------------------------------- elementwise and sums
@pattern_rule(np.multiply, "masked_scale", np.divide, np.ldexp, np.negative, np.conjugate, np.real, np.imag,
              "astype")
def _elementwise(node: Node, parents: list, constants: dict) -> sp.csr_array:
    # y = c·x (any coefficient computed from x: its zeros here are not zeros elsewhere)
    return _broadcast(node, 0, parents[0])


@pattern_rule(np.add, np.subtract, np.where)
def _either(node: Node, parents: list, constants: dict) -> sp.csr_array:
    # a + b, and where(c, a, b) for every c: both branches (a global pattern)
    parts = [_broadcast(node, i, p) for i, p in enumerate(parents)]
    return _union(parts, _size(node), _width(parents))


# ------------------------------------------------------------------ moves: each element from one place
@pattern_rule(np.reshape, np.transpose, np.broadcast_to, "getitem", "gather", np.pad)
def _moved(node: Node, parents: list, constants: dict) -> sp.csr_array:
    # apply the primitive to element numbers: each output element names its source (0: padding)
    source = APPLY[node.kind](node, _ids(node.inputs[0][0]))
    return _gather(parents[0], np.asarray(source).reshape(-1) - 1)


def _stacked(node: Node, parents: list) -> tuple[sp.csr_array, list[int]]:
    """All parents' rows in one matrix (a zero operand: no rows) and each parent's first row."""
    n = _width(parents)
    offsets, blocks, at = [], [], 0
    for p in parents:
        offsets.append(at)
        if p is not None:
            blocks.append(p)
            at += p.shape[0]
    return (blocks[0] if len(blocks) == 1 else sp.vstack(blocks, format="csr")) if blocks else _empty(0, n), offsets


@pattern_rule(np.concatenate)
def _concatenate(node: Node, parents: list, constants: dict) -> sp.csr_array:
    stacked, offsets = _stacked(node, parents)
    parts = [_ids(shape, off) if p is not None else np.zeros(shape, np.int64)
             for p, (shape, _), off in zip(parents, node.inputs, offsets, strict=True)]
    source = np.concatenate(parts, axis=node.params["axis"])
    return _gather(stacked, source.reshape(-1) - 1)


@pattern_rule("scatter")
def _scatter(node: Node, parents: list, constants: dict) -> sp.csr_array:
    # old with item written (set: the last write wins) or added (add: both) at the flat positions
    n = _width(parents)
    size = _size(node)
    old, item = parents
    pos = node.params["pos"].reshape(-1)
    item_shape = node.inputs[1][0]
    item_rows = (_broadcast_source(item_shape, node.params["pos"].shape) if item is not None
                 else np.full(pos.size, -1))
    base = old if old is not None else _empty(size, n)
    stacked = base if item is None else sp.vstack([base, item], format="csr")
    shifted = np.where(item_rows < 0, -1, item_rows + size)
    if node.params["add"]:
        keep = shifted >= 0
        outs = np.concatenate([np.arange(size), pos[keep]])
        ins = np.concatenate([np.arange(size), shifted[keep]])
        return _combine(stacked, outs, ins, size)
    source = np.arange(size)
    source[pos] = shifted  # repeated positions: the last write wins, as in the recorded scatter
    return _gather(stacked, source)


# -------------------------------------------------------------------------- reductions and scans
@pattern_rule(np.sum)
def _sum(node: Node, parents: list, constants: dict) -> sp.csr_array:
    # every reduced element counts (a where= mask may come from x: not structural)
    shape = node.inputs[0][0]
    axes = node.params["axes"]
    axes = tuple(range(-len(shape), 0)) if axes is None else tuple(a - len(shape) if a >= 0 else a for a in axes)
    kept = tuple(1 if i - len(shape) in axes else n for i, n in enumerate(shape))
    outs = _broadcast_source(kept, shape)
    return _combine(parents[0], outs, np.arange(outs.size), math.prod(kept))


def _lines(shape: tuple, axis: int) -> np.ndarray:
    """Element numbers arranged ``(lines, length)`` with ``axis`` last."""
    return np.moveaxis(np.arange(math.prod(shape)).reshape(shape), axis, -1).reshape(-1, shape[axis])


@pattern_rule(np.cumsum)
def _cumsum(node: Node, parents: list, constants: dict) -> sp.csr_array:
    # y_i = Σ_{j ≤ i} x_j along the axis
    lines = _lines(node.inputs[0][0], node.params["axis"])
    i, j = np.tril_indices(lines.shape[1])
    return _combine(parents[0], lines[:, i], lines[:, j], _size(node))


@pattern_rule("segment_sum")
def _segment_sum(node: Node, parents: list, constants: dict) -> sp.csr_array:
    from ._transposes import _segments

    axis = node.params["axis"]
    sources, owners = _segments(node)
    src = _lines(node.inputs[0][0], axis)
    dst = _lines(node.shape, axis)
    return _combine(parents[0], dst[:, owners], src[:, sources], _size(node))


@pattern_rule(np.fft.fft, np.fft.ifft, np.fft.rfft, np.fft.irfft)
def _along_axis(node: Node, parents: list, constants: dict) -> sp.csr_array:
    # every output of a line depends on the whole input line
    axis = node.params["axis"]
    src = _lines(node.inputs[0][0], axis)
    dst = _lines(node.shape, axis)
    per_line = _combine(parents[0], np.repeat(np.arange(src.shape[0]), src.shape[1]), src.reshape(-1),
                        src.shape[0])
    owner = np.empty(dst.size, np.intp)
    owner[dst.reshape(-1)] = np.repeat(np.arange(dst.shape[0]), dst.shape[1])
    return _gather(per_line, owner)


@pattern_rule(np.linalg.solve)
def _solve(node: Node, parents: list, constants: dict) -> sp.csr_array:
    return _dense(node, parents)  # A⁻¹ is dense in general


# ------------------------------------------------------------------------------- contractions
def _structure(c: Any, constants: dict) -> np.ndarray:
    """Where a coefficient can be nonzero: its nonzeros if it is a constant, everywhere otherwise."""
    if sp.issparse(c):
        return c.toarray() != 0
    c = np.asarray(c)
    if id(c) in constants:
        return c != 0
    return np.ones(c.shape, dtype=bool)


def _letter_sizes(subs: Sequence[str], shapes: Sequence[tuple]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for s, shape in zip(subs, shapes, strict=True):
        for c, n in zip(s, shape, strict=True):
            sizes[c] = max(sizes.get(c, 1), n)
    return sizes


def _contraction(parent: sp.csr_array, mine: str, out: str, others: Sequence[tuple[str, np.ndarray]],
                 in_shape: tuple, out_shape: tuple) -> sp.csr_array:
    """``y[out] = Σ x[mine] · Π others``: y's element depends on x's wherever the others' product can be nonzero."""
    sizes = _letter_sizes([mine, *(s for s, _ in others)], [in_shape, *(m.shape for _, m in others)])
    letters = "".join(dict.fromkeys(mine + out))
    full = tuple(sizes[c] for c in letters)
    if math.prod(full) > DENSE_LIMIT:
        raise ValueError(
            f"the dependency pattern of a contraction of {math.prod(full)} terms is too large to detect: "
            "use jacobian(f) without sparsity= (or give the pattern: sparsity=...)"
        )
    others = [(s, np.broadcast_to(m, tuple(sizes[c] for c in s))) for s, m in others]
    if others:
        spec = ",".join(s for s, _ in others) + "->" + "".join(c for c in letters if any(c in s for s, _ in others))
        coupling = np.einsum(spec, *(m.astype(np.float64) for _, m in others)) > 0
        have = "".join(c for c in letters if any(c in s for s, _ in others))
        shape = tuple(sizes[c] if c in have else 1 for c in letters)
        order = [have.index(c) for c in letters if c in have]
        coupling = np.broadcast_to(np.transpose(coupling, order).reshape(shape), full)
    else:
        coupling = np.ones(full, dtype=bool)
    where = np.nonzero(coupling)
    at = dict(zip(letters, where, strict=True))
    # x's element (size-1 axes of x broadcast: index 0) and y's element for each nonzero of the coupling
    ins = np.ravel_multi_index(tuple(at[c] if n > 1 else np.zeros_like(at[c]) for c, n in zip(mine, in_shape,
                                                                                                strict=True)),
                               in_shape) if in_shape else np.zeros(where[0].size, np.intp)
    outs = np.ravel_multi_index(tuple(at[c] for c in out), out_shape) if out_shape else np.zeros(where[0].size,
                                                                                                 np.intp)
    return _combine(parent, outs, ins, math.prod(out_shape))


@pattern_rule(np.einsum)
def _einsum(node: Node, parents: list, constants: dict) -> sp.csr_array:
    p = node.params
    pos = p["position"]
    others = [(s, _structure(op, constants)) for i, (s, op) in enumerate(zip(p["subscripts"], p["operands"],
                                                                             strict=True)) if i != pos]
    return _contraction(parents[0], p["subscripts"][pos], p["out"], others, node.inputs[0][0], node.shape)


@pattern_rule(np.matmul)
def _matmul(node: Node, parents: list, constants: dict) -> sp.csr_array:
    # matmul as an einsum: batch axes broadcast, 1-d operands promoted and their new axis dropped
    xs = tuple(node.inputs[0][0])
    mask = _structure(node.params["coef"], constants)
    first = node.params["lin_first"]
    a, b = (xs, mask.shape) if first else (mask.shape, xs)
    la = "ij" if len(a) >= 2 else "j"
    lb = "jk" if len(b) >= 2 else "j"
    out = ("i" if len(a) >= 2 else "") + ("k" if len(b) >= 2 else "")
    batch = max(len(a) - 2, len(b) - 2, 0)
    letters = "abcdefgh"[:batch]
    la = letters[batch - max(len(a) - 2, 0):] + la
    lb = letters[batch - max(len(b) - 2, 0):] + lb
    out = letters + out
    mine, other = (la, lb) if first else (lb, la)
    return _contraction(parents[0], mine, out, [(other, mask)], xs, node.shape)


# --------------------------------------------------------------------------------- propagation
def propagate(nodes: Sequence[Node], leaves: Sequence[Node], constants: dict) -> tuple[dict, list[str]]:
    """The pattern of every node (inputs numbered across the leaves in order) and the kinds read
    conservatively (a dense block) because no structural rule is known for them."""
    widths = [math.prod(leaf.shape) for leaf in leaves]
    n = sum(widths)
    at = np.cumsum([0, *widths]).tolist()
    patterns: dict[int, sp.csr_array] = {}
    for leaf, lo in zip(leaves, at, strict=False):
        size = math.prod(leaf.shape)
        patterns[leaf.id] = sp.csr_array((np.ones(size, np.float32), np.arange(lo, lo + size),
                                          np.arange(size + 1)), shape=(size, n))
    dense: list[str] = []
    for node in nodes:
        if node.kind is LEAF or node.id in patterns:
            continue
        parents = [None if q is None else patterns[q.id] for q in node.parents]
        rule = PATTERNS.get(node.kind)
        if rule is None:
            dense.append(_kind_name(node.kind))
            patterns[node.id] = _dense(node, parents)
        else:
            patterns[node.id] = rule(node, parents, constants)
    return patterns, dense


def start_constants() -> dict:
    """Begin noting the plain arrays operations see while a pattern is detected (see :func:`_core.split`)."""
    constants: dict[int, Any] = {}
    _core.PATTERN_CONSTANTS = constants
    return constants


def stop_constants() -> None:
    _core.PATTERN_CONSTANTS = None


def warn_conservative(dense: Sequence[str], where: str) -> None:
    if dense:
        warnings.warn(
            f"{where}: no structural rule for {', '.join(sorted(set(dense)))}: those elements are taken to "
            "depend on everything their operands depend on (a superset of the true pattern)",
            SparsityWarning, stacklevel=4,
        )
