"""Edge cases of NumPy semantics and of nesting, each once a bug found in review."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from dualarray import DualArray, gradient, hessian, jacobian, jvp


def _fd_hessian(f, x, h=1e-4):
    n = x.size
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
    return H


def _in_place_through_views(x):
    y = x * 1.0
    v = y[1:]
    v *= x[0]
    return np.sum(y**2)


def _write_through_transpose(x):
    m = np.stack([x, x * x]) * 1.0
    m.T[0, 1] = x[0] * x[1]
    return np.sum(m**2)


def test_second_order_terms_written_through_views_raise_instead_of_vanishing():
    # The view's storage holds first-order derivatives only; re-allocating it for the nested derivative
    # would cut it off from the parent (which is alive), so this is refused with the fix in the message.
    with pytest.raises(TypeError, match=r"second-order.*copy"):
        hessian(_in_place_through_views, mode="forward")(np.array([0.7, 2.0]))
    # forward over reverse (the default) records the write through the view in the reverse pass: exact
    x = np.array([0.7, 2.0])
    exact = np.array([[2 + 2 * x[1] ** 2, 4 * x[0] * x[1]], [4 * x[0] * x[1], 2 * x[0] ** 2]])
    np.testing.assert_allclose(hessian(_in_place_through_views)(x), exact, rtol=1e-14)


def test_second_order_terms_through_views_of_nested_storage_are_exact():
    x = np.array([0.7, 2.0])
    np.testing.assert_allclose(hessian(_write_through_transpose)(x), _fd_hessian(_write_through_transpose, x),
                               rtol=1e-5, atol=1e-6)


def test_the_suggested_fix_gives_the_exact_hessian():
    def f(x):
        y = x * 1.0
        v = y[1:].copy()
        v *= x[0]
        return np.sum(y[:1] ** 2) + np.sum(v**2)

    x = np.array([0.7, 2.0])
    np.testing.assert_allclose(hessian(f)(x), _fd_hessian(f, x), rtol=1e-5, atol=1e-6)


def test_second_order_writes_into_arrays_without_views_are_kept():
    def f(x):
        out = np.zeros_like(x)
        out[0] = x[0] * x[1]
        out[1] = x[1] ** 3
        return np.sum(out**2)

    x = np.array([0.7, 2.0])
    np.testing.assert_allclose(hessian(f)(x), _fd_hessian(f, x), rtol=1e-5, atol=1e-6)


def test_jacobian_of_jacobian_through_in_place_view_raises():
    def g(x):
        y = x * 1.0
        v = y[1:]
        v *= x[0]
        return y

    with pytest.raises(TypeError, match="second-order"):
        jacobian(jacobian(g, mode="forward"))(np.array([0.7, 2.0]))
    # the default inner jacobian transposes its record (the in-place write is recorded): exact
    x, h = np.array([0.7, 2.0]), 1e-6
    fd = np.stack([(jacobian(g)(x + h * e) - jacobian(g)(x - h * e)) / (2 * h) for e in np.eye(2)], axis=-1)
    np.testing.assert_allclose(jacobian(jacobian(g))(x), fd, atol=1e-8)


def test_writes_through_views_of_a_broadcast_tangent():
    def f(p):
        m = np.zeros((2, 2)) + p
        m.T[0, 1] = p * p
        return m

    np.testing.assert_allclose(jacobian(f)(2.0), [[1, 1], [4, 1]])


@pytest.mark.parametrize("where", [True, np.array([True, True, False])])
def test_prod_with_initial_and_a_zero_factor(where):
    x = np.array([0.0, 2.0, 3.0])
    g = gradient(lambda x: np.prod(x, initial=5.0, where=where))(x)
    kept = x if where is True else x[:2]
    expected = np.zeros(3)
    expected[0] = 5.0 * np.prod(kept[1:])
    np.testing.assert_allclose(g, expected)


def test_max_with_tied_initial_shares_the_derivative():
    x = DualArray(np.array([1.0, 3.0]), np.array([0.0, 1.0]))
    assert np.max(x, initial=3.0).tangent == 0.5


def test_seed_tangent_is_not_aliased():
    v = np.ones(3)
    a = DualArray(np.array([1.0, 2.0, 3.0]), v)
    b = DualArray(np.array([4.0, 5.0, 6.0]), v)
    a *= 2
    np.testing.assert_array_equal(b.tangent, 1.0)
    np.testing.assert_array_equal(v, 1.0)

    def doubles_in_place(x):
        x *= 2
        return x

    w = np.ones(2)
    jvp(doubles_in_place, np.ones(2), w)
    np.testing.assert_array_equal(w, 1.0)


def test_copy_copy_copies_data_like_ndarray():
    x = DualArray(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    c = copy.copy(x)
    c += 1
    np.testing.assert_array_equal(x.value, [1.0, 2.0])
    c.tangent[...] = 7
    np.testing.assert_array_equal(x.tangent, [1.0, 0.0])


def test_zero_tangents_never_become_nan_through_overflow_or_minus_inf():
    x = DualArray(np.array([0.0, 2.0]), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(np.reciprocal(x).tangent, [0.0, -0.25])
    for f in (np.exp, np.exp2, np.expm1, np.sinh, np.cosh):
        jac = jacobian(f)(np.array([1000.0, 1.0]))
        assert jac[0, 1] == 0 and jac[1, 0] == 0, f
    # logaddexp(-inf, -inf) is a tie, as for maximum: the derivative is split 0.5/0.5, and never NaN
    g = gradient(lambda x: np.sum(np.logaddexp(x, np.array([-np.inf, -1.0]))))(np.array([-np.inf, 0.5]))
    assert g[0] == 0.5 and np.isclose(g[1], 1 / (1 + np.exp(-1.5)))
    r = np.logaddexp.reduce(DualArray(np.full(3, -np.inf), np.array([1.0, 2.0, 6.0])))
    assert r.value == -np.inf and r.tangent == 3.0


def test_non_differentiable_ufunc_methods_return_plain_arrays():
    x = DualArray(np.array([1.0, 0.0, 3.0]), np.array([1.0, 10.0, 100.0]))
    for r in (np.logical_or.accumulate(x), np.logical_and.reduce(x), np.logical_xor.outer(x, x)):
        assert not isinstance(r, DualArray)
    i = DualArray(np.array([1, 2, 4]), 1.0)
    assert np.bitwise_or.reduce(i) == 7 and not isinstance(np.bitwise_or.reduce(i), DualArray)


def test_casting_to_integers_has_zero_derivative():
    x = np.array([0.3, 2.6])
    np.testing.assert_array_equal(gradient(lambda x: np.sum(np.add(x, 0.0, dtype=int, casting="unsafe")))(x), 0)
    y = DualArray(np.zeros(2, dtype=int))
    y[...] = DualArray(x, 1.0)
    np.testing.assert_array_equal(y.tangent, 0)
    out = DualArray(np.zeros(2, dtype=int))
    np.multiply(DualArray(x, 1.0), 2.0, out=out, casting="unsafe")
    np.testing.assert_array_equal(out.value, [0, 5])
    np.testing.assert_array_equal(out.tangent, 0)


def test_in_place_on_numpy_scalar_results():
    def f(z):
        s = 0.0
        for i in range(3):
            s += z[i] ** 2
        return s

    np.testing.assert_allclose(gradient(f)(np.array([1.0, 2.0, 3.0])), [2.0, 4.0, 6.0])
    s = np.sum(DualArray(np.array([1.0, 2.0]), 1.0))
    s *= 2
    assert s.value == 6.0 and s.tangent == 4.0


@pytest.mark.parametrize("func", [np.mean, np.std, np.cumsum, np.median, lambda a, out: np.dot(a, a, out=out)])
def test_plain_inputs_with_a_dual_out_buffer(func):
    a = np.array([1.0, 2.0, 4.0])
    expected = func(a, out=None)
    out = DualArray(np.zeros_like(expected), 1.0)
    r = func(a, out=out)
    assert r is out
    np.testing.assert_array_equal(out.value, expected)
    np.testing.assert_array_equal(out.tangent, 0)


def test_plain_inputs_with_a_dual_out_buffer_in_ufunc_methods():
    out = DualArray(np.zeros(()), 1.0)
    np.add.reduce(np.array([1.0, 2.0]), out=out)
    assert out.value == 3.0 and out.tangent == 0
    acc = DualArray(np.zeros(3))
    np.maximum.accumulate(np.array([1.0, 3.0, 2.0]), out=acc)
    np.testing.assert_array_equal(acc.value, [1, 3, 3])


@pytest.mark.parametrize("f", [np.arcsin, np.arccos])
@pytest.mark.parametrize("z", [3 + 0j, -3 + 0j])
def test_arcsin_arccos_follow_numpys_branch_on_the_cut(f, z):
    h = 1e-7
    fd = (f(np.array([z + h])) - f(np.array([z - h]))) / (2 * h)
    np.testing.assert_allclose(f(DualArray(np.array([z]), np.array([1 + 0j]))).tangent, fd, rtol=1e-6)


def test_float32_tangents_stay_float32():
    x = DualArray(np.array([1.0, 2.0], dtype=np.float32), 1.0)
    for f in (np.exp2, np.log2, np.log10, np.deg2rad):
        assert f(x).tangent.dtype == np.float32, f


def test_zero_d_reductions_accept_axis_zero():
    x = DualArray(np.array(2.0), 1.0)
    for f in (np.sum, np.max):
        r = f(x, axis=0)
        assert r.value == f(np.array(2.0), axis=0) and r.tangent == 1.0


def test_power_reduce_left_fold_or_clear_error():
    x = DualArray(np.array([1.5, 2.0, 3.0]), 1.0)
    value = np.power.reduce(np.array([1.5, 2.0, 3.0]))
    try:
        r = np.power.reduce(x)
    except NotImplementedError as err:
        assert "left fold" in str(err)
    else:
        assert r.value == value


def test_symbolic_zero_target_takes_the_items_directions():
    y = DualArray(np.zeros(3))
    y[0] = DualArray(1.0, np.array([1.0, 2.0]), batched=True)
    assert y.tangent.shape == (2, 3)
    np.testing.assert_array_equal(y.tangent[:, 0], [1.0, 2.0])


def test_round_builtin_and_quiet_divide_partials():
    r = round(DualArray(2.6, 1.0))
    assert r.value == 3.0 and r.tangent == 0.0
    import warnings

    x = DualArray(np.array([0.0, 1.0]), 1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x / x
    assert len(caught) == 1  # NumPy's own warning for 0/0, none from the derivative


def test_python_complex_constants_times_numpy_scalars():
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(jacobian(lambda a: 1j * a[1])(x), [0, 1j])
    np.testing.assert_array_equal(jacobian(lambda a: 1j / a[1])(x), [0, -0.25j])


def test_select_with_a_nested_default():
    x = np.array([0.5, -1.0, 2.0, 0.3, 0.7, 1.1])
    h = hessian(lambda a: np.sum(np.select([a[:3] > 0], [a[:3]], default=a[3:] ** 2)))(x)
    np.testing.assert_array_equal(np.diag(h), [0, 0, 0, 0, 2, 0])


def test_add_at_of_a_nested_operand_into_a_first_order_array():
    def f(x):
        y = x * 1.0
        np.add.at(y, [0, 0], x[1] ** 2)
        return np.sum(y**2)

    x = np.array([0.7, 2.0])
    np.testing.assert_allclose(hessian(f)(x), _fd_hessian(f, x), rtol=1e-5, atol=1e-5)


def test_piecewise_with_a_0d_input_and_a_scalar_condition():
    got = jacobian(lambda a: np.piecewise(a[0], a[0] > 0, [lambda z: z**3]))(np.array([0.7]))
    np.testing.assert_allclose(got, [3 * 0.7**2])
