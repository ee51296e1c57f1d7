"""A recorded linear map in the tangent slot: the first half of reverse mode (linearize, then transpose).

A :class:`Lin` stands where a tangent array would be. NumPy calls on it (operators, ufuncs, NumPy
functions, indexing, methods) do not compute: they record one node of a linear primitive of
:mod:`dualarray._transposes` (or lower the call to a few of them, e.g. ``mean`` = ``sum`` then
``divide``). Anything that is not linear in the traced tangent (``lin * lin``, ``np.exp(lin)``,
comparisons, ``bool(lin)``, ``np.asarray(lin)``) raises :class:`NotLinearError`, naming the NumPy
callable. Constants (coefficients, masks, index maps) are kept by reference.

:func:`trace` records a function of Lin leaves and returns a :class:`LinearMap`, whose ``apply``
re-runs the map with NumPy and whose ``transpose`` pulls cotangents back, walking the nodes in reverse
topological order and accumulating per node (JAX's ``backward_pass``):

>>> L = trace(lambda x: 2.0 * x[::-1].cumsum(), ((3,), np.float64))
>>> L.apply(np.array([1.0, 2.0, 3.0]))
array([ 6., 10., 12.])
>>> L.transpose(np.array([1.0, 0.0, 0.0]))[0]
array([0., 0., 2.])

A tangent of a value of shape ``s`` is traced with shape ``(1, *s)`` (one direction, design §3.6);
nothing here depends on that axis, and ``transpose`` takes extra leading batch axes (m cotangents).
Writes (``lin[k] = v``, ``out=``, ``ufunc.at``) raise for now: they need the cells of design §3.3.
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from . import _core
from ._registry import qualified_name
from ._transposes import APPLY, LEAF, TRANSPOSES, ZERO, Node

__all__ = ["Lin", "LinearMap", "NotLinearError", "trace", "masked_scale", "zeros", "FUNCTIONS", "UFUNCS", "TRANSPOSES"]

_NoValue = np._NoValue
_WRITES = "writes into a traced tangent are not supported yet (design §3.3)"


class NotLinearError(TypeError):
    """Raised in reverse mode by an operation that is not a linear map of a traced tangent.

    Reverse mode records the linear operations the rules apply to tangents; a rule whose tangent is not
    linear in the direction (``eigh`` vectors at a repeated eigenvalue) or whose primitive has no
    transpose yet (``cross``, ``kron``, ``choose``, ``polyfit``, some ``np.pad`` modes) raises it, naming
    the rule. ``mode="auto"`` catches it and runs forward mode for that call.

    See Also
    --------
    vjp : Where it is raised.

    Examples
    --------
    >>> import numpy as np
    >>> import dualarray as da
    >>> try:
    ...     da.gradient(lambda x: np.sum(np.cross(x, x[::-1])), mode="reverse")(np.arange(3.0))
    ... except da.NotLinearError:
    ...     print("forward instead:", da.gradient(lambda x: np.sum(np.cross(x, x[::-1])))(np.arange(3.0)))
    forward instead: [ 2. -4.  2.]
    """


def _not_linear(func: Any, reason: str = "is not linear in a traced tangent") -> NotLinearError:
    name = func if isinstance(func, str) else qualified_name(func)
    return NotLinearError(f"{name} {reason}, so reverse mode cannot transpose it; use mode='forward'{_caller()}")


def _caller() -> str:
    """`` (at dualarray/rules/x.py:123)`` for the innermost rule frame, if any (only on errors)."""
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename.replace("\\", "/")
        if "/dualarray/rules/" in path:
            return f" (at dualarray/rules/{path.rsplit('/', 1)[-1]}:{frame.f_lineno})"
        frame = frame.f_back
    return ""


class Lin(NDArrayOperatorsMixin):
    """A traced tangent: a handle on the node that computes it (no data).

    Handles are mutable cells so that in-place updates work (design §3.3): a write rebinds the handle's
    node to a ``scatter`` of the old one. A handle made by :meth:`view_of` is a *view* of a root handle:
    it replays its view function on the root's current node whenever the root was written since, and a
    write through it becomes a scatter into the root at the positions the view function selects (the
    gather-map trick: the view function applied to ``arange(root.size)``).
    """

    __slots__ = ("_node", "_root", "_view", "_version")

    def __init__(self, node: Node, root: Lin | None = None, view: Callable[[Any], Any] | None = None):
        self._node = node
        self._root = root
        self._view = view
        self._version = 0 if root is None else root._version

    @property
    def node(self) -> Node:
        root = self._root
        if root is not None and self._version != root._version:
            self._node = self._view(Lin(root.node)).node  # the root was written: replay the view on it
            self._version = root._version
        return self._node

    def view_of(self, view: Callable[[Any], Any]) -> Lin:
        """``view(self)`` as a view of this handle's root: later writes to either reach the other."""
        root = self._root if self._root is not None else self
        chain = view if self._root is None else (lambda b, inner=self._view: view(inner(b)))
        return Lin(view(self).node, root, chain)

    def shares_with(self, other: Any) -> bool:
        """True when ``other`` is this handle or a view of the same root."""
        if not isinstance(other, Lin):
            return False
        mine = self if self._root is None else self._root
        theirs = other if other._root is None else other._root
        return mine is theirs

    def _write(self, key: Any, value: Any, add: bool = False, select: Any = None) -> None:
        """``self[key] = value`` (or ``+=`` with ``add``): a scatter into the root cell.

        ``select(positions)`` picks the written positions instead of ``positions[key]`` (``copyto``'s
        mask, ``put_along_axis``'s indices).
        """
        if isinstance(value, Lin):
            item = value
        elif _is_zero_constant(value) or (isinstance(value, np.ndarray) and not np.any(value)):
            item = None
        else:
            raise _not_linear("a write of a nonzero constant into a traced tangent", "is affine, not linear")
        root = self._root if self._root is not None else self
        if root.dtype.kind == "c" and self.dtype.kind != "c":
            raise _not_linear("a write through the .real/.imag view of a complex traced tangent", "is not supported")
        positions = np.arange(root.size, dtype=np.intp).reshape(root.shape)
        if self._root is not None:
            positions = np.asarray(self._view(positions))
        if select is not None:
            positions = np.array(select(positions), dtype=np.intp)
        else:
            positions = np.array(positions[key] if key is not Ellipsis else positions, dtype=np.intp)
        if item is not None and not _broadcastable(item.shape, positions.shape):
            raise ValueError(f"could not broadcast a traced tangent of shape {item.shape} into {positions.shape}")
        operands = [root.node, item if item is not None else (positions.shape, root.dtype)]
        parents = [None if root.node.kind is ZERO else root.node, None if item is None or _is_zero(item) else item.node]
        if parents[1] is None and add:
            return
        inputs = ((root.shape, root.dtype), (item.shape, item.dtype) if item is not None else operands[1])
        if all(p is None for p in parents):
            node = Node(ZERO, (), (), root.shape, root.dtype, {})
        else:
            node = Node("scatter", tuple(parents), inputs, root.shape, root.dtype, {"pos": positions, "add": add})
        root._node = node
        root._version += 1
        if self is not root:
            self._version = -1  # replay the view on the new root node when it is read

    # a view's node may be replayed on a written root, but never changes shape or dtype: _node is enough
    shape = property(lambda self: self._node.shape)
    dtype = property(lambda self: self._node.dtype)
    ndim = property(lambda self: len(self._node.shape))
    size = property(lambda self: math.prod(self._node.shape))
    T = property(lambda self: FUNCTIONS[np.transpose](self))
    mT = property(lambda self: FUNCTIONS[np.matrix_transpose](self))
    real = property(lambda self: FUNCTIONS[np.real](self))
    imag = property(lambda self: FUNCTIONS[np.imag](self))

    def __repr__(self) -> str:
        kind = getattr(self.node.kind, "__name__", self.node.kind)
        return f"Lin(shape={self.shape}, dtype={self.dtype}, kind={kind})"

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.pop("out", None)
        if out is not None and any(o is not None for o in (out if isinstance(out, tuple) else (out,))):
            raise _not_linear(ufunc, f"with out=: {_WRITES}")
        if method == "__call__":
            handler = UFUNCS.get(ufunc)
            if handler is None:
                raise _not_linear(ufunc)
            dtype = kwargs.pop("dtype", None)
            if kwargs.pop("where", True) is not True:
                raise _not_linear(ufunc, "with where= leaves entries unset and")
            for k in ("casting", "order", "subok"):
                kwargs.pop(k, None)
            r = handler(*inputs, **kwargs)
            return r if dtype is None else FUNCTIONS[np.astype](r, dtype)
        handler = UFUNC_METHODS.get((ufunc, method))
        if handler is None:
            raise _not_linear(f"{qualified_name(ufunc)}.{method}", _WRITES if method == "at" else "is not linear")
        return handler(*inputs, **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        handler = FUNCTIONS.get(func)
        if handler is None:
            raise _not_linear(func, "has no recorded form on a traced tangent (no transpose yet)")
        return handler(*args, **kwargs)

    def __getitem__(self, key: Any) -> Lin:
        return FUNCTIONS[operator.getitem](self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._write(key, value)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        deferral = _core.sparse_deferral(self, sys._getframe(1))
        if deferral is not None:
            return deferral
        raise _not_linear("numpy.asarray", "(a traced tangent has no values)")

    def _refuse(self, what: str) -> NotLinearError:
        return _not_linear(what, "needs the values of a traced tangent")

    def __bool__(self) -> bool:
        raise self._refuse("bool")

    def __float__(self) -> float:
        raise self._refuse("float")

    def __int__(self) -> int:
        raise self._refuse("int")

    def __complex__(self) -> complex:
        raise self._refuse("complex")

    def __index__(self) -> int:
        raise self._refuse("operator.index")

    def item(self, *args: Any) -> Any:
        raise self._refuse("Lin.item")

    def tolist(self) -> Any:
        raise self._refuse("Lin.tolist")

    # ndarray methods that are linear: the same handlers as the functions
    def reshape(self, *shape: Any, order: str = "C") -> Lin:
        return FUNCTIONS[np.reshape](self, shape[0] if len(shape) == 1 else shape, order=order)

    def astype(self, dtype: Any, order: str = "K", casting: str = "unsafe", subok: bool = True, copy: bool = True):
        return FUNCTIONS[np.astype](self, dtype)

    def conj(self) -> Lin:
        return UFUNCS[np.conjugate](self)

    conjugate = conj

    def transpose(self, *axes: Any) -> Lin:
        return FUNCTIONS[np.transpose](self, axes[0] if len(axes) == 1 else (axes or None))

    def swapaxes(self, axis1: int, axis2: int) -> Lin:
        return FUNCTIONS[np.swapaxes](self, axis1, axis2)

    def squeeze(self, axis: Any = None) -> Lin:
        return FUNCTIONS[np.squeeze](self, axis)

    def ravel(self, order: str = "C") -> Lin:
        return FUNCTIONS[np.ravel](self, order)

    flatten = ravel

    def copy(self, order: str = "K") -> Lin:
        return Lin(self.node)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True) -> Lin:
        return FUNCTIONS[np.sum](self, axis, dtype, out, keepdims, initial, where)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, *, where=True) -> Lin:
        return FUNCTIONS[np.mean](self, axis, dtype, out, keepdims, where=where)

    def cumsum(self, axis=None, dtype=None, out=None) -> Lin:
        return FUNCTIONS[np.cumsum](self, axis, dtype, out)

    def diagonal(self, offset=0, axis1=0, axis2=1) -> Lin:
        return FUNCTIONS[np.diagonal](self, offset, axis1, axis2)

    def trace(self, offset=0, axis1=0, axis2=1, dtype=None, out=None) -> Lin:
        return FUNCTIONS[np.trace](self, offset, axis1, axis2, dtype, out)

    def dot(self, b: Any, out: Any = None) -> Lin:
        return FUNCTIONS[np.dot](self, b, out)

    def take(self, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Lin:
        return FUNCTIONS[np.take](self, indices, axis=axis, out=out, mode=mode)

    def repeat(self, repeats: Any, axis: Any = None) -> Lin:
        return FUNCTIONS[np.repeat](self, repeats, axis=axis)


# ----------------------------------------------------------------------------- recording helpers
def _broadcastable(shape: tuple, target: tuple) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def zeros(shape: tuple, dtype: Any) -> Lin:
    """A symbolic zero tangent that can be written into (the materialized zero storage of a reverse pass)."""
    return _zero(shape, dtype)


def _zero(shape: tuple, dtype: Any) -> Lin:
    """A symbolic zero of this shape and dtype (no parents; the transpose never reaches it)."""
    return Lin(Node(ZERO, (), (), tuple(shape), np.dtype(dtype), {}))


def _is_zero(x: Any) -> bool:
    return isinstance(x, Lin) and x.node.kind is ZERO


def _record(kind: Any, operands: Sequence[Any], shape: tuple, dtype: Any, /, **params: Any) -> Lin:
    """A new node; operands are Lins or ``(shape, dtype)`` of zero operands. All zero: a Zero."""
    parents, inputs = [], []
    for x in operands:
        if isinstance(x, Lin):
            parents.append(None if x.node.kind is ZERO else x.node)
            inputs.append((x.shape, x.dtype))
        else:
            parents.append(None)
            inputs.append(x)
    if all(p is None for p in parents):
        return _zero(shape, dtype)
    return Lin(Node(kind, tuple(parents), tuple(inputs), tuple(shape), np.dtype(dtype), params))


def _constant(func: Any, c: Any) -> Any:
    """A coefficient operand: refuse traced tangents, make sequences arrays, copy writable arrays.

    Coefficients are recorded by value (design §3.4): ``y = x * buf; buf[0] = 5`` must leave the
    recorded map, and so the gradient, as it was computed. Read-only arrays are kept by reference.
    """
    if isinstance(c, Lin):
        raise _not_linear(func, "of two traced tangents is not linear")
    if isinstance(c, list | tuple):
        return np.asarray(c)
    if isinstance(c, np.ndarray):
        if not (c.flags.writeable and c.ndim):
            return c
        copy = c.copy()
        constants = _core.PATTERN_CONSTANTS
        if constants is not None and id(c) in constants:
            constants[id(copy)] = copy  # a constant's zeros stay structural in the record
        return copy
    if hasattr(c, "__array_function__") and not isinstance(c, np.generic):
        return np.copy(c)  # a DualArray coefficient (forward over reverse): copied the same way
    return c


def _dtype_of(x: Any) -> Any:
    """What ``np.result_type`` should see for ``x`` (Python scalars stay weak)."""
    if isinstance(x, bool | int | float | complex):
        return x
    if isinstance(x, type | np.dtype):
        return np.dtype(x)
    dtype = getattr(x, "dtype", None)
    return dtype if dtype is not None else np.asarray(x).dtype


def _result_dtype(*xs: Any) -> np.dtype:
    first = xs[0].dtype if isinstance(xs[0], Lin | np.ndarray) else None
    if first is not None and all(isinstance(x, Lin | np.ndarray) and x.dtype == first for x in xs[1:]):
        return first  # the common case: one dtype among arrays (no result_type call)
    return np.result_type(*(_dtype_of(x) for x in xs))


def _is_zero_constant(x: Any) -> bool:
    if isinstance(x, bool | int | float | complex | np.generic):
        return x == 0
    return isinstance(x, np.ndarray) and x.ndim == 0 and bool(x == 0)


def _one_lin(func: Any, a: Any, b: Any) -> tuple[Lin, Any, bool]:
    """``(lin, constant, lin_first)`` of a bilinear call with exactly one traced operand."""
    if isinstance(a, Lin):
        return a, _constant(func, b), True
    return b, _constant(func, a), False


def _require_lin(func: Any, x: Any) -> Lin:
    if not isinstance(x, Lin):
        raise _not_linear(func, "with a traced tangent in a coefficient argument is not linear")
    return x


def _no_out(func: Any, out: Any) -> None:
    if out is not None:
        raise _not_linear(func, f"with out=: {_WRITES}")


def _probe(shape: tuple) -> np.ndarray:
    """A zero-stride stand-in array of ``shape`` (for shapes of basic indexing)."""
    return np.broadcast_to(np.empty((), np.int8), shape)


UFUNCS: dict[np.ufunc, Callable[..., Any]] = {}
"""Ufuncs that are linear in a traced operand (``__call__``); every other ufunc raises NotLinearError."""

UFUNC_METHODS: dict[tuple[np.ufunc, str], Callable[..., Any]] = {}
"""``(ufunc, method)`` pairs that are linear: ``add.reduce``, ``add.accumulate``, ``multiply.outer``."""

FUNCTIONS: dict[Any, Callable[..., Any]] = {}
"""NumPy functions on a traced tangent: each records (or lowers to) primitives of TRANSPOSES.
Filled by :mod:`dualarray._linear_array` and :mod:`dualarray._linear_math` (imported at the end)."""


# ------------------------------------------------------------------------------ the recorded map
def _project(x: Any, dtype: np.dtype) -> Any:
    """A cotangent in a node's space: its dtype; a real node takes the real part (design §3.7)."""
    if x.dtype == dtype:
        return x
    if x.dtype.kind == "c" and dtype.kind != "c":
        x = np.real(x)
    return x.astype(dtype)


class LinearMap:
    """A recorded linear map from the traced inputs to the traced outputs.

    ``apply(*v)`` evaluates it with NumPy; ``transpose(*w)`` returns one cotangent per input for the
    real inner product (``Re <L v, w> == Re <v, L^T w>``); each ``w`` may carry extra leading batch axes.
    """

    def __init__(self, inputs: list[Node], outputs: list[Lin], single: bool):
        self.inputs = inputs
        self.outputs = [o.node for o in outputs]
        self.single = single
        seen: dict[int, Node] = {}
        stack = list(self.outputs)
        while stack:
            node = stack.pop()
            if node.id not in seen:
                seen[node.id] = node
                stack.extend(p for p in node.parents if p is not None)
        self.nodes = [seen[i] for i in sorted(seen)]
        known = {n.id for n in inputs}
        stray = [n for n in self.nodes if n.kind is LEAF and n.id not in known]
        if stray:
            raise ValueError("the traced function used a traced tangent that is not one of its inputs")

    @property
    def kinds(self) -> set:
        """The primitive kinds recorded (keys of TRANSPOSES)."""
        return {n.kind for n in self.nodes if n.kind not in (LEAF, ZERO)}

    def apply(self, *v: Any) -> Any:
        if len(v) != len(self.inputs):
            raise TypeError(f"apply takes {len(self.inputs)} inputs, got {len(v)}")
        env = {n.id: x for n, x in zip(self.inputs, v, strict=True)}
        for node in self.nodes:
            if node.kind is not LEAF and node.kind is not ZERO:
                env[node.id] = APPLY[node.kind](node, *(None if p is None else env[p.id] for p in node.parents))
        outs = [
            np.zeros_like(v[0], shape=o.shape, dtype=o.dtype) if o.kind is ZERO else env[o.id] for o in self.outputs
        ]
        return outs[0] if self.single else tuple(outs)

    def transpose(self, *w: Any) -> tuple:
        if len(w) != len(self.outputs):
            raise TypeError(f"transpose takes {len(self.outputs)} cotangents, got {len(w)}")
        ct: dict[int, Any] = {}
        batch = None
        like = None
        for out, g in zip(self.outputs, w, strict=True):
            if g is None:
                continue
            if not hasattr(g, "__array_function__"):
                g = np.asarray(g)
            nb = g.ndim - len(out.shape)
            if nb < 0 or tuple(g.shape[nb:]) != out.shape or (batch is not None and g.shape[:nb] != batch):
                raise ValueError(f"a cotangent of shape {g.shape} for an output of shape {out.shape}")
            batch, like = tuple(g.shape[:nb]), g
            if out.kind is not ZERO:
                g = _project(g, out.dtype)
                ct[out.id] = g if out.id not in ct else ct[out.id] + g
        nb = len(batch or ())
        for node in reversed(self.nodes):
            if node.kind is LEAF:
                continue
            g = ct.pop(node.id, None)
            if g is None:
                continue  # never reached by a cotangent: skipped (symbolic zero)
            for parent, c in zip(node.parents, TRANSPOSES[node.kind](node, g, nb), strict=True):
                if parent is not None and c is not None:
                    c = _project(c, parent.dtype)
                    ct[parent.id] = c if parent.id not in ct else ct[parent.id] + c
        return tuple(self._leaf_cotangent(leaf, ct.get(leaf.id), batch or (), like, w) for leaf in self.inputs)

    @staticmethod
    def _leaf_cotangent(leaf: Node, r: Any, batch: tuple, like: Any, w: tuple) -> Any:
        if r is None:
            shape = (*batch, *leaf.shape)
            return np.zeros(shape, leaf.dtype) if like is None else np.zeros_like(like, shape=shape, dtype=leaf.dtype)
        if isinstance(r, np.ndarray) and (
            not r.flags.writeable or any(isinstance(g, np.ndarray) and np.may_share_memory(r, g) for g in w)
        ):
            r = r.copy()  # the caller owns the result: no broadcast views, no aliases of w
        return r


def _spec(x: Any) -> tuple[tuple, np.dtype]:
    if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], tuple | list):
        shape, dtype = tuple(x[0]), np.dtype(x[1])
    elif hasattr(x, "shape") and hasattr(x, "dtype"):
        shape, dtype = tuple(x.shape), np.dtype(x.dtype)
    else:
        raise TypeError(f"trace inputs are (shape, dtype) pairs or arrays, got {x!r}")
    if dtype.kind not in "fc":
        raise TypeError(f"a traced tangent has a float or complex dtype, got {dtype}")
    return shape, dtype


