"""Ufunc rules: the elementwise table in partials form, gufuncs, and the ufunc methods.

Each partial is ``d out / d input_i`` as a function of the inputs and the output (``x, y`` for one
input, ``a, b, y`` for two), written with NumPy calls that dispatch so that it nests. The tangent of
the output is ``Σ_i partial_i · tangent_i``: coefficients from the values, tangents combined linearly.

Conventions at kinks (see docs in README "Conventions at kinks"):

* ``abs'(0) = 0`` (also ``fabs``, complex ``|z|`` at 0, ``sign``).
* ``sqrt'(0) = inf``; a zero tangent there stays zero (never ``0·inf = NaN``).
* ties of ``maximum``/``minimum``/``fmax``/``fmin``/``clip`` split the derivative ``0.5 / 0.5``.
* ``x**0`` has derivative 0 in x, even at x = 0; ``0**y`` has derivative 0 in y for y > 0;
  a constant exponent never evaluates ``log(x)``.
"""

from __future__ import annotations

import math
import operator
import sys
from typing import Any

import numpy as np

from .. import _directions as dirs
from .._core import (
    _FAST_CALL,
    DualArray,
    Frame,
    _lift_storage,
    _value_backend,
    maybe_any,
    note_read,
    split,
    strip,
    strip_all,
    unsupported_error,
    whole_along,
)
from .._linear import Lin, recorded_sum, scaled_sum
from .._registry import (
    LINEAR,
    NON_DIFFERENTIABLE,
    PARTIALS,
    PLAIN,
    UFUNC_DISPATCH,
    UFUNC_JVPS,
    UFUNC_METHODS,
    UNSUPPORTED,
    ZERO,
    ZERO_DERIVATIVE,
    NoDerivative,
    Singular,
    qualified_name,
    singular,
)

LN2 = float(np.log(2.0))  # Python floats: a float32 tangent stays float32 (NEP 50)
LN10 = float(np.log(10.0))
DEG = float(np.pi / 180.0)


def _real_dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.complexfloating):
        return np.finfo(dtype).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _tie(a: Any, b: Any, y: Any) -> np.ndarray:
    """Weight of ``a`` in ``maximum(a, b)``: 1 where a wins, 0.5 at ties, 0 where b wins."""
    w = np.greater(a, b) + 0.5 * np.equal(a, b)
    return w.astype(_real_dtype(np.result_type(y)), copy=False)


def _tie_fmax(a: Any, b: Any, y: Any) -> np.ndarray:
    """As :func:`_tie`, but a NaN loses (``fmax`` ignores NaNs)."""
    w = np.where(np.isnan(b), 1.0, np.greater(a, b) + 0.5 * np.equal(a, b))
    return w.astype(_real_dtype(np.result_type(y)), copy=False)


def _tie_min(a: Any, b: Any, y: Any) -> np.ndarray:
    return _tie(b, a, y)


def _tie_fmin(a: Any, b: Any, y: Any) -> np.ndarray:
    w = np.where(np.isnan(b), 1.0, np.less(a, b) + 0.5 * np.equal(a, b))
    return w.astype(_real_dtype(np.result_type(y)), copy=False)


def _errstate():
    return np.errstate(divide="ignore", invalid="ignore", over="ignore")


def _dpow_base_of(power: np.ufunc):
    def partial(a: Any, b: Any, y: Any) -> Any:
        # d/da a**b = b·a**(b-1), and 0 wherever b == 0 (x**0 is constant, also at x = 0)
        with _errstate():
            c = b * power(a, b - 1.0)
        b_zero = np.equal(b, 0)
        return np.where(b_zero, 0, c) if maybe_any(b_zero) else c

    return partial


_dpow_base = _dpow_base_of(np.power)


def _dpow_exponent(a: Any, b: Any, y: Any) -> Any:
    # d/db a**b = a**b·log(a), and 0 where a == 0 and b > 0 (0**b is constant there)
    with _errstate():
        c = y * np.log(a)
    a_zero = np.equal(a, 0)
    if maybe_any(a_zero):
        c = np.where(a_zero & np.greater(np.real(b), 0), 0, c)
    return c


def _dhypot(a: Any, b: Any, y: Any) -> Any:
    # d hypot / da = a / hypot(a, b); 0 at (0, 0), the convention for norms at the zero vector
    with _errstate():
        c = a / y
    if _all_finite(c):  # 0/0 is NaN: only then look for the origin
        return c
    return np.where(np.equal(y, 0), 0, c)


def _quiet(partial):
    """A partial evaluated without floating-point warnings (the value itself already warned)."""

    def quiet(*args: Any) -> Any:
        with _errstate():
            return partial(*args)

    return quiet


def _soft_tie(base_exp, i: int):
    """Partial of logaddexp(2) in argument i: base^(x_i - y); where both are ±inf (a tie, as for maximum) 0.5."""

    def partial(a: Any, b: Any, y: Any) -> Any:
        with _errstate():
            w = base_exp((a, b)[i] - y)
        nan = np.isnan(w)
        return np.where(nan, 0.5, w) if maybe_any(nan) else w

    return partial


def _dinv(f):
    """Partial of the form 1/f(x): infinite where f vanishes."""

    def partial(x: Any, y: Any) -> Any:
        with _errstate():
            return 1.0 / f(x, y)

    return singular(partial)


# ---------------------------------------------------------------- elementwise table (d out / d input)
PARTIALS.update({
    # arithmetic
    np.multiply:     (lambda a, b, y: b, lambda a, b, y: a),
    # np.divide, not 1.0 / b: a Python-float divisor 0.0 must give inf, never ZeroDivisionError
    np.divide:       (singular(_quiet(lambda a, b, y: np.divide(1.0, b))), singular(_quiet(lambda a, b, y: -y / b))),
    np.power:        (singular(_dpow_base), singular(_dpow_exponent)),
    np.float_power:  (singular(_dpow_base_of(np.float_power)), singular(_dpow_exponent)),
    np.square:       (lambda x, y: 2 * x,),
    np.reciprocal:   (singular(lambda x, y: -(y * y)),),
    np.sqrt:         (_dinv(lambda x, y: 2 * y),),
    np.cbrt:         (_dinv(lambda x, y: 3 * (y * y)),),
    # exponentials and logarithms
    np.exp:          (singular(lambda x, y: y),),          # singular: overflows to inf
    np.exp2:         (singular(lambda x, y: LN2 * y),),
    np.expm1:        (singular(lambda x, y: y + 1),),
    np.log:          (_dinv(lambda x, y: x),),
    np.log2:         (_dinv(lambda x, y: LN2 * x),),
    np.log10:        (_dinv(lambda x, y: LN10 * x),),
    np.log1p:        (_dinv(lambda x, y: 1 + x),),
    np.logaddexp:    (_soft_tie(np.exp, 0), _soft_tie(np.exp, 1)),
    np.logaddexp2:   (_soft_tie(np.exp2, 0), _soft_tie(np.exp2, 1)),
    np.ldexp:        (lambda a, b, y: np.ldexp(np.ones_like(y), b), lambda a, b, y: LN2 * y),
    # trigonometric and hyperbolic
    np.sin:          (lambda x, y: np.cos(x),),
    np.cos:          (lambda x, y: -np.sin(x),),
    np.tan:          (lambda x, y: 1 + y * y,),
    np.arcsin:       (_dinv(lambda x, y: np.sqrt(-(x - 1)) * np.sqrt(1 + x)),),  # the branch NumPy's value takes
    np.arccos:       (_dinv(lambda x, y: -(np.sqrt(-(x - 1)) * np.sqrt(1 + x))),),
    np.arctan:       (lambda x, y: 1 / (1 + x * x),),
    np.arctan2:      (singular(_quiet(lambda a, b, y: b / (a * a + b * b))),
                      singular(_quiet(lambda a, b, y: -a / (a * a + b * b)))),
    np.hypot:        (singular(_dhypot), singular(lambda a, b, y: _dhypot(b, a, y))),
    np.sinh:         (singular(lambda x, y: np.cosh(x)),),
    np.cosh:         (singular(lambda x, y: np.sinh(x)),),
    np.tanh:         (lambda x, y: 1 - y * y,),
    np.arcsinh:      (lambda x, y: 1 / np.sqrt(1 + x * x),),
    np.arccosh:      (_dinv(lambda x, y: np.sqrt(x - 1) * np.sqrt(x + 1)),),
    np.arctanh:      (_dinv(lambda x, y: 1 - x * x),),
    np.deg2rad:      (lambda x, y: DEG,),
    np.rad2deg:      (lambda x, y: 1 / DEG,),
    np.radians:      (lambda x, y: DEG,),
    np.degrees:      (lambda x, y: 1 / DEG,),
    # sign manipulation, extrema, remainders
    np.fabs:         (lambda x, y: np.sign(x),),
    np.copysign:     (lambda a, b, y: np.sign(a) * np.where(np.signbit(b), -1.0, 1.0), ZERO),
    np.maximum:      (_tie, lambda a, b, y: 1 - _tie(a, b, y)),
    np.minimum:      (_tie_min, lambda a, b, y: 1 - _tie_min(a, b, y)),
    np.fmax:         (_tie_fmax, lambda a, b, y: 1 - _tie_fmax(a, b, y)),
    np.fmin:         (_tie_fmin, lambda a, b, y: 1 - _tie_fmin(a, b, y)),
    np.fmod:         (lambda a, b, y: 1.0, _quiet(lambda a, b, y: -np.trunc(a / b))),  # the value warns at b = 0
    np.remainder:    (lambda a, b, y: 1.0, _quiet(lambda a, b, y: -np.floor(a / b))),
    np.heaviside:    (ZERO, lambda a, b, y: np.equal(a, 0).astype(_real_dtype(np.result_type(y)))),
    np.nextafter:    (lambda a, b, y: 1.0, ZERO),
})
# np.true_divide and np.mod are the same ufunc objects as np.divide and np.remainder.

