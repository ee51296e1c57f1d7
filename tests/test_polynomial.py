"""Targeted checks for polynomials, interpolation, sampling and signals (rows: tests/cases/polynomial.py)."""

from __future__ import annotations

import numpy as np
import numpy.polynomial.chebyshev as C
import numpy.polynomial.polynomial as P
import pytest

import dualarray as da
from dualarray import DualArray, jacobian, new_tag


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _nested(x, v, w):
    """x + s·v + t·w with s outer, t inner: ``.tangent.tangent`` is the mixed second derivative."""
    inner, outer = new_tag(), new_tag()
    return DualArray(DualArray(x, w, tag=inner), v, tag=outer)


# ---------------------------------------------------------------- roots
def _sorted_pairs(values, tangents):
    order = np.lexsort((np.imag(values).round(8), np.real(values).round(8)))
    return values[order], tangents[order]


@pytest.mark.parametrize(("roots", "complex_coefficients"), [
    ((1.0, 2.5, -2.0), False),
    ((1 + 2j, 1 - 2j, -1.0, 3.0), False),
    ((0.5 + 1j, -1.0 - 0.5j, 2.0), True),
])
def test_roots_derivative_matches_differences_of_sorted_roots(roots, complex_coefficients):
    rng = _rng(10)
    p = np.poly(roots)
    v = rng.standard_normal(p.shape)
    if complex_coefficients:
        v = v + 1j * rng.standard_normal(p.shape)
    r = np.roots(DualArray(p, v))
    values, tangents = _sorted_pairs(r.value, r.tangent)
    h = 1e-6
    plus, minus = np.sort_complex(np.roots(p + h * v)), np.sort_complex(np.roots(p - h * v))
    np.testing.assert_allclose(values, np.sort_complex(np.roots(p)))
    np.testing.assert_allclose(tangents, (plus - minus) / (2 * h), rtol=1e-6, atol=1e-7)


def test_roots_formula_and_leading_zero():
    # p = x² - 3x + 2 (roots 2, 1); moving the constant term by ε moves root r by -ε/p'(r)
    p = DualArray(np.array([0.0, 1.0, -3.0, 2.0]), np.array([0.0, 0.0, 0.0, 1.0]))
    r = np.roots(p)
    np.testing.assert_array_equal(r.value, [2.0, 1.0])
    np.testing.assert_allclose(r.tangent, [-1.0, 1.0])


def test_poly_and_roots_round_trip():
    z = DualArray(np.array([1.0, -2.0, 3.5]), np.array([0.1, 0.2, -0.3]))
    back = np.roots(np.poly(z))
    values, tangents = _sorted_pairs(back.value, back.tangent)
    np.testing.assert_allclose(values, [-2.0, 1.0, 3.5])
    np.testing.assert_allclose(tangents, [0.2, 0.1, -0.3], atol=1e-10)


def test_poly_of_conjugate_pairs_is_real():
    z = DualArray(np.array([1 + 1j, 1 - 1j]), np.array([1j, -1j]))
    c = np.poly(z)
    np.testing.assert_array_equal(c.value, np.poly(z.value))
    assert not np.iscomplexobj(c.value)
    # (x - z)(x - z̄) = x² - 2 Re z x + |z|²: moving z by i (and z̄ by -i) changes |z|² by 2 Im z
    np.testing.assert_allclose(c.tangent, [0.0, 0.0, 2.0])


# ---------------------------------------------------------------- polyfit
X = np.array([-1.0, -0.4, 0.1, 0.5, 1.2, 1.7, 2.5])


def test_polyfit_derivative_matches_differences():
    rng = _rng(11)
    y, v = rng.standard_normal((2, 7))
    c = np.polyfit(X, DualArray(y, v), 3)
    h = 1e-5
    fd = (np.polyfit(X, y + h * v, 3) - np.polyfit(X, y - h * v, 3)) / (2 * h)
    np.testing.assert_allclose(c.tangent, fd, rtol=1e-7, atol=1e-9)
    # exact data: the fit reproduces the perturbation of a polynomial exactly
    c2 = np.polyfit(X, DualArray(np.polyval([1.0, 2.0], X), X**2), 2)
    np.testing.assert_allclose(c2.tangent, [1.0, 0.0, 0.0], atol=1e-12)


