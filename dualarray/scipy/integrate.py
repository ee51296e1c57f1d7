"""``scipy.integrate`` with derivatives: ``from dualarray.scipy import integrate``.

``solve_ivp`` and ``odeint`` integrate forward sensitivities. With k tangent directions the state
``y`` (n values) is augmented by ``S`` (k × n), and

    y' = f(t, y, p),   S' = ∂f/∂y · S + ∂f/∂p · ṗ,   y(t0) = y0,   S(t0) = ẏ0 - f(t0, y0) ṫ0

is integrated by the same SciPy method, ``f`` evaluated once per step on a DualArray whose tangent is
``S`` (so the sensitivity equations come from the same rules). SciPy's error control covers every
component, sensitivities included (as CVODES's ``errconS``). An output time ``t`` that carries a
tangent adds ``f(t, y(t)) ṫ``; event times carry ``ṫe = -(∂g/∂y·S + ∂g/∂p·ṗ) / (dg/dt)`` and the
state at an event ``S + f ṫe``. Implicit methods (BDF, Radau, LSODA) get the exact Jacobian of the
augmented system from ``jacobian`` (:meth:`_Augmented.jacobian`; sparse and coloured when ∂f/∂y has a
pattern), so SciPy's Newton iterations converge as fast as on the plain problem.

``quad`` and ``quad_vec`` use the Leibniz rule, ``d∫f = ∫ḟ dx + f(b) ḃ - f(a) ȧ``, with the
derivative integral computed by SciPy's ``quad_vec`` over the k directions; ``simpson`` is linear in y.

Every mode: nested DualArrays (second derivatives) integrate every component of the nested state
(the ODE in the algebra of nested dual numbers; :mod:`dualarray.scipy._modes`), and the limits of an
integral enter exactly to any order. Under a recorded pass (reverse mode, sparsity detection) the
counterpart runs forward with one direction per input element and records ``J·ṫ``: exact, at the
cost of the forward sensitivities (no adjoint solve). Derivatives in times and event times are
first order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.integrate as _si
import scipy.sparse as sp

from .._core import DualArray, new_tag, split
from . import COUNTERPARTS, _modes, counterpart

__all__ = ["odeint", "quad", "quad_vec", "simpson", "solve_ivp"]

_IMPLICIT = {"BDF", "Radau", "LSODA"}
SPARSE_STATES = 64
"""From this many states on, BDF and Radau get a sparse Newton Jacobian from a detected pattern."""


def _flat(args: Sequence[Any]) -> tuple[Any, Any, Any]:
    """``split`` over ``args`` with tuples of extra arguments opened: ``(frame, values, tangents)``."""
    return split(list(args))


def _forward_levels(objs: Sequence[Any], what: str) -> list[Any]:
    """The perturbation levels of a forward computation (every one forward), outermost first."""
    levels = _modes.levels_of(objs)
    if any(_modes.recorded(level) for level in levels):
        raise NotImplementedError(f"dualarray.scipy.integrate.{what}: a recorded (reverse-mode) perturbation inside "
                                  "a forward one cannot be integrated; use forward over reverse (dualarray.hessian's "
                                  "default) or forward mode")
    return levels


def _no_time_tangents_when_nested(levels: list, tangents: Sequence[Any], what: str) -> None:
    if len(levels) > 1 and any(t is not None for t in tangents):
        raise NotImplementedError(f"dualarray.scipy.integrate.{what}: derivatives in the times (t_span, t_eval, t) and "
                                  "at events are first order; second derivatives are in y0 and args")


def _dual(frame: Any, value: Any, tangent: Any) -> Any:
    return value if tangent is None else frame.wrap(value, tangent)


class _Augmented:
    """The ODE in the algebra of (nested) dual numbers: ``z`` holds every component of the state.

    For one level with k directions, ``z = [y, S.ravel()]`` (S: k × n); nested levels add their
    components (:mod:`dualarray.scipy._modes`).
    """

    def __init__(self, fun: Callable[..., Any], levels: list, args: list, shape: tuple, what: str):
        self.fun, self.levels, self.args, self.shape, self.what = fun, levels, args, shape, what
        self.keys = _modes.all_keys(levels)
        self.frame = levels[0]
        self.n, self.k = math.prod(shape), self.frame.ndir

    def state(self, t: float, z: np.ndarray) -> Any:
        if len(self.levels) == 1:  # the common case, without the component bookkeeping
            frame, n = self.frame, self.n
            return DualArray._new(z[:n].reshape(self.shape), z[n:].reshape((self.k, *self.shape)), self.k,
                                  frame.batched, frame.tag)
        return _modes.build(self.levels, _modes.unpack(z, self.levels, self.keys, self.shape))

    def __call__(self, t: float, z: np.ndarray) -> np.ndarray:
        r = self.fun(t, self.state(t, z), *self.args)
        if (len(self.levels) == 1 and type(r) is DualArray and r.tag == self.frame.tag and type(r.value) is np.ndarray
                and type(r._tangent) is np.ndarray and r.value.size == self.n and r._tangent.size == self.n * self.k):
            out = np.empty(z.size)
            out[: self.n] = r.value.reshape(-1)
            out[self.n:] = r._tangent.reshape(-1)
            return out
        return _modes.pack(r, self.levels, self.keys, self.shape, f"dualarray.scipy.integrate.{self.what}")

    def parts(self, z: np.ndarray, trailing: tuple = ()) -> dict:
        return _modes.unpack(z, self.levels, self.keys, self.shape, trailing)

    def plain(self, t: float, y: np.ndarray) -> np.ndarray:
        return np.asarray(self.fun(t, np.reshape(y, self.shape), *_modes.plain(self.args)), dtype=float).reshape(-1)

    def jacobian(self, t0: float, y0: np.ndarray, sparse: bool, sparsity: Any) -> Callable[[float, np.ndarray], Any]:
        """The exact Jacobian ``∂z'/∂z`` of the augmented system, by ``jacobian`` of its right-hand side.

        For one level it is ``[[J, 0], [∂(J·Sᵢ + ∂f/∂p·ṗᵢ)/∂y, J]]``: block lower triangular, second
        derivatives below the diagonal (the simultaneous-corrector shortcut ``I ⊗ J`` slows SciPy's
        Newton iterations several-fold). With a pattern ``P`` of ``∂f/∂y`` (``sparsity``, SciPy's
        ``jac_sparsity``, or detected at ``(t0, y0)`` from :data:`SPARSE_STATES` states on) the
        augmented pattern is ``P`` in every block that can be nonzero, evaluated by colouring.
        """
        from .._sparse import jacobian_sparsity
        from ..transforms import jacobian

        where = f"dualarray.scipy.integrate.{self.what}"

        def rhs(t: float, z: Any) -> Any:  # z carries jacobian's (older) tag: the levels move to fresh tags
            fresh = _modes.fresh_levels(self.levels)
            keys = _modes.all_keys(fresh)
            args = [_modes.retag(a, self.levels, fresh, where) for a in self.args]
            state = _modes.build(fresh, _modes.unpack(z, fresh, keys, self.shape))
            inner = z.tag if isinstance(z, DualArray) else None
            return _modes.pack(self.fun(t, state, *args), fresh, keys, self.shape, where, inner)

        pattern = sparsity
        if pattern is None and sparse and self.n >= SPARSE_STATES:
            values = _modes.plain(self.args)
            try:
                pattern = jacobian_sparsity(lambda y: self.fun(t0, y, *values))(np.reshape(y0, self.shape))
            except (NotImplementedError, TypeError, ValueError):
                pattern = None  # detection cannot run f: the dense Jacobian
        if pattern is None:
            dense = jacobian(rhs, argnums=1, mode="forward")
            return lambda t, z: np.reshape(dense(t, z), (z.size, z.size))
        units = sum(math.prod(_modes.component_shape(key, self.levels, ())) for key in self.keys)
        if len(self.levels) == 1:  # Sᵢ' depends on y and Sᵢ only
            blocks = np.eye(units, dtype=bool)
            blocks[:, 0] = True
        else:
            blocks = np.tril(np.ones((units, units), dtype=bool))
        augmented = sp.kron(sp.csr_array(blocks), sp.csr_array(sp.csr_array(pattern) != 0), format="csr")
        compressed = jacobian(rhs, argnums=1, sparsity=augmented)
        return (lambda t, z: compressed(t, z).tocsc()) if sparse else (lambda t, z: compressed(t, z).toarray())


def solve_ivp(fun: Callable[..., Any], t_span: Any, y0: Any, method: str = "RK45", t_eval: Any = None,
              dense_output: bool = False, events: Any = None, vectorized: bool = False, args: tuple | None = None,
              **options: Any) -> Any:
    """``scipy.integrate.solve_ivp`` with sensitivities in ``y0``, ``args``, ``t_span`` and ``t_eval``.

    ``.y`` (and ``.sol(t)``, ``.y_events``, ``.t_events``) are DualArrays; ``.nfev`` counts evaluations of
    the augmented system (each one evaluation of ``fun`` on DualArrays).
    """
    args = tuple(args) if args is not None else ()
    t0, t1 = t_span
    frame, values, tangents = _flat([y0, t0, t1, t_eval, *args])
    if frame is None:
        return _si.solve_ivp(fun, t_span, y0, method=method, t_eval=t_eval, dense_output=dense_output, events=events,
                             vectorized=vectorized, args=args or None, **options)
    if _modes.recorded(frame):
        return _solve_ivp_recorded(fun, [y0, t0, t1, t_eval, *args], method, dense_output, events, vectorized, options)
    if vectorized:
        raise NotImplementedError("dualarray.scipy.integrate.solve_ivp: vectorized=True with sensitivities is not "
                                  "implemented; pass vectorized=False")
    levels = _forward_levels([y0, t0, t1, t_eval, *args], "solve_ivp")
    _no_time_tangents_when_nested(levels, [_time_tangent(x) for x in (t0, t1, t_eval)], "solve_ivp")
    if len(levels) > 1 and events is not None:
        raise NotImplementedError("dualarray.scipy.integrate.solve_ivp: events with second derivatives are not "
                                  "implemented")
    t0v, t1v, t_evalv = (_modes.plain(x) for x in (t0, t1, t_eval))
    tt0, tt1, tt_eval = tangents[1:4]
    y0_dual = y0 if isinstance(y0, DualArray) else np.asarray(y0, dtype=float)
    shape = np.shape(y0_dual)
    system = _Augmented(fun, levels, list(args), shape, "solve_ivp")
    z0 = _modes.pack(y0_dual, levels, system.keys, shape, "dualarray.scipy.integrate.solve_ivp")
    if tt0 is not None:  # ∂y/∂t0 = -Φ f(t0, y0)
        n, k = system.n, system.k
        z0[n:n + k * n] -= np.outer(np.reshape(tt0, (k,)), system.plain(float(t0v), _modes.plain(y0))).reshape(-1)
    if method in _IMPLICIT or (isinstance(method, type) and method.__name__ in _IMPLICIT):
        options.pop("jac", None)  # for f alone; the augmented system's comes from jacobian
        options["jac"] = system.jacobian(float(t0v), _modes.plain(y0_dual), method != "LSODA",
                                         options.pop("jac_sparsity", None))
    event_list = [] if events is None else (list(events) if isinstance(events, list | tuple) else [events])
    wrapped_events = [_wrap_event(e, system) for e in event_list]
    res = _si.solve_ivp(system, (float(t0v), float(t1v)), z0, method=method,
                        t_eval=None if t_evalv is None else np.asarray(t_evalv, dtype=float),
                        dense_output=dense_output, events=wrapped_events or None, **options)
    return _result(res, system, tt1, tt_eval, event_list, dense_output, float(t1v), t_evalv is None)


def _time_tangent(x: Any) -> Any:
    return x._tangent if isinstance(x, DualArray) else None


def _solve_ivp_recorded(fun: Callable[..., Any], inputs: list, method: Any, dense_output: bool, events: Any,
                        vectorized: bool, options: dict) -> Any:
    """A reverse-mode (or sparsity-detecting) solve: forward sensitivities in every input, then ``J·ṫ``."""

    def run(y0: Any, t0: Any, t1: Any, t_eval: Any, *args: Any) -> Any:
        return solve_ivp(fun, (t0, t1), y0, method=method, t_eval=t_eval, dense_output=dense_output, events=events,
                         vectorized=vectorized, args=args, **options)

    res, bridge = _modes.through_forward(run, inputs, "dualarray.scipy.integrate.solve_ivp")
    res.y, res.t = bridge(res.y), bridge(res.t)
    if res.t_events is not None:
        res.t_events = [bridge(t) for t in res.t_events]
        res.y_events = [bridge(y) for y in res.y_events]
    if dense_output and res.sol is not None:
        forward_sol = res.sol

        def sol(t: Any) -> Any:
            if isinstance(t, DualArray):
                raise NotImplementedError("dualarray.scipy.integrate.solve_ivp: sol(t) with a DualArray t under "
                                          "reverse mode is not implemented; pass a plain t")
            return bridge(forward_sol(t))

        res.sol = sol
    return res


def _wrap_event(event: Callable[..., Any], system: _Augmented) -> Callable[[float, np.ndarray], float]:
    values = _modes.plain(system.args)

    def g(t: float, z: np.ndarray) -> float:
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


def _result(res: Any, system: _Augmented, tt1: Any, tt_eval: Any, event_list: list, dense_output: bool,
            t1: float, steps_as_output: bool) -> Any:
    frame, k = system.frame, system.k
    parts = system.parts(res.y, (res.t.size,))
    tangent_key = (frame.tag,)
    if tt_eval is not None:
        parts[tangent_key] = _with_times(system, res.t, parts[()], parts[tangent_key], tt_eval)
    elif tt1 is not None and res.t.size and res.t[-1] == t1:  # the end point moves with t1
        last = np.zeros((k, res.t.size))
        last[:, -1] = np.reshape(tt1, (k,))
        parts[tangent_key] = _with_times(system, res.t, parts[()], parts[tangent_key], last)
    res.y = _modes.build(system.levels, parts)
    if tt_eval is not None:
        res.t = frame.wrap(res.t, np.reshape(np.asarray(tt_eval, dtype=float), (k, -1)))
    if dense_output and res.sol is not None:
        res.sol = _DenseOutput(res.sol, system)
    if event_list and res.t_events is not None:
        res.t_events, res.y_events = _event_sensitivities(res, system, event_list)
        if res.status == 1 and steps_as_output:  # stopped by a terminal event: the last output time moves
            _end_at_event(res, system, parts)
    return res


def _end_at_event(res: Any, system: _Augmented, parts: dict) -> None:
    """The final state of a solve stopped by a terminal event: ``S + f(te) ṫe`` and ``res.t[-1]``'s ṫe."""
    frame, k = system.frame, system.k
    te = float(np.asarray(res.t)[-1])
    for times in res.t_events:
        hit = np.flatnonzero(np.asarray(times.value) == te) if isinstance(times, DualArray) else []
        if len(hit):
            ttime = np.reshape(times._tangent, (k, -1))[:, hit[0]]
            break
    else:
        return
    parts[(frame.tag,)][..., -1] += np.outer(ttime, system.plain(te, parts[()][:, -1]))
    t_tangent = np.zeros((k, np.size(res.t)))
    t_tangent[:, -1] = ttime
    res.y = _modes.build(system.levels, parts)
    res.t = frame.wrap(np.asarray(res.t), t_tangent)