LINEAR.update({np.add, np.subtract, np.negative, np.positive, np.conjugate})

ZERO_DERIVATIVE.update({
    np.floor, np.ceil, np.trunc, np.rint, np.spacing, np.floor_divide, np._core.umath._ones_like,
})

NON_DIFFERENTIABLE.update({
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.isnan, np.isinf, np.isfinite, np.signbit, np.isnat,
    np.logical_and, np.logical_or, np.logical_xor, np.logical_not,
    np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.bitwise_count, np.invert,
    np.left_shift, np.right_shift, np.gcd, np.lcm,
})


def _string_ufuncs() -> list[np.ufunc]:
    """NumPy's string ufuncs (np.strings): they have only new-style loops over text dtypes."""
    from numpy.testing.overrides import get_overridable_numpy_ufuncs

    return [uf for uf in get_overridable_numpy_ufuncs() if uf.ntypes == 0]


for _uf in _string_ufuncs():
    if _uf not in NON_DIFFERENTIABLE:
        UNSUPPORTED[_uf] = "it operates on strings, which have no derivative"


# ---------------------------------------------------------------- custom JVPs
def _absolute_jvp(values, tangents, y):
    # real: d|x| = sign(x)·dx (0 at x = 0); complex: d|z| = Re(conj(z)·dz)/|z| (0 at z = 0)
    (x,), (t,) = values, tangents
    if t is None:
        return None
    if not np.iscomplexobj(x):
        return np.sign(x) * dirs.align(t, np.ndim(y))
    with _errstate():
        unit = np.where(np.equal(y, 0), 0, np.conjugate(x) / y)
    return np.real(unit * t)


def _sign_jvp(values, tangents, y):
    # real: 0; complex sign(z) = z/|z|: d = (dz - sign(z)·Re(conj(sign z)·dz)) / |z|
    (x,), (t,) = values, tangents
    if t is None or not np.iscomplexobj(x):
        return None
    r = np.abs(x)
    with _errstate():
        inv = np.where(np.equal(r, 0), 0, 1.0 / r)
    return inv * (t - y * np.real(np.conjugate(y) * t))


def _modf_jvp(values, tangents, outputs):
    # x = frac + int: d frac = dx, d int = 0
    (t,) = tangents
    return (None if t is None else np.positive(t)), None


def _frexp_jvp(values, tangents, outputs):
    # x = m·2**e with e piecewise constant: dm = dx / 2**e; e is an integer (not differentiable)
    (t,) = tangents
    m, e = outputs
    if t is None:
        return None, PLAIN
    return np.ldexp(t, -e), PLAIN


def _divmod_jvp(values, tangents, outputs):
    # divmod = (floor(a/b), a - floor(a/b)·b)
    ta, tb = tangents
    q, _ = outputs
    nd = np.ndim(q)
    t = None if ta is None else np.positive(dirs.align(ta, nd))
    if tb is not None:
        c = -q * dirs.align(tb, nd)
        t = c if t is None else t + c
    if t is not None and t.shape[1:] != np.shape(q):
        t = dirs.broadcast_to(t, np.shape(q))
    return None, t


def _clip_jvp(values, tangents, y):
    # clip(a, lo, hi) = minimum(maximum(a, lo), hi), ties split 0.5/0.5 like the ufuncs
    (a, lo, hi), (ta, tlo, thi) = values, tangents
    nd = np.ndim(y)
    m = np.maximum(a, lo)
    w1 = _tie(a, lo, y)
    w2 = _tie_min(m, hi, y)
    t = None
    for coef, ti in ((w1 * w2, ta), ((1 - w1) * w2, tlo), (1 - w2, thi)):
        if ti is not None:
            c = coef * dirs.align(ti, nd)
            t = c if t is None else t + c
    return t


def _promoted(x: Any, t: Any, vector_axis: int) -> tuple[Any, Any, bool]:
    """Promote a 1-d matmul operand (and its tangent) to a matrix along ``vector_axis``."""
    if np.ndim(x) != 1:
        return x, t, False
    return np.expand_dims(x, vector_axis), (None if t is None else np.expand_dims(t, vector_axis)), True


def _matmul_jvp(values, tangents, y):
    # d(A @ B) = dA @ B + A @ dB
    (a, b), (ta, tb) = values, tangents
    a, ta, a_vec = _promoted(a, ta, -2)
    b, tb, b_vec = _promoted(b, tb, -1)
    nd = max(np.ndim(a), np.ndim(b))
    t = None
    if ta is not None:
        t = np.matmul(dirs.align(ta, nd), b)
    if tb is not None:
        c = np.matmul(a, dirs.align(tb, nd))
        t = c if t is None else t + c
    if t is None:
        return None
    squeeze = (-2,) * a_vec + (-1,) * b_vec
    if squeeze:
        t = np.squeeze(t, axis=(-2, -1) if a_vec and b_vec else squeeze)
    return t


def _bilinear_jvp(ufunc: np.ufunc, core_a: int, core_b: int, core_out: int):
    """JVP of a gufunc bilinear in its two arguments (vecdot, matvec, vecmat)."""

    def jvp(values, tangents, y):
        (a, b), (ta, tb) = values, tangents
        batch = max(np.ndim(a) - core_a, np.ndim(b) - core_b)
        a, b = whole_along(a, range(-core_a, 0)), whole_along(b, range(-core_b, 0))
        t = None
        if ta is not None:
            t = ufunc(whole_along(dirs.align(ta, batch + core_a), range(-core_a, 0)), b)
        if tb is not None:
            c = ufunc(a, whole_along(dirs.align(tb, batch + core_b), range(-core_b, 0)))
            t = c if t is None else t + c
        return t

    return jvp


UFUNC_JVPS.update({
    np.absolute: _absolute_jvp,
    np.sign: _sign_jvp,
    np.modf: _modf_jvp,
    np.frexp: _frexp_jvp,
    np.divmod: _divmod_jvp,
    np._core.umath.clip: _clip_jvp,
    np.matmul: _matmul_jvp,
    np.vecdot: _bilinear_jvp(np.vecdot, 1, 1, 0),
    np.matvec: _bilinear_jvp(np.matvec, 2, 1, 1),
    np.vecmat: _bilinear_jvp(np.vecmat, 1, 2, 1),
})
_GUFUNCS = {np.matmul, np.vecdot, np.matvec, np.vecmat}
_CORE_DIMS = {np.vecdot: (1, 1), np.matvec: (2, 1), np.vecmat: (1, 2)}
"""Core axes of each argument of the bilinear gufuncs (dask needs each in one chunk)."""


