"""dualarray.scipy.integrate: forward sensitivities of ODE solutions and derivatives of integrals."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate as si

import dualarray as da
from dualarray import DualArray
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
    np.testing.assert_allclose(da.derivative(lambda p: I.quad(lambda x, p: x**p, 0, 1, args=(p,))[0])(1.5),
                               -1 / 2.5**2, rtol=1e-8)  # ∫0^1 x^p dx = 1/(p+1)
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


A0, B0 = np.array([[-1.0, 0.5], [0.2, -0.8]]), np.array([[0.0, 1.0], [0.0, 0.0]])
Y0 = np.array([1.0, 2.0])


def _linear_solution(p):
    """y(1.5) of y' = A(p) y, y(0) = p[1]·y0, through solve_ivp; exact: expm(1.5 A(p)) p[1] y0."""
    return I.solve_ivp(lambda t, y, a: a @ y, (0, 1.5), Y0 * p[1], args=(A0 * p[0] + B0 * p[1],), **TIGHT).y[:, -1]


def _linear_odeint(p):
    return I.odeint(lambda y, t, a: a @ y, Y0 * p[1], np.array([0.0, 0.5, 1.5]), args=(A0 * p[0] + B0 * p[1],),
                    rtol=1e-11, atol=1e-12)[-1]


def _linear_exact(p):
    return L.expm(1.5 * (A0 * p[0] + B0 * p[1])) @ (Y0 * p[1])


