"""The array-API namespace (``dualarray.array_api``) and SciPy's array-API code through it."""

from __future__ import annotations

import numpy as np
import pytest
import scipy
import scipy.fft
import scipy.integrate
import scipy.signal
import scipy.spatial.transform
import scipy.special as sc
import scipy.stats as st
from scipy._lib import _array_api_override
from scipy.optimize import elementwise

import dualarray as da
from dualarray import DualArray, _core
from dualarray import array_api as xp

RNG = np.random.default_rng(20261203)


# ------------------------------------------------------------------------------- the namespace
def test_namespace_and_device():
    x = DualArray(np.ones(3), np.ones(3))
    assert x.__array_namespace__() is xp and x.__array_namespace__(api_version="2023.12") is xp
    with pytest.raises(ValueError, match="2099.12"):
        x.__array_namespace__(api_version="2099.12")
    assert x.device == "cpu" and x.to_device("cpu") is x
    with pytest.raises(ValueError, match="CPU"):
        x.to_device("gpu")
    assert xp.__array_api_version__ == "2024.12"
    assert xp.__array_namespace_info__().default_device() == "cpu"
    assert xp.special.gamma is sc._ufuncs.gamma and isinstance(xp.special.erf, np.ufunc)
    assert callable(xp.linalg.solve) and callable(xp.fft.rfft)
    with pytest.raises(TypeError, match="DLPack"):
        xp.from_dlpack(x)
    with pytest.raises(TypeError, match="cannot carry the tangent"):
        np.from_dlpack(x)