class _DenseOutput:
    """``sol(t)``: the state with its sensitivities (``f(t, y) ṫ`` added for a DualArray t)."""

    def __init__(self, sol: Any, system: _Augmented):
        self.sol, self.system = sol, system
        self.t_min, self.t_max = sol.t_min, sol.t_max

    def __call__(self, t: Any) -> DualArray:
        system = self.system
        frame = system.frame
        tv = t.value if isinstance(t, DualArray) and t.tag == frame.tag else t
        z = self.sol(np.asarray(tv, dtype=float))
        parts = system.parts(z, np.shape(z)[1:])
        if isinstance(t, DualArray) and t.tag == frame.tag and t._tangent is not None:
            if len(system.levels) > 1:
                raise NotImplementedError("dualarray.scipy.integrate.solve_ivp: sol(t) with a DualArray t is first "
                                          "order")
            n, k = system.n, system.k
            times = np.atleast_1d(np.asarray(tv, dtype=float))
            s = parts[(frame.tag,)]
            ys, ss = np.reshape(parts[()], (n, times.size)), np.reshape(s, (k, n, times.size))
            parts[(frame.tag,)] = np.reshape(_with_times(system, times, ys, ss, t._tangent), s.shape)
        return _modes.build(system.levels, parts)


def _event_sensitivities(res: Any, system: _Augmented, event_list: list) -> tuple[list, list]:
    """``ṫe = -(∂g/∂y·S + ∂g/∂p·ṗ) / (dg/dt)`` and ``y(te)``'s tangent ``S + f ṫe`` for every event."""
    frame, n, k = system.frame, system.n, system.k
    values = _modes.plain(system.args)
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
        if not ys:  # this event never fired
            y_events.append(frame.wrap(np.zeros((0, n)), None))
            continue
        y_events.append(frame.wrap(np.asarray(states)[:, :n],
                                   np.transpose(np.reshape(np.asarray(ys), (len(ys), k, n)), (1, 0, 2)).copy()))
    return t_events, y_events