# ---------------------------------------------------------------- __call__
def _terms(ufunc: np.ufunc, partials: tuple, values: list, tangents: list, y: Any) -> list[tuple[Any, Any, bool]]:
    """``(coefficient, aligned tangent, infinite)`` for every argument that carries a derivative."""
    nd = np.ndim(y)
    terms = []
    for i, ti in enumerate(tangents):
        if ti is None:
            continue
        p = partials[i]
        if p is ZERO:
            continue
        if type(p) is NoDerivative:
            raise p.error(ufunc, i)
        coef = p(*values, y)
        terms.append((coef, dirs.align(ti, nd), type(p) is Singular and not _all_finite(coef)))
    return terms


def _partials_tangent(ufunc: np.ufunc, partials: tuple, values: list, tangents: list, y: Any) -> Any:
    """``Σ ∂y/∂x_i · ẋ_i``; a traced tangent (reverse mode) records the scale nodes directly."""
    terms = _terms(ufunc, partials, values, tangents, y)
    if not terms:
        return None
    if any(type(ti) is Lin for _, ti, _ in terms):
        t = scaled_sum(terms, (*values, y))
    else:
        t = None
        infinite = False
        for coef, ti, masked in terms:
            c = dirs.scale_finite(coef, ti) if masked else coef * ti
            infinite = infinite or masked
            if t is None:
                t = c
            elif infinite:
                with _errstate():  # inf - inf: a NaN derivative where the math is undefined, not a warning
                    t = t + c
            else:
                t = t + c
    if t.shape[1:] != np.shape(y):
        t = dirs.broadcast_to(t, np.shape(y))
    return t


def _linear_tangent(ufunc: np.ufunc, tangents: list, y: Any) -> Any:
    if all(t is None for t in tangents):
        return None
    nd = np.ndim(y)
    t = ufunc(*(0 if ti is None else dirs.align(ti, nd) for ti in tangents))
    if t.shape[1:] != np.shape(y):
        t = dirs.broadcast_to(t, np.shape(y))
    return t


def _call(ufunc: np.ufunc, inputs: tuple, kwargs: dict) -> Any:
    out = kwargs.pop("out", None)
    if ufunc is np.matmul and any(hasattr(v, "tocsr") and hasattr(v, "nnz") for v in inputs):
        from .sparse_matrices import matmul  # a scipy.sparse constant: its own linear primitive

        return matmul(inputs, out)
    frame, values, tangents = split(inputs)
    partials = PARTIALS.get(ufunc)
    if partials is not None and out is None and frame is not None:  # the hot path
        y = ufunc(*values, **kwargs)
        if "dtype" in kwargs:
            t = _partials_tangent(ufunc, partials, _cast_values(values, y), tangents, y)
            t = _cast_tangent(t, y, values)
        else:
            t = _conform(_partials_tangent(ufunc, partials, values, tangents, y), y)
        return frame.wrap(y, t)
    where = True
    if out is not None:
        where = kwargs.pop("where", True)  # computed everywhere, written where asked
        if frame is None:
            frame, _, _ = split(out)
    if ufunc in NON_DIFFERENTIABLE:
        note_read(ufunc)
        if out is not None and not any(isinstance(o, DualArray) for o in out):
            return ufunc(*values, out=out, where=where, **kwargs)
        results = ufunc(*values, **kwargs)
        return _finish(ufunc, None, results, None, out, kwargs, where)
    if partials is None and ufunc not in LINEAR and ufunc not in ZERO_DERIVATIVE and ufunc not in UFUNC_JVPS:
        raise unsupported_error(ufunc)
    if frame is None:
        raise TypeError(f"{qualified_name(ufunc)}: no DualArray among the inputs or outputs")
    if ufunc in _CORE_DIMS and not ({"axis", "axes"} & kwargs.keys()):
        values = [whole_along(v, range(-n, 0)) for v, n in zip(values, _CORE_DIMS[ufunc], strict=True)]
    y = ufunc(*values, **kwargs)
    if partials is not None:
        cast = _cast_values(values, y) if "dtype" in kwargs else values
        t = _partials_tangent(ufunc, partials, cast, tangents, y)
    elif ufunc in LINEAR:
        t = _linear_tangent(ufunc, tangents, y)
    elif ufunc in ZERO_DERIVATIVE:
        t = None
    elif ufunc in UFUNC_JVPS:
        if ufunc is np.vecdot and out is None and kwargs.keys() - {"dtype"} == {"axis"}:
            # axis=a is axes=[(a,), (a,), ()]: each operand's own axis a, moved to the end
            a = kwargs.pop("axis")
            return np.vecdot(*(np.moveaxis(x, a, -1) for x in inputs), **kwargs)
        if ufunc in _GUFUNCS and kwargs.keys() - {"dtype", "casting", "order", "subok"}:
            raise NotImplementedError(
                f"{qualified_name(ufunc)} with {sorted(kwargs)} is not supported for DualArrays; "
                "move the core axes to the end with np.moveaxis instead"
            )
        t = UFUNC_JVPS[ufunc](values, tangents, y)
    return _finish(ufunc, frame, y, t, out, kwargs, where, values)


def _conform(t: Any, y: Any) -> Any:
    """``t`` in the tangent dtype of the value ``y``: y's inexact dtype (its complex counterpart for a
    complex tangent of a real value, which only a complex seed gives). Integer values keep ``t``.

    Coefficients may be of another precision than the value (a NumPy float64 scalar, an int or float64
    constant, a float64 mask), and NEP 50 lets them promote a float32 tangent; the value's dtype wins.
    """
    if t is None:
        return None
    vd = y.dtype if hasattr(y, "dtype") else np.result_type(y)
    kind = vd.kind
    if kind != "f" and kind != "c":
        return t
    td = t.dtype
    if td == vd:
        return t
    if kind == "f" and td.kind == "c":
        target = np.result_type(vd, np.complex64)
        if td == target:
            return t
    else:
        target = vd
    return t.astype(target)


def _cast_values(values: list, y: Any) -> list:
    """The inputs as the loop of a ``dtype=`` call sees them: cast to the inexact result dtype.

    Coefficients then come from the values NumPy computed with (a tie in float32 is a tie), and have
    the result's precision. Python scalars stay (they are weak); other dtypes are left alone.
    """
    dtype = np.result_type(y)
    if dtype.kind not in "fc":
        return values
    return [v.astype(dtype) if isinstance(v, np.ndarray | np.generic | DualArray) and v.dtype != dtype
            and np.can_cast(v.dtype, dtype, "same_kind") else v for v in values]


def _cast_tangent(t: Any, y: Any, values: Any) -> Any:
    """The tangent for a ``dtype=`` result: zero where the values are cast from inexact to integers."""
    if t is None:
        return None
    if not np.issubdtype(np.result_type(y), np.inexact) and any(
        np.issubdtype(np.result_type(v), np.inexact) for v in values if hasattr(v, "dtype")
    ):
        return None  # truncation to integers is piecewise constant, like astype(int)
    if not np.issubdtype(np.result_type(y), np.inexact):
        return t
    return _conform(t, y)


def _finish(
    ufunc: np.ufunc, frame: Frame | None, y: Any, t: Any, out: tuple | None, kwargs: dict, where: Any = True,
    values: Any = (),
) -> Any:
    """Wrap results (one or several outputs) and write them into ``out=`` buffers."""
    multi = ufunc.nout > 1
    ys = y if multi else (y,)
    ts = t if multi else (t,)
    results = []
    for yi, ti in zip(ys, ts, strict=True):
        if frame is None or ti is PLAIN:
            results.append(yi)
            continue
        ti = _cast_tangent(ti, yi, values) if "dtype" in kwargs else _conform(ti, yi)
        results.append(frame.wrap(yi, ti))
    if out is None:
        return tuple(results) if multi else results[0]
    casting = kwargs.get("casting", "same_kind")
    for o, r in zip(out, results, strict=True):
        if o is not None:
            _write_out(ufunc, o, r, where, casting)
    final = tuple(r if o is None else o for o, r in zip(out, results, strict=True))
    return final if multi else final[0]


