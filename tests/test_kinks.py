"""One convention per kink, as documented in README "Conventions at kinks"."""

from __future__ import annotations

import numpy as np
import pytest

from dualarray import DualArray


def tangent(f, x, t=1.0):
    return f(DualArray(x, t)).tangent


@pytest.mark.parametrize("f", [np.abs, np.fabs, abs])
def test_abs_at_zero_is_zero(f):
    assert tangent(f, 0.0) == 0.0
    assert tangent(f, -0.0) == 0.0


def test_complex_abs_and_sign_at_zero_are_zero():
    assert tangent(np.abs, 0j, 1 + 1j) == 0.0
    assert tangent(np.sign, 0j, 1 + 1j) == 0.0
    assert tangent(np.sign, 0.0) == 0.0


def test_sqrt_at_zero_is_inf_and_zero_tangents_stay_zero():
    assert tangent(np.sqrt, 0.0) == np.inf
    # Jacobian of sqrt at [0, 1]: off-diagonal entries are 0, not NaN from 0·inf
    jac = np.sqrt(DualArray(np.array([0.0, 1.0]), np.eye(2), batched=True)).tangent
    np.testing.assert_array_equal(jac, [[np.inf, 0.0], [0.0, 0.5]])
    assert tangent(np.cbrt, 0.0) == np.inf
    # a symbolic zero never produces NaN
    assert np.sqrt(DualArray(0.0)).tangent == 0.0


@pytest.mark.parametrize("f", [np.maximum, np.minimum, np.fmax, np.fmin])
def test_ties_split_half_half(f):
    a = DualArray(1.0, 1.0)
    b = DualArray(1.0, 3.0)
    assert f(a, b).tangent == 2.0
    assert f(a, 1.0).tangent == 0.5


def test_reduction_ties_split_equally():
    x = DualArray(np.array([1.0, 3.0, 3.0, 2.0]), np.array([10.0, 1.0, 2.0, 7.0]))
    assert np.max(x).tangent == 1.5
    assert np.maximum.reduce(x).tangent == 1.5
    assert np.min(DualArray(np.array([2.0, 2.0, 2.0]), np.array([1.0, 2.0, 6.0]))).tangent == 3.0


def test_clip_at_bounds_splits_half():
    x = DualArray(np.array([0.0, 0.5, 1.0, 2.0]), 1.0)
    np.testing.assert_array_equal(np.clip(x, 0.0, 1.0).tangent, [0.5, 1.0, 0.5, 0.0])


def test_nan_in_maximum_does_not_hide():
    # fmax ignores the NaN: the derivative follows the other argument
    assert np.fmax(DualArray(np.nan, 1.0), DualArray(2.0, 5.0)).tangent == 5.0
    assert np.fmax(DualArray(2.0, 5.0), np.nan).tangent == 5.0


def test_power_conventions():
    # x**0 has derivative 0 even at x = 0
    assert tangent(lambda x: x**0, 0.0) == 0.0
    assert tangent(lambda x: x**0.0, 0.0) == 0.0
    assert tangent(lambda x: np.power(x, np.array([0.0, 2.0])), np.array([0.0, 0.0])).tolist() == [0.0, 0.0]
    # 0**y has derivative 0 in y for y > 0
    assert tangent(lambda y: np.power(0.0, y), 2.0) == 0.0
    assert tangent(lambda y: np.power(0.0, y), 0.5) == 0.0
    # a constant exponent never evaluates log(x): (-2)**2 has derivative -4, not NaN
    assert tangent(lambda x: x**2, -2.0) == -4.0
    assert tangent(lambda x: x**3.0, -2.0) == 12.0
    assert tangent(lambda x: x ** DualArray(2.0), -2.0) == -4.0  # symbolic-zero exponent
    # an exponent with an explicit zero tangent does not turn the result into NaN either
    assert tangent(lambda x: x ** DualArray(2.0, 0.0 * np.ones(())), -2.0) == -4.0
    jac = np.power(DualArray(np.array([-2.0]), np.array([[1.0], [0.0]]), batched=True),
                   DualArray(np.array([2.0]), np.array([[0.0], [1.0]]), batched=True)).tangent
    assert jac[0, 0] == -4.0 and np.isnan(jac[1, 0])  # d/dy of (-2)**y is genuinely undefined
    # x**0.5 at 0 behaves like sqrt
    assert tangent(lambda x: x**0.5, 0.0) == np.inf


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "generic"])
def test_hypot_at_the_origin_is_zero(fast, monkeypatch):
    # hypot(a, b) is the 2-norm of (a, b): derivative 0 at the zero vector, like np.linalg.norm
    import warnings

    import dualarray._core as core

    monkeypatch.setattr(core, "_FAST_CALL", dict(core._FAST_CALL) if fast else {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no warning from 0/0
        assert np.hypot(DualArray(0.0, 1.0), DualArray(0.0, 2.0)).tangent == 0.0
        assert np.hypot(DualArray(0.0, 1.0), 0.0).tangent == 0.0
        assert np.hypot(0, DualArray(0.0, 1.0)).tangent == 0.0
        assert np.hypot(DualArray(-0.0, 1.0), -0.0).tangent == 0.0
        r = np.hypot(DualArray(np.array([0.0, 3.0, 0.0]), np.eye(3), batched=True),
                     DualArray(np.array([0.0, 4.0, 2.0]), 2 * np.eye(3), batched=True))
        np.testing.assert_array_equal(r.tangent, [[0.0, 0.0, 0.0], [0.0, 0.6 + 1.6, 0.0], [0.0, 0.0, 2.0]])
        x32 = DualArray(np.zeros(2, np.float32), np.ones(2, np.float32))
        r = np.hypot(x32, x32)
        assert r.tangent.dtype == np.float32 and not r.tangent.any()
        np.testing.assert_array_equal(np.linalg.norm(DualArray(np.zeros(2), np.array([1.0, 2.0]))).tangent, 0.0)


def test_hypot_at_the_origin_second_order():
    from dualarray import new_tag

    inner, outer = new_tag(), new_tag()

    def nested(v, w, t):
        return DualArray(DualArray(v, w, tag=inner), t, tag=outer)

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = np.hypot(nested(0.0, 1.0, 1.0), nested(0.0, 2.0, 3.0))
        assert r.value.value == 0.0 and r.value.tangent == 0.0
        assert r.tangent.value == 0.0 and r.tangent.tangent == 0.0  # the convention's branch is constant
        r = np.hypot(nested(0.0, 1.0, 1.0), 0.0)
        assert r.tangent.value == 0.0 and r.tangent.tangent == 0.0
    # away from the origin the second derivative is b²/h³ (in a) as usual
    r = np.hypot(nested(3.0, 1.0, 1.0), 4.0)
    np.testing.assert_allclose(r.tangent.tangent, 16.0 / 125.0)


def test_piecewise_constant_functions_have_zero_derivative():
    for f in (np.floor, np.ceil, np.trunc, np.rint, np.sign, lambda x: np.floor_divide(x, 2.0)):
        r = f(DualArray(np.array([0.5, 1.5, -2.5]), 1.0))
        assert isinstance(r, DualArray)
        np.testing.assert_array_equal(r.tangent, 0.0)