def odeint(func: Callable[..., Any], y0: Any, t: Any, args: tuple = (), Dfun: Any = None, **kwargs: Any) -> Any:
    """``scipy.integrate.odeint`` (``func(y, t, *args)``) with sensitivities in y0, args and t."""
    frame, values, tangents = _flat([y0, t, *args])
    if frame is None:
        return _si.odeint(func, y0, t, args=tuple(args), Dfun=Dfun, **kwargs)
    if kwargs.get("full_output"):
        raise NotImplementedError("dualarray.scipy.integrate.odeint: full_output=True with sensitivities is not "
                                  "implemented")
    if _modes.recorded(frame):
        out, bridge = _modes.through_forward(lambda y0, t, *a: odeint(func, y0, t, a, Dfun, **kwargs),
                                             [y0, t, *args], "dualarray.scipy.integrate.odeint")
        return bridge(out)
    levels = _forward_levels([y0, t, *args], "odeint")
    _no_time_tangents_when_nested(levels, [_time_tangent(t)], "odeint")
    tv = np.asarray(_modes.plain(t), dtype=float)
    y0_dual = y0 if isinstance(y0, DualArray) else np.asarray(y0, dtype=float)
    shape = np.shape(y0_dual)
    system = _Augmented(lambda t, y, *a: func(y, t, *a), levels, list(args), shape, "odeint")
    k, n = system.k, system.n
    z0 = _modes.pack(y0_dual, levels, system.keys, shape, "dualarray.scipy.integrate.odeint")
    if tangents[1] is not None:
        z0[n:n + k * n] -= np.outer(np.reshape(tangents[1], (k, -1))[:, 0],
                                    system.plain(float(tv[0]), _modes.plain(y0))).reshape(-1)
    z = _si.odeint(lambda z, t: system(t, z), z0, tv, **kwargs)
    parts = system.parts(z.T, (tv.size,))
    if tangents[1] is not None:
        parts[(frame.tag,)] = _with_times(system, tv, parts[()], parts[(frame.tag,)], tangents[1])
    return _modes.build(levels, {key: np.swapaxes(part, -1, -2).copy() for key, part in parts.items()})