def test_constants_are_read_as_plain_values():
    c = xp.asarray([1.0, 2.0, 3.0])
    assert isinstance(c, DualArray) and c.tag == _core.CONSTANT_TAG and c._tangent is None
    d = xp.exp(c) + c * 2  # constants in, constants out
    assert isinstance(d, DualArray) and d.tag == _core.CONSTANT_TAG and type(d.value) is np.ndarray
    np.testing.assert_allclose(d.value, np.exp([1.0, 2.0, 3.0]) + [2.0, 4.0, 6.0])
    # combined with a differentiated array: one level, the constant's value inside the rule
    y = c * DualArray(np.ones(3), np.ones(3))
    assert type(y.value) is np.ndarray and y.tag != _core.CONSTANT_TAG
    np.testing.assert_array_equal(y.tangent, [1.0, 2.0, 3.0])
    # a nested derivative is not disturbed by constants
    h = da.hessian(lambda x: xp.sum(xp.asarray([1.0, 2.0]) * x**3), mode="forward")(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(h, np.diag([6.0, 24.0]))
    comparison = xp.greater(DualArray(np.arange(3.0), np.ones(3)), 1.0)
    assert isinstance(comparison, DualArray) and comparison.dtype == bool and comparison._tangent is None


def test_asarray():
    x = DualArray(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    assert xp.asarray(x) is x
    stacked = xp.asarray([[x[0], 3.0], [x[1], x[0]]])  # nested lists of DualArrays keep their derivatives
    np.testing.assert_array_equal(stacked.value, [[1.0, 3.0], [2.0, 1.0]])
    np.testing.assert_array_equal(stacked.tangent, [[1.0, 0.0], [0.0, 1.0]])
    assert xp.asarray(x, dtype=xp.float32).dtype == np.float32
    with pytest.raises(ValueError, match="copy"):
        xp.asarray(x, dtype=xp.float32, copy=False)
    with pytest.raises(ValueError):
        xp.asarray(np.arange(3), dtype=xp.float64, copy=False)
    assert xp.asarray(np.arange(3.0), copy=True).value.base is None
    f = xp.full(3, x[0])  # a differentiated fill carries its derivative
    np.testing.assert_array_equal(f.tangent, [1.0, 1.0, 1.0])
    assert xp.full((2,), 5.0).tag == _core.CONSTANT_TAG


def test_writes_into_constants_take_the_derivative():
    def f(x):
        buf = xp.zeros(3)
        buf[0] = x[0] ** 2
        buf[1:] = x * 3
        return buf

    np.testing.assert_array_equal(da.jacobian(f)(np.array([2.0, 5.0])), [[4.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    np.testing.assert_array_equal(da.jacobian(f, mode="reverse")(np.array([2.0, 5.0])),
                                  [[4.0, 0.0], [3.0, 0.0], [0.0, 3.0]])

    def through_view(x):
        buf = xp.zeros(3)
        view = buf[1:]
        view[0] = x[0]
        return buf

    with pytest.raises(TypeError, match="shares memory"):
        da.jacobian(through_view)(np.ones(2))


def test_scipy_array_api_restores_the_switch():
    before = _array_api_override.SCIPY_ARRAY_API
    with pytest.raises(RuntimeError):
        with da.scipy_array_api():
            assert _array_api_override.SCIPY_ARRAY_API and _core.ARRAY_API_MODE
            raise RuntimeError
    assert _array_api_override.SCIPY_ARRAY_API == before and not _core.ARRAY_API_MODE
    assert isinstance(DualArray(np.ones(2)) > 0, np.ndarray)  # outside the block: comparisons stay plain


# ----------------------------------------------------------------------------- SciPy through it
POSITIVE = RNG.uniform(0.5, 2.0, 7)
# each case is f(x, ns): ns is numpy for SciPy's plain call and the finite differences, dualarray.array_api
# for the derivatives (SciPy refuses to mix namespaces, so constants come from ns.asarray)
SCIPY = {
    "logsumexp": (lambda x, ns: sc.logsumexp(x), None),
    "logsumexp b=": (lambda x, ns: sc.logsumexp(x, b=ns.asarray(np.arange(1.0, 8.0))), None),
    "softmax": (lambda x, ns: sc.softmax(x), None),
    "log_softmax": (lambda x, ns: sc.log_softmax(x), None),
    "zscore": (lambda x, ns: st.zscore(x), None),
    "skew": (lambda x, ns: st.skew(x), None),
    "kurtosis": (lambda x, ns: st.kurtosis(x), None),
    "gmean": (lambda x, ns: st.gmean(x), POSITIVE),
    "hmean": (lambda x, ns: st.hmean(x), POSITIVE),
    "pmean": (lambda x, ns: st.pmean(x, 2.5), POSITIVE),
    "sem": (lambda x, ns: st.sem(x), None),
    "variation": (lambda x, ns: st.variation(x), POSITIVE),
    "entropy": (lambda x, ns: st.entropy(x), POSITIVE),
    "iqr": (lambda x, ns: st.iqr(x), None),
    "moment": (lambda x, ns: st.moment(x, 3), None),
    "quantile": (lambda x, ns: st.quantile(x, ns.asarray(0.3)), None),
    "trim_mean": (lambda x, ns: st.trim_mean(x, 0.2), None),
    "ttest_1samp": (lambda x, ns: st.ttest_1samp(x, 0.5).statistic, None),
    "pearsonr": (lambda x, ns: st.pearsonr(x, ns.asarray(np.arange(7.0) ** 2)).statistic, None),
    "fft.fft": (lambda x, ns: ns.real(scipy.fft.fft(x)) + ns.imag(scipy.fft.fft(x)), None),
    "fft.rfft": (lambda x, ns: ns.abs(scipy.fft.rfft(x)), None),
    "fft.fftn": (lambda x, ns: ns.real(scipy.fft.fftn(ns.reshape(x[:6], (2, 3)))), None),
    "trapezoid": (lambda x, ns: scipy.integrate.trapezoid(x), None),
    "cumulative_trapezoid": (lambda x, ns: scipy.integrate.cumulative_trapezoid(x), None),
    "tanhsinh": (lambda x, ns: scipy.integrate.tanhsinh(lambda t, c: ns.exp(c * t), ns.asarray(0.0), ns.asarray(1.0),
                                                        args=(x,)).integral, None),
    "find_root": (lambda c, ns: elementwise.find_root(lambda x, c: x**3 - c, (ns.asarray(np.zeros(7)),
                                                                             ns.asarray(np.full(7, 9.0))),
                                                      args=(c,)).x, POSITIVE),
    "find_minimum": (lambda c, ns: elementwise.find_minimum(
        lambda x, c: (x - c) ** 2 + 0.1 * x**4,
        (ns.asarray(np.full(7, -5.0)), ns.asarray(np.full(7, 0.5)), ns.asarray(np.full(7, 5.0))), args=(c,)).x,
        POSITIVE),
    "differentiate.derivative": (lambda x, ns: scipy.differentiate.derivative(ns.sin, x).df, None),
    "signal.fftconvolve": (lambda x, ns: scipy.signal.fftconvolve(x, x[::-1]), None),
    "Rotation": (lambda x, ns: ns.reshape(scipy.spatial.transform.Rotation.from_rotvec(x[:3]).as_matrix(), (9,)),
                 None),
}


def _central(f, x, h=1e-6):
    return np.stack([(np.ravel(f(x + h * e)) - np.ravel(f(x - h * e))) / (2 * h) for e in np.eye(x.size)], axis=-1)


@pytest.mark.parametrize("name", list(SCIPY))
def test_scipy_functions_through_the_namespace(name):
    case, point = SCIPY[name]
    x = RNG.standard_normal(7) if point is None else point
    f = lambda z: case(z, xp)  # noqa: E731
    with da.scipy_array_api():
        plain = np.asarray(case(x, np))
        value = f(DualArray(x))
        jac = np.reshape(da.jacobian(f)(x), (plain.size, x.size))
        v = RNG.standard_normal(7)
        _, jv = da.jvp(f, (x,), (v,))
        fd = _central(lambda z: case(z, np), x)
    np.testing.assert_allclose(np.asarray(value.value), plain, rtol=1e-12, atol=1e-300)  # SciPy's own value
    tol = 5e-5 if name in ("find_minimum", "differentiate.derivative", "tanhsinh") else 1e-6
    np.testing.assert_allclose(jac, fd, rtol=tol, atol=tol * np.abs(jac).max())
    np.testing.assert_allclose(np.ravel(jv), jac @ v, rtol=1e-9, atol=1e-12 * np.abs(jac).max())


@pytest.mark.parametrize("name", ["logsumexp", "skew", "trapezoid", "softmax"])
def test_second_derivatives_through_scipy(name):
    case, _ = SCIPY[name]
    x = RNG.standard_normal(7)
    weights = np.arange(1.0, 8.0)

    def scalar(z):
        y = case(z, xp)
        return xp.sum(y * xp.asarray(weights)) if name == "softmax" else y

    with da.scipy_array_api():
        h = da.hessian(scalar, mode="forward")(x)
        fd = _central(lambda z: da.gradient(scalar)(z), x)
    np.testing.assert_allclose(h, h.T, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h, fd, rtol=1e-5, atol=1e-6 * np.abs(h).max())


REFUSED = {
    "ndimage.gaussian_filter": lambda x: scipy.ndimage.gaussian_filter(x, 1.0),
    "stats.norm.pdf": lambda x: st.norm.pdf(x),
    "signal.lfilter": lambda x: scipy.signal.lfilter(xp.asarray([1.0, 0.5]), xp.asarray([1.0]), x),
    "interpolate.CubicSpline": lambda x: scipy.interpolate.CubicSpline(xp.asarray(np.arange(7.0)), x)(xp.asarray(1.5)),
    "linalg.expm": lambda x: scipy.linalg.expm(xp.reshape(x[:4], (2, 2))),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_what_still_refuses_says_where(name):
    import scipy.interpolate  # noqa: F401
    import scipy.linalg  # noqa: F401
    import scipy.ndimage  # noqa: F401

    with da.scipy_array_api(), pytest.raises(TypeError) as info:
        da.jacobian(REFUSED[name])(RNG.standard_normal(7))
    assert "scipy" in str(info.value) and ("converted" in str(info.value) or "DualArray" in str(info.value))


def test_module_docstring_example():
    import doctest

    import dualarray.array_api

    result = doctest.testmod(dualarray.array_api)
    assert result.attempted >= 3 and result.failed == 0


def test_what_the_study_found_broken_for_every_user():
    with np.errstate(divide="ignore"):
        y = DualArray(np.array([1.0, 2.0]), 1.0) / 0.0  # no ZeroDivisionError: NumPy's inf
    np.testing.assert_array_equal(y.value, [np.inf, np.inf])
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    q, r = np.linalg.qr(DualArray(singular))  # a zero tangent: NumPy's values
    np.testing.assert_array_equal(r.value, np.linalg.qr(singular)[1])
    sign, logdet = np.linalg.slogdet(DualArray(singular))
    assert sign.value == 0 and logdet.value == -np.inf
    p = np.linalg.pinv(DualArray(singular, np.ones((2, 2))), rtol=0.5)  # a rank-dropping cut-off
    np.testing.assert_allclose(p.value, np.linalg.pinv(singular, rtol=0.5))
    fd = (np.linalg.pinv(singular + 1e-6, rtol=0.5) - np.linalg.pinv(singular - 1e-6, rtol=0.5)) / 2e-6
    np.testing.assert_allclose(p.tangent, fd, rtol=1e-6, atol=1e-8)
    v = np.vecdot(DualArray(np.ones((3, 2)), np.ones((3, 2))), np.arange(3.0)[:, None], axis=0)
    np.testing.assert_array_equal(v.tangent, [3.0, 3.0])