def test_polyfit_refuses_tangents_on_x_and_w():
    y = np.arange(7.0)
    with pytest.raises(NotImplementedError, match="with respect to y"):
        np.polyfit(DualArray(X, 1.0), y, 1)
    with pytest.raises(NotImplementedError, match="with respect to y"):
        np.polyfit(X, DualArray(y, 1.0), 1, w=DualArray(np.ones(7), 1.0))
    # constant DualArrays are fine
    np.polyfit(DualArray(X), DualArray(y, 1.0), 1)


# ---------------------------------------------------------------- interp
XP = np.array([0.0, 1.0, 3.0])
FP = np.array([0.0, 2.0, 1.0])   # slopes 2 and -0.5


@pytest.mark.parametrize(("x", "slope"), [
    (0.5, 2.0), (2.0, -0.5), (-1.0, 0.0), (4.0, 0.0),         # inside segments and outside
    (1.0, 0.75), (0.0, 1.0), (3.0, -0.25),                      # knots: mean of one-sided slopes
])
def test_interp_slope_and_knot_convention(x, slope):
    y = np.interp(DualArray(x, 1.0), XP, FP)
    assert y.value == np.interp(x, XP, FP)
    np.testing.assert_allclose(y.tangent, slope)


def test_interp_fp_tangent_is_exact_at_knots_and_outside():
    x = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0])
    t = np.eye(3)
    y = np.interp(x, XP, DualArray(FP, t, batched=True))
    expected = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 1, 0.5, 0, 0], [0, 0, 0, 0.5, 1, 1.0]])
    np.testing.assert_allclose(y.tangent, expected)


def test_interp_dual_left_right_only_outside():
    # NumPy dispatches on x, xp and fp only: one of them must be a DualArray (a constant one is fine)
    x = np.array([-1.0, 0.0, 3.0, 4.0])
    y = np.interp(x, XP, DualArray(FP), left=DualArray(5.0, 1.0), right=DualArray(-5.0, 10.0))
    np.testing.assert_array_equal(y.value, np.interp(x, XP, FP, left=5.0, right=-5.0))
    np.testing.assert_allclose(y.tangent, [1.0, 0.0, 0.0, 10.0])


def test_interp_knot_positions_match_differences():
    rng = _rng(12)
    x = np.array([-0.5, 0.3, 0.8, 1.7, 2.9, 3.5])
    v = rng.standard_normal(3)
    y = np.interp(x, DualArray(XP, v), FP)
    h = 1e-6
    fd = (np.interp(x, XP + h * v, FP) - np.interp(x, XP - h * v, FP)) / (2 * h)
    np.testing.assert_allclose(y.tangent, fd, rtol=1e-7, atol=1e-9)


def test_interp_periodic():
    xp = np.array([0.0, 90.0, 180.0, 270.0])
    fp = np.array([1.0, 3.0, 2.0, 0.0])
    x = np.array([45.0, 300.0, -30.0, 400.0])
    y = np.interp(DualArray(x, 1.0), xp, fp, period=360)
    np.testing.assert_array_equal(y.value, np.interp(x, xp, fp, period=360))
    np.testing.assert_allclose(y.tangent, [2 / 90, 1 / 90, 1 / 90, 2 / 90])
    with pytest.raises(NotImplementedError, match="period"):
        np.interp(DualArray(x, 1.0), xp, fp, period=DualArray(360.0, 1.0))