# ----------------------------------------------------------------------------------------- integrals
def _integral(f: Callable[..., Any], a: Any, b: Any, args: tuple, value: Any, what: str,
              options: dict) -> Any:
    """``∫_a^b f(x, *args) dx`` with every component: SciPy's ``value``, the rest exact in the dual algebra.

    With ``a = a0 + δa`` and ``b = b0 + δb`` (δ nilpotent: the limits' perturbations),

        ∫_a^b f = ∫_a0^b0 f + δb ∫_0^1 f(b0 + s δb) ds - δa ∫_0^1 f(a0 + s δa) ds,

    the first integral by ``quad_vec`` over the perturbed components of ``f(x, *args)``, the others by
    Gauss–Legendre on a polynomial in s of degree below the number of levels (exact). To first order
    this is the Leibniz rule ``∫ ḟ dx + f(b) ḃ - f(a) ȧ``.
    """
    levels = _forward_levels([a, b, *args], what)
    where = f"dualarray.scipy.integrate.{what}"
    a0, b0 = float(_modes.plain(a)), float(_modes.plain(b))
    shape = np.shape(value)
    keys = _modes.all_keys(levels)
    total = {key: np.zeros(_modes.component_shape(key, levels, shape)) for key in keys}
    if _modes.levels_of(args):
        def integrand(x: float) -> np.ndarray:
            return _modes.pack(f(x, *args), levels, keys, shape, where)[np.size(value):]

        inner = _si.quad_vec(integrand, a0, b0, **options)[0]
        total.update({key: part for key, part in _modes.unpack(np.concatenate([np.ravel(value), inner]), levels, keys,
                                                               shape).items() if key})
    result = _modes.build(levels, total)
    nodes, weights = np.polynomial.legendre.leggauss(max(1, math.ceil(len(levels) / 2)))
    for limit, base, sign in ((b, b0, 1.0), (a, a0, -1.0)):
        if not isinstance(limit, DualArray):
            continue
        if not np.isfinite(base):
            raise ValueError(f"{where}: a limit at infinity has no derivative")
        delta = limit - base
        for s, w in zip((nodes + 1) / 2, weights / 2, strict=True):
            result = result + sign * w * delta * f(base + s * delta, *args)
    parts = _modes.components(result, levels, where)
    parts[()] = np.asarray(value)
    return _modes.build(levels, {key: parts.get(key, np.zeros(_modes.component_shape(key, levels, shape)))
                                 for key in keys})