def _write_out(ufunc: Any, o: Any, r: Any, where: Any, casting: str) -> None:
    r_dtype = r.dtype if hasattr(r, "dtype") else np.result_type(r)
    if not np.can_cast(r_dtype, o.dtype, casting=casting):
        raise TypeError(
            f"Cannot cast ufunc {getattr(ufunc, '__name__', ufunc)!r} output from {r_dtype!r} to "
            f"{o.dtype!r} with casting rule {casting!r}"
        )
    if not isinstance(o, DualArray):
        if isinstance(r, DualArray):
            raise TypeError(
                f"{qualified_name(ufunc)} would write a DualArray result into a plain ndarray given as out= "
                "(or an in-place operator on a plain array), dropping its derivative. Use a DualArray "
                "buffer (np.zeros_like(x) or np.empty_like(x) of a DualArray x), or drop out=."
            )
        np.copyto(o, r, where=where, casting="unsafe")
        return
    if where is True:
        o[...] = r
    else:
        mask = np.broadcast_to(where, o.shape)
        o[mask] = r[mask] if isinstance(r, DualArray) else np.broadcast_to(r, o.shape)[mask]


UFUNC_DISPATCH["__call__"] = _call


# ---------------------------------------------------------------- reduce
_DISPATCHING_REDUCE = {np.add: np.sum, np.multiply: np.prod, np.maximum: np.max, np.minimum: np.min,
                       np.fmax: np.nanmax, np.fmin: np.nanmin, np.logical_and: np.all, np.logical_or: np.any}
_DISPATCHING_ACCUMULATE = {np.add: np.cumsum, np.multiply: np.cumprod}


def _foreign(a: Any) -> bool:
    """An array of a value backend (dask): its ufunc methods may not exist, its functions do. (Recorded
    tangents of reverse mode have ufunc methods and are not foreign.)"""
    return _value_backend(type(a))


def _through_function(ufunc: np.ufunc, method: str, x: Any, kwargs: dict) -> Any:
    """``ufunc.reduce``/``accumulate`` of a foreign array by NumPy's dispatching function (``np.sum``, ...),
    passing only the keywords given; a ufunc or keyword the backend has no function for raises."""
    table = _DISPATCHING_REDUCE if method == "reduce" else _DISPATCHING_ACCUMULATE
    func = table.get(ufunc)
    backend = f"{type(x).__module__.split('.')[0]} arrays"
    if func is None or kwargs.get("where", True) is not True or "initial" in kwargs:
        raise NotImplementedError(f"{qualified_name(ufunc)}.{method} on {backend}: no dispatching function takes "
                                  "this (the where=/initial= keywords or this ufunc); compute it with NumPy arrays")
    kw = {"axis": kwargs.get("axis", 0)}
    kw.update({k: kwargs[k] for k in ("dtype",) if kwargs.get(k) is not None})
    if method == "reduce" and kwargs.get("keepdims", False):
        kw["keepdims"] = True
    return func(x, **kw)


def _ufunc_reduce(ufunc: np.ufunc, x: Any, **kwargs: Any) -> Any:
    return _through_function(ufunc, "reduce", x, kwargs) if _foreign(x) else ufunc.reduce(x, **kwargs)


def _ufunc_accumulate(ufunc: np.ufunc, x: Any, **kwargs: Any) -> Any:
    return _through_function(ufunc, "accumulate", x, kwargs) if _foreign(x) else ufunc.accumulate(x, **kwargs)


def _reduce_add(x, t, y_kd, axes, where, initial):
    return _ufunc_reduce(np.add, t, axis=axes, keepdims=True, **({} if where is True else {"where": where}))


def _reduce_multiply(x, t, y_kd, axes, where, initial):
    # d Π x = Σ_i (Π_{j≠i} x_j) dx_i; y·Σ dx/x when no factor is zero, exclusive products otherwise
    # (a constant initial factor multiplies every term)
    if where is not True:
        x = np.where(where, x, 1)
        t = np.where(where, t, 0)
    if not _foreign(x) and not np.any(np.equal(x, 0)):  # a lazy x takes the exact path (no compute to branch)
        return np.sum(y_kd * (t / x), axis=axes, keepdims=True)
    nd = np.ndim(x)
    keep = [a for a in range(-nd, 0) if a not in axes]
    order = keep + list(axes)
    xm = np.transpose(x, [a % nd for a in order])
    tm = dirs.transpose(t, [a % nd for a in order], nd)
    lead = np.shape(xm)[: len(keep)]
    xm = np.reshape(xm, (*lead, -1))
    tm = dirs.reshape(tm, (*lead, -1))
    others = _exclusive_products(xm)
    s = np.sum(others * tm, axis=-1)
    kd_shape = tuple(1 if a - nd in axes else n for a, n in enumerate(np.shape(x)))
    s = dirs.reshape(s, kd_shape)
    return s if initial is np._NoValue else s * initial


def _exclusive_products(x: Any) -> Any:
    """``out_i = Π_{j≠i} x_j`` along the last axis, exact with zeros (prefix times suffix products)."""
    ones = np.ones_like(x[..., :1])
    prefix = np.concatenate([ones, np.cumprod(x[..., :-1], axis=-1)], axis=-1)
    suffix = np.flip(np.concatenate([ones, np.cumprod(np.flip(x[..., 1:], axis=-1), axis=-1)], axis=-1), axis=-1)
    return prefix * suffix


def _reduce_extremum(x, t, y_kd, axes, where, initial):
    # ties share the derivative equally: mean of the tangents at the arg-extrema (a tied constant
    # initial value takes its share too)
    mask = np.equal(x, y_kd)
    if where is not True:
        mask = mask & where
    count = np.sum(mask, axis=axes, keepdims=True)
    if initial is not np._NoValue:
        count = count + np.equal(y_kd, initial)
    count = np.maximum(count, 1)
    s = np.sum(np.where(mask, t, 0), axis=axes, keepdims=True)
    return s / count.astype(_real_dtype(np.result_type(s)))


def _reduce_logaddexp(base_exp):
    def rule(x, t, y_kd, axes, where, initial):
        # d log Σ e^x = Σ e^(x - y) dx; where y = ±inf the tied elements share equally (as for max)
        with _errstate():
            w = base_exp(x - y_kd)
        nan = np.isnan(w)
        if maybe_any(nan):
            w = np.where(nan, 1.0 / np.maximum(np.sum(nan, axis=axes, keepdims=True), 1), w)
        if where is not True:
            w = np.where(where, w, 0)
        return np.sum(w * t, axis=axes, keepdims=True)

    return rule


UFUNC_METHODS["reduce"].update({
    np.add: _reduce_add,
    np.multiply: _reduce_multiply,
    np.maximum: _reduce_extremum,
    np.minimum: _reduce_extremum,
    np.fmax: _reduce_extremum,
    np.fmin: _reduce_extremum,
    np.logaddexp: _reduce_logaddexp(np.exp),
    np.logaddexp2: _reduce_logaddexp(np.exp2),
})


def _plain_method(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict, out: Any) -> Any:
    """A ufunc method whose result is plain: non-differentiable ufuncs, or only ``out=`` is a DualArray."""
    result = getattr(ufunc, method)(*strip(inputs), **kwargs)
    if out is None or not isinstance(out, DualArray):
        if out is not None:
            np.copyto(out, result, casting="unsafe")
            return out
        return result
    out[...] = result
    return out


