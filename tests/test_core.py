"""The DualArray container: construction, NumPy semantics, indexing, views, in-place updates, tags."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

import dualarray as da
from dualarray import DualArray, new_tag


def test_seed_examples():
    def square(x):
        return x * x

    def cube(x):
        return x * x * x

    y = square(DualArray(3.1, 1))
    assert math.isclose(y.value, 9.61) and math.isclose(y.tangent, 6.2)
    y = cube(DualArray(2, 1))
    assert y.value == 8 and y.tangent == 12
    y = np.exp(DualArray(3, 1))
    assert y.value == np.exp(3) and y.tangent == np.exp(3)
    x = np.linspace(0.0, 10.0, 100)
    np.testing.assert_allclose(square(DualArray(x, 1.0)).tangent, 2 * x, rtol=1e-15)
    np.testing.assert_allclose((DualArray(x, 1.0) ** 2).tangent, 2 * x, rtol=1e-15)
    x = np.linspace(0.0, 1.23, 100)
    np.testing.assert_allclose(np.exp(2 * DualArray(x, 1.0)).tangent, 2 * np.exp(2 * x), rtol=1e-15)


def test_symbolic_zero_tangent():
    x = DualArray(np.arange(3.0))
    assert x._tangent is None
    y = np.exp(x) * 2 + 1
    assert y._tangent is None
    np.testing.assert_array_equal(y.tangent, np.zeros(3))
    assert DualArray(np.ones(2), 0.0)._tangent is None


def test_tangent_broadcasts_and_dtypes():
    x = DualArray(np.ones((2, 3), dtype=np.float32), 1.0)
    assert x.tangent.shape == (2, 3) and x.tangent.dtype == np.float32
    y = np.sin(x) * 2.0
    assert y.dtype == np.float32 and y.tangent.dtype == np.float32
    i = DualArray(np.arange(3), 1.0)
    assert i.dtype == np.int64 and i.tangent.dtype == np.float64
    z = i * i
    assert z.dtype == np.int64
    np.testing.assert_array_equal(z.tangent, 2.0 * np.arange(3))
    with pytest.raises(ValueError, match="does not broadcast"):
        DualArray(np.ones(3), np.ones(4))


def test_batched_directions():
    v = np.arange(6.0).reshape(2, 3)
    t = np.stack([np.ones((2, 3)), np.full((2, 3), 2.0)])
    x = DualArray(v, t, batched=True)
    assert x.ndir == 2 and x.tangent.shape == (2, 2, 3)
    y = (x * x).sum(axis=1)
    assert y.tangent.shape == (2, 2)
    np.testing.assert_allclose(y.tangent, [2 * v.sum(1), 4 * v.sum(1)])
    with pytest.raises(ValueError, match="batched=True needs"):
        DualArray(v, None, batched=True)


@pytest.mark.parametrize("k_axis", [0, -1])
def test_k_equal_to_a_dimension_does_not_misbroadcast(k_axis):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4))
    b = rng.standard_normal(4)
    c = rng.standard_normal((3, 1))
    k = a.shape[k_axis]
    tangents = rng.standard_normal((k, 3, 4))
    for f in (lambda x: x * b, lambda x: x + c, lambda x: np.sum(x * b, axis=0), lambda x: x @ b,
              lambda x: np.exp(x)[:, 1:] * c, lambda x: b @ x.T):
        batched = f(DualArray(a, tangents, batched=True)).tangent
        for j in range(k):
            np.testing.assert_allclose(batched[j], f(DualArray(a, tangents[j])).tangent, rtol=1e-14)


def test_mixing_direction_counts_raises():
    x = DualArray(np.ones(3), np.ones((2, 3)), batched=True)
    y = DualArray(np.ones(3), np.ones((4, 3)), batched=True)
    with pytest.raises(ValueError, match="2 and 4 directions"):
        x + y
    # a symbolic-zero single dual combines with anything
    assert (x + DualArray(np.ones(3))).ndir == 2


def test_ndarray_surface():
    rng = np.random.default_rng(1)
    v = rng.standard_normal((2, 3))
    t = rng.standard_normal((2, 3))
    x = DualArray(v, t)
    assert (x.shape, x.ndim, x.size, x.dtype, len(x)) == ((2, 3), 2, 6, np.float64, 2)
    checks = {
        "T": (x.T, v.T, t.T), "mT": (x.mT, v.mT, t.mT),
        "reshape": (x.reshape(3, 2), v.reshape(3, 2), t.reshape(3, 2)),
        "reshape_tuple": (x.reshape((6,)), v.reshape(6), t.reshape(6)),
        "transpose": (x.transpose(1, 0), v.T, t.T),
        "swapaxes": (x.swapaxes(0, 1), v.T, t.T),
        "ravel": (x.ravel(), v.ravel(), t.ravel()), "flatten": (x.flatten(), v.ravel(), t.ravel()),
        "squeeze": (x[None].squeeze(), v, t),
        "sum": (x.sum(axis=0), v.sum(0), t.sum(0)), "mean": (x.mean(), v.mean(), t.mean()),
        "cumsum": (x.cumsum(axis=1), v.cumsum(1), t.cumsum(1)),
        "max": (x.max(axis=1), v.max(1), t[np.arange(2), v.argmax(1)]),
        "min": (x.min(), v.min(), t.ravel()[v.argmin()]),
        "dot": (x.dot(np.ones(3)), v @ np.ones(3), t @ np.ones(3)),
        "clip": (x.clip(-0.5, 0.5), v.clip(-0.5, 0.5), np.where(np.abs(v) < 0.5, t, 0)),
        "conj": (x.conj(), v, t), "real": (x.real, v, t), "imag": (x.imag, v * 0, t * 0),
        "copy": (x.copy(), v, t), "astype": (x.astype(np.float32), v.astype(np.float32), t.astype(np.float32)),
        "prod": (x.prod(axis=1), v.prod(1), (t * (v.prod(1, keepdims=True) / v)).sum(1)),
        "cumprod": (x.cumprod(), v.cumprod(), np.cumsum(t.ravel() / v.ravel()) * v.cumprod()),
    }
    for name, (got, value, tangent) in checks.items():
        np.testing.assert_array_equal(got.value, value, err_msg=name)
        np.testing.assert_allclose(got.tangent, tangent, rtol=1e-12, atol=1e-14, err_msg=name)
    assert [r.value.tolist() for r in x] == v.tolist()
    assert x.astype(int).dtype == np.int64 and x.astype(int)._tangent is None
    assert bool(DualArray(2.0, 1.0)) and not bool(DualArray(0.0, 1.0))
    with pytest.raises(ValueError):
        bool(x)


def test_repr_pickle_copy():
    x = DualArray(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert repr(x) == "DualArray([1., 2.], tangent=[3., 4.])"
    assert repr(DualArray(3.1, 1)) == "DualArray(3.1, tangent=1.0)"
    assert repr(DualArray(np.ones(2), np.ones((1, 2)), batched=True)) == "DualArray([1., 1.], tangents=[[1., 1.]])"
    for y in (pickle.loads(pickle.dumps(x)), copy.copy(x), copy.deepcopy(x)):
        np.testing.assert_array_equal(y.value, x.value)
        np.testing.assert_array_equal(y.tangent, x.tangent)
        assert y.tag == x.tag
    deep = copy.deepcopy(x)
    deep[0] = 10.0
    assert x.value[0] == 1.0


def test_indexing_basic_advanced_boolean():
    rng = np.random.default_rng(2)
    v = rng.standard_normal((3, 4))
    t = rng.standard_normal((3, 4))
    x = DualArray(v, t)
    for index in [1, (1, 2), slice(1, 3), (Ellipsis, 1), (None, 0), np.array([2, 0]), ([0, 2], [1, 3]),
                  v > 0, (slice(None), [True, False, True, False]), (1, None, slice(None, None, -1))]:
        got = x[index]
        np.testing.assert_array_equal(got.value, v[index])
        np.testing.assert_array_equal(got.tangent, t[index])
    np.testing.assert_array_equal(x[DualArray(np.array([0]), 0.0)].tangent, t[[0]])  # integers carry no derivative
    with pytest.raises(TypeError, match="only integers and booleans"):
        x[DualArray(np.array([0.0]), 1.0)]


def test_setitem_and_views_share_memory():
    x = DualArray(np.zeros(5), np.zeros(5))
    view = x[1:3]
    view[...] = DualArray(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_array_equal(x.value, [0, 1, 2, 0, 0])
    np.testing.assert_array_equal(x.tangent, [0, 3, 4, 0, 0])
    x[3] = 7.0  # a plain right-hand side zeroes the tangent there
    x[2] = 5.0
    np.testing.assert_array_equal(x.value, [0, 1, 5, 7, 0])
    np.testing.assert_array_equal(x.tangent, [0, 3, 0, 0, 0])
    # a symbolic-zero parent gets a real tangent when a view is written
    y = DualArray(np.zeros((2, 2)))
    row = y[0]
    row[:] = DualArray(np.ones(2), 2.0)
    np.testing.assert_array_equal(y.tangent, [[2, 2], [0, 0]])
    # reshape and transpose are views too
    z = DualArray(np.zeros((2, 3)), np.zeros((2, 3)))
    z.T[0, 1] = DualArray(1.0, 1.0)
    assert z.value[1, 0] == 1.0 and z.tangent[1, 0] == 1.0
    z.reshape(6)[5] = DualArray(2.0, 3.0)
    assert z.value[1, 2] == 2.0 and z.tangent[1, 2] == 3.0
    # boolean-mask writes with broadcasting tangents
    w = DualArray(np.arange(4.0), np.zeros(4))
    w[w.value > 1] = DualArray(np.array([9.0, 9.0]), 1.0)
    np.testing.assert_array_equal(w.tangent, [0, 0, 1, 1])


def test_in_place_operators_are_alias_safe():
    x = DualArray(2.0, 1.0)
    x *= x
    assert x.value == 4.0 and x.tangent == 4.0  # PyTorch gets 6 here
    a = DualArray(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    ident = id(a)
    a += 1
    a -= DualArray(np.array([0.5, 0.5]), np.array([0.0, 1.0]))
    a /= 2
    a **= 2
    a @= np.eye(2)
    assert id(a) == ident
    # value: ((x + 1 - 0.5) / 2)**2, tangent: 2·((x + 0.5)/2)·(dx - dy)/2
    v = np.array([1.0, 2.0])
    np.testing.assert_allclose(a.value, ((v + 0.5) / 2) ** 2)
    np.testing.assert_allclose(a.tangent, 2 * ((v + 0.5) / 2) * np.array([1.0, -1.0]) / 2)
    b = DualArray(np.arange(3.0), 1.0)
    view = b[:2]
    view += 10
    np.testing.assert_array_equal(b.value, [10, 11, 2])


def test_in_place_casting_follows_numpy():
    x = DualArray(np.arange(3), 1.0)
    with pytest.raises(TypeError, match="Cannot cast"):
        x += 1.5
    x += 1
    np.testing.assert_array_equal(x.value, [1, 2, 3])


def test_out_and_where_keywords():
    x = DualArray(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0]))
    out = DualArray(np.full(3, -1.0), np.full(3, -2.0))
    r = np.multiply(x, x, out=out, where=np.array([True, False, True]))
    assert r is out
    np.testing.assert_array_equal(out.value, [1, -1, 9])
    np.testing.assert_array_equal(out.tangent, [2, -2, 6])
    r = np.exp(x, out=(out,))
    np.testing.assert_allclose(out.tangent, np.exp([1.0, 2.0, 3.0]))
    y = np.add(x, 1.0, dtype=np.float32)
    assert y.dtype == np.float32 and y.tangent.dtype == np.float32
    m, e = np.frexp(x)
    assert isinstance(e, np.ndarray) and e.dtype.kind == "i"
    np.testing.assert_allclose(m.tangent, 1 / 2.0**e)


def test_comparisons_return_plain_arrays():
    x = DualArray(np.array([1.0, np.nan, 3.0]), 1.0)
    for r in (x == 1.0, x < 2, x >= x, np.isnan(x), np.isfinite(x), np.signbit(x), np.logical_not(x),
              np.logical_and(x, x)):
        assert type(r) is np.ndarray
    assert type(np.isnan(DualArray(1.0, 1.0))) is np.bool_
    i = DualArray(np.array([1, 2]), 1.0)
    assert type(i & 1) is np.ndarray and type(~i) is np.ndarray


def test_ufunc_methods():
    rng = np.random.default_rng(3)
    v = rng.standard_normal((3, 4))
    t = rng.standard_normal((3, 4))
    x = DualArray(v, t)
    np.testing.assert_allclose(np.add.reduce(x, axis=1).tangent, t.sum(1))
    np.testing.assert_allclose(np.add.accumulate(x, axis=1).tangent, t.cumsum(1))
    np.testing.assert_allclose(np.add.reduceat(x, [0, 2], axis=1).tangent, np.add.reduceat(t, [0, 2], axis=1))
    o = np.multiply.outer(x[0], x[1])
    np.testing.assert_allclose(o.tangent, np.multiply.outer(t[0], v[1]) + np.multiply.outer(v[0], t[1]))
    with pytest.raises(NotImplementedError, match="numpy.multiply.reduceat"):
        np.multiply.reduceat(x, [0, 2])


@pytest.mark.parametrize("ufunc", [np.add, np.subtract, np.multiply, np.maximum, np.minimum])
def test_ufunc_at_accumulates_repeated_indices(ufunc):
    rng = np.random.default_rng(4)
    v = rng.uniform(1, 2, 5)
    t = rng.standard_normal(5)
    b = rng.uniform(1, 2, 4)
    tb = rng.standard_normal(4)
    idx = np.array([0, 2, 0, 4])

    def run(x, bx):
        a = DualArray(x.copy(), t.copy())
        ufunc.at(a, idx, DualArray(bx, tb))
        return a

    a = run(v, b)
    plain = v.copy()
    ufunc.at(plain, idx, b)
    np.testing.assert_array_equal(a.value, plain)
    h = 1e-6

    def shifted(s):
        p = v + s * t
        ufunc.at(p, idx, b + s * tb)
        return p

    np.testing.assert_allclose(a.tangent, (shifted(h) - shifted(-h)) / (2 * h), rtol=1e-6, atol=1e-8)


def test_ufunc_at_negative_unary():
    a = DualArray(np.arange(4.0), np.ones(4))
    np.negative.at(a, [0, 2])
    np.testing.assert_array_equal(a.value, [0, 1, -2, 3])
    np.testing.assert_array_equal(a.tangent, [-1, 1, -1, 1])


def test_complex_values():
    z = DualArray(3 + 4j, 1.0)
    assert np.abs(z).tangent == pytest.approx(0.6)
    assert np.abs(DualArray(3 + 4j, 1j)).tangent == pytest.approx(0.8)
    assert np.exp(z).tangent == pytest.approx(np.exp(3 + 4j))
    assert np.conjugate(DualArray(1 + 1j, 1j)).tangent == -1j
    assert z.real.tangent == 1 and z.imag.tangent == 0
    assert DualArray(1 + 1j, 1j).imag.tangent == 1


def test_tags_nest_newest_outermost():
    # d/dx [x · d/dy (x + y)] at x = 1 is 1 with fresh tags (2 with perturbation confusion)
    tx = new_tag()
    x = DualArray(1.0, 1.0, tag=tx)
    ty = new_tag()
    y = DualArray(1.0, 1.0, tag=ty)
    inner = x + y
    assert inner.tag == ty and isinstance(inner.value, DualArray)
    d_inner = inner.tangent  # d/dy (x + y) = 1, a constant w.r.t. x
    result = x * d_inner
    assert result.tangent == 1.0
    # the default tag behaves like the classic ε
    z = DualArray(2.0, 1.0) * DualArray(3.0, 1.0)
    assert z.tangent == 5.0
    with pytest.raises(ValueError, match="newer tag"):
        DualArray(DualArray(1.0, 1.0), 1.0)


def test_second_derivative_by_nesting():
    a, b = new_tag(), new_tag()
    x = DualArray(DualArray(0.7, 1.0, tag=a), 1.0, tag=b)
    y = np.sin(x) * x
    # d²/dx² x·sin x = 2 cos x − x sin x
    assert y.tangent.tangent == pytest.approx(2 * np.cos(0.7) - 0.7 * np.sin(0.7))
    assert y.value.tangent == pytest.approx(np.sin(0.7) + 0.7 * np.cos(0.7))


def test_nested_writes_into_zeros_like():
    a, b = new_tag(), new_tag()
    x = DualArray(DualArray(np.array([1.0, 2.0]), 1.0, tag=a), 1.0, tag=b)
    out = np.zeros_like(x)
    out[0] = x[0] ** 3
    out[1] = x[1] * 2
    second = out.tangent.tangent
    np.testing.assert_allclose(second, [6.0, 0.0])


def test_foreign_types_get_notimplemented():
    class Wrapper:
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return "wrapper"

    x = DualArray(np.ones(2), 1.0)
    assert np.add(x, Wrapper()) == "wrapper"
    assert x.__array_ufunc__(np.add, "__call__", x, Wrapper()) is NotImplemented


def test_register_ufunc_for_user_functions():
    my_exp = np.frompyfunc(math.exp, 1, 1)
    x = DualArray(np.array([0.0, 1.0], dtype=object), 1.0)
    with pytest.raises(TypeError, match="register_ufunc"):
        my_exp(x)
    da.register_ufunc(my_exp, lambda x, y: y)
    try:
        np.testing.assert_allclose(my_exp(x).tangent.astype(float), [1.0, math.e])
        with pytest.raises(ValueError, match="already has a rule"):
            da.register_ufunc(my_exp, lambda x, y: y)
    finally:
        from dualarray._registry import PARTIALS

        PARTIALS.pop(my_exp)


def test_more_ndarray_methods():
    rng = np.random.default_rng(5)
    v = rng.standard_normal((3, 4))
    t = rng.standard_normal((3, 4))
    x = DualArray(v, t)
    for name, args in [("var", {"axis": 0}), ("std", {"ddof": 1}), ("ptp", {"axis": 1}), ("trace", {}),
                       ("diagonal", {}), ("round", {"decimals": 1}), ("take", {"indices": [0, 5]}),
                       ("repeat", {"repeats": 2, "axis": 0})]:
        got = getattr(x, name)(**args)
        want = getattr(np, name)(x, **args)
        np.testing.assert_array_equal(got.value, getattr(np, name)(v, **args))
        np.testing.assert_array_equal(got.tangent, want.tangent)
    for name in ("argmax", "argmin", "argsort", "nonzero", "any", "all"):
        np.testing.assert_array_equal(getattr(x, name)(), getattr(v, name)())
    y = DualArray(v.copy(), t.copy())
    y.sort(axis=1)
    order = np.argsort(v, axis=1)
    np.testing.assert_array_equal(y.value, np.take_along_axis(v, order, 1))
    np.testing.assert_array_equal(y.tangent, np.take_along_axis(t, order, 1))


# ---------------------------------------------------------------- regressions: indexing, in-place, methods
SEPARATED_KEYS = [
    ([0, 2], slice(None), [1, 0]),         # advanced indices separated by a slice: their axes go first
    (2, slice(2, None), [1, 3]),            # an integer next to an array counts as advanced
    ([0, 1], None, [1, 0]),                 # separated by None
    (1, Ellipsis, [0, 2]),                  # separated by Ellipsis
    ([[0], [2]], slice(1, 3), [1, 0]),      # broadcast index arrays (2, 2) go first
    (np.array([True, False, True]), slice(None), [4, 0]),   # a boolean array is advanced too
]


def _batched(shape, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return DualArray(rng.standard_normal(shape), rng.standard_normal((k, *shape)), batched=True)


@pytest.mark.parametrize("key", SEPARATED_KEYS)
def test_getitem_with_separated_advanced_indices(key):
    x = _batched((3, 4, 5))
    y = x[key]
    assert y.value.shape == x.value[key].shape
    for j in range(3):  # indexing is linear: each direction's tangent is the tangent indexed the same way
        np.testing.assert_array_equal(y.tangent[j], x.tangent[j][key])
    J = da.jacobian(lambda v: v[key])(x.value)
    assert np.array_equal(J, da.jacobian(lambda v: v[key], chunk_size=1)(x.value))
    eye = np.eye(x.size).reshape((x.size, *x.shape))
    np.testing.assert_array_equal(np.moveaxis(J.reshape(*y.shape, -1), -1, 0), np.stack([e[key] for e in eye]))


@pytest.mark.parametrize("key", SEPARATED_KEYS)
@pytest.mark.parametrize("how", ["set", "iadd", "add.at"])
def test_writes_with_separated_advanced_indices(key, how):
    x = _batched((3, 4, 5))
    target_shape = x.value[key].shape
    item = _batched(target_shape, seed=1)
    buf = np.zeros_like(x)
    expected_value, expected_tangent = np.zeros((3, 4, 5)), np.zeros((3, 3, 4, 5))
    if how == "set":
        buf[key] = item
        expected_value[key] = item.value
        for j in range(3):
            expected_tangent[j][key] = item.tangent[j]
    elif how == "iadd":
        buf[key] += item
        expected_value[key] += item.value
        for j in range(3):
            expected_tangent[j][key] += item.tangent[j]
    else:
        np.add.at(buf, key, item)
        np.add.at(expected_value, key, item.value)
        for j in range(3):
            np.add.at(expected_tangent[j], key, item.tangent[j])
    np.testing.assert_array_equal(buf.value, expected_value)
    np.testing.assert_array_equal(buf.tangent, expected_tangent)


def test_assignments_drop_leading_length_one_axes_with_k_directions():
    x = _batched((3, 3))
    y = np.zeros_like(x)
    y[0] = x[1:2]
    np.testing.assert_array_equal(y.tangent[:, 0], x.tangent[:, 1])
    y = np.zeros_like(x)
    y[...] = x[None]
    np.testing.assert_array_equal(y.tangent, x.tangent)
    y = np.zeros_like(x)
    np.copyto(y, x[None])
    np.testing.assert_array_equal(y.tangent, x.tangent)


def test_writing_k_directions_into_a_constant_buffer_by_a_numpy_function():
    item = _batched((2,))
    buf = DualArray(np.zeros((3, 4)))
    np.put_along_axis(buf, np.array([1, 7]), item, axis=None)
    np.testing.assert_array_equal(buf.tangent.reshape(3, -1)[:, [1, 7]], item.tangent)


def test_put_along_axis_none_with_higher_rank_values():
    buf = DualArray(np.zeros((3, 4)))
    values = DualArray(np.ones((1, 1, 3)), np.full((2, 1, 1, 3), 3.0), batched=True)
    np.put_along_axis(buf, np.array([1, 5, 7]), values, axis=None)
    expected = np.zeros((3, 4))
    np.put_along_axis(expected, np.array([1, 5, 7]), np.ones((1, 1, 3)), axis=None)
    np.testing.assert_array_equal(buf.value, expected)
    np.testing.assert_array_equal(buf.tangent.reshape(2, -1)[:, [1, 5, 7]], np.full((2, 3), 3.0))


def test_in_place_operator_on_a_numpy_scalar_result_rebinds_like_numpy():
    x = DualArray(np.arange(3.0), 1.0)
    s = x.sum()
    s += x                               # NumPy: s = s + x (its scalars are immutable)
    assert s.shape == (3,) and np.array_equal(s.value, 3.0 + np.arange(3.0))
    np.testing.assert_array_equal(s.tangent, [4.0, 4.0, 4.0])
    buf = np.zeros_like(x)
    alias = buf
    buf += x                             # arrays are still updated in place
    assert alias is buf and np.array_equal(alias.tangent, [1.0, 1.0, 1.0])


def test_ndarray_methods_fill_put_view_partition_and_friends():
    def make():
        return DualArray(np.arange(6.0).reshape(2, 3), 10 * np.arange(6.0).reshape(2, 3))

    x = make()
    x.fill(DualArray(2.0, 1.0))
    assert np.all(x.value == 2) and np.all(x.tangent == 1)
    x = make()
    x.put([0, 4], DualArray(np.array([7.0, 8.0]), 1.0))
    assert x.value.ravel().tolist() == [7, 1, 2, 3, 8, 5] and x.tangent.ravel().tolist() == [1, 10, 20, 30, 1, 50]
    x = make()
    v = x.view()
    v[0, 0] = DualArray(9.0, 9.0)
    assert x.value[0, 0] == 9 and x.tangent[0, 0] == 9
    with pytest.raises(TypeError, match="reinterpret"):
        x.view(np.int64)
    assert np.array_equal(np.ravel(make()).searchsorted([2.5, 0.5]), [3, 1])
    s = DualArray(np.array([3.0, 1.0, 2.0]), np.array([30.0, 10.0, 20.0]))
    s.partition(1)
    assert s.value[1] == 2.0 and s.tangent[1] == 20.0 and set(s.value.tolist()) == {1.0, 2.0, 3.0}
    assert np.array_equal(make().argpartition(1, axis=1), np.argpartition(np.arange(6.0).reshape(2, 3), 1, axis=1))
    c = make().compress([True, False, True], axis=1)
    assert c.tangent.tolist() == [[0, 20], [30, 50]]
    chosen = DualArray(np.array([0, 1, 0])).choose([np.arange(3.0), DualArray(np.arange(3.0) + 10, 1.0)])
    assert chosen.value.tolist() == [0, 11, 2] and chosen.tangent.tolist() == [0, 1, 0]


def test_resize_in_place_and_flat():
    x = DualArray(np.arange(6.0).reshape(2, 3), 10 * np.arange(6.0).reshape(2, 3))
    x.resize((3, 3))
    expected = np.arange(6.0).reshape(2, 3).copy()
    expected.resize((3, 3))
    assert np.array_equal(x.value, expected) and np.array_equal(x.tangent, 10 * expected)
    y = DualArray(np.arange(4.0))
    _ = y[1:]
    with pytest.raises(ValueError, match="shares memory"):
        y.resize(6)
    x = DualArray(np.arange(6.0).reshape(2, 3).T, 10 * np.arange(6.0).reshape(2, 3).T)   # not C-contiguous
    plain = x.value.copy()
    assert x.flat[1].value == plain.flat[1] and x.flat[1].tangent == 10 * plain.flat[1]
    x.flat[[0, 5]] = DualArray(np.array([-1.0, -2.0]), 5.0)
    plain.flat[[0, 5]] = [-1.0, -2.0]
    assert np.array_equal(x.value, plain) and x.tangent.flat[0] == 5 and x.tangent.flat[5] == 5
    x.flat = 3.0
    assert np.all(x.value == 3.0) and np.all(x.tangent == 0.0)
    assert len(x.flat) == 6 and [e.value for e in x.flat] == [3.0] * 6
    got = x.flat[1:3]
    got[0] = DualArray(7.0, 7.0)                           # ndarray.flat[...] reads are copies
    assert x.value.flat[1] == 3.0


def test_unsupported_scipy_special_ufunc_says_how_to_register_a_rule():
    sc = pytest.importorskip("scipy.special")
    with pytest.raises(NotImplementedError, match=r"register_ufunc\(f, \*partials, replace=True\)"):
        sc.obl_cv(DualArray(1.0, 1.0), 2.0, 3.0)


def test_views_of_read_only_views_follow_the_parent():
    x = DualArray(np.arange(4.0).reshape(2, 2), np.ones((2, 2)))
    d = x.diagonal()                      # a read-only view, as NumPy's
    views = [d[:], d[None], np.broadcast_to(x, (3, 2, 2))[0], np.ravel(np.broadcast_to(x, (3, 2, 2))[1])]
    x *= 2
    assert np.array_equal(d.tangent, [2.0, 2.0])
    for v in views:
        assert np.all(v.tangent == 2.0) and np.shares_memory(v.value, x.value)