def quad(func: Callable[..., Any], a: Any, b: Any, args: tuple = (), full_output: int = 0, **kwargs: Any) -> Any:
    """``scipy.integrate.quad`` with derivatives in the limits and ``args`` (the Leibniz rule, any order).

    Returns ``(value, abserr, ...)`` as SciPy does; ``value`` is a DualArray whose tangent is
    ``∫ ∂f/∂p·ṗ dx + f(b) ḃ - f(a) ȧ``, the integral by ``quad_vec`` over the k directions.
    """
    args = args if isinstance(args, tuple) else (args,)  # SciPy takes a lone extra argument too
    frame, values, tangents = _flat([a, b, *args])
    if frame is None:
        return _si.quad(func, a, b, args=args, full_output=full_output, **kwargs)
    if kwargs.get("weight") is not None:
        raise NotImplementedError("dualarray.scipy.integrate.quad: derivatives with weight= are not implemented "
                                  "(write the weight into func instead)")
    if _modes.recorded(frame):
        out, bridge = _modes.through_forward(lambda a, b, *p: quad(func, a, b, p, full_output, **kwargs),
                                             [a, b, *args], "dualarray.scipy.integrate.quad")
        return (bridge(out[0]), *out[1:])
    result = _si.quad(func, float(_modes.plain(a)), float(_modes.plain(b)), args=_modes.plain(args),
                      full_output=full_output, **kwargs)
    options = {key: kwargs[key] for key in ("epsabs", "epsrel", "limit", "points") if key in kwargs}
    if "points" in options:
        options["points"] = list(options["points"])
    return (_integral(func, a, b, args, np.float64(result[0]), "quad", options), *result[1:])