def trace(fn: Callable[..., Any], *inputs: Any) -> LinearMap:
    """Record ``fn`` (linear NumPy code) on traced tangents of the given ``(shape, dtype)`` (or arrays).

    >>> L = trace(lambda x, y: x @ np.eye(2) - y, ((2,), float), ((2,), float))
    >>> L.transpose(np.array([1.0, 2.0]))
    (array([1., 2.]), array([-1., -2.]))
    """
    leaves = [Node(LEAF, (), (), *_spec(x), {"index": i}) for i, x in enumerate(inputs)]
    result = fn(*(Lin(n) for n in leaves))
    single = not isinstance(result, tuple | list)
    outs = [result] if single else list(result)
    for o in outs:
        if not isinstance(o, Lin):
            raise TypeError(f"a traced function must return traced tangents (linear in its inputs), got {type(o)}")
    return LinearMap(leaves, outs, single)


from . import _linear_array  # noqa: E402, F401  (fill the tables)
from ._linear_math import masked_scale  # noqa: E402


def scaled_sum(terms: Sequence[tuple[Any, Lin, bool]], inputs: Sequence[Any]) -> Lin:
    """``Σ c_i · t_i`` recorded directly (the hot path of elementwise rules): one scale node per term.

    ``terms`` are ``(coefficient, traced tangent, masked)``; ``masked`` records the 0·inf := 0 scale of
    ``dirs.scale_finite``. A coefficient that shares memory with the rule's inputs or output (multiply's
    partial is the other operand, exp's is the output) is copied, so later writes to those arrays do not
    change the record (design §3.4); one computed afresh by the partial is kept as it is.
    """
    node: Node | None = None
    shape: tuple = ()
    dtype: Any = None
    for coef, lin, masked in terms:
        lnode = lin.node
        if lnode.kind is ZERO:
            continue
        c = _recorded(coef, inputs)
        lshape, ldtype = lnode.shape, lnode.dtype
        cshape = getattr(c, "shape", ())
        sshape = lshape if cshape == lshape[1:] or not cshape else _broadcast(lshape, cshape)
        cdtype = getattr(c, "dtype", None)
        sdtype = ldtype if cdtype is not None and cdtype == ldtype else _result_dtype(lin, c)  # dtype == None is
        # True for float64 in NumPy: compare only real dtypes
        term = Node("masked_scale" if masked else np.multiply, (lnode,), ((lshape, ldtype),), sshape, sdtype,
                    {"coef": c, "lin_first": False})
        if node is None:
            node, shape, dtype = term, sshape, sdtype
        else:
            tshape = shape if shape == sshape else _broadcast(shape, sshape)
            tdtype = dtype if dtype == sdtype else np.result_type(dtype, sdtype)
            node = Node(np.add, (node, term), ((shape, dtype), (sshape, sdtype)), tshape, tdtype, {})
            shape, dtype = tshape, tdtype
    if node is None:
        lin = terms[0][1]
        return _zero(np.broadcast_shapes(lin.shape, *(np.shape(c) for c, _, _ in terms)), lin.dtype)
    return Lin(node)


