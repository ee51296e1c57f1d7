"""dualarray.scipy.special: SciPy's values for plain input, the pass-through, discrete orders."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sc

import dualarray as da
from dualarray.scipy import COUNTERPARTS
from dualarray.scipy import special as S

X = np.array([0.7, 1.5, 3.2])
A = np.array([[0.3, -1.2, 2.0], [0.5, 0.1, -0.4]])


def test_plain_inputs_give_scipys_result():
    np.testing.assert_array_equal(S.polygamma(np.array([0, 1, 2]), X), sc.polygamma(np.array([0, 1, 2]), X))
    assert S.multigammaln(2.5, 3) == sc.multigammaln(2.5, 3)
    for kwargs in ({}, {"axis": 1}, {"axis": 0, "keepdims": True}, {"b": A + 2, "axis": 1}):
        np.testing.assert_array_equal(S.logsumexp(A, **kwargs), sc.logsumexp(A, **kwargs))
    np.testing.assert_array_equal(S.logsumexp(A, b=A, return_sign=True), sc.logsumexp(A, b=A, return_sign=True))
    np.testing.assert_array_equal(S.softmax(A, axis=0), sc.softmax(A, axis=0))
    np.testing.assert_array_equal(S.log_softmax(A), sc.log_softmax(A))
    for kind in ("jn", "yn", "in", "kn"):
        for d in (False, True):
            np.testing.assert_array_equal(getattr(S, f"spherical_{kind}")(2, X, d),
                                          getattr(sc, f"spherical_{kind}")(2, X, d))
    assert S.gamma is sc.gamma and S.erf is sc.erf  # the rest is scipy.special's own
    for name in S.__all__:
        assert COUNTERPARTS[getattr(sc, name)] is getattr(S, name)


def test_derivatives_match_closed_forms():
    np.testing.assert_allclose(da.derivative(lambda x: S.polygamma(1, x))(1.5), sc.polygamma(2, 1.5), rtol=1e-13)
    g = da.gradient(lambda a: S.logsumexp(a))(X)
    np.testing.assert_allclose(g, sc.softmax(X), rtol=1e-14)
    np.testing.assert_allclose(da.gradient(lambda a: S.logsumexp(a), mode="reverse")(X), g, rtol=1e-14)
    h = da.hessian(lambda a: S.logsumexp(a))(X)
    p = sc.softmax(X)
    np.testing.assert_allclose(h, np.diag(p) - np.outer(p, p), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(da.derivative(lambda z: S.spherical_jn(2, z))(1.3),
                               sc.spherical_jn(2, 1.3, derivative=True), rtol=1e-14)
    # zeta in q (scipy.special passes the DualArray to its ufunc): ∂q ζ(s, q) = -s ζ(s+1, q)
    np.testing.assert_allclose(da.derivative(lambda q: S.zeta(3.0, q))(1.5), -3 * sc.zeta(4.0, 1.5), rtol=1e-14)
    # ∂/∂a log Γ_3(a) = Σ_j ψ(a + (1 - j)/2)
    np.testing.assert_allclose(da.derivative(lambda a: S.multigammaln(a, 3))(2.5),
                               sum(sc.digamma(2.5 + (1 - j) / 2) for j in (1, 2, 3)), rtol=1e-13)


def test_discrete_orders_refuse_a_tangent():
    with pytest.raises(TypeError, match="the order n is discrete"):
        da.derivative(lambda n: S.polygamma(n, 1.5))(2.0)
    with pytest.raises(TypeError):  # SciPy itself refuses a float dimension first
        da.derivative(lambda d: S.multigammaln(2.5, d))(3.0)
    from scipy._lib import _array_api_override

    if not _array_api_override.SCIPY_ARRAY_API:  # SciPy's array-API path differentiates logsumexp itself
        with pytest.raises(TypeError, match=r"use dualarray\.scipy\.special\.logsumexp"):
            da.gradient(lambda a: sc.logsumexp(a))(X)
