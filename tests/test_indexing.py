"""Indexing, assignment, ``+=`` through an index and ``np.add.at`` on hypothesis-generated keys.

Indexing is linear, so the oracle is exact: the tangent of ``y = x[key]`` is ``V[j][key]`` for each
direction j, and the tangent after ``y[key] = item`` (``+=``, ``np.add.at``, ``np.copyto``) is the same
assignment done by NumPy on the tangent arrays. Keys mix basic indices (ints, slices with negative
steps, Ellipsis, None) with integer arrays (negative and repeated entries) and boolean arrays, including
advanced indices separated by a slice, Ellipsis or None (NumPy then moves the broadcast index axes to
the front). Every check runs with k = 2 or 3 directions and compares each direction with a
single-direction run.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dualarray import DualArray

from .test_rules import relayout

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.filter_too_much])

BROADCAST_SHAPES = [(), (1,), (2,), (3,), (2, 1), (1, 3), (2, 3)]


@st.composite
def shapes(draw, min_ndim=1, max_ndim=4):
    return tuple(draw(st.lists(st.integers(1, 4), min_size=min_ndim, max_size=max_ndim)))


def _sub_broadcast(draw, shape):
    """A shape that broadcasts to ``shape``: leading axes dropped, some axes set to 1."""
    drop = draw(st.integers(0, len(shape)))
    kept = shape[drop:]
    return tuple(1 if draw(st.booleans()) and draw(st.booleans()) else n for n in kept)


@st.composite
def keys(draw, shape):
    """An index key for an array of ``shape`` (valid for NumPy: invalid draws are rejected)."""
    ndim = len(shape)
    bshape = draw(st.sampled_from(BROADCAST_SHAPES))
    entries = []
    axis = 0
    used_ellipsis = False
    n_entries = draw(st.integers(0, ndim + 2))
    for _ in range(n_entries):
        kinds = ["none"]
        if not used_ellipsis:
            kinds.append("ellipsis")
        if axis < ndim:
            kinds += ["int", "slice", "slice", "intarray", "intarray", "bool"]
        if axis + 1 < ndim:
            kinds.append("bool2")
        kind = draw(st.sampled_from(kinds))
        if kind == "none":
            entries.append(None)
        elif kind == "ellipsis":
            entries.append(Ellipsis)
            used_ellipsis = True
            # the entries after the Ellipsis index the trailing axes: reserve some of them
            axis = ndim - draw(st.integers(0, ndim - axis))
        elif kind == "int":
            n = shape[axis]
            entries.append(draw(st.integers(-n, n - 1)))
            axis += 1
        elif kind == "slice":
            n = shape[axis]
            start = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
            step = draw(st.sampled_from([None, 1, 2, 3, -1, -2, -3]))
            entries.append(slice(start, stop, step))
            axis += 1
        elif kind == "intarray":
            n = shape[axis]
            ishape = _sub_broadcast(draw, bshape)
            flat = draw(st.lists(st.integers(-n, n - 1), min_size=int(np.prod(ishape)), max_size=int(np.prod(ishape))))
            entries.append(np.array(flat, dtype=np.intp).reshape(ishape))
            axis += 1
        else:  # boolean masks over one or two axes
            span = 1 if kind == "bool" else 2
            mshape = shape[axis:axis + span]
            flat = draw(st.lists(st.booleans(), min_size=int(np.prod(mshape)), max_size=int(np.prod(mshape))))
            entries.append(np.array(flat, dtype=bool).reshape(mshape))
            axis += span
    key = tuple(entries)
    if len(key) == 1 and draw(st.booleans()):
        key = key[0]  # a bare (non-tuple) key
    try:
        np.empty(shape)[key]
    except IndexError:
        assume(False)
    return key


@st.composite
def separated_keys(draw, shape):
    """Two advanced indices separated by a slice, Ellipsis or None (NumPy moves their axes to the front),
    with optional basic entries before and after."""
    ndim = len(shape)
    assume(ndim >= 2)
    first = draw(st.integers(0, ndim - 2))
    second = draw(st.integers(first + 1, ndim - 1))

    def adv(axis):
        n = shape[axis]
        if draw(st.integers(0, 3)) == 0:
            return draw(st.integers(-n, n - 1))   # an int counts as an advanced index next to arrays
        ishape = draw(st.sampled_from([(1,), (2,), (2, 1), (1, 3)]))
        flat = draw(st.lists(st.integers(-n, n - 1), min_size=int(np.prod(ishape)), max_size=int(np.prod(ishape))))
        return np.array(flat, dtype=np.intp).reshape(ishape)

    def basic(axis):
        return draw(st.sampled_from([slice(None), slice(None, None, -1), slice(1, None), slice(None, None, 2)]))

    entries = [basic(a) for a in range(first)]
    entries.append(adv(first))
    between = [basic(a) for a in range(first + 1, second)]
    if not between or draw(st.booleans()):
        between = [draw(st.sampled_from([None, Ellipsis] if not between else [None]))] + between
    entries += between
    entries.append(adv(second))
    if Ellipsis not in between:
        entries += [basic(a) for a in range(second + 1, draw(st.integers(second + 1, ndim)))]
    key = tuple(entries)
    try:
        np.empty(shape)[key]
    except IndexError:
        assume(False)
    return key


def _describe(key):
    def one(e):
        if isinstance(e, np.ndarray):
            return f"np.array({e.tolist()})"
        if isinstance(e, slice):
            return f"{'' if e.start is None else e.start}:{'' if e.stop is None else e.stop}" + (
                "" if e.step is None else f":{e.step}")
        return "..." if e is Ellipsis else repr(e)
    return "[" + ", ".join(one(e) for e in (key if isinstance(key, tuple) else (key,))) + "]"


LAYOUTS = ("C", "F", "T", "neg")


def _in_layout(a, layout):
    return np.array(a, order="C") if layout == "C" else relayout(a, layout)


@st.composite
def indexed_arrays(draw):
    shape = draw(shapes())
    key = draw(st.one_of(keys(shape), separated_keys(shape)) if len(shape) >= 2 else keys(shape))
    k = draw(st.integers(2, 3))
    layout = draw(st.sampled_from(LAYOUTS))
    seed = draw(st.integers(0, 2**32 - 1))
    return shape, key, k, layout, seed


def _check_tangent(dual, expected_dirs, what):
    assert dual.tangent.shape == (len(expected_dirs), *expected_dirs[0].shape), (
        f"{what}: tangent shape {dual.tangent.shape} != {(len(expected_dirs), *expected_dirs[0].shape)}")
    for j, e in enumerate(expected_dirs):
        np.testing.assert_array_equal(dual.tangent[j], e, err_msg=f"{what}: direction {j}")


# ---------------------------------------------------------------- getitem
@SETTINGS
@given(indexed_arrays())
def test_getitem(params):
    shape, key, k, layout, seed = params
    rng = np.random.default_rng(seed)
    what = f"x{_describe(key)} of a {layout} {shape} array, k={k}"
    X = _in_layout(rng.standard_normal(shape), layout)
    V = rng.standard_normal((k, *shape))
    expected = X[key]
    y = DualArray(X, V, batched=True)[key]
    assert isinstance(y, DualArray), what
    assert y.shape == np.shape(expected) and y.dtype == expected.dtype, f"{what}: {y.shape} != {np.shape(expected)}"
    np.testing.assert_array_equal(y.value, expected, err_msg=f"{what}: value")
    _check_tangent(y, [V[j][key] for j in range(k)], what)
    for j in range(k):
        single = DualArray(X, V[j])[key]
        np.testing.assert_array_equal(single.tangent, V[j][key], err_msg=f"{what}: single run, direction {j}")

    # a view of the value is a view of the tangent: writes through it reach the parent (and only then)
    if isinstance(expected, np.ndarray) and np.shares_memory(expected, X):
        x = DualArray(X.copy(order="K"), V, batched=True)
        v = x[key]
        v *= 3
        Xw = X.copy(order="K")
        Xw[key] *= 3
        np.testing.assert_array_equal(x.value, Xw, err_msg=f"{what}: write through the view, value")
        expected_t = []
        for j in range(k):
            w = V[j].copy()
            w[key] *= 3
            expected_t.append(w)
        _check_tangent(x, expected_t, f"{what}: write through the view")


# ---------------------------------------------------------------- setitem, +=, add.at
@st.composite
def item_shapes(draw, target):
    """Shapes NumPy broadcasts into ``target``: itself, 1s in places, a suffix, or extra leading 1s."""
    kind = draw(st.sampled_from(["same", "ones", "suffix", "leading", "scalar"]))
    if kind == "same":
        return tuple(target)
    if kind == "ones":
        return tuple(1 if draw(st.booleans()) else n for n in target)
    if kind == "suffix":
        return tuple(target[draw(st.integers(0, len(target))):])
    if kind == "leading":
        return (1,) * draw(st.integers(1, 2)) + tuple(target)
    return ()


ITEM_KINDS = ("dual", "plain", "dual-no-tangent", "scalar")


@st.composite
def assignments(draw):
    shape, key, k, layout, seed = draw(indexed_arrays())
    target = np.empty(shape)[key].shape
    ishape = draw(item_shapes(target))
    kind = draw(st.sampled_from(ITEM_KINDS))
    return shape, key, k, layout, seed, ishape, kind


def _item(kind, ishape, k, rng):
    """(item for the DualArray run, its value, its tangents per direction (None = zero), single run j)."""
    value = rng.standard_normal(ishape)
    if kind == "scalar":
        v = float(rng.standard_normal())
        return v, v, None, lambda j: v
    if kind == "plain":
        return value, value, None, lambda j: value
    if kind == "dual-no-tangent":
        return DualArray(value), value, None, lambda j: DualArray(value)
    U = rng.standard_normal((k, *ishape))
    return DualArray(value, U, batched=True), value, U, lambda j: DualArray(value, U[j])


def _run_assignment(op, params):
    shape, key, k, layout, seed, ishape, kind = params
    rng = np.random.default_rng(seed)
    what = f"{op.__name__.strip('_')}: y{_describe(key)} with a {kind} item of shape {ishape}, {layout} {shape}, k={k}"
    Y = _in_layout(rng.standard_normal(shape), layout)
    W = rng.standard_normal((k, *shape))
    item, item_value, U, single_item = _item(kind, ishape, k, rng)

    expected = Y.copy(order="K")
    try:
        op(expected, key, item_value)
    except (ValueError, TypeError):  # NumPy refuses this item shape for this key
        assume(False)
    expected_t = []
    for j in range(k):
        w = W[j].copy()
        op(w, key, np.zeros(np.shape(item_value)) if U is None else U[j])
        expected_t.append(w)

    y = DualArray(Y.copy(order="K"), W, batched=True)
    op(y, key, item)
    np.testing.assert_array_equal(y.value, expected, err_msg=f"{what}: value")
    _check_tangent(y, expected_t, what)
    for j in range(k):
        s = DualArray(Y.copy(order="K"), W[j])
        op(s, key, single_item(j))
        np.testing.assert_array_equal(s.tangent, expected_t[j], err_msg=f"{what}: single run, direction {j}")


def _setitem(a, key, item):
    a[key] = item


def _iadd(a, key, item):
    a[key] += item


def _add_at(a, key, item):
    np.add.at(a, key, item)


@SETTINGS
@given(assignments())
def test_setitem(params):
    _run_assignment(_setitem, params)


@SETTINGS
@given(assignments())
def test_iadd_through_index(params):
    _run_assignment(_iadd, params)


@SETTINGS
@given(assignments())
def test_add_at(params):
    shape, key, *_, ishape, _kind = params
    # NumPy 2.4 itself segfaults on np.add.at with an item of more axes than the target
    # (np.add.at(np.zeros((4, 3)), (Ellipsis, 0), np.ones((1, 1, 4)))); it refuses them otherwise
    assume(len(ishape) <= np.empty(shape)[key].ndim)
    _run_assignment(_add_at, params)


# ---------------------------------------------------------------- copyto with broadcasting items
@SETTINGS
@given(st.data())
def test_copyto_broadcast(data):
    shape = data.draw(shapes(1, 3))
    ishape = data.draw(item_shapes(shape))
    k = data.draw(st.integers(2, 3))
    masked = data.draw(st.booleans())
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    what = f"np.copyto(y of shape {shape}, item of shape {ishape}, where={'mask' if masked else True}), k={k}"
    Y, W = rng.standard_normal(shape), rng.standard_normal((k, *shape))
    S, U = rng.standard_normal(ishape), rng.standard_normal((k, *ishape))
    where = rng.random(shape) < 0.5 if masked else True
    expected = Y.copy()
    np.copyto(expected, S, where=where)
    expected_t = []
    for j in range(k):
        w = W[j].copy()
        np.copyto(w, U[j], where=where)
        expected_t.append(w)
    y = DualArray(Y.copy(), W, batched=True)
    np.copyto(y, DualArray(S, U, batched=True), where=where)
    np.testing.assert_array_equal(y.value, expected, err_msg=what)
    _check_tangent(y, expected_t, what)


# ---------------------------------------------------------------- the reported keys, spelled out
def test_separated_advanced_indices_examples():
    rng = np.random.default_rng(0)
    X, V = rng.standard_normal((4, 3, 5)), rng.standard_normal((2, 4, 3, 5))
    for key in [([0, 2], slice(None), [1, 0]), (3, slice(2, None), [1, 3]), ([1, 2], None, [0, 2]),
                (np.array([[0], [3]]), Ellipsis, np.array([1, 2]))]:
        y = DualArray(X, V, batched=True)[key]
        np.testing.assert_array_equal(y.value, X[key])
        _check_tangent(y, [V[0][key], V[1][key]], f"x{_describe(key)}")


def test_setitem_broadcast_examples():
    rng = np.random.default_rng(1)
    x = DualArray(rng.standard_normal((3, 4)), rng.standard_normal((2, 3, 4)), batched=True)
    y = np.zeros_like(x)
    y[0] = x[1:2]
    _check_tangent(y, [np.concatenate([x.tangent[j][1:2], np.zeros((2, 4))]) for j in range(2)], "y[0] = x[1:2]")
    y = np.zeros_like(x)
    y[...] = x[None]
    _check_tangent(y, list(x.tangent), "y[...] = x[None]")
    y = np.zeros_like(x)
    np.copyto(y, x[None])
    _check_tangent(y, list(x.tangent), "np.copyto(y, x[None])")