def recorded_sum(ufunc: Any, tangents: Sequence[Any], shape: tuple) -> Lin | None:
    """``add``/``subtract``/``negative``/``positive`` of traced tangents of the output's shape, recorded
    directly (the hot path); None when shapes or dtypes differ (the general handlers take over)."""
    lins = [t for t in tangents if t is not None]
    if ufunc not in (np.add, np.subtract, np.negative, np.positive) or any(
        not isinstance(t, Lin) or t.shape != shape or t.dtype != lins[0].dtype for t in lins
    ):
        return None
    dtype = lins[0].dtype
    if ufunc is np.positive or (ufunc is np.add and len(lins) == 1):
        return Lin(lins[0].node)
    if ufunc is np.negative or (ufunc is np.subtract and tangents[0] is None):
        if lins[-1].node.kind is ZERO:
            return _zero(shape, dtype)
        return Lin(Node(np.negative, (lins[-1].node,), ((shape, dtype),), shape, dtype, {}))
    if ufunc is np.subtract and tangents[1] is None:
        return Lin(lins[0].node)
    parents = tuple(None if t.node.kind is ZERO else t.node for t in lins)
    if all(p is None for p in parents):
        return _zero(shape, dtype)
    return Lin(Node(ufunc, parents, ((shape, dtype), (shape, dtype)), shape, dtype, {}))


