"""Targeted tests for shape, selection and in-place rules: views, NaN isolation, in-place writes, errors."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import numpy.lib.scimath as emath
import pytest

from dualarray import DualArray, new_tag


def dual(shape, seed=0, k=None):
    rng = np.random.default_rng(seed)
    value = rng.standard_normal(shape)
    if k is None:
        return DualArray(value, rng.standard_normal(shape))
    return DualArray(value, rng.standard_normal((k, *shape)), batched=True)


# ---------------------------------------------------------------- views share memory
@pytest.mark.parametrize("make_view", [
    lambda x: np.reshape(x, (12,)),
    lambda x: x.reshape(2, 6),
    lambda x: np.ravel(x),
    lambda x: np.transpose(x),
    lambda x: x.T,
    lambda x: np.swapaxes(x, 0, 1),
    lambda x: np.moveaxis(x, 0, -1),
    lambda x: np.expand_dims(x, 0)[0],
    lambda x: np.flip(x, 1),
    lambda x: np.rot90(x),
    lambda x: np.split(x, 3)[1],
    lambda x: np.unstack(x)[2],
    lambda x: x[1:, ::2],
], ids=["reshape", "reshape_method", "ravel", "transpose", "T", "swapaxes", "moveaxis", "expand_dims", "flip",
        "rot90", "split", "unstack", "slice"])
@pytest.mark.parametrize("constant", [False, True], ids=["dual", "constant"])
def test_writes_through_views_reach_the_parent(make_view, constant):
    x = np.zeros_like(dual((3, 4))) if constant else dual((3, 4))
    view = make_view(x)
    assert np.shares_memory(view.value, x.value)
    index = (0,) * view.ndim
    before = x.value.copy()
    view[index] = DualArray(7.0, 2.0)
    changed = x.value != before
    assert changed.sum() == 1
    np.testing.assert_array_equal(x.value[changed], [7.0])
    np.testing.assert_array_equal(x.tangent[changed], [2.0])


@pytest.mark.parametrize("make_view", [
    lambda x: np.diagonal(x), lambda x: np.diag(x), lambda x: np.broadcast_to(x, (2, 3, 3)),
    lambda x: np.real(x),
    lambda x: np.lib.stride_tricks.sliding_window_view(x, (2, 2)),
], ids=["diagonal", "diag", "broadcast_to", "real", "sliding_window_view"])
def test_read_only_views_see_parent_writes(make_view):
    x = np.zeros_like(dual((3, 3)))  # symbolic-zero tangent: the view must still follow the parent
    view = make_view(x)
    assert np.shares_memory(view.value, x.value)
    x[0, 0] = DualArray(5.0, 3.0)
    assert view.value.reshape(-1)[0] == 5.0
    assert view.tangent.reshape(-1)[0] == 3.0


def test_complex_real_imag_views_write_through():
    z = DualArray(np.array([1 + 2j, 3 - 1j]), np.array([1j, 2.0]))
    re = np.real(z)
    re[0] = DualArray(9.0, 4.0)
    assert z.value[0] == 9 + 2j
    assert z.tangent[0] == 4 + 1j
    im = np.imag(z)
    im[1] = DualArray(5.0, -1.0)
    assert z.value[1] == 3 + 5j
    assert z.tangent[1] == 2 - 1j


def test_sliding_window_view_follows_parent():
    x = dual((5,))
    w = np.lib.stride_tricks.sliding_window_view(x, 2)
    x[1] = DualArray(4.0, 8.0)
    np.testing.assert_array_equal(w.value[:2, :], [[x.value[0], 4.0], [4.0, x.value[2]]])
    np.testing.assert_array_equal(w.tangent[0, 1], 8.0)


# ---------------------------------------------------------------- selections never leak NaN or inf
@contextlib.contextmanager
def _no_warnings():
    with warnings.catch_warnings():  # (catch_warnings(action=...) is Python 3.11+)
        warnings.simplefilter("error", RuntimeWarning)
        yield


def test_where_selects_tangents_nan_in_unused_branch():
    x = DualArray(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0]))
    bad = DualArray(np.array([0.0, 0.0, 0.0]), np.array([np.nan, np.inf, -np.inf]))
    y = np.where(np.array([True, True, False]), x, bad)
    np.testing.assert_array_equal(y.tangent[:2], [1.0, 1.0])
    assert np.isinf(y.tangent[2])
    y = np.where(np.array([True, True, True]), x, bad)
    assert np.all(np.isfinite(y.tangent))


def test_where_guarding_a_singular_coefficient():
    # sqrt'(0) = inf and 1/x at 0 live only in the unused branch: the result's tangent is finite
    x = DualArray(np.array([0.0, 4.0]), np.array([1.0, 1.0]))
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(x.value > 0, np.sqrt(x), 0.0)
        z = np.where(x.value != 0, 1 / x, 0.0)
    np.testing.assert_array_equal(y.tangent, [0.0, 0.25])
    np.testing.assert_array_equal(z.tangent, [0.0, -1 / 16])


def test_where_batched_k_equals_a_dimension():
    x, y = dual((3, 3), 1, k=3), dual((3,), 2, k=3)
    cond = np.array([[True, False, True]] * 3)
    out = np.where(cond, x, y)
    for j in range(3):
        single = np.where(cond, DualArray(x.value, x.tangent[j]), DualArray(y.value, y.tangent[j]))
        np.testing.assert_array_equal(out.tangent[j], single.tangent)


def test_select_and_choose_do_not_blend():
    x = DualArray(np.array([-1.0, 1.0]), np.array([1.0, 1.0]))
    bad = DualArray(np.array([0.0, 0.0]), np.array([np.nan, np.nan]))
    s = np.select([x.value < 0], [x], default=bad)
    assert s.tangent[0] == 1.0 and np.isnan(s.tangent[1])
    c = np.choose(np.array([0, 0]), [x, bad])
    np.testing.assert_array_equal(c.tangent, [1.0, 1.0])


def test_piecewise_evaluates_pieces_only_where_they_hold():
    x = DualArray(np.array([-2.0, 0.0, 3.0]), np.ones(3))
    with _no_warnings():
        y = np.piecewise(x, [x.value > 0], [np.log, 0.0])
    np.testing.assert_array_equal(y.value, [0.0, 0.0, np.log(3.0)])
    np.testing.assert_allclose(y.tangent, [0.0, 0.0, 1 / 3])


def test_nan_to_num_zeroes_replaced_tangents_and_works_in_place():
    x = DualArray(np.array([np.nan, 1.0, np.inf]), np.array([5.0, 2.0, 7.0]))
    y = np.nan_to_num(x)
    np.testing.assert_array_equal(y.tangent, [0.0, 2.0, 0.0])
    assert np.isnan(x.value[0])
    out = np.nan_to_num(x, copy=False, posinf=9.0)
    assert out is x
    np.testing.assert_array_equal(x.value, [0.0, 1.0, 9.0])
    np.testing.assert_array_equal(x.tangent, [0.0, 2.0, 0.0])


# ---------------------------------------------------------------- angle
def test_angle_derivative_and_real_input():
    z = DualArray(np.array([1 + 1j, -2 + 0.5j]), np.array([1j, 1.0]))
    a = np.angle(z)
    expected = np.imag(np.conj(z.value) * z.tangent) / np.abs(z.value) ** 2
    np.testing.assert_allclose(a.tangent, expected)
    np.testing.assert_allclose(np.angle(z, deg=True).tangent, np.degrees(expected))
    r = np.angle(DualArray(np.array([-1.0, 0.0, 2.0]), np.ones(3)))
    np.testing.assert_array_equal(r.value, [np.pi, 0.0, 0.0])
    np.testing.assert_array_equal(r.tangent, [0.0, 0.0, 0.0])


# ---------------------------------------------------------------- in-place functions
def _pair(seed=3):
    return dual((3, 4), seed), dual((3, 4), seed + 1)


def test_copyto_with_where():
    d, s = _pair()
    mask = np.arange(12).reshape(3, 4) % 3 == 0
    expected_v = np.where(mask, s.value, d.value)
    expected_t = np.where(mask, s.tangent, d.tangent)
    assert np.copyto(d, s, where=mask) is None
    np.testing.assert_array_equal(d.value, expected_v)
    np.testing.assert_array_equal(d.tangent, expected_t)


def test_copyto_plain_source_zeroes_tangent():
    d, _ = _pair()
    np.copyto(d, np.ones(4))
    np.testing.assert_array_equal(d.value, np.ones((3, 4)))
    np.testing.assert_array_equal(d.tangent, np.zeros((3, 4)))


def test_place_putmask_put_fill_diagonal():
    d, s = _pair()
    mask = np.eye(3, 4, dtype=bool)
    v = DualArray(np.array([1.0, 2.0]), np.array([10.0, 20.0]))
    np.place(d, mask, v)   # cycles over the True positions
    np.testing.assert_array_equal(d.value[mask], [1.0, 2.0, 1.0])
    np.testing.assert_array_equal(d.tangent[mask], [10.0, 20.0, 10.0])
    np.putmask(d, mask, s)  # position-aligned
    np.testing.assert_array_equal(d.tangent[mask], s.tangent[mask])
    np.put(d, [0, -1], v)
    assert d.tangent[0, 0] == 10.0 and d.tangent[-1, -1] == 20.0
    np.fill_diagonal(d, DualArray(0.5, 4.0))
    np.testing.assert_array_equal(np.diagonal(d.tangent), [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(np.diagonal(d.value), [0.5, 0.5, 0.5])


def test_put_along_axis_writes_into_a_zeros_like_buffer():
    x = dual((3, 4), 5)
    order = np.argsort(x.value, axis=1)
    buf = np.zeros_like(x)
    np.put_along_axis(buf, order, np.take_along_axis(x, order, axis=1), axis=1)
    np.testing.assert_array_equal(buf.value, x.value)
    np.testing.assert_array_equal(buf.tangent, x.tangent)


def test_in_place_batched_k_equals_a_dimension():
    d, s = dual((3, 3), 6, k=3), dual((3, 3), 7, k=3)
    mask = np.tri(3, dtype=bool)
    np.copyto(d, s, where=mask)
    np.testing.assert_array_equal(d.tangent[:, mask], s.tangent[:, mask])
    np.fill_diagonal(d, DualArray(np.ones(3), np.eye(3), batched=True))
    np.testing.assert_array_equal(np.diagonal(d.tangent, axis1=1, axis2=2), np.eye(3))


@pytest.mark.parametrize("write", [
    lambda d, s: np.copyto(d, s),
    lambda d, s: np.place(d, d > 0, s),
    lambda d, s: np.putmask(d, d > 0, s),
    lambda d, s: np.put(d, [0], s),
    lambda d, s: np.put_along_axis(d, np.zeros((3, 1), dtype=int), s, axis=1),
    lambda d, s: np.fill_diagonal(d, s),
], ids=["copyto", "place", "putmask", "put", "put_along_axis", "fill_diagonal"])
def test_plain_destination_with_dual_source_raises(write):
    with pytest.raises(TypeError, match="zeros_like"):
        write(np.ones((3, 4)), DualArray(2.0, 1.0))


def test_newer_source_into_older_destination_raises():
    old = np.zeros_like(DualArray(np.ones(3), 1.0))
    new = DualArray(np.ones(3), 1.0, tag=new_tag())
    with pytest.raises(TypeError, match="older tag"):
        np.copyto(old, new)


def test_in_place_nested_second_derivative():
    inner, outer = new_tag(), new_tag()
    x = DualArray(DualArray(np.array([2.0, 3.0]), 1.0, tag=inner), 1.0, tag=outer)
    buf = np.zeros_like(x)
    np.copyto(buf, x * x)
    np.testing.assert_array_equal(buf.tangent.tangent, [2.0, 2.0])   # d²(x²)/dx² = 2
    np.testing.assert_array_equal(buf.tangent.value, [4.0, 6.0])


# ---------------------------------------------------------------- batched with k equal to a dimension
@pytest.mark.parametrize("func", [
    lambda x: np.tile(x, (2, 1)), lambda x: np.pad(x, 1, mode="reflect"), lambda x: np.diag(x[0]),
    lambda x: np.tril(x), lambda x: np.roll(x, 1), lambda x: np.insert(x, 1, 5.0, axis=0),
    lambda x: np.rot90(x), lambda x: np.block([[x, x], [x, x]]), lambda x: np.trace(x),
], ids=["tile", "pad", "diag", "tril", "roll", "insert", "rot90", "block", "trace"])
def test_batched_k_equals_dimension(func):
    x = dual((3, 3), 11, k=3)
    out = func(x)
    for j in range(3):
        single = func(DualArray(x.value, x.tangent[j]))
        np.testing.assert_array_equal(out.tangent[j], single.tangent)


# ---------------------------------------------------------------- numpy.emath
def test_emath_sqrt_of_negative_reals():
    x = DualArray(np.array([-4.0, 9.0]), np.array([1.0, 1.0]))
    y = emath.sqrt(x)
    np.testing.assert_array_equal(y.value, emath.sqrt(x.value))
    np.testing.assert_allclose(y.tangent, [1 / (2 * 2j), 1 / 6])


def test_emath_arcsin_on_the_branch_cut_follows_numpys_side():
    h = 1e-6
    for v in (-2.0, 2.0):
        y = emath.arcsin(DualArray(np.array([v]), 1.0))
        fd = (emath.arcsin(np.array([v + h])) - emath.arcsin(np.array([v - h]))) / (2 * h)
        np.testing.assert_allclose(y.tangent, fd, rtol=1e-6)


# ---------------------------------------------------------------- errors and creation
def test_pad_unsupported_mode_names_the_modes():
    with pytest.raises(NotImplementedError, match="edge"):
        np.pad(dual((4,)), 1, mode="maximum")


def test_save_refuses_to_drop_the_derivative(tmp_path):
    with pytest.raises(NotImplementedError, match="x.value"):
        np.save(tmp_path / "x.npy", dual((3,)))


def test_creation_with_like():
    x = dual((3,))
    assert np.asarray(x, like=x) is x
    assert np.asarray(x, dtype=np.float32, like=x).dtype == np.float32
    z = np.zeros(4, like=x)
    assert isinstance(z, np.ndarray) and z.shape == (4,)
    with pytest.raises(TypeError, match="full_like"):
        np.full(3, x[0], like=x)


def test_nondifferentiable_helpers_return_plain_results():
    x = dual((3, 3))
    assert np.unravel_index(4, np.shape(x)) == (1, 1)
    rows, cols = np.tril_indices_from(x)
    assert rows.shape == (6,)
    assert isinstance(np.array_str(x), str)


# ---------------------------------------------------------------- regressions: integer dtype=, empty pads
@pytest.mark.parametrize("func", [
    lambda x: np.trace(x, dtype=np.int64),
    lambda x: np.concatenate([x, x], dtype=np.int64, casting="unsafe"),
    lambda x: np.concatenate([x, x], axis=None, dtype=np.int32, casting="unsafe"),
    lambda x: np.stack([x, x], dtype=np.int64, casting="unsafe"),
    lambda x: np.vstack([x, x], dtype=np.int64, casting="unsafe"),
    lambda x: np.hstack([x, x], dtype=np.int64, casting="unsafe"),
])
def test_integer_dtype_results_are_piecewise_constant(func):
    x = dual((3, 3), k=2)
    y = func(x)
    expected = func(x.value)
    assert y.value.dtype == expected.dtype and np.array_equal(y.value, expected)
    assert not np.any(y.tangent), "an integer result has zero derivative, as astype(int)"


@pytest.mark.parametrize("func", [
    lambda x: np.trace(x, dtype=np.float32),
    lambda x: np.concatenate([x, x], dtype=np.float32),
    lambda x: np.hstack([x, x], dtype=np.float32),
])
def test_float32_dtype_results_keep_their_tangent(func):
    x = dual((3, 3))
    y = func(x)
    assert y.value.dtype == np.float32 and y.tangent.dtype == np.float32
    np.testing.assert_allclose(y.tangent, func(x.tangent).astype(np.float32), rtol=1e-6)


@pytest.mark.parametrize(("shape", "pad"), [((0,), 2), ((0, 3), ((0, 0), (1, 1))), ((2, 0), 1)])
def test_pad_of_an_empty_array(shape, pad):
    x = DualArray(np.zeros(shape), 1.0)
    y = np.pad(x, pad)
    assert np.array_equal(y.value, np.pad(np.zeros(shape), pad))
    assert y.tangent.shape == y.value.shape and not np.any(y.tangent)
    filled = np.pad(x, pad, constant_values=DualArray(3.0, 1.0))
    assert np.all(filled.tangent == 1.0) or filled.size == 0