@pytest.mark.parametrize("solution", [_linear_solution, _linear_odeint])
def test_every_mode_through_an_ode_solve(solution):
    q = np.array([1.0, 0.3])
    exact = da.jacobian(_linear_exact)(q)
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(da.jacobian(solution, mode=mode)(q), exact, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(da.jacobian(solution, sparsity="auto")(q).toarray(), exact, rtol=1e-9, atol=1e-10)

    def loss(f):
        return lambda p: np.sum(f(p) ** 2)

    exact_h = da.hessian(loss(_linear_exact), mode="forward")(q)
    for mode in ("forward", "auto"):  # forward over forward, forward over reverse
        np.testing.assert_allclose(da.hessian(loss(solution), mode=mode)(q), exact_h, rtol=1e-8, atol=1e-9)
    # the dot-product test <J v, w> = <v, J^T w> through the recorded pass
    rng = np.random.default_rng(3)
    v, w = rng.standard_normal(2), rng.standard_normal(2)
    jv = da.jvp(solution, (q,), (v,))[1]
    jtw = da.vjp(solution, q)[1](w)
    np.testing.assert_allclose(np.dot(jv, w), np.dot(v, jtw), rtol=1e-10)


def test_lotka_volterra_hessian_against_finite_differences_of_the_gradient():
    p0, y0 = np.array([1.5, 1.0, 3.0, 1.0]), np.array([10.0, 5.0])

    def prey_at_end(p):
        return I.solve_ivp(lotka_volterra, (0, 1.0), y0, args=tuple(p[i] for i in range(4)), **TIGHT).y[0, -1]

    h = da.hessian(prey_at_end, mode="forward")(p0)
    fd = _central(lambda p: da.gradient(prey_at_end)(p), p0, h=1e-5)
    np.testing.assert_allclose(h, fd, rtol=1e-5, atol=1e-5 * np.abs(h).max())
    np.testing.assert_allclose(da.hessian(prey_at_end)(p0), h, rtol=1e-8, atol=1e-8 * np.abs(h).max())


def test_stiff_second_derivatives_in_the_initial_state():
    k = (0.04, 3e7, 1e4)

    def third_species(y0):
        return I.solve_ivp(robertson, (0, 1.0), y0, method="BDF", args=k, rtol=1e-9, atol=1e-13).y[2, -1]

    y0 = np.array([0.98, 0.01, 0.01])
    h = da.hessian(third_species, mode="forward")(y0)
    fd = _central(lambda y: da.gradient(third_species)(y), y0, h=1e-4)
    np.testing.assert_allclose(h, fd, rtol=1e-3, atol=1e-4 * np.abs(h).max())


def test_integrals_in_every_mode():
    def integral(p):  # ∫_0^b exp(-s x) dx = (1 - exp(-s b)) / s
        return I.quad(lambda x, s: np.exp(-s * x), 0, p[1], args=(p[0],))[0]

    def closed(p):
        return (1 - np.exp(-p[0] * p[1])) / p[0]

    p = np.array([0.7, 1.3])
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(da.gradient(integral, mode=mode)(p), da.gradient(closed)(p), rtol=1e-12)
    for mode in ("forward", "auto"):
        np.testing.assert_allclose(da.hessian(integral, mode=mode)(p), da.hessian(closed, mode="forward")(p),
                                   rtol=1e-10, atol=1e-14)
    # both limits moving, to second order: d²/da db ∫_a^b sin = 0, d²/db² = cos(b), d²/da² = -cos(a)
    h = da.hessian(lambda ab: I.quad(np.sin, ab[0], ab[1])[0], mode="forward")(np.array([0.2, 1.0]))
    np.testing.assert_allclose(h, np.diag([-np.cos(0.2), np.cos(1.0)]), rtol=1e-12, atol=1e-15)
    # ∫0^1 x^p dx = 1/(p+1): the second derivative is 2/(p+1)³
    np.testing.assert_allclose(da.derivative(da.derivative(lambda p: I.quad(lambda x, p: x**p, 0, 1, args=(p,))[0]))(
        1.5), 2 / 2.5**3, rtol=1e-8)
    vec = lambda w: I.quad_vec(lambda x, w: np.sin(w * x), 0, w[0], args=(w,))[0]  # noqa: E731
    w = np.array([1.0, 2.0])
    np.testing.assert_allclose(da.jacobian(vec, mode="reverse")(w), da.jacobian(vec)(w), rtol=1e-12)
    x = np.linspace(0, 1, 7)
    weights = _simpson_weights(x)
    np.testing.assert_allclose(da.gradient(lambda y: I.simpson(y**2, x=x), mode="reverse")(x), 2 * x * weights,
                               rtol=1e-12)
    np.testing.assert_allclose(da.hessian(lambda y: I.simpson(y**2, x=x), mode="forward")(x), 2 * np.diag(weights),
                               rtol=1e-12, atol=1e-15)
    grid = np.stack([x, 2 * x])  # sample points per row (N-d x), integrated along axis 1
    np.testing.assert_allclose(da.jacobian(lambda y: I.simpson(y, x=grid, axis=1))(np.ones((2, 7)))[1, 1],
                               _simpson_weights(2 * x), rtol=1e-12)


def test_what_is_not_implemented_says_so():
    f = lambda t, y: -y  # noqa: E731
    with pytest.raises(NotImplementedError, match="first order"):
        da.hessian(lambda t: I.solve_ivp(f, (0, t[0]), np.ones(2)).y[0, -1], mode="forward")(np.array([1.0]))
    with pytest.raises(NotImplementedError, match="events"):
        da.hessian(lambda y: I.solve_ivp(f, (0, 1), y, events=lambda t, y: y[0] - 0.5).y[0, -1],
                   mode="forward")(np.ones(2))
    with pytest.raises(ValueError, match="infinity"):
        da.derivative(lambda s: I.quad(lambda x: np.exp(-x), 0, np.inf * s)[0])(1.0)
    outer = DualArray(2.0, 1.0)
    with pytest.raises(TypeError, match="args="):
        da.jacobian(lambda y: I.solve_ivp(lambda t, y: -outer * y, (0, 1), y).y[:, -1])(np.ones(2))
    with pytest.raises(NotImplementedError, match="sample points"):
        I.simpson(np.ones(3), DualArray(np.arange(3.0), np.ones(3)))
    assert isinstance(I.solve_ivp(f, (0, 1), DualArray(np.ones(2), np.ones(2))).y, DualArray)


def _diffusion(t, u, d, k):
    padded = np.concatenate([np.zeros(1), u, np.zeros(1)])
    return d * (padded[2:] - 2 * u + padded[:-2]) * 71.0**2 - k * u**2


@pytest.mark.parametrize("given", [False, True])
def test_many_states_get_a_coloured_augmented_jacobian(given, monkeypatch):
    """70 states: BDF's Newton matrix is the coloured sparse Jacobian of the augmented system."""
    from scipy.sparse import diags_array

    u0 = np.sin(np.pi * np.linspace(0, 1, 72)[1:-1])
    tridiagonal = diags_array([np.ones(69), np.ones(70), np.ones(69)], offsets=[-1, 0, 1])
    options = {"jac_sparsity": tridiagonal} if given else {}
    seen = []
    original = I._Augmented.jacobian

    def spy(self, *args):
        jac = original(self, *args)

        def call(t, z):
            seen.append(jac(t, z))
            return seen[-1]

        return call

    monkeypatch.setattr(I._Augmented, "jacobian", spy)

    def final(p):
        return I.solve_ivp(_diffusion, (0, 0.2), u0, method="BDF", args=(p[0], p[1]), rtol=1e-9, atol=1e-12,
                           **options).y[:, -1]

    p0 = np.array([0.5, 2.0])
    jac = da.jacobian(final, mode="forward")(p0)
    fd = _central(lambda p: si.solve_ivp(_diffusion, (0, 0.2), u0, method="BDF", args=tuple(p), rtol=1e-12,
                                         atol=1e-14).y[:, -1], p0, rel=1e-5)
    np.testing.assert_allclose(jac, fd, rtol=1e-5, atol=1e-6 * np.abs(fd).max())
    assert seen and all(m.format == "csc" and m.nnz <= 3 * 70 * 3 + 2 * 3 * 70 for m in seen)
    # second order: the nested components, with the lower-triangular block pattern
    h = da.hessian(lambda p: final(p)[35], mode="forward")(p0)
    fd2 = _central(lambda p: da.gradient(lambda q: final(q)[35])(p), p0, h=1e-5)
    np.testing.assert_allclose(h, fd2, rtol=1e-4, atol=1e-5 * np.abs(h).max())


def test_terminal_events_and_weights():
    def half(t, y):
        return y[0] - 0.5

    half.terminal = True
    final = lambda y0: I.solve_ivp(lambda t, y: -y, (0, 5), y0, events=half, **TIGHT)  # noqa: E731
    # y stops at y0 = 0.5: its end value does not move, the end time does (te = log(2 y0))
    np.testing.assert_allclose(da.jacobian(lambda y0: final(y0).y[:, -1])(np.array([1.0, 2.0])),
                               [[0.0, 0.0], [-1.0, 0.5]], atol=1e-8)
    np.testing.assert_allclose(da.jacobian(lambda y0: final(y0).t[-1])(np.array([1.0, 2.0])), [1.0, 0.0], atol=1e-8)

    def never(t, y):
        return y[0] + 10

    r = I.solve_ivp(lambda t, y: -y, (0, 1), DualArray(np.ones(2), np.ones(2)), events=never)
    assert r.t_events[0].size == 0 and r.y_events[0].shape == (0, 2)
    with pytest.raises(NotImplementedError, match="weight="):
        da.derivative(lambda p: I.quad(lambda x, p: np.exp(-p * x), 0, 2, args=(p,), weight="cos", wvar=3.0)[0])(0.7)
    # a lone extra argument, as SciPy accepts
    np.testing.assert_allclose(da.derivative(lambda p: I.quad(lambda x, p: np.exp(-p * x), 0, 2, args=p)[0])(0.7),
                               -si.quad(lambda x: x * np.exp(-0.7 * x), 0, 2)[0], rtol=1e-10)