def _broadcast(a: tuple, b: tuple) -> tuple:
    return a if a == b else np.broadcast_shapes(a, b)


def _recorded(c: Any, inputs: Sequence[Any]) -> Any:
    """A coefficient as the record keeps it: copied when it may alias an array someone can write to."""
    if isinstance(c, np.ndarray):
        if c.ndim == 0 or not c.flags.writeable:
            return c
        for x in inputs:
            if isinstance(x, np.ndarray) and np.may_share_memory(c, x):
                return c.copy()
        return c
    if hasattr(c, "__array_function__") and not isinstance(c, np.generic):
        return np.copy(c)  # a DualArray coefficient (forward over reverse)
    return c


def _fresh(handler: Callable[..., Any]) -> Callable[..., Any]:
    """A handler that never hands back one of its operands: a result is a new cell (a copy, not a view)."""

    def fresh(*args: Any, **kwargs: Any) -> Any:
        result = handler(*args, **kwargs)
        if isinstance(result, Lin) and (result._root is not None or any(result is a for a in args)):
            return Lin(result.node)
        return result

    fresh.__wrapped__ = handler
    return fresh


def _scatter_add(sign: float) -> Callable[..., None]:
    def at(a: Any, indices: Any, b: Any = None) -> None:
        if not isinstance(a, Lin):
            raise _not_linear("ufunc.at into a constant", "with a traced operand is not a write into a tangent")
        if b is None:
            raise _not_linear("a unary ufunc.at", "is not supported in reverse mode")
        a._write(indices, b if sign > 0 or not isinstance(b, Lin) else UFUNCS[np.negative](b), add=True)

    return at