def quad_vec(f: Callable[..., Any], a: Any, b: Any, args: tuple = (), **kwargs: Any) -> Any:
    """``scipy.integrate.quad_vec`` with derivatives in the limits and ``args``: ``(value, error, ...)``."""
    frame, values, tangents = _flat([a, b, *args])
    if frame is None:
        return _si.quad_vec(f, a, b, args=tuple(args), **kwargs)
    if _modes.recorded(frame):
        out, bridge = _modes.through_forward(lambda a, b, *p: quad_vec(f, a, b, p, **kwargs), [a, b, *args],
                                             "dualarray.scipy.integrate.quad_vec")
        return (bridge(out[0]), *out[1:])
    result = _si.quad_vec(f, float(_modes.plain(a)), float(_modes.plain(b)), args=_modes.plain(tuple(args)), **kwargs)
    options = {key: kwargs[key] for key in ("epsabs", "epsrel", "norm", "limit", "points") if key in kwargs}
    return (_integral(f, a, b, tuple(args), np.asarray(result[0]), "quad_vec", options), *result[1:])


def _simpson_weights(m: int, x: Any, dx: float) -> np.ndarray:
    """Simpson's weights along the last axis: ``simpson(y) = Σ_j w_j y_j`` (shape ``x.shape`` or ``(m,)``)."""
    if x is None or np.ndim(x) == 1:
        return _si.simpson(np.eye(m), x=x, dx=dx, axis=-1)
    x_last = np.asarray(x)[..., None, :]
    return _si.simpson(np.broadcast_to(np.eye(m), (*x_last.shape[:-2], m, m)), x=x_last, dx=dx, axis=-1)


@counterpart(_si.simpson, "integrate")
def simpson(y, x=None, *, dx=1.0, axis=-1, value=None, down=None):
    """Linear in ``y``: ``Σ_j w_j y_j`` along ``axis`` with Simpson's weights (derivatives in ``y`` only)."""
    if isinstance(x, DualArray):
        raise NotImplementedError("dualarray.scipy.integrate.simpson: derivatives in the sample points x are not "
                                  "implemented (only in y)")
    moved = np.moveaxis(y, axis, -1)
    x_moved = None if x is None or np.ndim(x) == 1 else np.moveaxis(np.asarray(x), axis, -1)
    return np.sum(moved * _simpson_weights(moved.shape[-1], x if x_moved is None else x_moved, dx), axis=-1)


for _name in __all__:
    COUNTERPARTS[getattr(_si, _name)] = globals()[_name]
    globals()[_name].__module__ = __name__
