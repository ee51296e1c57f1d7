"""``scipy.integrate`` with derivatives: ``from dualarray.scipy import integrate``.

``solve_ivp`` and ``odeint`` integrate forward sensitivities. With k tangent directions the state
``y`` (n values) is augmented by ``S`` (k × n), and

    y' = f(t, y, p),   S' = ∂f/∂y · S + ∂f/∂p · ṗ,   y(t0) = y0,   S(t0) = ẏ0 - f(t0, y0) ṫ0

is integrated by the same SciPy method, ``f`` evaluated once per step on a DualArray whose tangent is
``S`` (so the sensitivity equations come from the same rules). SciPy's error control covers every
component, sensitivities included (as CVODES's ``errconS``). An output time ``t`` that carries a
tangent adds ``f(t, y(t)) ṫ``; event times carry ``ṫe = -(∂g/∂y·S + ∂g/∂p·ṗ) / (dg/dt)`` and the
state at an event ``S + f ṫe``. Implicit methods (BDF, Radau, LSODA) get the block-diagonal Jacobian
``I ⊗ ∂f/∂y`` of the augmented system from ``jacobian`` (the simultaneous-corrector approximation of
CVODES): the Newton iteration converges, the error control decides accuracy.

``quad`` and ``quad_vec`` use the Leibniz rule, ``d∫f = ∫ḟ dx + f(b) ḃ - f(a) ȧ``, with the
derivative integral computed by SciPy's ``quad_vec`` over the k directions; ``simpson`` is linear in y.

These are forward-mode derivatives: under a reverse-mode pass they raise ``NotLinearError`` (and
``mode="auto"`` uses forward mode); second derivatives through an integration raise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.integrate as _si
import scipy.sparse as sp

from .. import _core
from .._core import DualArray, new_tag, split
from .._linear import NotLinearError
from . import COUNTERPARTS

__all__ = ["odeint", "quad", "quad_vec", "simpson", "solve_ivp"]

_IMPLICIT = {"BDF", "Radau", "LSODA"}


def _flat(args: Sequence[Any]) -> tuple[Any, Any, Any]:
    """``split`` over ``args`` with tuples of extra arguments opened: ``(frame, values, tangents)``."""
    return split(list(args))


def _check_first_order(frame: Any, values: Sequence[Any], tangents: Sequence[Any], what: str) -> None:
    if frame.tag in _core.REVERSE_TAGS or any(t is not None and not isinstance(t, np.ndarray) for t in tangents):
        raise NotLinearError(f"dualarray.scipy.integrate.{what}: sensitivities are forward mode only; use "
                             "mode='forward' (mode='auto' does)")
    if any(isinstance(v, DualArray) for v in values):
        raise NotImplementedError(f"dualarray.scipy.integrate.{what}: second derivatives through an integration are "
                                  "not implemented (the values carry an outer derivative)")


def _dual(frame: Any, value: Any, tangent: Any) -> Any:
    return value if tangent is None else frame.wrap(value, tangent)


class _Augmented:
    """The augmented right-hand side ``z = [y, S.ravel()]`` and its pieces."""

    def __init__(self, fun: Callable[..., Any], frame: Any, args: list, n: int, k: int, shape: tuple):
        self.fun, self.frame, self.args, self.n, self.k, self.shape = fun, frame, args, n, k, shape

    def state(self, t: float, z: np.ndarray) -> DualArray:
        y = z[: self.n].reshape(self.shape)
        s = z[self.n:].reshape((self.k, *self.shape))
        return DualArray._new(y, s, self.k, self.frame.batched, self.frame.tag)

    def split(self, r: Any) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(r, DualArray) and r.tag == self.frame.tag:
            value = np.asarray(r.value, dtype=float)
            t = np.zeros((self.k, self.n)) if r._tangent is None else np.reshape(r.tangent, (self.k, self.n))
            return value.reshape(-1), t
        return np.asarray(r, dtype=float).reshape(-1), np.zeros((self.k, self.n))

    def __call__(self, t: float, z: np.ndarray) -> np.ndarray:
        f, ft = self.split(self.fun(t, self.state(t, z), *self.args))
        return np.concatenate([f, ft.reshape(-1)])

    def plain(self, t: float, y: np.ndarray) -> np.ndarray:
        values = [a.value if isinstance(a, DualArray) and a.tag == self.frame.tag else a for a in self.args]
        return np.asarray(self.fun(t, np.reshape(y, self.shape), *values), dtype=float).reshape(-1)

    def block_jacobian(self, jac: Any, sparse: bool) -> Callable[[float, np.ndarray], Any]:
        """``I_(k+1) ⊗ ∂f/∂y`` at the state (from ``jac`` if given, else dualarray's ``jacobian``)."""
        from ..transforms import jacobian

        values = [a.value if isinstance(a, DualArray) and a.tag == self.frame.tag else a for a in self.args]
        if jac is None:
            dfdy = jacobian(lambda t, y: self.fun(t, y, *values), argnums=1)
        elif callable(jac):
            dfdy = lambda t, y: jac(t, y, *values)  # noqa: E731
        else:
            dfdy = lambda t, y: jac  # noqa: E731

        def block(t: float, z: np.ndarray) -> Any:
            j = dfdy(t, z[: self.n].reshape(self.shape))
            j = j.toarray() if sp.issparse(j) else np.reshape(np.asarray(j, dtype=float), (self.n, self.n))
            eye = sp.eye_array(self.k + 1, format="csr")
            return sp.kron(eye, sp.csr_array(j), format="csc") if sparse else np.kron(np.eye(self.k + 1), j)

        return block


def solve_ivp(fun: Callable[..., Any], t_span: Any, y0: Any, method: str = "RK45", t_eval: Any = None,
              dense_output: bool = False, events: Any = None, vectorized: bool = False, args: tuple | None = None,
              **options: Any) -> Any:
    """``scipy.integrate.solve_ivp`` with forward sensitivities in ``y0``, ``args``, ``t_span`` and ``t_eval``.

    ``.y`` (and ``.sol(t)``, ``.y_events``, ``.t_events``) are DualArrays; ``.nfev`` counts evaluations of
    the augmented system (each one evaluation of ``fun`` on DualArrays).
    """
    args = tuple(args) if args is not None else ()
    t0, t1 = t_span
    frame, values, tangents = _flat([y0, t0, t1, t_eval, *args])
    if frame is None:
        return _si.solve_ivp(fun, t_span, y0, method=method, t_eval=t_eval, dense_output=dense_output, events=events,
                             vectorized=vectorized, args=args or None, **options)
    _check_first_order(frame, values, tangents, "solve_ivp")
    if vectorized:
        raise NotImplementedError("dualarray.scipy.integrate.solve_ivp: vectorized=True with sensitivities is not "
                                  "implemented; pass vectorized=False")
    y0v, t0v, t1v, t_evalv = values[:4]
    ty0, tt0, tt1, tt_eval = tangents[:4]
    duals_args = [_dual(frame, v, t) for v, t in zip(values[4:], tangents[4:], strict=True)]
    y0v = np.asarray(y0v, dtype=float)
    shape, n, k = y0v.shape, y0v.size, frame.ndir
    system = _Augmented(fun, frame, duals_args, n, k, shape)
    s0 = np.zeros((k, n)) if ty0 is None else np.reshape(np.asarray(ty0, dtype=float), (k, n))
    if tt0 is not None:  # ∂y/∂t0 = -Φ f(t0, y0)
        s0 = s0 - np.outer(np.reshape(tt0, (k,)), system.plain(float(t0v), y0v))
    z0 = np.concatenate([y0v.reshape(-1), s0.reshape(-1)])
    if method in _IMPLICIT or (isinstance(method, type) and method.__name__ in _IMPLICIT):
        options["jac"] = system.block_jacobian(options.get("jac"), sparse=method != "LSODA")
        options.pop("jac_sparsity", None)
    event_list = [] if events is None else (list(events) if isinstance(events, list | tuple) else [events])
    wrapped_events = [_wrap_event(e, system) for e in event_list]
    res = _si.solve_ivp(system, (float(t0v), float(t1v)), z0, method=method,
                        t_eval=None if t_evalv is None else np.asarray(t_evalv, dtype=float),
                        dense_output=dense_output, events=wrapped_events or None, **options)
    return _result(res, system, frame, tt1, tt_eval, t_evalv, event_list, dense_output, float(t1v))


def _wrap_event(event: Callable[..., Any], system: _Augmented) -> Callable[[float, np.ndarray], float]:
    def g(t: float, z: np.ndarray) -> float:
        values = [a.value if isinstance(a, DualArray) and a.tag == system.frame.tag else a for a in system.args]
        return float(event(t, z[: system.n].reshape(system.shape), *values))

    for attribute in ("terminal", "direction"):
        if hasattr(event, attribute):
            setattr(g, attribute, getattr(event, attribute))
    return g


def _with_times(system: _Augmented, t: np.ndarray, y: np.ndarray, s: np.ndarray, t_tangent: Any) -> np.ndarray:
    """The state tangents ``S`` at output times plus ``f(t, y) ṫ`` where the times carry tangents."""
    if t_tangent is None:
        return s
    tt = np.reshape(np.asarray(t_tangent, dtype=float), (system.k, t.size))
    f = np.stack([system.plain(ti, y[:, i]) for i, ti in enumerate(t)], axis=-1)  # (n, nt)
    return s + tt[:, None, :] * f[None]


def _result(res: Any, system: _Augmented, frame: Any, tt1: Any, tt_eval: Any, t_evalv: Any, event_list: list,
            dense_output: bool, t1: float) -> Any:
    n, k = system.n, system.k
    y = res.y[:n]
    s = res.y[n:].reshape(k, n, -1)
    if tt_eval is not None:
        s = _with_times(system, res.t, y, s, tt_eval)
    elif tt1 is not None and res.t.size and res.t[-1] == t1:  # the end point moves with t1
        last = np.zeros((k, res.t.size))
        last[:, -1] = np.reshape(tt1, (k,))
        s = _with_times(system, res.t, y, s, last)
    res.y = frame.wrap(y, s)
    if tt_eval is not None:
        res.t = frame.wrap(res.t, np.reshape(np.asarray(tt_eval, dtype=float), (k, -1)))
    if dense_output and res.sol is not None:
        res.sol = _DenseOutput(res.sol, system)
    if event_list and res.t_events is not None:
        res.t_events, res.y_events = _event_sensitivities(res, system, event_list)
    return res


class _DenseOutput:
    """``sol(t)``: the state with its sensitivities (``f(t, y) ṫ`` added for a DualArray t)."""

    def __init__(self, sol: Any, system: _Augmented):
        self.sol, self.system = sol, system
        self.t_min, self.t_max = sol.t_min, sol.t_max

    def __call__(self, t: Any) -> DualArray:
        frame = self.system.frame
        tv = t.value if isinstance(t, DualArray) and t.tag == frame.tag else t
        z = self.sol(np.asarray(tv, dtype=float))
        n, k = self.system.n, self.system.k
        y = z[:n]
        s = z[n:].reshape((k, n, *np.shape(z)[1:]))
        if isinstance(t, DualArray) and t.tag == frame.tag and t._tangent is not None:
            times = np.atleast_1d(np.asarray(tv, dtype=float))
            ys = np.reshape(y, (n, times.size))
            ss = np.reshape(s, (k, n, times.size))
            s = np.reshape(_with_times(self.system, times, ys, ss, t._tangent), s.shape)
        return frame.wrap(y, s)


def _event_sensitivities(res: Any, system: _Augmented, event_list: list) -> tuple[list, list]:
    """``ṫe = -(∂g/∂y·S + ∂g/∂p·ṗ) / (dg/dt)`` and ``y(te)``'s tangent ``S + f ṫe`` for every event."""
    frame, n, k = system.frame, system.n, system.k
    t_events, y_events = [], []
    for event, times, states in zip(event_list, res.t_events, res.y_events, strict=True):
        tt, ys = [], []
        for te, z in zip(times, states, strict=True):
            y, s = z[:n], z[n:].reshape(k, n)
            g_fixed_t = event(te, system.state(te, z).reshape(system.shape), *system.args)
            gdot = np.zeros(k) if not isinstance(g_fixed_t, DualArray) or g_fixed_t._tangent is None else np.reshape(
                g_fixed_t.tangent, (k,))
            f = system.plain(te, y)
            along = new_tag()
            values = [a.value if isinstance(a, DualArray) and a.tag == frame.tag else a for a in system.args]
            g_along = event(DualArray(np.float64(te), 1.0, tag=along),
                            DualArray(y.reshape(system.shape), f.reshape(system.shape), tag=along), *values)
            dgdt = float(np.reshape(g_along.tangent, ())) if isinstance(g_along, DualArray) else 0.0
            if dgdt == 0:
                raise ZeroDivisionError("dualarray.scipy.integrate.solve_ivp: an event crossed with dg/dt = 0; its "
                                        "time has no derivative")
            ttime = -gdot / dgdt
            tt.append(ttime)
            ys.append(s + np.outer(ttime, f))
        t_events.append(frame.wrap(np.asarray(times), np.reshape(np.asarray(tt), (len(times), k)).T.copy()))
        y_events.append(frame.wrap(np.asarray(states)[:, :n], np.transpose(np.reshape(np.asarray(ys), (len(ys), k, n)),
                                                                           (1, 0, 2)).copy() if ys else
                                   np.zeros((k, 0, n))))
    return t_events, y_events


def odeint(func: Callable[..., Any], y0: Any, t: Any, args: tuple = (), Dfun: Any = None, **kwargs: Any) -> Any:
    """``scipy.integrate.odeint`` (``func(y, t, *args)``) with forward sensitivities in y0, args and t."""
    frame, values, tangents = _flat([y0, t, *args])
    if frame is None:
        return _si.odeint(func, y0, t, args=tuple(args), Dfun=Dfun, **kwargs)
    _check_first_order(frame, values, tangents, "odeint")
    if kwargs.get("full_output"):
        raise NotImplementedError("dualarray.scipy.integrate.odeint: full_output=True with sensitivities is not "
                                  "implemented")
    y0v, tv = np.asarray(values[0], dtype=float), np.asarray(values[1], dtype=float)
    duals_args = [_dual(frame, v, tg) for v, tg in zip(values[2:], tangents[2:], strict=True)]
    system = _Augmented(lambda t, y, *a: func(y, t, *a), frame, duals_args, y0v.size, frame.ndir, y0v.shape)
    k, n = system.k, system.n
    s0 = np.zeros((k, n)) if tangents[0] is None else np.reshape(tangents[0], (k, n))
    if tangents[1] is not None:
        s0 = s0 - np.outer(np.reshape(tangents[1], (k, -1))[:, 0], system.plain(float(tv[0]), y0v))
    z = _si.odeint(lambda z, t: system(t, z), np.concatenate([y0v.ravel(), s0.ravel()]), tv, **kwargs)
    y = z[:, :n]
    s = np.transpose(z[:, n:].reshape(-1, k, n), (1, 2, 0))  # (k, n, nt)
    if tangents[1] is not None:
        s = _with_times(system, tv, y.T, s, tangents[1])
    return frame.wrap(y, np.transpose(s, (0, 2, 1)).copy())


def quad(func: Callable[..., Any], a: Any, b: Any, args: tuple = (), full_output: int = 0, **kwargs: Any) -> Any:
    """``scipy.integrate.quad`` with derivatives in the limits and ``args`` (the Leibniz rule).

    Returns ``(value, abserr)`` as SciPy does; ``value`` is a DualArray whose tangent is
    ``∫ ∂f/∂p·ṗ dx + f(b) ḃ - f(a) ȧ``, the integral by ``quad_vec`` over the k directions.
    """
    args = tuple(args) if not isinstance(args, tuple) else args
    frame, values, tangents = _flat([a, b, *args])
    if frame is None:
        return _si.quad(func, a, b, args=args, full_output=full_output, **kwargs)
    _check_first_order(frame, values, tangents, "quad")
    av, bv = float(values[0]), float(values[1])
    plain_args = tuple(values[2:])
    result = _si.quad(func, av, bv, args=plain_args, full_output=full_output, **kwargs)
    tangent = _leibniz(func, frame, values, tangents, av, bv, kwargs)
    value = frame.wrap(np.float64(result[0]), tangent)
    return (value, *result[1:])


def _leibniz(func: Callable[..., Any], frame: Any, values: list, tangents: list, av: float, bv: float,
             kwargs: dict) -> np.ndarray:
    k = frame.ndir
    duals = [_dual(frame, v, t) for v, t in zip(values[2:], tangents[2:], strict=True)]
    plain_args = tuple(values[2:])
    total = np.zeros(k)
    if any(t is not None for t in tangents[2:]):
        def integrand(x: float) -> np.ndarray:
            r = func(x, *duals)
            return np.zeros(k) if not isinstance(r, DualArray) or r._tangent is None else np.reshape(r.tangent, (k,))

        options = {key: kwargs[key] for key in ("epsabs", "epsrel", "limit", "points") if key in kwargs}
        if "points" in options:
            options["points"] = list(options["points"])
        total = total + _si.quad_vec(integrand, av, bv, **options)[0]
    if tangents[1] is not None:
        total = total + float(func(bv, *plain_args)) * np.reshape(tangents[1], (k,))
    if tangents[0] is not None:
        total = total - float(func(av, *plain_args)) * np.reshape(tangents[0], (k,))
    return total.reshape((k,))


def quad_vec(f: Callable[..., Any], a: Any, b: Any, args: tuple = (), **kwargs: Any) -> Any:
    """``scipy.integrate.quad_vec`` with derivatives in the limits and ``args``: ``(value, error, ...)``."""
    frame, values, tangents = _flat([a, b, *args])
    if frame is None:
        return _si.quad_vec(f, a, b, args=tuple(args), **kwargs)
    _check_first_order(frame, values, tangents, "quad_vec")
    av, bv = float(values[0]), float(values[1])
    plain_args = tuple(values[2:])
    result = _si.quad_vec(f, av, bv, args=plain_args, **kwargs)
    shape = np.shape(result[0])
    k = frame.ndir
    duals = [_dual(frame, v, t) for v, t in zip(values[2:], tangents[2:], strict=True)]
    total = np.zeros((k, *shape))
    if any(t is not None for t in tangents[2:]):
        def integrand(x: float) -> np.ndarray:
            r = f(x, *duals)
            return np.zeros((k, *shape)) if not isinstance(r, DualArray) or r._tangent is None else np.reshape(
                r.tangent, (k, *shape))

        options = {key: kwargs[key] for key in ("epsabs", "epsrel", "norm", "limit", "points") if key in kwargs}
        total = total + _si.quad_vec(integrand, av, bv, **options)[0]
    if tangents[1] is not None:
        total = total + np.reshape(tangents[1], (k,) + (1,) * len(shape)) * np.asarray(f(bv, *plain_args))
    if tangents[0] is not None:
        total = total - np.reshape(tangents[0], (k,) + (1,) * len(shape)) * np.asarray(f(av, *plain_args))
    return (frame.wrap(np.asarray(result[0]), total), *result[1:])


def simpson(y: Any, x: Any = None, *, dx: float = 1.0, axis: int = -1) -> Any:
    """``scipy.integrate.simpson``, linear in ``y``: the tangent is Simpson's rule of the tangent."""
    frame, values, tangents = _flat([y, x])
    if frame is None:
        return _si.simpson(y, x=x, dx=dx, axis=axis)
    if tangents[1] is not None:
        raise NotImplementedError("dualarray.scipy.integrate.simpson: derivatives in the sample points x are not "
                                  "implemented (only in y)")
    _check_first_order(frame, values, tangents, "simpson")
    yv = values[0]
    value = _si.simpson(yv, x=values[1], dx=dx, axis=axis)
    t = tangents[0]
    if t is None:
        return frame.wrap(value, None)
    ax = axis if axis < 0 else axis - np.ndim(yv)
    return frame.wrap(value, _si.simpson(t, x=values[1], dx=dx, axis=ax))


for _name in __all__:
    COUNTERPARTS[getattr(_si, _name)] = globals()[_name]
    globals()[_name].__module__ = __name__
