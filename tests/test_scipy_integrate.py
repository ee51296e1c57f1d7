"""dualarray.scipy.integrate: forward sensitivities of ODE solutions and derivatives of integrals."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate as si

import dualarray as da
from dualarray import DualArray, NotLinearError
from dualarray.scipy import integrate as I  # noqa: E741
from dualarray.scipy import linalg as L

TIGHT = dict(rtol=1e-11, atol=1e-12)


def lotka_volterra(t, y, a, b, c, d):
    return np.stack([a * y[0] - b * y[0] * y[1], -c * y[1] + d * y[0] * y[1]])


def robertson(t, y, k1, k2, k3):
    return np.stack([-k1 * y[0] + k3 * y[1] * y[2], k1 * y[0] - k2 * y[1] ** 2 - k3 * y[1] * y[2], k2 * y[1] ** 2])


def _central(f, x, rel=None, h=1e-6):
    steps = [h * e if rel is None else rel * x * e for e in np.eye(x.size)]
    return np.stack([(f(x + s) - f(x - s)) / (2 * np.linalg.norm(s)) for s in steps], axis=-1)


def test_plain_inputs_are_scipys_result():
    ours = I.solve_ivp(lotka_volterra, (0, 1), np.array([10.0, 5.0]), args=(1.5, 1.0, 3.0, 1.0))
    theirs = si.solve_ivp(lotka_volterra, (0, 1), np.array([10.0, 5.0]), args=(1.5, 1.0, 3.0, 1.0))
    np.testing.assert_array_equal(ours.y, theirs.y)
    assert I.quad(np.sin, 0, 1) == si.quad(np.sin, 0, 1)
    np.testing.assert_array_equal(I.odeint(lambda y, t: -y, np.ones(2), np.linspace(0, 1, 3)),
                                  si.odeint(lambda y, t: -y, np.ones(2), np.linspace(0, 1, 3)))


def test_lotka_volterra_parameter_and_initial_sensitivities():
    p0, y0 = np.array([1.5, 1.0, 3.0, 1.0]), np.array([10.0, 5.0])

    def final(p, y0=y0):
        return I.solve_ivp(lotka_volterra, (0, 2.0), y0, args=tuple(p[i] for i in range(4)), **TIGHT).y[:, -1]

    def plain(p, y0=y0):
        return si.solve_ivp(lotka_volterra, (0, 2.0), y0, args=tuple(p), rtol=1e-12, atol=1e-12).y[:, -1]

    jac = da.jacobian(final)(p0)
    np.testing.assert_allclose(jac, _central(plain, p0), rtol=1e-6, atol=1e-6 * np.abs(jac).max())
    jy = da.jacobian(lambda y: final(p0, y))(y0)
    np.testing.assert_allclose(jy, _central(lambda y: plain(p0, y), y0), rtol=1e-6, atol=1e-6 * np.abs(jy).max())
    # k directions at once equal single ones
    single = np.stack([da.jvp(final, (p0,), (e,))[1] for e in np.eye(4)], axis=-1)
    np.testing.assert_allclose(jac, single, rtol=1e-9, atol=1e-9)


def test_linear_ode_matches_the_matrix_exponential():
    a0, b = np.array([[-1.0, 0.5], [0.2, -0.8]]), np.array([[0.0, 1.0], [0.0, 0.0]])
    y0 = np.array([1.0, 2.0])

    def solution(p):
        a = a0 * p[0] + b * p[1]
        return I.solve_ivp(lambda t, y, a: a @ y, (0, 1.5), y0, args=(a,), **TIGHT).y[:, -1]

    def exact(p):
        return L.expm(1.5 * (a0 * p[0] + b * p[1])) @ y0

    q = np.array([1.0, 0.3])
    np.testing.assert_allclose(da.jacobian(solution)(q), da.jacobian(exact)(q), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("method", ["BDF", "Radau", "LSODA"])
def test_robertson_stiff_sensitivities(method):
    k0, y0 = np.array([0.04, 3e7, 1e4]), np.array([1.0, 0.0, 0.0])

    def ours(k):
        return I.solve_ivp(robertson, (0, 40.0), y0, method=method, args=tuple(k[i] for i in range(3)), rtol=1e-8,
                           atol=1e-12).y[:, -1]

    def reference(k):
        return si.solve_ivp(robertson, (0, 40.0), y0, method="Radau", args=tuple(k), rtol=1e-12, atol=1e-16).y[:, -1]

    jac = da.jacobian(ours)(k0)
    fd = _central(reference, k0, rel=1e-5)
    np.testing.assert_allclose(jac, fd, rtol=1e-5, atol=1e-5 * np.abs(fd).max())


def test_times_dense_output_and_events():
    p, y0 = (1.5, 1.0, 3.0, 1.0), np.array([10.0, 5.0])
    f = lambda t, y: lotka_volterra(t, y, *p)  # noqa: E731

    def at_end(t1):
        return I.solve_ivp(f, (0.0, t1), y0, **TIGHT).y[:, -1]

    np.testing.assert_allclose(da.derivative(at_end)(1.3), f(1.3, at_end(1.3)), rtol=1e-8)
    start = da.derivative(lambda t0: I.solve_ivp(f, (t0, 1.3), y0, **TIGHT).y[:, -1])(0.0)
    np.testing.assert_allclose(start, _central(lambda t: si.solve_ivp(f, (t[0], 1.3), y0, rtol=1e-12,
                                                                      atol=1e-12).y[:, -1], np.array([0.0]))[:, 0],
                               rtol=1e-5)
    y_eval = lambda ts: I.solve_ivp(f, (0.0, 2.0), y0, t_eval=ts, **TIGHT).y  # noqa: E731
    ts = np.array([0.5, 1.0, 1.5])
    np.testing.assert_allclose(da.jacobian(y_eval)(ts)[:, 1, 1], f(1.0, y_eval(ts)[:, 1]), rtol=1e-8)
    # dense output carries the sensitivities
    d = da.derivative(lambda a: I.solve_ivp(lotka_volterra, (0, 2.0), y0, args=(a, 1.0, 3.0, 1.0), dense_output=True,
                                            **TIGHT).sol(1.25))(1.5)
    ref = _central(lambda a: si.solve_ivp(lotka_volterra, (0, 2.0), y0, args=(a[0], 1.0, 3.0, 1.0), dense_output=True,
                                          rtol=1e-12, atol=1e-12).sol(1.25), np.array([1.5]))[:, 0]
    np.testing.assert_allclose(d, ref, rtol=1e-5)

    # an event's time and state move with the parameter
    def crossing(t, y, *args):
        return y[0] - 4.0

    crossing.terminal = True

    def event_time(a):
        r = I.solve_ivp(lotka_volterra, (0, 5.0), y0, args=(a, 1.0, 3.0, 1.0), events=crossing, **TIGHT)
        return r.t_events[0][0]

    def plain_event_time(a):
        return si.solve_ivp(lotka_volterra, (0, 5.0), y0, args=(a[0], 1.0, 3.0, 1.0), events=crossing, rtol=1e-12,
                            atol=1e-12).t_events[0][:1]

    np.testing.assert_allclose(da.derivative(event_time)(1.5), _central(plain_event_time, np.array([1.5]))[0, 0],
                               rtol=1e-5)


def test_odeint_sensitivities():
    ts = np.linspace(0, 2.0, 5)

    def ours(p):
        return I.odeint(lambda y, t, a, b, c, d: lotka_volterra(t, y, a, b, c, d), np.array([10.0, 5.0]), ts,
                        args=tuple(p[i] for i in range(4)), rtol=1e-11, atol=1e-12)

    def plain(p):
        return si.odeint(lambda y, t: lotka_volterra(t, y, *p), np.array([10.0, 5.0]), ts, rtol=1e-12, atol=1e-12)

    p0 = np.array([1.5, 1.0, 3.0, 1.0])
    jac = da.jacobian(ours)(p0)
    np.testing.assert_allclose(jac, _central(plain, p0), rtol=1e-5, atol=1e-5 * np.abs(jac).max())


def test_quad_family():
    # ∂/∂s ∫0^1 exp(-s x²) dx = -∫ x² exp(-s x²) dx
    d = da.derivative(lambda s: I.quad(lambda x, s: np.exp(-s * x**2), 0, 1, args=(s,))[0])(2.0)
    np.testing.assert_allclose(d, si.quad(lambda x: -(x**2) * np.exp(-2 * x**2), 0, 1)[0], rtol=1e-10)
    g = da.gradient(lambda ab: I.quad(np.sin, ab[0], ab[1])[0])(np.array([0.2, 1.0]))
    np.testing.assert_allclose(g, [-np.sin(0.2), np.sin(1.0)], rtol=1e-12)
    # ∫0^1 x^p dx = 1/(p+1): second derivative by nesting is not available, the first is exact
    np.testing.assert_allclose(da.derivative(lambda p: I.quad(lambda x, p: x**p, 0, 1, args=(p,))[0])(1.5),
                               -1 / 2.5**2, rtol=1e-8)
    jv = da.jacobian(lambda w: I.quad_vec(lambda x, w: np.sin(w * x), 0, 1, args=(w,))[0])(np.array([1.0, 2.0]))
    exact = lambda w: (w * np.sin(w) - 1 + np.cos(w)) / w**2  # noqa: E731  (∂/∂w of (1 - cos w)/w)
    np.testing.assert_allclose(np.diag(jv), exact(np.array([1.0, 2.0])), rtol=1e-9)
    y = np.linspace(0, 1, 7) ** 2
    np.testing.assert_allclose(da.jacobian(lambda y: I.simpson(y, x=np.linspace(0, 1, 7)))(y),
                               _simpson_weights(np.linspace(0, 1, 7)), rtol=1e-12)
    with pytest.raises(TypeError, match=r"use dualarray\.scipy\.integrate\.simpson"):
        da.jacobian(lambda y: si.simpson(y))(y)


def _simpson_weights(x):
    return np.array([si.simpson(e, x=x) for e in np.eye(x.size)])


def test_reverse_mode_and_nesting_refuse_clearly():
    f = lambda p: I.solve_ivp(lambda t, y, a: -a * y, (0, 1), np.ones(200), args=(p[0],)).y[:, -1]  # noqa: E731
    with pytest.raises(NotLinearError, match="forward mode"):
        da.jacobian(f, mode="reverse")(np.array([1.0]))
    np.testing.assert_allclose(da.jacobian(f)(np.array([1.0]))[:, 0], -np.exp(-1.0), rtol=1e-3)
    with pytest.raises(NotImplementedError, match="second derivatives"):
        da.hessian(lambda p: I.quad(lambda x, p: x**p, 0, 1, args=(p[0],))[0], mode="forward")(np.array([1.5]))
    assert isinstance(I.solve_ivp(lambda t, y: -y, (0, 1), DualArray(np.ones(2), np.ones(2))).y, DualArray)