def _copyto(dst: Any, src: Any, casting: str = "same_kind", where: Any = True) -> None:
    if not isinstance(dst, Lin):
        raise _not_linear(np.copyto, "into a constant destination is not a write into a traced tangent")
    if isinstance(where, Lin):
        raise _not_linear(np.copyto, "with a traced where= mask is not linear")
    mask = np.broadcast_to(np.asarray(where, dtype=bool), dst.shape)
    everywhere = bool(mask.all())
    if isinstance(src, Lin):
        src = FUNCTIONS[np.broadcast_to](src, dst.shape)
        if not everywhere:
            src = src[mask]
    dst._write(None, src, select=(lambda positions: positions) if everywhere else (lambda positions: positions[mask]))


def _put_along_axis(arr: Any, indices: Any, values: Any, axis: Any) -> None:
    if not isinstance(arr, Lin) or isinstance(indices, Lin):
        raise _not_linear(np.put_along_axis, "needs a traced destination and constant indices")
    indices = np.asarray(indices)

    def select(positions: np.ndarray) -> np.ndarray:
        if axis is None:
            return np.reshape(positions, (-1,))[indices]
        return np.take_along_axis(positions, indices, axis=axis)

    shape = select(np.arange(arr.size).reshape(arr.shape)).shape
    if isinstance(values, Lin):
        values = FUNCTIONS[np.broadcast_to](values, shape)
    arr._write(None, values, select=select)


def _reduceat(x: Any, indices: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> Lin:
    x = _require_lin(np.add.reduceat, x)
    _no_out(np.add.reduceat, out)
    if isinstance(indices, Lin):
        raise _not_linear(np.add.reduceat, "with traced indices is not linear")
    indices = np.array(indices, dtype=np.intp)
    axis = axis % x.ndim - x.ndim  # negative: batch axes of cotangents stay in front
    shape = list(x.shape)
    shape[axis] = indices.size
    result = _record("segment_sum", [x], tuple(shape), x.dtype, indices=indices, axis=axis)
    return result if dtype is None else FUNCTIONS[np.astype](result, dtype)


UFUNC_METHODS[(np.add, "reduceat")] = _reduceat
FUNCTIONS[np.copyto] = _copyto
FUNCTIONS[np.put_along_axis] = _put_along_axis
UFUNC_METHODS[(np.add, "at")] = _scatter_add(1.0)
UFUNC_METHODS[(np.subtract, "at")] = _scatter_add(-1.0)

for _table in (FUNCTIONS, UFUNCS, UFUNC_METHODS):
    for _key, _handler in list(_table.items()):
        _table[_key] = _fresh(_handler)
del _table, _key, _handler