def _method_prologue(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> tuple:
    out = kwargs.pop("out", None)
    if isinstance(out, tuple):
        out = out[0]
    frame, values, tangents = split(inputs[:1])
    if ufunc in NON_DIFFERENTIABLE or frame is None:
        return None, _plain_method(ufunc, method, inputs, kwargs, out), None, None
    if ufunc in UNSUPPORTED:
        raise unsupported_error(ufunc)
    return frame, out, values[0], tangents[0]


def _reduce(ufunc: np.ufunc, inputs: tuple, kwargs: dict) -> Any:
    if isinstance(kwargs.get("initial"), DualArray):
        raise NotImplementedError(
            f"{qualified_name(ufunc)}.reduce with a DualArray initial= is not supported: NumPy needs a scalar "
            "there. Combine it after the reduction instead (np.sum(x) + c, np.maximum(np.max(x), c))."
        )
    frame, out, x, t = _method_prologue(ufunc, "reduce", inputs, kwargs)
    if frame is None:
        return out
    if ufunc.nin != 2:
        raise TypeError(f"reduce only supported for binary functions, not {qualified_name(ufunc)}")
    y = _ufunc_reduce(ufunc, x, **kwargs)
    tangent = None
    if "dtype" in kwargs:
        x, t = _method_cast(x, t, y)
    if t is not None:
        axis = kwargs.get("axis", 0)
        keepdims = kwargs.get("keepdims", False)
        where = kwargs.get("where", True)
        nd = np.ndim(x)
        axes = dirs.axes(axis, nd)
        y_kd = y if keepdims else np.reshape(y, _kept_shape(np.shape(x), axes))
        rule = UFUNC_METHODS["reduce"].get(ufunc)
        if rule is None:
            tangent = _sequential_reduce(ufunc, frame, x, t, axes, kwargs)
        else:
            tangent = rule(x, t, y_kd, axes, where, kwargs.get("initial", np._NoValue))
            if not keepdims:
                tangent = np.squeeze(tangent, axis=axes)
    return _finish_single(ufunc, frame, y, tangent, out)


def _method_cast(x: Any, t: Any, y: Any) -> tuple[Any, Any]:
    """``x`` and ``t`` as a ufunc method with ``dtype=`` computes: cast to the result dtype ``y`` has.

    The rules then see the values NumPy compared or multiplied (a float64 maximum found by equality
    in float32, say), and give a tangent of the result's precision. A cast from inexact values to integers
    is piecewise constant: the tangent is zero (None).
    """
    dtype = np.result_type(y)
    if dtype.kind not in "fc":
        if np.result_type(x).kind in "fc":
            return x, None
        return x, t
    if x.dtype != dtype:
        x = x.astype(dtype)
    if t is not None:
        t = _conform(t, x)
    return x, t


def _kept_shape(shape: tuple, axes: tuple) -> tuple:
    nd = len(shape)
    return tuple(1 if i - nd in axes else n for i, n in enumerate(shape))


def _finish_single(ufunc: Any, frame: Frame, y: Any, t: Any, out: Any) -> Any:
    result = frame.wrap(y, _conform(t, y))
    if out is None:
        return result
    _write_out(ufunc, out, result, True, "unsafe")
    return out


def _sequential_reduce(ufunc, frame, x, t, axes, kwargs):
    """Reduce by applying the binary rule step by step (any ufunc; one axis)."""
    if len(axes) != 1 or kwargs.get("where", True) is not True:
        raise NotImplementedError(
            f"{qualified_name(ufunc)}.reduce over several axes or with where= is not supported for DualArrays"
        )
    (ax,) = axes
    xs = np.moveaxis(frame.wrap(x, t), ax, 0)
    acc = xs[0] if "initial" not in kwargs else ufunc(kwargs["initial"], xs[0])
    for i in range(1, xs.shape[0]):
        acc = ufunc(acc, xs[i])
    if kwargs.get("keepdims", False):
        acc = np.expand_dims(acc, ax)
    if not np.allclose(strip_all(acc.value), strip_all(ufunc.reduce(x, **kwargs)), equal_nan=True):
        raise NotImplementedError(
            f"{qualified_name(ufunc)}.reduce does not compute the left fold here, so no derivative rule applies"
        )
    return acc._tangent if acc._tangent is not None else frame.zeros(acc.value)


UFUNC_DISPATCH["reduce"] = _reduce


# ---------------------------------------------------------------- accumulate
def _accumulate(ufunc: np.ufunc, inputs: tuple, kwargs: dict) -> Any:
    frame, out, x, t = _method_prologue(ufunc, "accumulate", inputs, kwargs)
    if frame is None:
        return out
    y = _ufunc_accumulate(ufunc, x, **kwargs)
    tangent = None
    if "dtype" in kwargs:
        x, t = _method_cast(x, t, y)
    if t is not None:
        ax = dirs.axis(kwargs.get("axis", 0), np.ndim(x))
        if ufunc is np.add:
            tangent = _ufunc_accumulate(np.add, t, axis=ax)
        elif ufunc is np.multiply and not _foreign(x) and not np.any(np.equal(x, 0)):
            # d cumprod = cumprod · cumsum(dx / x) when no factor is zero
            tangent = y * np.add.accumulate(t / x, axis=ax)
        else:
            # y_i = f(y_{i-1}, x_i): apply the binary rule step by step (ties, zeros, any ufunc)
            xs = np.moveaxis(frame.wrap(x, t), ax, 0)
            acc = [xs[0]]
            for i in range(1, xs.shape[0]):
                acc.append(ufunc(acc[-1], xs[i]))
            tangent = np.moveaxis(np.stack(acc), 0, ax)._writable_tangent()
    return _finish_single(ufunc, frame, y, tangent, out)


UFUNC_DISPATCH["accumulate"] = _accumulate


# ---------------------------------------------------------------- reduceat, outer, at
def _reduceat(ufunc: np.ufunc, inputs: tuple, kwargs: dict) -> Any:
    out = kwargs.pop("out", None)
    if isinstance(out, tuple):
        out = out[0]
    a, indices = inputs[0], inputs[1]
    frame, (x,), (t,) = split([a])
    if frame is None or ufunc in NON_DIFFERENTIABLE:
        return _plain_method(ufunc, "reduceat", inputs, kwargs, out)
    if ufunc is not np.add:
        raise NotImplementedError(
            f"{qualified_name(ufunc)}.reduceat is not supported for DualArrays (only numpy.add.reduceat); "
            "use a loop over the segments with the reduce method instead"
        )
    y = ufunc.reduceat(x, indices, **kwargs)
    tangent = None
    if "dtype" in kwargs:
        x, t = _method_cast(x, t, y)
    if t is not None:
        ax = dirs.axis(kwargs.get("axis", 0), np.ndim(x))
        tangent = np.add.reduceat(t, indices, axis=ax)
    return _finish_single(ufunc, frame, y, tangent, out)


def _outer(ufunc: np.ufunc, inputs: tuple, kwargs: dict) -> Any:
    # ufunc.outer(A, B) == ufunc(A[..., None, ..., None], B): reuse the elementwise rule
    if ufunc in NON_DIFFERENTIABLE:
        return _plain_method(ufunc, "outer", inputs, kwargs, kwargs.pop("out", None))
    a, b = inputs
    a = np.reshape(a, np.shape(a) + (1,) * np.ndim(b))
    return ufunc(a, b, **kwargs)


def _at(ufunc: np.ufunc, inputs: tuple, kwargs: dict) -> None:
    a, indices = inputs[0], inputs[1]
    rest = list(inputs[2:])
    if not isinstance(a, DualArray):
        raise TypeError(
            f"{qualified_name(ufunc)}.at would write DualArray values into a plain ndarray, dropping their "
            "derivative. Make the target a DualArray (np.zeros_like(x) of a DualArray x)."
        )
    frame, values, tangents = split([a, *rest])
    if frame.tag != a.tag:
        raise TypeError(
            f"{qualified_name(ufunc)}.at: the operand has a newer tag than the target array; its derivative "
            "would be lost. Build the target from the differentiated input (np.zeros_like(x))."
        )
    if ufunc in (np.add, np.subtract) and rest:
        target_shape = np.shape(a.value[indices])
        tb = tangents[1]
        if isinstance(values[1], DualArray) and not isinstance(a.value, DualArray):
            a.value = _lift_storage(a, a.value, values[1])  # a nested operand: nested storage
        if tb is not None:
            ta = a._writable_tangent()
            if isinstance(tb, DualArray) and not isinstance(ta, DualArray):
                ta = a._tangent = _lift_storage(a, ta, tb)
            # laid out as ta[key] is: separated advanced indices put their axes before the directions
            ufunc.at(ta, dirs.key(indices), dirs.subspace(_conform(tb, ta), target_shape, indices))
        ufunc.at(a.value, indices, values[1])
        return None
    if ufunc in (np.negative, np.positive, np.conjugate) and not rest:
        if a._tangent is not None:
            ufunc.at(a._writable_tangent(), dirs.key(indices))
        ufunc.at(a.value, indices)
        return None
    # general case: unbuffered, in index order, through the elementwise rule
    positions = np.arange(a.size).reshape(a.shape)[indices]
    operands = [np.broadcast_to(r, positions.shape) for r in rest]
    for idx in np.ndindex(positions.shape):
        where = np.unravel_index(positions[idx], a.shape)
        a[where] = ufunc(a[where], *(r[idx] for r in operands))
    return None


UFUNC_DISPATCH["reduceat"] = _reduceat
UFUNC_DISPATCH["outer"] = _outer
UFUNC_DISPATCH["at"] = _at


# ---------------------------------------------------------------- fast path for __call__
# The common case -- plain values (ndarrays or NumPy scalars), plain ndarray tangents, one tag, no
# keyword arguments -- skips split(), Frame and the generic loops. Each handler gives what _call gives
# (the same NumPy calls, or for divide and the 1/f partials a fused form equal up to rounding; the
# conventions at kinks and the 0·inf masking are kept: any doubtful element sends the whole call back to
# the generic code). A handler returns None for anything else and _call takes over. Handlers check that
# the table entry they were built from is still the registered one (register_ufunc(..., replace=True)).
# Two economies beyond skipping the generic machinery: large coefficient temporaries that nothing else
# holds are multiplied in place (as NumPy's own temporary elision), and 0-d real values with one direction
# do their tangent arithmetic on NumPy scalars (same IEEE results; warnings read "scalar multiply").
_PLAIN_VALUES = frozenset({
    np.ndarray, np.float64, np.float32, np.float16, np.longdouble, np.complex128, np.complex64,
    np.clongdouble, np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32, np.uint16, np.uint8,
})
_PLAIN_CONSTANTS = _PLAIN_VALUES | {int, float, complex}
_new = DualArray._new


def _operands(a: Any, b: Any) -> tuple | None:
    """``(tag, ndir, batched, va, ta, vb, tb)`` of a binary call in the common case, else None."""
    if type(a) is DualArray:
        va, ta = a.value, a._tangent
        if type(va) not in _PLAIN_VALUES or (ta is not None and type(ta) is not np.ndarray):
            return None
        if type(b) is not DualArray:
            if type(b) not in _PLAIN_CONSTANTS:
                return None
            return a.tag, (a._ndir if ta is not None or a._batched else 1), a._batched, va, ta, b, None
        vb, tb = b.value, b._tangent
        if b.tag != a.tag or type(vb) not in _PLAIN_VALUES or (tb is not None and type(tb) is not np.ndarray):
            return None
        ndir = a._ndir if ta is not None or a._batched else 0
        if tb is not None or b._batched:
            if not ndir:
                ndir = b._ndir
            elif ndir != b._ndir:
                return None  # _call raises the error
        return a.tag, ndir or 1, a._batched or b._batched, va, ta, vb, tb
    if type(a) not in _PLAIN_CONSTANTS or type(b) is not DualArray:
        return None
    vb, tb = b.value, b._tangent
    if type(vb) not in _PLAIN_VALUES or (tb is not None and type(tb) is not np.ndarray):
        return None
    return b.tag, (b._ndir if tb is not None or b._batched else 1), b._batched, a, None, vb, tb


def _times(coef: Any, t: Any, fresh: bool = False) -> Any:
    """``coef · t`` for a value-shaped ``coef`` (``coef[None]`` spares NumPy's mixed-ndim broadcasting).

    ``fresh``: ``coef`` is a temporary that nobody else holds; when it is large and has the result's shape
    and dtype, the product is written into it (one big allocation less, as NumPy's own temporary elision).
    """
    if type(coef) is np.ndarray and coef.ndim and coef.ndim == t.ndim - 1:
        c = coef[None]
        if fresh and coef.nbytes >= _BIG and c.shape == t.shape and coef.dtype == t.dtype and coef.base is None:
            return np.multiply(c, t, out=c)
        return c * t
    return coef * t


def _refcount_of_a_temporary() -> int:
    coef = np.empty(1)
    return sys.getrefcount(coef)


_FRESH = _refcount_of_a_temporary()
"""``sys.getrefcount(coef)`` of a local ``coef`` that nothing else refers to (2 on CPython 3.11)."""
_BIG = 1 << 16


def _all_finite(c: Any) -> bool:
    """True when every element of ``c`` is finite (the test of dirs.scale_finite, without the overhead)."""
    tc = type(c)
    if tc is np.float64 or tc is float:
        return math.isfinite(c)
    if tc is np.ndarray:
        if c.size <= _SMALL and c.dtype.char == "d":
            # a Python sum is finite only if every term is (overflow gives inf, never a warning)
            if math.isfinite(sum(c.ravel().tolist())):
                return True
        return _all(np.isfinite(c.ravel()))
    if _value_backend(tc):
        return False  # a lazy coefficient: not computed to find out (the masked product is lazy too)
    return bool(np.all(np.isfinite(c)))


def _no_zero_or_nan(d: Any) -> bool:
    """True when ``d`` has no zero and no NaN element (so ``1/d`` is finite for the denominators below)."""
    td = type(d)
    if td is np.float64:
        return d != 0 and not math.isnan(d)
    if td is np.ndarray and d.dtype.char == "d":
        r = d.ravel()
        if r.size <= _SMALL:
            values = r.tolist()
            return 0.0 not in values and not math.isnan(sum(values))  # inf - inf: NaN, a false alarm only
        # read-only passes: a NaN counts as nonzero, and the maximum keeps it
        return r.size == 0 or (_all(r) and not math.isnan(_max(r)))
    return False


_REAL_SCALARS = frozenset({np.float64, np.float32, float, int})
_ONE_DIRECTION = (1,)  # the internal tangent shape of a 0-d value with one direction


def _scalar_case(va: Any, ta: Any, vb: Any, tb: Any) -> bool:
    """Real NumPy-scalar values with one real direction: scalar arithmetic gives the arrays' IEEE results."""
    return (
        type(va) in _REAL_SCALARS and type(vb) in _REAL_SCALARS
        and (ta is None or (ta.shape == _ONE_DIRECTION and ta.dtype.kind == "f"))
        and (tb is None or (tb.shape == _ONE_DIRECTION and tb.dtype.kind == "f"))
    )
_SMALL = 32  # up to this size, Python floats test faster than two NumPy reductions
_all = np.logical_and.reduce
_max = np.maximum.reduce


def _fast_unary(ufunc: np.ufunc) -> Any:
    entry = PARTIALS[ufunc]
    (partial,) = entry
    singular_partial = type(partial) is Singular
    denominator = _DENOMINATORS.get(ufunc)
    coefficient = _COEFFICIENTS.get(ufunc, partial)
    registered = PARTIALS.get

    def handler(a: Any) -> Any:
        if type(a) is not DualArray or registered(ufunc) is not entry:
            return None
        v = a.value
        t = a._tangent
        if type(t) is not np.ndarray or type(v) not in _PLAIN_VALUES:
            if t is None and type(v) in _PLAIN_VALUES:
                return _new(ufunc(v), None, a._ndir if a._batched else 1, a._batched, a.tag)
            return None
        y = ufunc(v)
        nd = y.ndim
        if t.ndim != nd + 1:
            t = dirs.align(t, nd)
        if denominator is not None:
            # partial 1/f: t / f, when f has no zero (no 0·inf to mask) and no NaN
            d = denominator(v, y)
            fresh = sys.getrefcount(d) <= _FRESH
            if _no_zero_or_nan(d):
                if not nd and t.shape == _ONE_DIRECTION and t.dtype.kind == "f":
                    c = (t[0] / d)[None]  # 0-d, one direction: NumPy-scalar arithmetic, the same IEEE results
                elif type(d) is not np.ndarray or not nd:
                    c = t / d
                elif fresh and d.nbytes >= _BIG and t.shape[0] == 1 and d.shape == y.shape and d.dtype == t.dtype:
                    d = d[None]
                    c = np.divide(t, d, out=d)
                else:
                    c = t / d[None]
                if c.dtype is not y.dtype:
                    c = _conform(c, y)
                return _new(y, _fit(c, y), a._ndir, a._batched, a.tag)
        coef = coefficient(v, y)
        if singular_partial and not _all_finite(coef):
            c = _fit(dirs.scale_finite(coef, t), y)
        elif type(coef) is np.ndarray and coef.ndim == nd and nd:
            # coef has y's shape, so c has the full shape (k, *y.shape)
            if coef.nbytes >= _BIG and sys.getrefcount(coef) <= _FRESH and coef.base is None:
                c = _times(coef, t, True)
            else:
                c = coef[None] * t
        elif not nd and type(coef) in _REAL_SCALARS and t.shape == _ONE_DIRECTION and t.dtype.kind == "f":
            c = (coef * t[0])[None]
        else:
            c = _fit(coef * t, y)
        if c.dtype is not y.dtype:
            c = _conform(c, y)
        return _new(y, c, a._ndir, a._batched, a.tag)

    return handler


# partials of the form 1/f(x, y) whose f never warns and is never subnormal: t / f saves a pass
# (y + y is 2·y exactly)
_DENOMINATORS = {
    np.sqrt: lambda x, y: y + y,
    np.cbrt: lambda x, y: 3 * (y * y),
    np.log1p: lambda x, y: (_ONE if type(x) is np.ndarray and x.dtype is _F64 else 1) + x,
}
# the table's partial with a 0-d constant for float64 arrays (the same arithmetic, no scalar conversion)
def _dtanh(x: Any, y: Any) -> Any:
    # 1 - y·y; for a float64 array in one buffer (NumPy does not elide a temporary on the right of -)
    if type(y) is not np.ndarray or y.dtype is not _F64:
        return 1 - y * y
    c = y * y
    return np.subtract(_ONE, c, out=c) if c.nbytes >= _BIG else _ONE - c


_COEFFICIENTS = {np.tanh: _dtanh}
_F64 = np.dtype(np.float64)
_ONE = np.array(1.0)  # 0-d float64 constants: no Python-scalar conversion per call (the same arithmetic)
_TWO = np.array(2.0)


def _fast_binary(ufunc: np.ufunc) -> Any:
    entry = PARTIALS[ufunc]
    pa, pb = entry
    sa, sb = type(pa) is Singular, type(pb) is Singular

    def handler(a: Any, b: Any) -> Any:
        if PARTIALS.get(ufunc) is not entry:
            return None
        ops = _operands(a, b)
        if ops is None:
            return None
        tag, ndir, batched, va, ta, vb, tb = ops
        y = ufunc(va, vb)
        nd = y.ndim
        t = None
        infinite = False
        if ta is not None:
            if ta.ndim != nd + 1:
                ta = dirs.align(ta, nd)
            coef = pa(va, vb, y)
            fresh = sys.getrefcount(coef) <= _FRESH
            if sa and not _all_finite(coef):
                t = dirs.scale_finite(coef, ta)
                infinite = True
            else:
                t = _times(coef, ta, fresh)
        if tb is not None:
            if tb.ndim != nd + 1:
                tb = dirs.align(tb, nd)
            coef = pb(va, vb, y)
            fresh = sys.getrefcount(coef) <= _FRESH
            if sb and not _all_finite(coef):
                c = dirs.scale_finite(coef, tb)
                infinite = True
            else:
                c = _times(coef, tb, fresh)
            if t is None:
                t = c
            elif infinite:
                with _errstate():  # inf - inf: a NaN derivative where the math is undefined, not a warning
                    t = t + c
            elif t.nbytes >= _BIG and t.shape == c.shape and t.dtype == c.dtype:
                np.add(t, c, out=t)  # t is our own product
            else:
                t = t + c
        if t is not None:
            if t.dtype is not y.dtype:
                t = _conform(t, y)
            if t.shape[1:] != y.shape:
                t = dirs.broadcast_to(t, y.shape)
        return _new(y, t, ndir, batched, tag)

    return handler


def _scalar_tangent(s: Any, y: Any) -> Any:
    """The internal tangent ``s[None]`` of a 0-d value ``y`` from a NumPy-scalar tangent ``s``, in y's dtype."""
    if s.dtype is not y.dtype:
        return _conform(s[None], y)
    return s[None]


def _fit(t: Any, y: Any) -> Any:
    """``t`` broadcast to the value shape of ``y`` (a no-op when it has it already)."""
    if t.shape[1:] != y.shape:
        t = dirs.broadcast_to(t, y.shape)
    return t


def _fast_multiply(a: Any, b: Any) -> Any:
    # d(ab) = b·da + a·db; x*x gives 2·(x·dx), the same bits as x·dx + x·dx
    ops = _operands(a, b)
    if ops is None or _registered(_MULTIPLY_UFUNC) is not _MULTIPLY:
        return None
    tag, ndir, batched, va, ta, vb, tb = ops
    y = va * vb  # plain values and constants: y is an ndarray or a NumPy scalar
    if type(y) is complex:  # Python complex * NumPy float scalar: Python arithmetic took over
        y = np.multiply(va, vb)
    nd = y.ndim
    if not nd and _scalar_case(va, ta, vb, tb):
        # 0-d, one direction: NumPy-scalar arithmetic (the same IEEE results, a fraction of the overhead)
        s = None if ta is None else vb * ta[0]
        if a is b and s is not None:
            s = s + s
        elif tb is not None:
            c = va * tb[0]
            s = c if s is None else s + c
        return _new(y, None if s is None else _scalar_tangent(s, y), ndir, batched, tag)
    t = None
    if ta is not None:
        if ta.ndim != nd + 1:
            ta = dirs.align(ta, nd)
        t = vb[None] * ta if type(vb) is np.ndarray and nd and vb.ndim == nd else vb * ta
        if a is b:
            t = np.add(t, t, out=t) if t.nbytes >= _BIG else t + t
            tb = None
    if tb is not None:
        if tb.ndim != nd + 1:
            tb = dirs.align(tb, nd)
        c = va[None] * tb if type(va) is np.ndarray and nd and va.ndim == nd else va * tb
        if t is None:
            t = c
        elif t.nbytes >= _BIG and t.shape == c.shape and t.dtype == c.dtype:
            np.add(t, c, out=t)
        else:
            t = t + c
    if t is not None:
        if t.dtype is not y.dtype:
            t = _conform(t, y)
        if t.shape[1:] != y.shape:
            t = dirs.broadcast_to(t, y.shape)
    return _new(y, t, ndir, batched, tag)


def _fast_divide(a: Any, b: Any) -> Any:
    # d(a/b) = (da - y·db) / b, when y = a/b is finite everywhere (then b has no zero: nothing to mask)
    ops = _operands(a, b)
    if ops is None or _registered(_DIVIDE_UFUNC) is not _DIVIDE:
        return None
    tag, ndir, batched, va, ta, vb, tb = ops
    y = va / vb
    if type(y) is complex:  # Python complex / NumPy float scalar: Python arithmetic took over
        y = np.divide(va, vb)
    if not _all_finite(y):  # zeros of b (or overflow): the table's partials and their masking, as _call
        t = _conform(_partials_tangent(_DIVIDE_UFUNC, _DIVIDE, [va, vb], [ta, tb], y), y)
        return _new(y, t, ndir, batched, tag)
    nd = y.ndim
    if not nd and _scalar_case(va, ta, vb, tb):
        if tb is None:
            s = None if ta is None else ta[0] / vb
        else:
            s = (-(y * tb[0]) if ta is None else ta[0] - y * tb[0]) / vb
        return _new(y, None if s is None else _scalar_tangent(s, y), ndir, batched, tag)
    if type(vb) is np.ndarray and nd and vb.ndim == nd:
        vb = vb[None]
    if ta is not None and ta.ndim != nd + 1:
        ta = dirs.align(ta, nd)
    if tb is None:
        if ta is None:
            return _new(y, None, ndir, batched, tag)
        t = ta / vb
    else:
        if tb.ndim != nd + 1:
            tb = dirs.align(tb, nd)
        t = y[None] * tb if type(y) is np.ndarray and nd else y * tb  # fresh, of shape (k, *y.shape)
        if t.nbytes < _BIG:
            t = (-t if ta is None else ta - t) / vb
        else:
            if ta is None:
                np.negative(t, out=t)
            else:
                t = np.subtract(ta, t, out=t if ta.dtype == t.dtype else None)
            t = np.divide(t, vb, out=t if _same_dtype(t, vb) else None)
    if t.dtype is not y.dtype:
        t = _conform(t, y)
    if t.shape[1:] != y.shape:
        t = dirs.broadcast_to(t, y.shape)
    return _new(y, t, ndir, batched, tag)


def _same_dtype(t: np.ndarray, x: Any) -> bool:
    """True when ``t op x`` has ``t``'s dtype (so it can be computed in place)."""
    tx = type(x)
    if tx is float or tx is int:
        return t.dtype.kind in "fc"
    return x.dtype == t.dtype


def _fast_power(a: Any, b: Any) -> Any:
    # x**2 with a constant 2: d = 2x·dx (what _dpow_base gives: 2·x**1.0 = x + x); anything else: _call
    if type(b) is DualArray or (b != 2 if type(b) in (int, float) else True):
        return None
    if PARTIALS.get(np.power) is not _POWER or type(a) is not DualArray:
        return None
    va, ta = a.value, a._tangent
    if type(va) not in _PLAIN_VALUES or va.dtype.kind != "f":
        return None
    if ta is not None and type(ta) is not np.ndarray:
        return None
    y = np.power(va, _TWO if type(va) is np.ndarray and va.dtype is _F64 else b)  # same loop, exponent 2.0
    if ta is None:
        return _new(y, None, a._ndir if a._batched else 1, a._batched, a.tag)
    nd = y.ndim
    if ta.ndim != nd + 1:
        ta = dirs.align(ta, nd)
    coef = va + va
    if not nd and type(va) in _REAL_SCALARS and _scalar_case(va, ta, 0, None) and _all_finite(coef):
        return _new(y, _scalar_tangent(coef * ta[0], y), a._ndir, a._batched, a.tag)
    fresh = sys.getrefcount(coef) <= _FRESH
    c = _times(coef, ta, fresh) if _all_finite(coef) else dirs.scale_finite(coef, ta)
    if c.dtype is not y.dtype:
        c = _conform(c, y)
    if c.shape[1:] != y.shape:
        c = dirs.broadcast_to(c, y.shape)
    return _new(y, c, a._ndir, a._batched, a.tag)


def _fast_linear_unary(ufunc: np.ufunc) -> Any:
    def handler(a: Any) -> Any:
        if type(a) is not DualArray or ufunc not in LINEAR:
            return None
        v, t = a.value, a._tangent
        if type(v) not in _PLAIN_VALUES or (t is not None and type(t) is not np.ndarray):
            return None
        y = ufunc(v)
        if t is None:
            return _new(y, None, a._ndir if a._batched else 1, a._batched, a.tag)
        if t.ndim != y.ndim + 1:
            t = dirs.align(t, y.ndim)
        t = ufunc(t)
        if t.dtype is not y.dtype:
            t = _conform(t, y)
        return _new(y, _fit(t, y), a._ndir, a._batched, a.tag)

    return handler


def _fast_linear_binary(ufunc: np.ufunc) -> Any:
    # add/subtract: the tangents added (a constant operand contributes nothing; the other tangent is copied)
    negate = ufunc is np.subtract
    scalar_op = {np.add: operator.add, np.subtract: operator.sub}.get(ufunc)

    def handler(a: Any, b: Any) -> Any:
        if ufunc not in LINEAR:
            return None
        ops = _operands(a, b)
        if ops is None:
            return None
        tag, ndir, batched, va, ta, vb, tb = ops
        if scalar_op is not None and type(va) in _REAL_SCALARS and type(vb) in _REAL_SCALARS:
            y = scalar_op(va, vb)  # NumPy-scalar arithmetic: the ufunc's result, without the ufunc call
        else:
            y = ufunc(va, vb)
        nd = y.ndim
        if ta is not None and ta.ndim != nd + 1:
            ta = dirs.align(ta, nd)
        if tb is not None and tb.ndim != nd + 1:
            tb = dirs.align(tb, nd)
        if ta is None:
            if tb is None:
                return _new(y, None, ndir, batched, tag)
            t = np.negative(tb) if negate else tb.copy()
        elif tb is None:
            t = ta.copy()
        elif not nd and scalar_op is not None and _scalar_case(va, ta, vb, tb):
            t = scalar_op(ta[0], tb[0])[None]  # NumPy-scalar arithmetic: the same IEEE results
        else:
            t = ufunc(ta, tb)
        if t.dtype is not y.dtype:
            t = _conform(t, y)
        if t.shape[1:] != y.shape:
            t = dirs.broadcast_to(t, y.shape)
        return _new(y, t, ndir, batched, tag)

    return handler


_MULTIPLY = PARTIALS[np.multiply]
_DIVIDE = PARTIALS[np.divide]
_POWER = PARTIALS[np.power]
_MULTIPLY_UFUNC, _DIVIDE_UFUNC = np.multiply, np.divide
_registered = PARTIALS.get
for _uf, _entry in PARTIALS.items():
    if _uf.nin == 1 and _uf.nout == 1 and all(callable(p) and type(p) is not NoDerivative for p in _entry):
        _FAST_CALL[_uf] = _fast_unary(_uf)
    elif _uf.nin == 2 and _uf.nout == 1 and all(callable(p) and type(p) is not NoDerivative for p in _entry):
        _FAST_CALL[_uf] = _fast_binary(_uf)
for _uf in LINEAR:
    _FAST_CALL[_uf] = _fast_linear_unary(_uf) if _uf.nin == 1 else _fast_linear_binary(_uf)
_FAST_CALL[np.multiply] = _fast_multiply
_FAST_CALL[np.divide] = _fast_divide
_FAST_CALL[np.power] = _fast_power


# ---------------------------------------------------------------- traced tangents (reverse mode)
def _traced_call(ufunc: np.ufunc, args: tuple) -> Any:
    """``ufunc(*args)`` where the tangents are recorded maps: the scale nodes recorded directly.

    The common case of a reverse pass: DualArrays of one tag with plain values and traced (or zero)
    tangents, and plain constants. Returns None for anything else (the generic dispatch runs).
    """
    tag = -1
    values, tangents = [], []
    for a in args:
        if type(a) is DualArray:
            v, t = a.value, a._tangent
            if type(v) not in _PLAIN_VALUES or (t is not None and type(t) is not Lin) or a._batched:
                return None
            if tag < 0:
                tag = a.tag
            elif a.tag != tag:
                return None
            values.append(v)
            tangents.append(t)
        elif type(a) in _PLAIN_CONSTANTS:
            values.append(a)
            tangents.append(None)
        else:
            return None
    if tag < 0 or all(t is None for t in tangents):
        return None
    y = ufunc(*values)
    partials = PARTIALS.get(ufunc)
    if partials is not None:
        t = _conform(_partials_tangent(ufunc, partials, values, tangents, y), y)
    else:
        t = recorded_sum(ufunc, tangents, (1, *np.shape(y)))
        if t is None:
            t = _linear_tangent(ufunc, tangents, y)
    return _new(y, t, 1, False, tag)


def _or_traced(ufunc: np.ufunc, handler: Any) -> Any:
    def fast(*args: Any) -> Any:
        result = handler(*args)
        return _traced_call(ufunc, args) if result is None else result

    return fast


for _uf, _handler in list(_FAST_CALL.items()):
    _FAST_CALL[_uf] = _or_traced(_uf, _handler)