# ---------------------------------------------------------------- convolution
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize(("n", "m"), [(5, 3), (3, 5), (4, 4), (2, 6), (6, 1)])
def test_convolve_and_correlate_are_bilinear(mode, n, m):
    rng = _rng(13)
    a, da = rng.standard_normal((2, n)) + 1j * rng.standard_normal((2, n))
    v, dv = rng.standard_normal((2, m)) + 1j * rng.standard_normal((2, m))
    for f in (np.convolve, np.correlate):
        y = f(DualArray(a, da), DualArray(v, dv), mode=mode)
        np.testing.assert_array_equal(y.value, f(a, v, mode=mode))
        np.testing.assert_allclose(y.tangent, f(da, v, mode=mode) + f(a, dv, mode=mode), atol=1e-12)


def test_polymul_is_convolution():
    a = DualArray(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    y = np.polymul(a, [1.0, -1.0, 3.0])
    np.testing.assert_allclose(y.tangent, [1.0, -1.0, 3.0, 0.0])


def test_polydiv_identity():
    rng = _rng(14)
    u, du = rng.standard_normal((2, 6))
    w, dw = rng.standard_normal((2, 3)) + np.array([2.0, 0.0, 0.0])
    q, r = np.polydiv(DualArray(u, du), DualArray(w, dw))
    back = np.polyadd(np.polymul(q, DualArray(w, dw)), r)
    np.testing.assert_allclose(back.value, u, atol=1e-12)
    np.testing.assert_allclose(back.tangent, du, atol=1e-12)


# ---------------------------------------------------------------- sampling
def test_linspace_with_dual_endpoints():
    a, b = DualArray(1.0, 1.0), DualArray(np.array([3.0, 5.0]), np.array([0.0, 2.0]))
    y, step = np.linspace(a, b, 5, retstep=True, axis=-1)
    np.testing.assert_array_equal(y.value, np.linspace(1.0, [3.0, 5.0], 5, axis=-1))
    f = np.linspace(0, 1, 5)
    np.testing.assert_allclose(y.tangent, [1 - f, (1 - f) + 2 * f])
    assert y.tangent[1, -1] == 2.0  # the last sample is stop: its tangent exactly
    np.testing.assert_allclose(step.tangent, [-0.25, 0.25])
    one, step1 = np.linspace(a, b, 1, retstep=True)
    np.testing.assert_allclose(one.tangent, [[1.0, 1.0]])
    assert np.isnan(step1) and not isinstance(step1, DualArray)


def test_linspace_integer_dtype_has_zero_tangent():
    y = np.linspace(DualArray(0.0, 1.0), 10.0, 4, dtype=int)
    np.testing.assert_array_equal(y.value, np.linspace(0.0, 10.0, 4, dtype=int))
    np.testing.assert_array_equal(y.tangent, 0.0)


def test_geomspace_and_logspace():
    y = np.geomspace(DualArray(1.0, 1.0), DualArray(8.0, 0.0), 4)
    # y_i = start^(1-f) stop^f: d/dstart = (1 - f) y / start
    np.testing.assert_allclose(y.tangent, [1.0, 2 / 3 * 2, 1 / 3 * 4, 0.0])
    z = np.logspace(0.0, 2.0, 3, base=DualArray(10.0, 1.0))
    np.testing.assert_allclose(z.tangent, [0.0, 1.0, 20.0])


# ---------------------------------------------------------------- signals and special functions
def test_unwrap_passes_the_tangent_through():
    p = np.array([0.0, 3.0, 6.5, 0.2])
    t = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.unwrap(DualArray(p, t))
    np.testing.assert_array_equal(y.value, np.unwrap(p))
    np.testing.assert_array_equal(y.tangent, t)


def test_sinc_at_zero_to_second_order():
    d = _nested(np.array([0.0, 1e-4, 0.5]), 1.0, 1.0)
    y = np.sinc(d)
    first = y.value.tangent
    second = y.tangent.tangent
    np.testing.assert_allclose(first[0], 0.0, atol=0)
    np.testing.assert_allclose(second[0], -np.pi**2 / 3, rtol=1e-12)
    np.testing.assert_allclose(second[1], -np.pi**2 / 3, rtol=1e-6)


def test_i0_derivative_is_i1():
    sc = pytest.importorskip("scipy.special")
    x = np.array([-9.0, -1.0, 0.0, 0.5, 8.5])
    y = np.i0(DualArray(x, 1.0))
    np.testing.assert_array_equal(y.value, np.i0(x))
    np.testing.assert_allclose(y.tangent, sc.i1(x), rtol=1e-14)
    second = np.i0(_nested(np.array([0.0]), 1.0, 1.0)).tangent.tangent
    np.testing.assert_allclose(second, [0.5], rtol=1e-12)  # i1'(0) = 1/2


def test_trim_zeros_slices_the_tangent():
    x = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 2.0], [0.0, 3.0, 0.0]])
    t = np.arange(9.0).reshape(3, 3)
    y = np.trim_zeros(DualArray(x, t))
    np.testing.assert_array_equal(y.value, np.trim_zeros(x))
    np.testing.assert_array_equal(y.tangent, t[1:, 1:])
    y = np.trim_zeros(DualArray(x, t), trim="b", axis=1)
    np.testing.assert_array_equal(y.tangent, t)
    v = np.trim_zeros(DualArray(np.array([0.0, 2.0, 0.0]), np.array([5.0, 6.0, 7.0])), trim="f")
    np.testing.assert_array_equal(v.tangent, [6.0, 7.0])


