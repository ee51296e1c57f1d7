"""Colourings of sparsity patterns, and decompression of compressed Jacobians and Hessians.

*Column colouring* (partial distance-2, Gebremedhin, Manne & Pothen 2005): columns that share no row
get one colour, so ``B = J S`` (one seed direction per colour, ``S[j, c] = [colour(j) = c]``) holds
every entry once: ``J[i, j] = B[i, colour(j)]``. *Row colouring* is the same on ``Jᵀ`` (reverse mode,
``B = Sᵀ J``). Greedy colouring is run in several vertex orders and the fewest colours kept: natural,
largest-first, smallest-last and dynamic-largest-first (both peeled in rounds: every vertex of the
current minimum, or maximum, remaining degree at once, which keeps them vectorized), then DSATUR when
the greedy orders stay far above the lower bound. The greedy pass
is SciPy's compiled Curtis-Powell-Reid grouping (``scipy.optimize._numdiff.group_columns``), which is
sequential first-fit colouring in the given order.

*Star colouring* of a symmetric pattern (Hessians): a distance-1 colouring in which every path on
four vertices uses at least three colours. Then for each off-diagonal ``(i, j)`` the colour of ``j``
is unique in row ``i``, or the colour of ``i`` in row ``j``, so ``H = Hᵀ`` is read directly from
``B = H S``, each pair from one side (exactly symmetric). An arrowhead Hessian needs 2 colours where a
column colouring needs n.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

ORDERS = ("natural", "largest_first", "smallest_last", "dynamic_largest_first")


def _bool(p: sp.sparray) -> sp.csr_array:
    q = sp.csr_array(p, dtype=np.float32, copy=True)
    q.data[:] = 1
    q.sum_duplicates()
    return q


def conflict_graph(p: sp.sparray) -> sp.csr_array:
    """Columns sharing a row (``PᵀP``), without the diagonal."""
    q = _bool(p)
    g = sp.csr_array(q.T @ q)
    g.setdiag(0)
    g.eliminate_zeros()
    return g


def _peel(g: sp.csr_array, smallest: bool, max_rounds: int = 256) -> np.ndarray:
    """Vertices in the order they are removed, every vertex of the least (most) remaining degree per
    round; after ``max_rounds`` the rest follow by degree."""
    n = g.shape[0]
    degree = np.diff(g.indptr).astype(np.int64)
    alive = np.ones(n, dtype=bool)
    order: list[np.ndarray] = []
    for _ in range(max_rounds):
        if not alive.any():
            break
        d = np.where(alive, degree, np.iinfo(np.int64).max if smallest else -1)
        target = d.min() if smallest else d.max()
        take = np.flatnonzero(alive & (degree == target))
        order.append(take)
        alive[take] = False
        degree -= np.asarray(g[take].sum(axis=0)).astype(np.int64).reshape(-1)
    rest = np.flatnonzero(alive)
    if rest.size:
        order.append(rest[np.argsort(degree[rest] if smallest else -degree[rest], kind="stable")])
    return np.concatenate(order) if order else np.zeros(0, np.intp)


def vertex_order(g: sp.csr_array, name: str) -> np.ndarray:
    n = g.shape[0]
    if name == "natural":
        return np.arange(n)
    if name == "largest_first":
        return np.argsort(-np.diff(g.indptr), kind="stable")
    if name == "smallest_last":
        return _peel(g, smallest=True)[::-1].copy()
    if name == "dynamic_largest_first":
        return _peel(g, smallest=False)
    raise ValueError(f"unknown vertex order {name!r}; use one of {ORDERS}")


def _greedy_columns(p: sp.sparray, order: np.ndarray) -> np.ndarray:
    """First-fit colours of the columns of ``p`` taken in ``order`` (SciPy's compiled CPR grouping)."""
    from scipy.optimize._numdiff import group_columns

    if p.shape[1] == 0:
        return np.zeros(0, np.intp)
    return np.asarray(group_columns(sp.csc_array(p), order=order), dtype=np.intp)


DSATUR_MAX_EDGES = 2_000_000
"""DSATUR is a per-vertex loop (about 1.2 µs per conflict edge): larger conflict graphs skip it."""


def dsatur(g: sp.csr_array) -> np.ndarray:
    """Brélaz's DSATUR colouring of the graph ``g``: always colour next the vertex whose neighbours
    already use the most distinct colours (ties: the highest degree), with the smallest free colour.

    It finds the optimum 5 colours of the 2-D 5-point stencil, where every greedy order stays at 7;
    it is sequential by nature, so it runs as a plain loop over Python ints (colours as bit sets).
    """
    n = g.shape[0]
    indptr, indices = g.indptr.tolist(), g.indices.tolist()
    degree = np.diff(g.indptr).tolist()
    forbidden = [0] * n  # bit c set: a neighbour has colour c
    saturation = [0] * n
    colors = [-1] * n
    heap = [(0, -degree[v], v) for v in range(n)]
    heapq.heapify(heap)
    while heap:
        s, _, v = heapq.heappop(heap)
        if colors[v] >= 0 or -s != saturation[v]:
            continue  # a stale entry: v was coloured, or its saturation grew since
        f = forbidden[v]
        c = (~f & (f + 1)).bit_length() - 1  # the lowest clear bit
        colors[v] = c
        bit = 1 << c
        for w in indices[indptr[v]: indptr[v + 1]]:
            if colors[w] < 0 and not forbidden[w] & bit:
                forbidden[w] |= bit
                saturation[w] += 1
                heapq.heappush(heap, (-saturation[w], -degree[w], w))
    return np.asarray(colors, dtype=np.intp)


def color_columns(p: sp.sparray, orders: Sequence[str] = ORDERS) -> tuple[np.ndarray, str]:
    """``(colours, order)``: a partial distance-2 column colouring with the fewest colours found.

    Greedy first-fit in each vertex order; then DSATUR on the column conflict graph when the best is
    still more than a third above the lower bound (the most entries in a row) and the graph is small
    enough for its loop (:data:`DSATUR_MAX_EDGES`).
    """
    p = _bool(p)
    bound = max(int(np.diff(p.indptr).max(initial=0)), 1)
    g = None
    best: tuple[np.ndarray, str] | None = None
    for name in orders:
        if name != "natural" and g is None:
            g = conflict_graph(p)
        order = np.arange(p.shape[1]) if name == "natural" else vertex_order(g, name)
        colors = _greedy_columns(p, order)
        if best is None or _count(colors) < _count(best[0]):
            best = (colors, name)
        if _count(best[0]) <= bound:
            return best  # a row with k entries needs k colours: nothing can beat this
    assert best is not None
    if 3 * _count(best[0]) > 4 * bound:
        g = conflict_graph(p) if g is None else g
        if g.nnz <= DSATUR_MAX_EDGES:
            colors = dsatur(g)
            if _count(colors) < _count(best[0]):
                best = (colors, "dsatur")
    return best


def color_rows(p: sp.sparray, orders: Sequence[str] = ORDERS) -> tuple[np.ndarray, str]:
    return color_columns(sp.csr_array(p).T, orders)


def _count(colors: np.ndarray) -> int:
    return int(colors.max()) + 1 if colors.size else 0


def seeds(colors: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The seed matrix as rows: ``S[c, j] = 1`` where column ``j`` has colour ``c`` (shape ``(ncolors, n)``)."""
    s = np.zeros((_count(colors), colors.size), dtype=dtype)
    s[colors, np.arange(colors.size)] = 1
    return s


# ---------------------------------------------------------------------------------- decompression
def decompress_columns(p: sp.csr_array, colors: np.ndarray, compressed: np.ndarray) -> sp.csr_array:
    """``J`` with J's pattern ``p`` from ``B = J S`` (``compressed[i, c]``); every pattern entry is kept."""
    rows = np.repeat(np.arange(p.shape[0]), np.diff(p.indptr))
    data = compressed[rows, colors[p.indices]]
    return sp.csr_array((data, p.indices.copy(), p.indptr.copy()), shape=p.shape)


def predicted(p: sp.csr_array, colors: np.ndarray) -> np.ndarray:
    """Which entries of ``B = J S`` the pattern allows to be nonzero (shape ``(m, ncolors)``)."""
    q = _bool(p)
    onehot = sp.csr_array((np.ones(colors.size, np.float32), (np.arange(colors.size), colors)),
                          shape=(colors.size, _count(colors)))
    return (q @ onehot).toarray() > 0


# ------------------------------------------------------------------------------ star colouring
def _star_greedy(g: sp.csr_array, order: np.ndarray) -> np.ndarray:
    """Greedy star colouring of the graph ``g`` (no diagonal) in ``order``.

    A colour c is forbidden for v when a neighbour has it (distance 1), or when giving it to v would
    make a two-coloured path on four vertices: v(c)-w(a)-x(c)-y(a) (x has another neighbour y ≠ w of
    colour a) or w'(a)-v(c)-w(a)-x(c) (v has two neighbours of colour a).
    """
    n = g.shape[0]
    indptr, indices = g.indptr, g.indices
    colors = np.full(n, -1, dtype=np.intp)
    width = 8
    counts = np.zeros((n, width), dtype=np.int32)  # counts[x, a]: coloured neighbours of x with colour a
    for v in order:
        nb = indices[indptr[v]: indptr[v + 1]]
        cn = colors[nb]
        mine = nb[cn >= 0]
        forbidden = set(colors[mine].tolist())
        for w in mine:
            a = colors[w]
            xs = indices[indptr[w]: indptr[w + 1]]
            xs = xs[(xs != v) & (colors[xs] >= 0)]
            if not xs.size:
                continue
            if counts[v, a] >= 2:
                forbidden.update(colors[xs].tolist())
            else:
                forbidden.update(colors[xs[counts[xs, a] >= 2]].tolist())
        c = 0
        while c in forbidden:
            c += 1
        colors[v] = c
        if c >= width:
            width *= 2
            counts = np.concatenate([counts, np.zeros((n, width - counts.shape[1]), np.int32)], axis=1)
        counts[nb, c] += 1
    return colors


def is_star_coloring(g: sp.csr_array, colors: np.ndarray) -> bool:
    """Every edge is read from one side: colour(j) unique in row i or colour(i) unique in row j."""
    unique = _unique_in_row(g, colors)
    i, j = _edges(g)
    return bool(np.all(colors[i] != colors[j])) and bool(np.all(unique[0] | unique[1]))


def _edges(g: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    rows = np.repeat(np.arange(g.shape[0]), np.diff(g.indptr))
    return rows, g.indices


def _unique_in_row(g: sp.csr_array, colors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each stored ``(i, j)``: is colour(j) unique among i's closed neighbourhood; is colour(i) in j's."""
    n = g.shape[0]
    closed = _bool(g + sp.eye_array(n, format="csr"))
    onehot = sp.csr_array((np.ones(n, np.float32), (np.arange(n), colors)), shape=(n, _count(colors)))
    per_row = (closed @ onehot).toarray()
    i, j = _edges(g)
    return per_row[i, colors[j]] == 1, per_row[j, colors[i]] == 1


def color_symmetric(p: sp.sparray, orders: Sequence[str] = ORDERS) -> tuple[np.ndarray, str]:
    """``(colours, order)``: a star colouring of a symmetric pattern with the fewest colours found.

    A distance-2 colouring (the column colouring of ``p`` with its diagonal) is a star colouring too;
    it is tried first. The most entries in a row bounds distance-2 colourings only (an arrowhead needs
    n of those, 2 star colours), so the star greedy runs unless the distance-2 colouring already has
    3 colours or fewer and 2 are impossible (2 star colours exist only for star forests: every edge
    touches a vertex of degree 1).
    """
    n = p.shape[0]
    q = _bool(p + p.T + sp.eye_array(n, format="csr"))
    best = color_columns(q, orders)
    g = sp.csr_array(q, copy=True)
    g.setdiag(0)
    g.eliminate_zeros()
    if _count(best[0]) <= 2:
        return best
    if _count(best[0]) == 3:
        degree = np.diff(g.indptr)
        i, j = _edges(g)
        if not np.all((degree[i] == 1) | (degree[j] == 1)):
            return best
    for name in orders:
        colors = _star_greedy(g, vertex_order(g, name))
        if _count(colors) < _count(best[0]):
            best = (colors, f"star/{name}")
        if _count(best[0]) <= 2:
            break
    return best


def decompress_symmetric(p: sp.csr_array, colors: np.ndarray, compressed: np.ndarray) -> sp.csr_array:
    """Symmetric ``H`` with pattern ``p`` (diagonal included) from ``B = H S``, each pair from one side."""
    n = p.shape[0]
    q = sp.csr_array(_bool(p + p.T))
    rows, cols = _edges(q)
    off = rows != cols
    g = sp.csr_array((np.ones(int(off.sum()), np.float32), (rows[off], cols[off])), shape=(n, n))
    data = np.empty(rows.size, dtype=compressed.dtype)
    diag = ~off
    data[diag] = compressed[rows[diag], colors[rows[diag]]]
    if off.any():
        u_ij, _ = _unique_in_row(g, colors)
        gi, gj = _edges(g)  # the off-diagonal entries of q, in q's (canonical) order
        mirror = _mirror(g)
        # one value per unordered pair, read in the row of its smaller index when that colour is unique
        # there, else in the other row: H[i, j] and H[j, i] are the same number
        lo, hi = np.minimum(gi, gj), np.maximum(gi, gj)
        unique_lo = np.where(gi < gj, u_ij, u_ij[mirror])
        data[off] = np.where(unique_lo, compressed[lo, colors[hi]], compressed[hi, colors[lo]])
    return sp.csr_array((data, q.indices.copy(), q.indptr.copy()), shape=(n, n))


def _mirror(g: sp.csr_array) -> np.ndarray:
    """For each stored entry (i, j) of a symmetric pattern, the position of the entry (j, i)."""
    numbered = sp.csr_array((np.arange(1, g.nnz + 1, dtype=np.float64), g.indices, g.indptr), shape=g.shape)
    t = sp.csr_array(numbered.T)
    t.sort_indices()
    return t.data.astype(np.intp) - 1
