"""Sparse Jacobians and Hessians: detect the pattern once, colour it, evaluate compressed, decompress.

Prepare (once per input shape, dtype and argument layout): the dependency pattern of f is detected by
one recorded run (:mod:`dualarray._pattern`) and coloured (:mod:`dualarray._coloring`). Evaluate (every
call): one batched forward pass with one direction per column colour gives ``B = J S``; when rows
colour better (dense columns), one reverse pass with one cotangent per row colour gives ``B = Sᵀ J``;
a pattern with a few dense rows *and* a dense column takes those rows in reverse and the rest forward.
Hessians use a star colouring and forward-over-reverse products ``H S``, read back exactly symmetric.

Every call checks that ``B`` is zero wherever the pattern says it must be, and carries one more
direction (a fixed probe v) whose ``J·v`` must equal ``J_sparse·v``: a pattern detected at one x that
does not hold at another (value-dependent control flow or indexing, a float parameter that switches
a branch, a given pattern that is too small) raises instead of returning a wrong Jacobian.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import _coloring, _core, _pattern
from ._calling import _argnums, _call, _inexact, _outputs, _prepare, _private_copy, _result_dtype, _Transformed
from ._calling import _unpack as _unpack_output
from ._core import DualArray, new_tag
from ._linear import NotLinearError
from ._pattern import SparsityWarning
from ._transposes import ZERO

_READS_THAT_STEER = {
    # plain results computed from x's values that become indices
    "argsort", "argmax", "argmin", "nonzero", "argwhere", "flatnonzero", "searchsorted", "argpartition",
    "digitize", "lexsort", "nanargmax", "nanargmin",
    # rules that gather by an order, a knot interval or a mask computed from x inside them
    "sort", "sort_complex", "partition", "median", "nanmedian", "quantile", "nanquantile", "percentile",
    "nanpercentile", "unique", "unique_all", "unique_counts", "unique_inverse", "unique_values", "union1d",
    "intersect1d", "setdiff1d", "setxor1d", "interp", "piecewise",
}


class Detection:
    """A detected pattern: ``pattern`` (bool CSR, outputs × inputs), shapes, and what may weaken it."""

    def __init__(self, pattern: sp.csr_array, out_shape: tuple, reads: Sequence[str], dense: Sequence[str],
                 seconds: float):
        self.pattern = pattern
        self.out_shape = out_shape
        self.reads = tuple(dict.fromkeys(reads))
        self.dense = tuple(dict.fromkeys(dense))
        self.seconds = seconds

    @property
    def path_dependent(self) -> tuple[str, ...]:
        """Functions f used that turn x's values into indices (argsort, nonzero, ...): the pattern may
        hold only near this x. Comparisons alone are not listed (np.where keeps both branches)."""
        return tuple(r for r in self.reads if r.rsplit(".", 1)[-1] in _READS_THAT_STEER)


def _as_pattern(p: sp.csr_array) -> sp.csr_array:
    q = sp.csr_array(p, dtype=bool)
    q.sum_duplicates()
    q.sort_indices()
    return q


def detect(f: Callable[..., Any], args: Sequence[Any], kwargs: dict, num: int, where: str) -> Detection:
    """The global dependency pattern of ``f(*args)`` on ``args[num]`` (one recorded run)."""
    from . import _reverse

    start = time.perf_counter()
    constants = _pattern.start_constants()
    reads: list[str] = []
    _core.PATTERN_READS = reads
    try:
        lin = _reverse.linearize_call(f, args, kwargs, (num,), where)
    except NotLinearError as err:
        raise NotLinearError(
            f"{where}: the sparsity pattern is detected from a recorded run, and {err} Give the pattern "
            "yourself (sparsity=a boolean array or scipy.sparse matrix of shape (outputs, inputs)), or use a "
            "dense Jacobian"
        ) from err
    finally:
        _pattern.stop_constants()
        _core.PATTERN_READS = None
    if lin.is_tuple:
        raise ValueError(f"{where}: f returned a tuple; a sparse Jacobian needs one array output (np.concatenate "
                         "the outputs)")
    n = math.prod(lin.in_shapes[0])
    out = lin.map.outputs[0]
    out_shape = tuple(np.shape(lin.values[0]))
    m = math.prod(out_shape)
    if out.kind is ZERO:
        pattern = sp.csr_array((m, n), dtype=bool)
        dense: list[str] = []
    else:
        patterns, dense = _pattern.propagate(lin.map.nodes, lin.map.inputs, constants)
        pattern = _as_pattern(patterns[out.id])
    _pattern.warn_conservative(dense, where)
    detection = Detection(pattern, out_shape, reads, dense, time.perf_counter() - start)
    if detection.path_dependent:
        warnings.warn(
            f"{where}: f computes indices from x's values ({', '.join(detection.path_dependent)}): the detected "
            "pattern may hold only near this x. Every sparse evaluation checks it and raises if it does not",
            SparsityWarning, stacklevel=3,
        )
    return detection


def _given(sparsity: Any, m: int, n: int, where: str) -> sp.csr_array:
    p = sp.csr_array(sparsity) if sp.issparse(sparsity) else sp.csr_array(np.asarray(sparsity) != 0)
    if p.shape != (m, n):
        raise ValueError(f"{where}: sparsity= has shape {p.shape}, but the Jacobian has shape ({m}, {n}) "
                         "(outputs, inputs: flattened in C order)")
    return _as_pattern(p != 0)


def _key(args: Sequence[Any], kwargs: dict, num: int) -> tuple:
    """What the pattern is prepared for: every argument's shape and dtype, argnums; ints, bools and
    strings by value (they may choose shapes or branches), floats by kind (``solve_ivp``'s t changes
    every call, as a Python float or a NumPy scalar: the pattern holds for every value, and each
    evaluation checks it)."""

    def one(a: Any) -> Any:
        if isinstance(a, float | complex | np.floating | np.complexfloating):
            return ("scalar", "complex" if isinstance(a, complex | np.complexfloating) else "float")  # float, f64
        if hasattr(a, "shape") and hasattr(a, "dtype"):
            return ("array", tuple(a.shape), str(a.dtype))
        if isinstance(a, bool | int | str | None):
            return ("scalar", type(a).__name__, a)
        if isinstance(a, tuple | list):
            return (type(a).__name__, tuple(one(b) for b in a))
        return ("object", id(a))

    return (num, tuple(one(a) for a in args), tuple(sorted((k, one(v)) for k, v in kwargs.items())))


# ------------------------------------------------------------------------------------ evaluation
def _push(f: Callable[..., Any], args: Sequence[Any], kwargs: dict, num: int, directions: np.ndarray,
          where: str) -> tuple[Any, np.ndarray]:
    """``(f(x), J·Sᵀ)`` for the seed rows ``directions`` (``(c, *x.shape)``) in one batched pass: ``(m, c)``."""
    tag = new_tag()
    call = list(args)
    x = call[num]
    call[num] = DualArray(_private_copy(x), directions, batched=True, tag=tag)
    outs, is_tuple = _outputs(_call(f, call, kwargs, where))
    if is_tuple:
        raise ValueError(f"{where}: f returned a tuple; a sparse Jacobian needs one array output")
    value, t = _unpack_output(outs[0], tag, where)
    c = directions.shape[0]
    m = math.prod(np.shape(value))
    if t is None:
        return value, np.zeros((m, c), dtype=_result_dtype(value, directions.dtype))
    return value, np.reshape(np.asarray(t), (c, m)).T


def _pull(f: Callable[..., Any], args: Sequence[Any], kwargs: dict, num: int, rows: np.ndarray,
          where: str) -> tuple[Any, np.ndarray]:
    """``(f(x), S·J)`` for the cotangent rows ``rows`` (``(c, m)``) in one reverse pass: ``(c, n)``."""
    from . import _reverse

    lin = _reverse.linearize_call(f, args, kwargs, (num,), where)
    value = lin.values[0]
    c = rows.shape[0]
    (ct,) = lin.pull([rows.reshape((c, *np.shape(value))).astype(_inexact(value.dtype))], 1)
    return value, np.reshape(np.asarray(ct), (c, -1))


def _stale(where: str, what: str, index: tuple, reads: Sequence[str]) -> ValueError:
    hint = f" (f used {', '.join(reads)})" if reads else ""
    return ValueError(
        f"{where}: the derivative at this x has a nonzero {what} {index} where the sparsity pattern has none: "
        f"f's dependencies change with x{hint}, or a value is NaN/inf. The pattern was detected at another "
        "point; pass one valid for every x (sparsity=...), or use a dense Jacobian"
    )


class Plan:
    """How one prepared pattern is evaluated: which rows go in reverse mode, and the colourings."""

    def __init__(self, pattern: sp.csr_array, orders: Sequence[str], real_output: bool):
        start = time.perf_counter()
        self.pattern = pattern
        m, n = pattern.shape
        counts = np.diff(pattern.indptr)
        forward = _coloring.color_columns(pattern, orders) if m else (np.zeros(n, np.intp), "none")
        candidates = [np.zeros(m, dtype=bool)]
        if real_output and m:
            # rows in reverse cost ≥ 2 × (most entries in a column) colours: tried only when that can win
            column_bound = int(np.bincount(pattern.indices, minlength=n).max(initial=0))
            if 2 * column_bound < _count(forward[0]):
                candidates.append(np.ones(m, dtype=bool))
            median = float(np.median(counts))
            dense_counts = np.unique(counts[counts > max(2 * median, 2)])[::-1][:4]
            candidates.extend(counts >= t for t in dense_counts)
        best = None
        for reverse_rows in candidates:
            forward_rows = ~reverse_rows
            if not reverse_rows.any():
                col = forward
            else:
                col = _coloring.color_columns(pattern[forward_rows], orders) if forward_rows.any() else (
                    np.zeros(n, np.intp), "none")
            row = _coloring.color_rows(pattern[reverse_rows], orders) if reverse_rows.any() else (
                np.zeros(0, np.intp), "none")
            nc = _count(col[0]) if forward_rows.any() else 0
            nr = _count(row[0])
            cost = nc + 2 * nr  # a reverse cotangent costs about two forward directions
            if best is None or cost < best[0]:
                best = (cost, reverse_rows, col, row, nc, nr)
        assert best is not None
        _, self.reverse_rows, (self.colors, order_c), (self.row_colors, order_r), self.ncolumn, self.nrow = best
        self.forward_rows = ~self.reverse_rows
        self.order = order_c if not self.reverse_rows.any() else (
            order_r if not self.forward_rows.any() else f"{order_c} + rows {order_r}")
        self.fwd_pattern = _as_pattern(pattern[self.forward_rows])
        self.rev_pattern = _as_pattern(pattern[self.reverse_rows])
        self.fwd_predicted = _coloring.predicted(self.fwd_pattern, self.colors) if self.ncolumn else None
        self.rev_predicted = (_coloring.predicted(sp.csr_array(self.rev_pattern.T), self.row_colors).T
                              if self.nrow else None)
        self._seeds: dict = {}
        self.seconds = time.perf_counter() - start

    @property
    def ncolors(self) -> int:
        return self.ncolumn + self.nrow

    def forward_seeds(self, dtype: Any, shape: tuple) -> tuple[np.ndarray, np.ndarray]:
        """``(S, v)``: one seed per column colour and the probe v last, shaped ``(c + 1, *shape)`` (cached)."""
        key = ("forward", np.dtype(dtype), shape)
        cached = self._seeds.get(key)
        if cached is None:
            v = probe(self.pattern.shape[1], dtype)
            s = np.concatenate([_coloring.seeds(self.colors, dtype)[:self.ncolumn], v[None]])
            cached = self._seeds[key] = (s.reshape((self.ncolumn + 1, *shape)), v)
        return cached

    def reverse_seeds(self) -> tuple[np.ndarray, np.ndarray]:
        """``(W, u)``: one cotangent per row colour on the reverse rows and the probe u last (cached)."""
        cached = self._seeds.get("reverse")
        if cached is None:
            rows = np.flatnonzero(self.reverse_rows)
            u = probe(rows.size, np.float64)
            w = np.zeros((self.nrow + 1, self.pattern.shape[0]))
            w[:-1, rows] = _coloring.seeds(self.row_colors, np.float64)
            w[-1, rows] = u
            cached = self._seeds["reverse"] = (w, u)
        return cached

    @property
    def mode(self) -> str:
        if not self.nrow:
            return "forward"
        return "reverse" if not self.ncolumn else "forward + reverse"


def _count(colors: np.ndarray) -> int:
    return int(colors.max()) + 1 if colors.size else 0


def probe(size: int, dtype: Any) -> np.ndarray:
    """A fixed direction with entries ±[0.5, 1.5) (seeded by its size): a J·v the pattern must reproduce."""
    rng = np.random.default_rng(0x5EED + size)
    return (rng.uniform(0.5, 1.5, size) * rng.choice([-1.0, 1.0], size)).astype(dtype)


def check_probe(where: str, what: str, assembled: np.ndarray, direct: np.ndarray, scale: np.ndarray,
                reads: Sequence[str]) -> None:
    """Raise unless the assembled sparse product equals f's own derivative along the probe.

    The compressed check sees an entry outside the pattern only when it lands in a colour the row does
    not use; a new dependency sharing a colour is summed into a predicted entry. The probe sees it:
    ``J_sparse·v`` and ``J·v`` (one more direction in the same pass) differ by that entry times ±[0.5, 1.5).
    Compared to √eps of the dtype relative to ``|J|·|v| + |J·v|``; non-finite entries are not compared.
    """
    dtype = np.result_type(assembled, direct)
    tol = np.sqrt(np.finfo(dtype).eps) * (scale + np.abs(direct)) + np.finfo(dtype).tiny
    bad = np.isfinite(assembled) & np.isfinite(direct) & ~(np.abs(assembled - direct) <= tol)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        hint = f" (f used {', '.join(reads)})" if reads else ""
        raise ValueError(
            f"{where}: the derivative at this x has entries the sparsity pattern does not hold: along a probe "
            f"direction, {what} {i} is {direct[i]!r} by AD but {assembled[i]!r} from the pattern's entries. f's "
            f"dependencies change with x{hint}, or the given pattern is too small. The pattern was detected at "
            "another point; pass one valid for every x (sparsity=...), or use a dense Jacobian"
        )


def _local_pass(kernel: Any, f: Any, args: Any, kwargs: dict, num: int, rows: np.ndarray, where: str,
                axis: int) -> tuple[Any, np.ndarray]:
    """All seed rows in one pass here (the default of :func:`evaluate`; ``_distributed.colour_groups`` is the
    other)."""
    return kernel(f, args, kwargs, num, rows, where)


def evaluate(f: Callable[..., Any], args: list, kwargs: dict, num: int, plan: Plan, reads: Sequence[str],
             where: str, pass_: Any = _local_pass) -> tuple[Any, sp.csr_array]:
    """``(f(x), J)`` with J as ``scipy.sparse.csr_array`` holding every pattern entry.

    Each pass carries one probe direction (cotangent, in reverse) beside the colours, checked by
    :func:`check_probe`: a pattern that does not hold at this x raises instead of returning a wrong J.
    ``pass_`` runs the seed rows (locally in one pass, or as tasks of a cluster).
    """
    x = args[num]
    shape, dtype = np.shape(x), _inexact(x.dtype)
    m, n = plan.pattern.shape
    if m == 0 or n == 0:
        value = _plain_value(f, args, kwargs)
        return value, sp.csr_array((m, n), dtype=_result_dtype(value, dtype))
    value = None
    pieces = []
    if plan.ncolumn or not plan.nrow:
        s, v = plan.forward_seeds(dtype, shape)
        value, b = pass_(_push, f, args, kwargs, num, s, where, 1)
        rows = np.flatnonzero(plan.forward_rows)
        b = b[rows] if plan.nrow else b
        b, along_v = b[:, :-1], b[:, -1]
        bad = (b != 0) & ~plan.fwd_predicted if plan.ncolumn else np.zeros(b.shape, bool)
        if bad.any():
            i, c = np.argwhere(bad)[0]
            raise _stale(where, "compressed entry (row, colour)", (int(rows[i]), int(c)), reads)
        block = _coloring.decompress_columns(plan.fwd_pattern, plan.colors, b) if plan.ncolumn else sp.csr_array(
            (rows.size, n), dtype=b.dtype)
        check_probe(where, "output", block @ v, along_v, abs(block) @ np.abs(v), reads)
        pieces.append((rows, block))
    if plan.nrow:
        rows = np.flatnonzero(plan.reverse_rows)
        w, u = plan.reverse_seeds()
        value, bt = pass_(_pull, f, args, kwargs, num, w, where, 0)
        bt, u_along = bt[:-1], bt[-1]
        bad = (bt != 0) & ~plan.rev_predicted
        if bad.any():
            c, j = np.argwhere(bad)[0]
            raise _stale(where, "compressed entry (colour, column)", (int(c), int(j)), reads)
        block = sp.csr_array(_coloring.decompress_columns(sp.csr_array(plan.rev_pattern.T), plan.row_colors,
                                                          bt.T).T)
        check_probe(where, "input (a cotangent probe)", block.T @ u, u_along, abs(block).T @ np.abs(u), reads)
        pieces.append((rows, block))
    out_dtype = _result_dtype(value, dtype)
    if len(pieces) == 1 and pieces[0][0].size == m:
        j = pieces[0][1]
    else:
        j = _stack_rows(pieces, m, n)
    j = sp.csr_array((np.asarray(j.data, dtype=out_dtype), j.indices, j.indptr), shape=(m, n))
    j.sort_indices()
    return value, j


def _stack_rows(pieces: list, m: int, n: int) -> sp.csr_array:
    """Rows of J from blocks ``(row numbers, rows)``."""
    coo = [sp.coo_array(block) for _, block in pieces]
    r = np.concatenate([rows[c.row] for (rows, _), c in zip(pieces, coo, strict=True)])
    cidx = np.concatenate([c.col for c in coo])
    data = np.concatenate([c.data for c in coo])
    return sp.csr_array((data, (r, cidx)), shape=(m, n))


# --------------------------------------------------------------------------------- the callables
def _real_input(args: Sequence[Any], kwargs: dict, num: int, where: str, error: type) -> tuple[list, tuple]:
    """The arguments with ``args[num]`` made an inexact array, and the key they are prepared for."""
    args = list(args)
    args[num] = _prepare(args[num], where)
    if np.issubdtype(args[num].dtype, np.complexfloating):
        raise error(f"{where}: sparsity= with a complex input is not supported; differentiate "
                    "lambda w: f(w[0] + 1j * w[1]) at np.stack([z.real, z.imag])")
    return args, _key(args, kwargs, num)


class _Prepared:
    def __init__(self, detection: Detection | None, plan: Any, in_shape: tuple, out_shape: tuple):
        self.detection = detection
        self.plan = plan
        self.in_shape = in_shape
        self.out_shape = out_shape


class SparseJacobian(_Transformed):
    r"""Sparse Jacobian callable made by ``jacobian(f, sparsity=...)``, returning ``csr_array`` of shape ``(m, n)``.

    Detection and colouring happen on the first call for each input shape/dtype/argument layout and
    are reused; every call is one batched pass with one direction per colour, checked against the
    pattern and along one extra probe direction (an entry the pattern does not predict raises).

    Parameters
    ----------
    f : callable
        The function, ``m`` outputs of ``n`` inputs in argument ``argnums``.
    argnums : int
        The differentiated positional argument.
    sparsity : "auto" or array_like or scipy.sparse matrix
        ``"auto"`` detects the pattern; otherwise the boolean pattern to use, shape ``(m, n)``.
    orders : sequence of str
        The vertex orders tried by the colouring (the fewest colours win).
    with_value : bool, default False
        Return ``(f(x), J)`` instead of ``J`` (``value_and_jacobian``).
    scheduler : dask.distributed.Client, optional
        Run the compressed passes on a cluster.
    chunk_size : int, optional
        Colours per pass.

    Attributes
    ----------
    sparsity : scipy.sparse.csr_array
        The boolean pattern in use.
    colors : ndarray
        The colour of each column (``row_colors`` for rows taken in reverse mode).
    ncolors : int
        The number of directions per evaluation.
    mode : str
        ``"forward"``, ``"reverse"`` or ``"forward + reverse"`` (dense rows in reverse mode).
    timings : dict
        Seconds spent detecting and colouring.

    See Also
    --------
    jacobian : The public way to make one.

    Notes
    -----
    Columns :math:`j, k` share a colour only when no row depends on both (distance-2 colouring), so
    the compressed product :math:`B = J S` with the seed :math:`S_{jc} = [\text{colour}(j) = c]` holds
    each nonzero :math:`J_{ij}` alone in :math:`B_{i,\text{colour}(j)}`.

    Examples
    --------
    >>> import numpy as np
    >>> import dualarray as da
    >>> J = da.jacobian(lambda x: x[1:] * x[:-1], sparsity="auto")
    >>> J(np.arange(1.0, 6.0)).toarray()[0]
    array([2., 1., 0., 0., 0.])
    >>> J.ncolors  # x[i] and x[i + 2] never meet in one output
    2
    """

    def __init__(self, f: Callable[..., Any], argnums: int, sparsity: Any, orders: Sequence[str],
                 with_value: bool = False, scheduler: Any = None, chunk_size: int | None = None):
        self.f = f
        self.pass_ = _local_pass
        if scheduler is not None:
            from . import _distributed

            _distributed.check_scheduler(scheduler, "jacobian")
            self.pass_ = _distributed.colour_groups(scheduler, chunk_size)
        self.argnums = argnums
        self.given = None if isinstance(sparsity, str) else sparsity
        if isinstance(sparsity, str) and sparsity != "auto":
            raise ValueError(f"jacobian: sparsity= is 'auto', a boolean array or a scipy.sparse pattern, got "
                             f"{sparsity!r}")
        self.orders = tuple(orders)
        self.with_value = with_value
        self.cache: dict[tuple, _Prepared] = {}
        self.last: _Prepared | None = None
        super().__init__(self._evaluate, f"jacobian({getattr(f, '__name__', 'f')}, sparsity)")

    def _num(self, nargs: int) -> int:
        nums, many = _argnums(self.argnums, nargs, "jacobian")
        if many or len(nums) != 1:
            raise ValueError("jacobian: sparsity= needs one differentiated argument (argnums an int); "
                             "concatenate several inputs into one array")
        return nums[0]

    def prepare(self, *args: Any, **kwargs: Any) -> _Prepared:
        num = self._num(len(args))
        args, key = _real_input(args, kwargs, num, "jacobian", NotImplementedError)
        prepared = self.cache.get(key)
        if prepared is None:
            x = args[num]
            detection = detect(self.f, args, kwargs, num, "jacobian") if self.given is None else None
            if detection is not None:
                pattern, out_shape = detection.pattern, detection.out_shape
            else:
                out_shape = tuple(np.shape(_plain_value(self.f, args, kwargs)))
                pattern = _given(self.given, math.prod(out_shape), x.size, "jacobian")
            plan = Plan(pattern, self.orders, real_output=True)
            prepared = self.cache[key] = _Prepared(detection, plan, np.shape(x), out_shape)
        self.last = prepared
        return prepared

    def _evaluate(self, *args: Any, **kwargs: Any) -> Any:
        prepared = self.prepare(*args, **kwargs)
        num = self._num(len(args))
        args = list(args)
        args[num] = _prepare(args[num], "jacobian")
        reads = prepared.detection.reads if prepared.detection is not None else ()
        plan = prepared.plan
        value, j = evaluate(self.f, args, kwargs, num, plan, reads, "jacobian", self.pass_)
        return (value, j) if self.with_value else j

    # what the last prepared pattern is
    def _need(self) -> _Prepared:
        if self.last is None:
            raise AttributeError("call the sparse Jacobian (or .prepare(x)) first: the pattern depends on x's shape")
        return self.last

    @property
    def sparsity(self) -> sp.csr_array:
        return self._need().plan.pattern

    @property
    def colors(self) -> np.ndarray:
        return self._need().plan.colors

    @property
    def row_colors(self) -> np.ndarray:
        return self._need().plan.row_colors

    @property
    def ncolors(self) -> int:
        return self._need().plan.ncolors

    @property
    def mode(self) -> str:
        return self._need().plan.mode

    @property
    def sparsity_path_dependent(self) -> tuple[str, ...]:
        d = self._need().detection
        return () if d is None else d.path_dependent

    @property
    def timings(self) -> dict[str, float]:
        p = self._need()
        return {"detect": 0.0 if p.detection is None else p.detection.seconds, "color": p.plan.seconds}


def _plain_value(f: Callable[..., Any], args: Sequence[Any], kwargs: dict) -> Any:
    return _call(f, list(args), kwargs, "jacobian")


# ------------------------------------------------------------------------------------- Hessians
def _gradient_of(f: Callable[..., Any], num: int) -> Callable[..., Any]:
    from . import _reverse

    def grad(*args: Any, **kwargs: Any) -> Any:
        return _reverse.gradient(f, args, kwargs, num, "hessian")[1]

    return grad


class HessianPlan:
    def __init__(self, pattern: sp.csr_array, orders: Sequence[str]):
        start = time.perf_counter()
        n = pattern.shape[0]
        self.pattern = _as_pattern(pattern + pattern.T + sp.eye_array(n, format="csr", dtype=bool))
        self.colors, self.order = _coloring.color_symmetric(self.pattern, orders)
        self.ncolors = _count(self.colors)
        self.predicted = _coloring.predicted(self.pattern, self.colors)
        self._seeds: dict = {}
        self.seconds = time.perf_counter() - start

    def seeds(self, dtype: Any, shape: tuple) -> tuple[np.ndarray, np.ndarray]:
        """``(S, v)``: one seed per colour and the probe v last, shaped ``(c + 1, *shape)`` (cached)."""
        key = (np.dtype(dtype), shape)
        cached = self._seeds.get(key)
        if cached is None:
            v = probe(self.pattern.shape[0], dtype)
            s = np.concatenate([_coloring.seeds(self.colors, dtype), v[None]])
            cached = self._seeds[key] = (s.reshape((self.ncolors + 1, *shape)), v)
        return cached


class SparseHessian(_Transformed):
    """Sparse Hessian callable made by ``hessian(f, sparsity=...)``, returning a symmetric ``csr_array``.

    The pattern (the Jacobian pattern of the reverse-mode gradient, with the diagonal) is star coloured
    once per input shape/dtype; each call is one forward-over-reverse pass with one direction per colour.

    Parameters
    ----------
    f : callable
        A real scalar function of argument ``argnums``.
    argnums : int
        The differentiated positional argument.
    sparsity : "auto" or array_like or scipy.sparse matrix
        ``"auto"`` detects the pattern; otherwise a symmetric boolean pattern.
    orders : sequence of str
        The vertex orders tried by the star colouring.

    Attributes
    ----------
    sparsity : scipy.sparse.csr_array
        The symmetric boolean pattern in use.
    colors : ndarray
        The colour of each input.
    ncolors : int
        The number of forward directions per evaluation.
    timings : dict
        Seconds spent detecting and colouring.

    See Also
    --------
    hessian : The public way to make one.

    Notes
    -----
    A star colouring (every path on four vertices uses at least three colours) lets each
    :math:`H_{ij}` be read from :math:`H S` using the symmetry :math:`H_{ij} = H_{ji}`.

    Examples
    --------
    >>> import numpy as np
    >>> import dualarray as da
    >>> H = da.hessian(lambda x: np.sum(x[1:] * x[:-1] ** 2), sparsity="auto")
    >>> H(np.ones(4)).toarray()
    array([[2., 2., 0., 0.],
           [2., 2., 2., 0.],
           [0., 2., 2., 2.],
           [0., 0., 2., 0.]])
    """

    def __init__(self, f: Callable[..., Any], argnums: int, sparsity: Any, orders: Sequence[str]):
        self.f = f
        self.argnums = argnums
        if isinstance(sparsity, str) and sparsity != "auto":
            raise ValueError(f"hessian: sparsity= is 'auto', a boolean array or a scipy.sparse pattern, got "
                             f"{sparsity!r}")
        self.given = None if isinstance(sparsity, str) else sparsity
        self.orders = tuple(orders)
        self.cache: dict[tuple, tuple[Detection | None, HessianPlan]] = {}
        self.last: tuple[Detection | None, HessianPlan] | None = None
        super().__init__(self._evaluate, f"hessian({getattr(f, '__name__', 'f')}, sparsity)")

    def prepare(self, *args: Any, **kwargs: Any) -> tuple[Detection | None, HessianPlan]:
        nums, many = _argnums(self.argnums, len(args), "hessian")
        if many or len(nums) != 1:
            raise ValueError("hessian: argnums must be one int (one differentiated argument)")
        num = nums[0]
        args, key = _real_input(args, kwargs, num, "hessian", TypeError)  # TypeError, as the dense hessian
        entry = self.cache.get(key)
        if entry is None:
            x = args[num]
            if self.given is None:
                detection = detect(_gradient_of(self.f, num), args, kwargs, num, "hessian")
                pattern = detection.pattern
            else:
                detection = None
                pattern = _given(self.given, x.size, x.size, "hessian")
            entry = self.cache[key] = (detection, HessianPlan(pattern, self.orders))
        self.last = entry
        return entry

    def _evaluate(self, *args: Any, **kwargs: Any) -> sp.csr_array:
        detection, plan = self.prepare(*args, **kwargs)
        (num,), _ = _argnums(self.argnums, len(args), "hessian")
        args = list(args)
        args[num] = _prepare(args[num], "hessian")
        x = args[num]
        dtype = _inexact(x.dtype)
        reads = detection.reads if detection is not None else ()
        if x.size == 0:
            return sp.csr_array((0, 0), dtype=dtype)
        s, v = plan.seeds(dtype, np.shape(x))
        _, b = _push(_gradient_of(self.f, num), args, kwargs, num, s, "hessian")
        b, along_v = b[:, :-1], b[:, -1]
        bad = (b != 0) & ~plan.predicted
        if bad.any():
            i, c = np.argwhere(bad)[0]
            raise _stale("hessian", "compressed entry (row, colour)", (int(i), int(c)), reads)
        h = _coloring.decompress_symmetric(plan.pattern, plan.colors, b)
        check_probe("hessian", "row", h @ v, along_v, abs(h) @ np.abs(v), reads)
        return sp.csr_array((h.data.astype(dtype, copy=False), h.indices, h.indptr), shape=h.shape)

    def _need(self) -> tuple[Detection | None, HessianPlan]:
        if self.last is None:
            raise AttributeError("call the sparse Hessian (or .prepare(x)) first: the pattern depends on x's shape")
        return self.last

    @property
    def sparsity(self) -> sp.csr_array:
        return self._need()[1].pattern

    @property
    def colors(self) -> np.ndarray:
        return self._need()[1].colors

    @property
    def ncolors(self) -> int:
        return self._need()[1].ncolors

    @property
    def sparsity_path_dependent(self) -> tuple[str, ...]:
        d = self._need()[0]
        return () if d is None else d.path_dependent

    @property
    def timings(self) -> dict[str, float]:
        d, p = self._need()
        return {"detect": 0.0 if d is None else d.seconds, "color": p.seconds}


# ------------------------------------------------------------------------------ pattern queries
def jacobian_sparsity(f: Callable[..., Any], argnums: int = 0) -> Callable[..., sp.csr_array]:
    """Dependency pattern of the Jacobian of ``f``: which inputs each output depends on, for every x.

    One recorded run of f read structurally: ``np.where``, ``select``, ``clip``, ``maximum`` keep both
    branches, comparisons and piecewise-constant functions add nothing, a coefficient that is zero at
    this x is kept, zeros of constant arrays and of ``scipy.sparse`` matrices are structural.
    Value-dependent indexing (``argsort``, ``nonzero``, ...) warns :class:`SparsityWarning`.

    Parameters
    ----------
    f : callable
        A function of NumPy arrays.
    argnums : int, default 0
        The positional argument whose dependencies are traced.

    Returns
    -------
    callable
        ``pattern(*args, **kwargs)`` returning a boolean ``scipy.sparse.csr_array`` of shape
        ``(f(x).size, x.size)`` (outputs × inputs, C order).

    See Also
    --------
    hessian_sparsity : The pattern of the Hessian.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import jacobian_sparsity
    >>> jacobian_sparsity(lambda x: x[1:] - x[:-1])(np.zeros(3)).toarray()
    array([[ True,  True, False],
           [False,  True,  True]])
    """
    def pattern(*args: Any, **kwargs: Any) -> sp.csr_array:
        (num,), many = _argnums(argnums, len(args), "jacobian_sparsity")
        if many:
            raise ValueError("jacobian_sparsity: argnums must be one int")
        args = list(args)
        args[num] = _prepare(args[num], "jacobian_sparsity")
        return detect(f, args, kwargs, num, "jacobian_sparsity").pattern

    return _Transformed(pattern, f"jacobian_sparsity({getattr(f, '__name__', 'f')})")


def hessian_sparsity(f: Callable[..., Any], argnums: int = 0) -> Callable[..., sp.csr_array]:
    r"""Dependency pattern of the Hessian of a scalar ``f``, symmetric.

    The Jacobian pattern of the reverse-mode gradient, symmetrized: :math:`P + P^{\mathsf T}`.

    Parameters
    ----------
    f : callable
        A real scalar function of NumPy arrays.
    argnums : int, default 0
        The positional argument whose dependencies are traced.

    Returns
    -------
    callable
        ``pattern(*args, **kwargs)`` returning a boolean ``scipy.sparse.csr_array`` of shape
        ``(x.size, x.size)``.

    See Also
    --------
    jacobian_sparsity : The pattern of a Jacobian.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import hessian_sparsity
    >>> hessian_sparsity(lambda x: np.sum(x[1:] * x[:-1]))(np.zeros(3)).toarray()
    array([[False,  True, False],
           [ True, False,  True],
           [False,  True, False]])
    """
    def pattern(*args: Any, **kwargs: Any) -> sp.csr_array:
        (num,), many = _argnums(argnums, len(args), "hessian_sparsity")
        if many:
            raise ValueError("hessian_sparsity: argnums must be one int")
        args = list(args)
        args[num] = _prepare(args[num], "hessian_sparsity")
        p = detect(_gradient_of(f, num), args, kwargs, num, "hessian_sparsity").pattern
        return _as_pattern(p + p.T)

    return _Transformed(pattern, f"hessian_sparsity({getattr(f, '__name__', 'f')})")