def test_polyval_second_derivative_in_x():
    p = np.array([1.0, -2.0, 0.5, 3.0])
    x = np.array([-1.0, 0.0, 2.0])
    y = np.polyval(p, _nested(x, 1.0, 1.0))
    np.testing.assert_allclose(y.tangent.tangent, np.polyval(np.polyder(p, 2), x))


def test_polyint_with_dual_constants():
    # NumPy dispatches on p only: a constant DualArray p lets dual constants k through
    k = DualArray(np.array([1.0, 2.0]), np.array([1.0, 10.0]))
    y = np.polyint(DualArray(np.array([3.0, 0.0])), 2, k=k)
    np.testing.assert_array_equal(y.value, np.polyint([3.0, 0.0], 2, k=[1.0, 2.0]))
    np.testing.assert_allclose(y.tangent, [0.0, 0.0, 1.0, 10.0])


# ---------------------------------------------------------------- what does not dispatch
def test_window_functions_refuse_dual_arguments():
    # they take a length M; kaiser's beta goes through np.array([0.0, M, beta]) and never dispatches
    with pytest.raises(TypeError, match="plain ndarray"):
        np.kaiser(4, DualArray(2.0, 1.0))
    for window in (np.bartlett, np.blackman, np.hamming, np.hanning):
        np.testing.assert_array_equal(window(5), window(5))  # plain M: plain result


NUMPY_POLYNOMIAL_WORKS = {
    "polynomial.polyval(x dual)": lambda x, c: P.polyval(x, [1.0, 2.0, 3.0]),
    "chebyshev.chebval(x dual)": lambda x, c: C.chebval(x, [1.0, 2.0, 3.0]),
}
NUMPY_POLYNOMIAL_REFUSES = {
    "polynomial.polyval(c dual)": lambda x, c: P.polyval(x.value, c),
    "polynomial.polyder": lambda x, c: P.polyder(c),
    "polynomial.polyroots": lambda x, c: P.polyroots(c),
    "polynomial.polyfit": lambda x, c: P.polyfit(np.arange(3.0), c, 1),
    "polynomial.polyvander": lambda x, c: P.polyvander(x, 2),
    "Polynomial.__call__": lambda x, c: np.polynomial.Polynomial([1.0, 2.0, 3.0])(x),
}


