"""Polynomials, interpolation, sampling and signals.

Two kinds of rule live here:

* *compositions*: NumPy's own algorithm replayed with operations that dispatch (``polyval`` is a Horner
  loop, ``polyadd`` a padded sum, ``poly`` repeated convolutions, ...). The value is bit-for-bit NumPy's
  because the same floating-point operations run on the values; tangents and nesting come for free.
* *derivative rules* where replaying is impossible or wasteful: ``roots`` (an eigenvalue problem),
  ``polyfit`` (least squares, linear in ``y``), ``interp``, ``convolve``/``correlate`` (bilinear),
  ``linspace``/``geomspace`` (sampling), ``vander``, ``unwrap``, ``sinc``, ``i0``, ``trim_zeros``.

Conventions (one per kink):

* ``interp`` at a knot ``x == xp[j]``: the value is ``fp[j]``; the derivative in ``x`` (and in ``xp``) is
  the mean of the two one-sided derivatives (outside ``[xp[0], xp[-1]]`` the slope is zero), like
  ``abs'(0) = 0``. The derivative in ``fp`` is exact everywhere (``fp[j]``'s tangent at the knot).
* ``roots``: simple roots only; ``ṙ = -ṗ(r) / p'(r)`` (a multiple root has ``p'(r) = 0``: inf/nan).
* ``sinc``: exact at 0 to all orders (a series is used for ``|x| < 1e-3``).
* ``unwrap`` adds piecewise-constant multiples of the period: the tangent passes through.

>>> import numpy as np
>>> from dualarray import DualArray
>>> p = DualArray(np.array([1.0, -3.0, 2.0]), np.array([0.0, 0.0, 1.0]))  # x² - 3x + 2 + ε
>>> np.roots(p).tangent  # roots 2 and 1 move by -1/p'(r)
array([-1.,  1.])
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np
from numpy.testing.overrides import allows_array_function_override

from .. import _directions as dirs
from .._core import DualArray, split
from .._registry import implements


def _plain(x: Any) -> Any:
    """The innermost plain values (for indices, masks and searches, which are not differentiable)."""
    while isinstance(x, DualArray):
        x = x.value
    return x


def _1d(a: Any) -> Any:
    """``np.atleast_1d`` for one array, keeping DualArrays (a 0-d array becomes shape (1,))."""
    if not isinstance(a, DualArray):
        a = np.asarray(a)
    return np.reshape(a, (1,)) if np.ndim(a) == 0 else a


def _t1d(t: Any, value: Any) -> Any:
    """The tangent of :func:`_1d` of ``value``."""
    if t is None or np.ndim(value) > 0:
        return t
    return dirs.reshape(t, (1,))



# ---------------------------------------------------------------- polynomials (compositions)
@implements(np.polyval)
def _polyval(p, x):
    # Horner's scheme, exactly NumPy's: y = y·x + pᵢ
    if isinstance(x, np.poly1d):
        raise TypeError("np.polyval with a poly1d argument and DualArray coefficients is not supported")
    if not isinstance(p, DualArray):
        p = np.asarray(p)
    if not isinstance(x, DualArray):
        x = np.asanyarray(x)
    y = np.zeros_like(x)
    for pv in p:
        y = y * x + pv
    return y


@implements(np.polyder)
def _polyder(p, m=1):
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    if not isinstance(p, DualArray):
        p = np.asarray(p)
    if m == 0:
        return p
    n = len(p) - 1
    return np.polyder(p[:-1] * np.arange(n, 0, -1), m - 1)


@implements(np.polyint)
def _polyint(p, m=1, k=None):
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    if k is None:
        k = np.zeros(m, float)
    k = _1d(k)
    if len(k) == 1 and m > 1:
        k = k[0] * np.ones(m, float)
    if len(k) < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    if not isinstance(p, DualArray):
        p = np.asarray(p)
    if m == 0:
        return p
    y = np.concatenate((p / np.arange(len(p), 0, -1), np.reshape(k[0], (1,))))
    return np.polyint(y, m - 1, k=k[1:])


def _padded(a1: Any, a2: Any) -> tuple[Any, Any]:
    """Both coefficient arrays padded with leading zeros to one length (as NumPy's polyadd)."""
    a1, a2 = _1d(a1), _1d(a2)
    diff = len(a2) - len(a1)
    if diff > 0:
        a1 = np.concatenate((np.zeros(diff, a1.dtype), a1))
    elif diff < 0:
        a2 = np.concatenate((np.zeros(-diff, a2.dtype), a2))
    return a1, a2


@implements(np.polyadd)
def _polyadd(a1, a2):
    a1, a2 = _padded(a1, a2)
    return a1 + a2


@implements(np.polysub)
def _polysub(a1, a2):
    a1, a2 = _padded(a1, a2)
    return a1 - a2


@implements(np.polymul)
def _polymul(a1, a2):
    return np.convolve(_1d(a1), _1d(a2))


@implements(np.polydiv)
def _polydiv(u, v):
    # NumPy's synthetic division replayed on DualArrays for the tangents:
    # q[k] = r[k]/v[0]; r[k:k+n+1] -= q[k]·v  (the values come from NumPy itself: its scalar
    # arithmetic can round complex products differently from the array loops)
    frame, values, _ = split([u, v])
    q_val, r_val = np.polydiv(*values)
    if frame is None:
        return q_val, r_val
    u = _1d(u) + 0.0
    v = _1d(v) + 0.0
    w = u[0] + v[0]
    m = len(u) - 1
    n = len(v) - 1
    scale = 1.0 / v[0]
    q = np.zeros_like(w, shape=(max(m - n + 1, 1),))
    r = u.astype(w.dtype) + np.zeros_like(w, shape=u.shape)
    for k in range(m - n + 1):
        d = scale * r[k]
        q[k] = d
        r[k:k + n + 1] = r[k:k + n + 1] - d * v
    r = r[len(r) - len(r_val):]
    return frame.wrap(q_val, _same_frame(q, frame)), frame.wrap(r_val, _same_frame(r, frame))


def _same_frame(d: Any, frame: Any) -> Any:
    """The internal tangent of a result computed by composition in ``frame`` (None when constant)."""
    return d._tangent if isinstance(d, DualArray) and d.tag == frame.tag else None


def _characteristic(matrix: Any) -> Any:
    """``np.poly(A)`` of a square matrix: NumPy's coefficients, tangents ``ȧ_k = −tr(B_{k−1} Ȧ)``.

    ``adj(λI − A) = Σ_k λ^{n−1−k} B_k`` with ``B_0 = I``, ``B_k = A B_{k−1} + a_k I`` (Faddeev–LeVerrier), so
    the derivative of ``det(λI − A)`` needs no eigenvalues and is exact at repeated or defective ones.
    """
    frame, (x,), (t,) = split([matrix])
    a = np.poly(x)  # NumPy's values (a DualArray of an older tag when nested: the recursion below nests too)
    if frame is None or t is None:
        return a if frame is None else frame.wrap(a, None)
    n = np.shape(x)[0]
    eye = np.eye(n)
    B = eye
    rows = [np.zeros_like(t[..., 0, 0])]
    for k in range(1, n + 1):
        rows.append(-np.einsum("ij,...ji->...", B, t))
        B = x @ B + a[k] * eye
    ta = np.stack(rows, axis=-1)
    if not np.iscomplexobj(a) and np.iscomplexobj(ta):
        ta = np.real(ta)
    return frame.wrap(a, ta)


@implements(np.poly)
def _poly(seq_of_zeros):
    z = _1d(seq_of_zeros)
    sh = z.shape
    if len(sh) == 2 and sh[0] == sh[1] and sh[0] != 0:
        if isinstance(z, DualArray):
            return _characteristic(z)
        z = np.linalg.eigvals(z)
    elif len(sh) == 1:
        if z.dtype != object:
            z = z.astype(np.mintypecode(z.dtype.char))
    else:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    if len(z) == 0:
        return 1.0
    dt = z.dtype
    a = np.ones((1,), dtype=dt)
    for zero in z:
        a = np.convolve(a, np.concatenate((np.ones((1,), dtype=dt), np.reshape(-zero, (1,)))), mode="full")
    if np.issubdtype(a.dtype, np.complexfloating):
        # complex roots that are all conjugate pairs give a real polynomial
        roots = np.asarray(_plain(z), complex)
        if np.all(np.sort(roots) == np.sort(roots.conjugate())):
            a = np.copy(np.real(a))
    return a


# ---------------------------------------------------------------- polynomials (derivative rules)
def _horner_tangent(t: Any, r: Any) -> Any:
    """``ṗ(r)`` for coefficient tangents ``t`` (k, n) at points ``r`` (m,): shape (k, m)."""
    n = t.shape[-1]
    acc = t[..., 0:1]
    for j in range(1, n):
        acc = acc * r + t[..., j:j + 1]
    return acc


@implements(np.roots)
def _roots(p):
    # p(r) = 0  ⇒  ṙ = -ṗ(r) / p'(r)   (simple roots)
    if isinstance(p, list | tuple):
        p = np.stack(p)  # a list holding DualArrays (NumPy dispatched on them)
    frame, (c,), (t,) = split([p])
    r = np.roots(c)
    if frame is None:
        return r
    if t is None or np.size(r) == 0:
        return frame.wrap(r, None)
    c, t = _1d(c), _t1d(t, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        tangent = -_horner_tangent(t, r) / np.polyval(np.polyder(c), r)
    return frame.wrap(r, tangent)


@implements(np.polyfit)
def _polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    # c = A⁺y is linear in y: ċ = polyfit(x, ẏ) (the directions become extra columns of y)
    frame, (xv, yv, wv), (tx, ty, tw) = split([x, y, w])
    result = np.polyfit(xv, yv, deg, rcond=rcond, full=full, w=wv, cov=cov)
    if frame is None:
        return result
    if tx is not None or tw is not None:
        raise NotImplementedError(
            "numpy.polyfit: only the derivative with respect to y is implemented; x and w must be "
            "constants (pass x.value / w.value)"
        )
    c = result[0] if (full or cov) else result
    if ty is None:
        tc = None
    else:
        k = dirs.count(ty)
        cols = np.reshape(dirs.to_axis(ty, -1), (np.shape(yv)[0], -1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tc = np.polyfit(xv, cols, deg, rcond=rcond, w=wv)
        tc = dirs.from_axis(np.reshape(tc, (*np.shape(c), k)), -1)
    c_dual = frame.wrap(c, tc)
    if not (full or cov):
        return c_dual
    if full:
        _, resids, rank, sv, rc = result
        return c_dual, frame.wrap(resids, _resids_tangent(xv, yv, wv, c, resids, ty, deg)), rank, sv, rc
    _, V = result
    if cov == "unscaled" or ty is None:
        return c_dual, frame.wrap(V, None)
    # V = Vbase·fac, fac = resids/(M - order)  ⇒  V̇ = V·ṙesids/resids (ṙesids = 0 where the fit is exact)
    wr = _weighted_residuals(xv, yv, wv, c, deg)
    resids = np.real(np.sum(wr * _residuals(xv, yv, c, deg), axis=0))
    dres = _resids_tangent(xv, yv, wv, c, resids, ty, deg)
    ratio = dres / np.where(_plain(resids) == 0, 1.0, resids)
    return c_dual, frame.wrap(V, V * dirs.align(ratio, np.ndim(V)))


def _residuals(xv: Any, yv: Any, c: Any, deg: int) -> Any:
    """``y - A c`` with ``A = vander(x, deg + 1)``."""
    return yv - np.matmul(np.vander(xv, int(deg) + 1), c)


def _weighted_residuals(xv: Any, yv: Any, wv: Any, c: Any, deg: int) -> Any:
    """``w² conj(y - A c)`` (the weights along the first axis of y)."""
    r = np.conjugate(_residuals(xv, yv, c, deg))
    if wv is None:
        return r
    wsq = wv * wv
    return r * (wsq if np.ndim(yv) == 1 else wsq[:, None])


def _resids_tangent(xv, yv, wv, c, resids, ty, deg):
    # resids = Σ w²|y - Ac|²  ⇒  ṙesids = 2 Re Σ w² conj(y - Ac) ẏ   (Aᴴw²(y - Ac) = 0 at the optimum)
    if ty is None or np.size(resids) == 0:
        return None
    t = 2 * np.real(np.sum(ty * _weighted_residuals(xv, yv, wv, c, deg), axis=-np.ndim(yv)))
    return dirs.reshape(t, np.shape(resids))


@implements(np.vander)
def _vander(x, N=None, increasing=False):
    # d xʲ = j xʲ⁻¹ ẋ: the neighbouring column of V times j
    frame, (v,), (t,) = split([x])
    V = np.vander(v, N, increasing)
    if frame is None:
        return V
    cols = V.shape[-1]
    if t is None or cols == 0:
        return frame.wrap(V, None)
    powers = np.arange(1, cols)
    zero = np.zeros_like(V[:, :1])
    if increasing:
        D = np.concatenate((zero, V[:, :-1] * powers), axis=-1)
    else:
        D = np.concatenate((V[:, 1:] * powers[::-1], zero), axis=-1)
    return frame.wrap(V, np.expand_dims(t, -1) * D)


# ---------------------------------------------------------------- convolution
_MODES = {"f": "full", "s": "same", "v": "valid", 2: "full", 1: "same", 0: "valid"}


def _mode(mode: Any) -> str:
    key = mode[:1].lower() if isinstance(mode, str) else mode
    if key not in _MODES:
        raise ValueError(f"mode must be one of 'full', 'same' or 'valid', got {mode!r}")
    return _MODES[key]


def _window(mode: str, n: int, m: int, correlate: bool) -> slice:
    """Which part of the full convolution (lengths n and m) NumPy returns for ``mode``."""
    short, long = min(n, m), max(n, m)
    if mode == "full":
        return slice(0, n + m - 1)
    if mode == "valid":
        return slice(short - 1, long)
    start = short // 2 if correlate and m > n else (short - 1) // 2
    return slice(start, start + long)


_BANDED_MAX = 1 << 22
"""Largest banded matrix (entries) for the direct tangent convolution; longer signals use the FFT."""


def _conv_full(t: Any, w: Any) -> Any:
    """Full convolution of every direction of the tangent ``t`` (k, n) with the values ``w`` (m,).

    ``t @ W`` with the banded matrix ``W[j, i] = w[i - j]``, built by indexing ``w`` (so it nests);
    for long signals, a zero-padded FFT product (same result up to rounding, O((n+m) log(n+m))).
    """
    n, m = t.shape[-1], np.shape(w)[-1]
    if n * (n + m - 1) > _BANDED_MAX:
        size = n + m - 1
        if np.iscomplexobj(_plain(t)) or np.iscomplexobj(_plain(w)):
            return np.fft.ifft(np.fft.fft(t, size, axis=-1) * np.fft.fft(w, size), axis=-1)
        return np.fft.irfft(np.fft.rfft(t, size, axis=-1) * np.fft.rfft(w, size), size, axis=-1)
    d = np.arange(n + m - 1)[None, :] - np.arange(n)[:, None]
    band = (d >= 0) & (d < m)
    W = np.where(band, w[np.clip(d, 0, m - 1)], 0)
    return np.matmul(t, W)


def _bilinear_conv(func, a, v, mode, correlate):
    frame, (x, w), (ta, tw) = split([a, v])
    y = func(x, w, mode=mode)
    if frame is None:
        return y
    x1, w1, ta, tw = _1d(x), _1d(w), _t1d(ta, x), _t1d(tw, w)
    part = _window(_mode(mode), x1.shape[-1], w1.shape[-1], correlate)
    if correlate:
        # correlate(a, v) = convolve(a, conj(v)[::-1])
        w1 = np.conjugate(w1)[::-1]
        tw = None if tw is None else np.conjugate(tw)[..., ::-1]
    t = None
    if ta is not None:
        t = _conv_full(ta, w1)[..., part]
    if tw is not None:
        t = dirs.add(t, _conv_full(tw, x1)[..., part])
    return frame.wrap(y, t)


@implements(np.convolve)
def _convolve(a, v, mode="full"):
    # d(a∗v) = ȧ∗v + a∗v̇
    return _bilinear_conv(np.convolve, a, v, mode, correlate=False)


@implements(np.correlate)
def _correlate(a, v, mode="valid"):
    # d corr(a, v) = corr(ȧ, v) + corr(a, v̇)
    return _bilinear_conv(np.correlate, a, v, mode, correlate=True)


# ---------------------------------------------------------------- interpolation
@implements(np.interp)
def _interp(x, xp, fp, left=None, right=None, period=None):
    # on [xp_i, xp_i+1] with λ = (x - xp_i)/h, s = (fp_i+1 - fp_i)/h:
    # ẏ = (1-λ)(ḟp_i - s ẋp_i) + λ(ḟp_i+1 - s ẋp_i+1) + s ẋ ; at a knot, the mean of both segments
    frame, (xv, xpv, fpv, lv, rv, pv), (tx, txp, tfp, tl, tr, tper) = split(
        [x, xp, fp, left, right, period])
    y = np.interp(xv, xpv, fpv, left=lv, right=rv, period=pv)
    if frame is None:
        return y
    if tper is not None:
        raise NotImplementedError("numpy.interp: the period must be a constant (pass period.value)")
    xv, xpv, fpv = (v if isinstance(v, DualArray) else np.asarray(v) for v in (xv, xpv, fpv))
    if pv is not None:
        # NumPy ignores left/right when a period is given
        xv, xpv, fpv, txp, tfp = _periodic(xv, xpv, fpv, txp, tfp, pv)
        lv = rv = tl = tr = None
    if tx is None and txp is None and tfp is None and tl is None and tr is None:
        return frame.wrap(y, None)
    xs, xq = _plain(xpv), _plain(xv)
    n = xs.shape[-1]
    nd = np.ndim(xv)

    def gather(t: Any, i: Any) -> Any:
        return None if t is None else t[..., i]

    def edge(t_side: Any, constant: Any, j: int, outside: Any) -> Any:
        # the flat extension: fp[j]'s tangent at the end knot, left's/right's strictly outside
        at_knot = None if tfp is None else dirs.align(tfp[..., j], nd)
        if constant is None:
            return at_knot
        beyond = None if t_side is None else dirs.align(t_side, nd)
        if beyond is None and at_knot is None:
            return None
        zero = frame.zeros(np.zeros((), np.result_type(_plain(fpv), np.float64)))
        zero = dirs.align(zero, nd)  # (directions, 1, ...): k directions broadcast against x's axes
        return np.where(outside, zero if beyond is None else beyond, zero if at_knot is None else at_knot)

    lo = edge(tl, lv, 0, xq < xs[0])
    hi = edge(tr, rv, -1, xq > xs[-1])

    def one_side(side: str) -> Any:
        i = np.searchsorted(xs, xq, side=side) - 1
        inner = None
        if n >= 2:
            ic = np.clip(i, 0, n - 2)
            a, b = xpv[ic], xpv[ic + 1]
            h = b - a
            with np.errstate(divide="ignore", invalid="ignore"):
                lam = (xv - a) / h
                s = (fpv[ic + 1] - fpv[ic]) / h
            inner = dirs.add(_scale(1 - lam, gather(tfp, ic)), _scale(lam, gather(tfp, ic + 1)))
            moved = dirs.add(tx, dirs.add(_scale(-(1 - lam), gather(txp, ic)), _scale(-lam, gather(txp, ic + 1))))
            inner = dirs.add(inner, _scale(s, moved))
        parts = [(i < 0, lo), (i > n - 2, hi)]
        return _select(frame, parts, inner, np.shape(y), _result_like(fpv))

    right_side, left_side = one_side("right"), one_side("left")
    tangent = 0.5 * (right_side + left_side)
    return frame.wrap(y, tangent)


def _scale(c: Any, t: Any) -> Any:
    return None if t is None else c * t


def _result_like(fpv: Any) -> Any:
    return np.zeros((), dtype=np.result_type(_plain(fpv), np.float64))


def _select(frame, parts, default, shape, like):
    """``where(mask₁, t₁, where(mask₂, t₂, default))`` over tangents, zeros for None."""
    zero = frame.zeros(np.broadcast_to(like, shape))
    out = zero if default is None else dirs.broadcast_to(default, shape)
    for mask, t in reversed(parts):
        if not np.any(mask):
            continue
        chosen = zero if t is None else dirs.broadcast_to(t, shape)
        out = np.where(mask, chosen, out)
    return out


def _periodic(xv, xpv, fpv, txp, tfp, period):
    """NumPy's periodic set-up: map into one period, sort the knots, wrap one knot onto each side."""
    xv = xv % period
    xpv = xpv % period
    order = np.argsort(_plain(xpv))
    xpv, fpv = xpv[order], fpv[order]
    xpv = np.concatenate((xpv[-1:] - period, xpv, xpv[0:1] + period))
    fpv = np.concatenate((fpv[-1:], fpv, fpv[0:1]))

    def wrap(t):
        if t is None:
            return None
        t = t[..., order]
        return np.concatenate((t[..., -1:], t, t[..., 0:1]), axis=-1)

    return xv, xpv, fpv, wrap(txp), wrap(tfp)


# ---------------------------------------------------------------- sampling
def _coef_along(t: Any, coef: Any, nb: int) -> Any:
    """``coef[i] · t`` as a tangent of shape (k, num, *b): the samples along a new axis before b."""
    t = np.expand_dims(dirs.align(t, nb), -nb - 1)
    return t * np.reshape(coef, (-1,) + (1,) * nb)


def _fractions(num: int, endpoint: bool) -> tuple[Any, int]:
    div = num - 1 if endpoint else num
    f = np.arange(num, dtype=float) / div if div > 0 else np.zeros(num)
    return f, div


@implements(np.linspace)
def _linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    # yᵢ = start + fᵢ (stop - start), fᵢ = i/div  ⇒  ẏᵢ = (1 - fᵢ) ṡtart + fᵢ ṡtop
    frame, (a, b), (ta, tb) = split([start, stop])
    kw = {} if device is None else {"device": device}
    result = np.linspace(a, b, num=num, endpoint=endpoint, retstep=retstep, dtype=dtype, axis=axis, **kw)
    if frame is None:
        return result
    y, step = result if retstep else (result, None)
    num = operator.index(num)
    nb = len(np.broadcast_shapes(np.shape(a), np.shape(b)))
    f, div = _fractions(num, endpoint)
    t = None
    if not np.issubdtype(np.result_type(y), np.integer):
        if ta is not None:
            t = _coef_along(ta, 1 - f, nb)
        if tb is not None:
            t = dirs.add(t, _coef_along(tb, f, nb))
    if t is not None:
        t = dirs.broadcast_to(t, (num, *np.broadcast_shapes(np.shape(a), np.shape(b))))
        t = np.moveaxis(t, -nb - 1, dirs.axis(axis, nb + 1))
        if dtype is not None and t.dtype != np.result_type(y):
            t = t.astype(np.result_type(y))
    out = frame.wrap(y, t)
    if not retstep:
        return out
    if div <= 0:
        return out, step  # NumPy's step is a plain nan here
    t_step = None
    if ta is not None or tb is not None:
        diff = dirs.add(None if tb is None else dirs.align(tb, nb), None if ta is None else -dirs.align(ta, nb))
        t_step = dirs.broadcast_to(diff / div, np.shape(step))  # a scalar stop still steps every lane
    return out, frame.wrap(step, t_step)


@implements(np.logspace)
def _logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    # base ** linspace(start, stop): a composition, exactly NumPy's
    if not isinstance(base, float | int) and np.ndim(base):
        ndmax = len(np.broadcast_shapes(np.shape(start), np.shape(stop), np.shape(base)))
        start, stop, base = (_ndmin(a, ndmax) for a in (start, stop, base))
        base = np.expand_dims(base, axis=axis)
    y = np.linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    if dtype is None:
        return np.power(base, y)
    return np.power(base, y).astype(dtype, copy=False)


def _ndmin(a: Any, ndmin: int) -> Any:
    if not isinstance(a, DualArray):
        a = np.asarray(a)
    missing = ndmin - np.ndim(a)
    return np.reshape(a, (1,) * missing + np.shape(a)) if missing > 0 else a


@implements(np.geomspace)
def _geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    # yᵢ = start^(1-fᵢ) stop^fᵢ  ⇒  ẏᵢ = yᵢ ((1 - fᵢ) ṡtart/start + fᵢ ṡtop/stop)
    frame, (a, b), (ta, tb) = split([start, stop])
    y = np.geomspace(a, b, num=num, endpoint=endpoint, dtype=dtype, axis=axis)
    if frame is None:
        return y
    if np.issubdtype(np.result_type(y), np.integer) or (ta is None and tb is None):
        return frame.wrap(y, None)
    nb = len(np.broadcast_shapes(np.shape(a), np.shape(b)))
    f, _ = _fractions(operator.index(num), endpoint)
    rel = None
    if ta is not None:
        rel = _coef_along(ta / a, 1 - f, nb)
    if tb is not None:
        rel = dirs.add(rel, _coef_along(tb / b, f, nb))
    t = rel * np.moveaxis(y, axis, 0)
    t = np.moveaxis(t, -nb - 1, dirs.axis(axis, nb + 1))
    return frame.wrap(y, t)


# ---------------------------------------------------------------- signals and special functions
@implements(np.unwrap)
def _unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    # y = p + k·period with k piecewise constant: ẏ = ṗ + k·ṗeriod (discont only moves the jumps)
    frame, (v, dv, pv), (t, _, tp) = split([p, discont, period])
    y = np.unwrap(v, discont=dv, axis=axis, period=pv)
    if frame is None:
        return y
    if tp is not None:
        k = np.round((_plain(y) - _plain(v)) / _plain(pv))
        t = dirs.add(t, k * dirs.align(tp, np.ndim(y)))
    if t is not None and t.dtype != y.dtype and np.issubdtype(np.result_type(y), np.inexact):
        t = t.astype(np.result_type(y))
    return frame.wrap(y, t)


_PI2, _PI4, _PI6 = np.pi**2, np.pi**4, np.pi**6


def _dsinc(x: Any) -> Any:
    """``sinc'(x) = (cos πx - sinc x)/x``; its series ``-π²x/3 + π⁴x³/30 - π⁶x⁵/840`` near 0."""
    small = np.abs(_plain(x)) < 1e-3
    safe = np.where(small, 1.0, x)
    exact = (np.cos(np.pi * safe) - np.sinc(safe)) / safe
    x2 = x * x
    series = x * (-_PI2 / 3 + x2 * (_PI4 / 30 - x2 * (_PI6 / 840)))
    return np.where(small, series, exact)


@implements(np.sinc)
def _sinc(x):
    frame, (v,), (t,) = split([x])
    y = np.sinc(v)
    if frame is None:
        return y
    return frame.wrap(y, None if t is None else _dsinc(v) * t)


@implements(np.i0)
def _i0(x):
    # i0' = i1 (scipy.special.i1; nested derivatives need a rule for it)
    frame, (v,), (t,) = split([x])
    y = np.i0(v)
    if frame is None or t is None:
        return y if frame is None else frame.wrap(y, None)
    try:
        from scipy.special import i1
    except ImportError as err:  # pragma: no cover - scipy is a test dependency
        raise NotImplementedError("numpy.i0: its derivative i1 needs scipy.special") from err
    return frame.wrap(y, i1(v) * t)


@implements(np.trim_zeros)
def _trim_zeros(filt, trim="fb", axis=None):
    # a slice of the input: the tangent is the same slice
    frame, (v,), (t,) = split([filt])
    y = np.trim_zeros(v, trim=trim, axis=axis)
    if frame is None or t is None:
        return y if frame is None else frame.wrap(y, None)
    sl = _trim_slices(_plain(v), trim, axis)
    return frame.wrap(y, t[dirs.key(sl)])


def _trim_slices(v: Any, trim: str, axis: Any) -> tuple[slice, ...]:
    """NumPy's bounding box of the non-zeros along the trimmed axes."""
    nd = np.ndim(v)
    trim = trim.lower()
    axes = range(nd) if axis is None else [a % nd for a in np.atleast_1d(axis).tolist()]
    nz = np.argwhere(v)
    if nz.shape[0] == 0:
        start = stop = [0] * nd
    else:
        start = nz.min(axis=0).tolist() if "f" in trim else [None] * nd
        stop = (nz.max(axis=0) + 1).tolist() if "b" in trim else [None] * nd
    return tuple(slice(start[ax], stop[ax]) if ax in axes else slice(None) for ax in range(nd))



# ---------------------------------------------------------------- numpy.polynomial 2-D evaluation
def _powers(x: Any, n: int) -> Any:
    """``x[..., None] ** [0, 1, ..., n-1]`` (``x**0`` has derivative 0, also at 0)."""
    return np.expand_dims(x, -1) ** np.arange(n)


def _eval2d(numpy_func, combine):
    """Value from NumPy itself; tangent from Σ c_ij x^i y^j written with rules that carry tangents."""

    def impl(x, y, c):
        frame, values, tangents = split([x, y, c])
        value = numpy_func(*values)
        if frame is None or all(t is None for t in tangents):
            return value if frame is None else frame.wrap(value, None)
        if np.ndim(c) != 2:
            raise NotImplementedError(
                f"numpy.polynomial.{numpy_func.__name__} with DualArrays needs a 2-D coefficient array c"
            )
        xd, yd, cd = (frame.wrap(v, t) for v, t in zip(values, tangents, strict=True))
        composite = combine(_powers(xd, np.shape(c)[0]), cd, _powers(yd, np.shape(c)[1]))
        return frame.wrap(value, composite._tangent)

    return impl


def _polyvalnd(pts, c):
    """``polyvalnd(pts, c) = Σ c[i1, ..., in, ...] x1^i1 ... xn^in`` (pts: a sequence or an (n, ...) array)."""
    npts = len(pts)
    frame, values, tangents = split([*(pts[i] for i in range(npts)), c])
    value = _P2.polyvalnd(tuple(values[:npts]), values[-1])  # NumPy unpacks an (n, ...) array the same way
    if frame is None or all(t is None for t in tangents):
        return value if frame is None else frame.wrap(value, None)
    duals = [frame.wrap(v, t) for v, t in zip(values, tangents, strict=True)]
    cd = duals[-1]
    if np.ndim(cd) < npts:  # NumPy then reads the later axes of a partial result as degrees
        raise NotImplementedError(
            f"numpy.polynomial.polyvalnd with DualArrays needs c with at least len(pts) = {npts} dimensions"
        )
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if np.ndim(cd) > len(letters):
        raise NotImplementedError("numpy.polynomial.polyvalnd with DualArrays supports at most 52 dimensions")
    deg, rest = letters[:npts], letters[npts:np.ndim(cd)]
    subscripts = ",".join(f"...{d}" for d in deg) + f",{deg}{rest}->{rest}..."
    powers = [_powers(x, np.shape(cd)[i]) for i, x in enumerate(duals[:npts])]
    composite = np.einsum(subscripts, *powers, cd)
    return frame.wrap(value, composite._tangent)


_P2 = np.polynomial.polynomial
# polyval2d: Σ_ij c_ij x^i y^j at matching points; polygrid2d: on the grid x ⊗ y. They dispatch (and so are
# registered) from NumPy 2.4 on; polyvalnd exists from NumPy 2.5 on.
_EVALUATORS = {
    "polyval2d": lambda: _eval2d(_P2.polyval2d, lambda X, c, Y: np.einsum("...i,ij,...j->...", X, c, Y)),
    "polygrid2d": lambda: _eval2d(
        _P2.polygrid2d,
        lambda X, c, Y: np.tensordot(np.tensordot(X, c, axes=([-1], [0])), Y, axes=([-1], [-1])),
    ),
    "polyvalnd": lambda: _polyvalnd,
}
for _name, _make in _EVALUATORS.items():
    if allows_array_function_override(_func := getattr(_P2, _name, None)):
        implements(_func)(_make())