@pytest.mark.parametrize("name", sorted(NUMPY_POLYNOMIAL_WORKS))
def test_numpy_polynomial_evaluation_at_dual_points_works(name):
    # numpy.polynomial is not dispatched; its evaluators run on the operators of a DualArray x
    x = DualArray(np.array([0.5, 1.5]), 1.0)
    c = DualArray(np.array([1.0, 2.0, 3.0]), np.array([0.0, 0.0, 1.0]))
    y = NUMPY_POLYNOMIAL_WORKS[name](x, c)
    expected_derivative = {"polynomial": 2.0 + 6.0 * x.value, "chebyshev": 2.0 + 12.0 * x.value}
    np.testing.assert_allclose(y.tangent, expected_derivative[name.split(".")[0]])


@pytest.mark.parametrize("name", sorted(NUMPY_POLYNOMIAL_REFUSES))
def test_numpy_polynomial_with_dual_coefficients_refuses_loudly(name):
    # the rest converts with np.asarray: a clear TypeError, never a silently dropped derivative
    x = DualArray(np.array([0.5, 1.5]), 1.0)
    c = DualArray(np.array([1.0, 2.0, 3.0]), np.array([0.0, 0.0, 1.0]))
    with pytest.raises(TypeError, match="plain ndarray"):
        NUMPY_POLYNOMIAL_REFUSES[name](x, c)


def test_long_convolutions_use_the_fft_path(monkeypatch):
    from dualarray.rules import polynomial

    rng = _rng(15)
    a, da = rng.standard_normal((2, 40))
    v, dv = rng.standard_normal((2, 7)) + 1j * rng.standard_normal((2, 7))
    monkeypatch.setattr(polynomial, "_BANDED_MAX", 10)
    for w, dw in ((v, dv), (v.real, dv.real)):
        fast = np.convolve(DualArray(a, da), DualArray(w, dw), "same")
        np.testing.assert_array_equal(fast.value, np.convolve(a, w, "same"))
        expected = np.convolve(da, w, "same") + np.convolve(a, dw, "same")
        np.testing.assert_allclose(fast.tangent, expected, atol=1e-12)
    # nested: d²/ds dt of a∗a along (da, da) is 2 da∗da
    d = _nested(a, da, da)
    nested = np.convolve(d, d[:30], "valid")
    np.testing.assert_allclose(nested.tangent.tangent, np.convolve(da, da[:30], "valid") * 2, atol=1e-11)


def test_unwrap_differentiates_the_period():
    p = np.array([0.0, 3.3, 6.1, 1.2, 4.4, -2.3])
    got = jacobian(lambda P: np.unwrap(p + 0 * P, period=P))(5.0)
    h = 1e-6
    fd = (np.unwrap(p, period=5.0 + h) - np.unwrap(p, period=5.0 - h)) / (2 * h)
    np.testing.assert_allclose(got, fd, atol=1e-8)


def test_roots_of_a_list_holding_dualarrays():
    r = np.roots([1.0, DualArray(-3.0, 1.0), 2.0])
    np.testing.assert_allclose(r.value, [2.0, 1.0])
    np.testing.assert_allclose(r.tangent, [-2.0, 1.0])  # ṙ = −r / p′(r)


@pytest.mark.parametrize("A", [np.eye(3), np.diag([2.0, 2.0, 1.0]), np.array([[2.0, 1.0], [0.0, 2.0]]),
                               np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])])
def test_poly_of_a_matrix_is_exact_at_repeated_and_defective_eigenvalues(A):
    J = da.jacobian(np.poly)(A)
    h = 1e-6
    fd = np.stack([(np.poly(A + h * E) - np.poly(A - h * E)) / (2 * h)
                   for E in np.eye(A.size).reshape((A.size, *A.shape))], axis=-1).reshape(J.shape)
    np.testing.assert_allclose(J, fd, atol=1e-7)
    assert np.array_equal(np.poly(DualArray(A, np.ones_like(A))).value, np.poly(A))
    n = A.shape[0]   # the constant coefficient is (-1)^n det(A): the same Hessian as det's
    H = da.hessian(lambda M: np.poly(M)[-1])(A)
    np.testing.assert_allclose(H, (-1) ** n * da.hessian(np.linalg.det)(A), atol=1e-12)
