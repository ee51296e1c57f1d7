"""``scipy.signal`` with derivatives: ``from dualarray.scipy import signal``.

Values are SciPy's; derivatives come from compositions of NumPy operations that have rules, so every
mode works (forward, nested, reverse, sparsity detection). The filters differentiate the difference
equation (along the filtered axis, zero before the first sample; ``q = max(len(a), len(b)) - 1``)

    (a ∗ y)[n] = (b ∗ x)[n] + a₀·zi[n]   (zi[n] = 0 for n ≥ q)
    ⇒   ẏ = T(a)⁻¹ (ḃ ∗ x + b ∗ ẋ − ȧ ∗ y + (a₀·zi)˙)

one implicit-function step around SciPy's ``y``, where ``T(a)⁻¹`` (the filter ``1/a`` from rest) is
applied in blocks of :data:`BLOCK` samples with the lower-triangular Toeplitz matrix of SciPy's own
impulse response of ``1/a`` and the ``len(a) - 1`` carried samples between blocks: cost
``O(n·BLOCK)`` time and ``O(BLOCK² + n·len(a))`` memory per signal, exact up to rounding. The final
state is the tail of the same equation, ``a₀·zf[i] = (b ∗ x − a ∗ y)[n + i] + a₀·zi[n + i]``.
``sosfilt`` and ``filtfilt`` are compositions of ``lfilter`` (and ``lfilter_zi``).

The convolutions are bilinear: a sum of shifted copies when the smaller input has at most
:data:`DIRECT_MAX` elements on the convolved axes, zero-padded FFTs otherwise (``oaconvolve`` has
``fftconvolve``'s derivative). ``savgol_filter`` and ``detrend`` are linear (a gather and a fixed
least-squares projection); ``welch`` and ``periodogram`` are ``Σ |FFT(window · detrend(segment))|²``
in ``x``, with the frequencies returned as SciPy's plain array.

>>> import numpy as np
>>> from dualarray import DualArray
>>> y = lfilter([1.0], DualArray(np.array([1.0, -0.5]), np.array([0.0, 1.0])), np.ones(3))
>>> y.value, y.tangent  # y and dy/da₁
(array([1.  , 1.5 , 1.75]), array([-0., -1., -2.]))
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np
import scipy.signal as _ss
from scipy.fft import next_fast_len

from .._core import DualArray, strip_all
from . import COUNTERPARTS, counterpart
from ._modes import plain_array as _plain

__all__ = [
    "convolve", "correlate", "detrend", "fftconvolve", "filtfilt", "lfilter", "lfilter_zi", "oaconvolve",
    "periodogram", "savgol_filter", "sosfilt", "sosfilt_zi", "welch",
]

BLOCK = 128
"""Samples per block of the inverse filter ``T(a)⁻¹`` (a ``BLOCK × BLOCK`` matrix per call)."""

DIRECT_MAX = 32
"""Largest kernel (elements on the convolved axes) convolved by shifted copies; larger ones use FFTs."""

_WELCH_WINDOW = inspect.signature(_ss.welch).parameters["window"].default


def _arr(x: Any) -> Any:
    return x if isinstance(x, DualArray) else np.asarray(x)


def _constant(name: str, **args: Any) -> None:
    """Refuse tangents on arguments that are constants of the counterpart (before SciPy sees them)."""
    for arg, v in args.items():
        if isinstance(v, DualArray):
            raise NotImplementedError(f"dualarray.scipy.signal.{name}: no derivative with respect to {arg} is "
                                      f"implemented; pass a plain {arg} (derivatives are taken in the signal)")


def _real_dtype(x: Any) -> np.dtype:
    """The real floating dtype of ``x``'s computations (float32 stays float32, integers become float64)."""
    return np.finfo(np.result_type(_plain(x).dtype, np.float32)).dtype


def _pad_last(x: Any, left: int, right: int) -> Any:
    return np.pad(x, [(0, 0)] * (x.ndim - 1) + [(left, right)])


def _public(func: Any, scipy_func: Any) -> Any:
    func.__module__ = "dualarray.scipy.signal"
    COUNTERPARTS[scipy_func] = func
    return func


# ------------------------------------------------------------------------------ linear filters
def _fir(c: Any, s: Any, length: int) -> Any:
    """``(c ∗ s)[..., :length]`` along the last axis: one shifted copy of ``s`` per coefficient."""
    out = None
    for k in range(min(c.shape[0], length)):
        part = s[..., :max(0, min(s.shape[-1], length - k))]
        term = c[k] * _pad_last(part, k, length - k - part.shape[-1])
        out = term if out is None else out + term
    return np.zeros((*s.shape[:-1], length), dtype=_plain(s).dtype) if out is None else out


def _tail(c: Any, s: Any, q: int) -> Any:
    """Entries ``n … n+q-1`` of the full convolution ``c ∗ s`` (``n = s.shape[-1]``): what the state holds."""
    last = s[..., max(s.shape[-1] - q, 0):]
    last = _pad_last(last, q - last.shape[-1], 0)
    return _fir(c, last, 2 * q)[..., q:]


def _iir(a: Any, r: Any, dtype: Any) -> Any:
    """``s`` with ``(a ∗ s)[n] = r[n]`` from rest, a linear map of ``r`` (``a`` a constant here).

    Blocks of ``L = min(n, max(BLOCK, len(a) - 1))`` samples: ``s_blk = H (r_blk − c)`` with ``H[i, j] = h[i − j]``
    from the impulse response ``h`` of ``1/a`` (SciPy's, or this counterpart's one level down) and the carry
    ``c[j] = Σ_{k>j} a_k s[start + j − k]`` of the previous block.
    """
    n, p = r.shape[-1], a.shape[0] - 1
    if p == 0 or n == 0:
        return r / a[0]
    size = min(n, max(BLOCK, p))
    impulse = np.zeros(size, dtype=dtype)
    impulse[0] = 1
    h = lfilter(np.ones(1, dtype=dtype), a, impulse)
    i, j = np.indices((size, size))
    ht = np.transpose(np.where(i >= j, h[np.maximum(i - j, 0)], 0))
    if n == size:
        return r @ ht
    j, s = np.indices((p, p))
    mt = np.transpose(np.where(s >= j, a[np.clip(p + j - s, 0, p)], 0))
    blocks, tail = [], None
    for start in range(0, n, size):
        blk = r[..., start:start + size]
        m = blk.shape[-1]
        if tail is not None:
            carry = tail @ mt
            blk = blk - (carry[..., :m] if m < p else _pad_last(carry, 0, m - p))
        blocks.append(blk @ ht[:m, :m])
        tail = blocks[-1][..., m - p:]
    return np.concatenate(blocks, axis=-1)


def _lfilter_scipy(b: Any, a: Any, x: Any, zi: Any, axis: int = -1) -> Any:
    return _ss.lfilter(b, a, x, axis=axis, zi=zi)


@counterpart(_lfilter_scipy, "signal", registered=False)
def _lfilter(b, a, x, zi, *, value, down, axis=-1):
    b, a, x = np.atleast_1d(_arr(b)), np.atleast_1d(_arr(a)), _arr(x)
    y0 = np.moveaxis(value if zi is None else value[0], axis, -1)
    xm = np.moveaxis(x, axis, -1)
    n, q = xm.shape[-1], max(a.shape[0], b.shape[0]) - 1
    r = _fir(a, y0, n) - _fir(b, xm, n)
    if zi is not None:
        zim = np.broadcast_to(np.moveaxis(_arr(zi), axis, -1), (*xm.shape[:-1], q))
        r = r - a[0] * _pad_last(zim[..., :n], 0, max(n - q, 0))
    y = y0 - _iir(down(a), r, _plain(y0).dtype)
    if zi is None:
        return np.moveaxis(y, -1, axis)
    if q == 0:
        return np.moveaxis(y, -1, axis), np.moveaxis(zim, -1, axis)
    zf = (_tail(b, xm, q) - _tail(a, y, q)) / a[0]
    if n < q:
        zf = zf + _pad_last(zim[..., n:], 0, n)
    return np.moveaxis(y, -1, axis), np.moveaxis(zf, -1, axis)


def lfilter(b: Any, a: Any, x: Any, axis: int = -1, zi: Any = None) -> Any:
    """``scipy.signal.lfilter`` with derivatives in ``b``, ``a`` (``a₀`` included), ``x`` and ``zi``.

    ``y`` (or ``(y, zf)`` with ``zi``) from the differentiated difference equation (module docstring):
    ``ẏ = T(a)⁻¹(ḃ ∗ x + b ∗ ẋ − ȧ ∗ y + (a₀·zi)˙)``. Cost ``O(n·(BLOCK + len(a) + len(b)))`` per signal;
    nested DualArrays give exact higher derivatives (the impulse response is itself differentiated).
    """
    return _lfilter(b, a, x, zi, axis=axis)


def _sosfilt_scipy(sos: Any, x: Any, zi: Any, axis: int = -1) -> Any:
    return _ss.sosfilt(sos, x, axis=axis, zi=zi)


@counterpart(_sosfilt_scipy, "signal", registered=False)
def _sosfilt(sos, x, zi, *, value=None, down=None, axis=-1):
    sos = np.atleast_2d(_arr(sos))
    y, states = _arr(x), []
    for k in range(sos.shape[0]):
        out = lfilter(sos[k, :3], sos[k, 3:], y, axis=axis, zi=None if zi is None else _arr(zi)[k])
        y = out if zi is None else out[0]
        if zi is not None:
            states.append(out[1])
    return y if zi is None else (y, np.stack(states))


def sosfilt(sos: Any, x: Any, axis: int = -1, zi: Any = None) -> Any:
    """``scipy.signal.sosfilt`` with derivatives in ``sos``, ``x`` and ``zi``: ``lfilter`` section by section.

    SciPy requires ``sos[:, 3] == 1``; a tangent there is differentiated as ``lfilter``'s ``a₀``.
    """
    return _sosfilt(sos, x, zi, axis=axis)


@counterpart(_ss.lfilter_zi, "signal")
def lfilter_zi(b, a, *, value=None, down=None):
    """``(I − companion(a)ᵀ) zi = b[1:] − a[1:]·b₀`` (after ``a₀ = 1`` normalisation): ``np.linalg.solve``."""
    b, a = np.atleast_1d(_arr(b)), np.atleast_1d(_arr(a))
    lead = 0
    while a.shape[0] - lead > 1 and _plain(a)[lead] == 0:
        lead += 1
    a = a[lead:]
    b, a = b / a[0], a / a[0]
    size = max(a.shape[0], b.shape[0])
    a = _pad_last(a, 0, size - a.shape[0])
    b = _pad_last(b, 0, size - b.shape[0])
    rhs = b[1:] - a[1:] * b[0]
    if size == 1:
        return rhs
    first = np.zeros(size - 1)
    first[0] = 1
    system = np.eye(size - 1) - np.eye(size - 1, k=1) + np.reshape(a[1:], (size - 1, 1)) * first
    return np.linalg.solve(system, rhs)


@counterpart(_ss.sosfilt_zi, "signal")
def sosfilt_zi(sos, *, value=None, down=None):
    """Section ``k``: ``lfilter_zi`` scaled by the DC gains ``Π_{j<k} Σb_j / Σa_j`` of the sections before it."""
    sos = _arr(sos)
    rows, scale = [], 1.0
    for k in range(sos.shape[0]):
        rows.append(scale * lfilter_zi(sos[k, :3], sos[k, 3:]))
        scale = scale * (np.sum(sos[k, :3]) / np.sum(sos[k, 3:]))
    return np.stack(rows)


def _extend(x: Any, padtype: str | None, edge: int) -> Any:
    """SciPy's odd/even/constant extension by ``edge`` samples at both ends of the last axis."""
    if padtype is None or edge < 1:
        return x
    left, right = x[..., edge:0:-1], x[..., -2:-(edge + 2):-1]
    if padtype == "odd":
        left, right = 2 * x[..., :1] - left, 2 * x[..., -1:] - right
    elif padtype == "constant":
        left = np.broadcast_to(x[..., :1], (*x.shape[:-1], edge))
        right = np.broadcast_to(x[..., -1:], (*x.shape[:-1], edge))
    return np.concatenate([left, x, right], axis=-1)


@counterpart(_ss.filtfilt, "signal")
def filtfilt(b, a, x, axis=-1, padtype="odd", padlen=None, method="pad", irlen=None, *, value=None, down=None):
    """Forward then backward ``lfilter`` with ``lfilter_zi`` initial states on the extended signal
    (``method='pad'``, every ``padtype``); ``method='gust'`` raises ``NotImplementedError``."""
    if method == "gust":
        raise NotImplementedError("dualarray.scipy.signal.filtfilt: derivatives with method='gust' are not "
                                  "implemented (Gustafsson's initial conditions); use method='pad'")
    b, a = np.atleast_1d(_arr(b)), np.atleast_1d(_arr(a))
    xm = np.moveaxis(_arr(x), axis, -1)
    edge = 0 if padtype is None else 3 * max(a.shape[0], b.shape[0]) if padlen is None else padlen
    ext = _extend(xm, padtype, edge)
    zi = lfilter_zi(b, a)
    y, _ = lfilter(b, a, ext, zi=zi * ext[..., :1])
    y, _ = lfilter(b, a, y[..., ::-1], zi=zi * y[..., -1:])
    y = y[..., ::-1]
    if edge > 0:
        y = y[..., edge:-edge]
    return np.moveaxis(y, -1, axis)


# ---------------------------------------------------------------------------- smoothing, trends
def _mirror_index(idx: np.ndarray, n: int, mode: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Where ``scipy.ndimage``'s boundary ``mode`` reads sample ``idx`` (and the mask of real samples)."""
    if mode == "mirror":
        period = 2 * (n - 1)
        if period == 0:
            return np.zeros_like(idx), None
        k = idx % period
        return np.where(k >= n, period - k, k), None
    if mode == "nearest":
        return np.clip(idx, 0, n - 1), None
    if mode == "wrap":
        return idx % n, None
    inside = (idx >= 0) & (idx < n)
    return np.clip(idx, 0, n - 1), inside


def _edge_fit(window: int, polyorder: int, deriv: int, delta: float, at: np.ndarray) -> np.ndarray:
    """The matrix taking a window of samples to the ``deriv``-th derivative of its degree-``polyorder``
    least-squares polynomial at offsets ``at`` (variable scaled to [0, 1] for conditioning)."""
    span = max(window - 1, 1)
    q = np.arange(polyorder + 1)
    fit = np.linalg.pinv((np.arange(window)[:, None] / span) ** q)
    falling = np.array([math.perm(int(k), deriv) for k in q], dtype=float)
    powers = np.where(q >= deriv, (at[:, None] / span) ** np.maximum(q - deriv, 0), 0.0)
    return (falling * powers) @ fit / (span * delta) ** deriv


def _savgol_scipy(x: Any, **kwargs: Any) -> Any:
    return _ss.savgol_filter(x, **kwargs)


@counterpart(_savgol_scipy, "signal", registered=False)
def _savgol(x, *, value, down, window_length, polyorder, deriv, delta, axis, mode, cval):
    x = np.moveaxis(_arr(x), axis, -1)
    n, w = x.shape[-1], window_length
    dtype = _plain(value).dtype
    weights = _ss.savgol_coeffs(w, polyorder, deriv=deriv, delta=delta)[::-1].astype(dtype)
    idx = np.arange(n)[:, None] + np.arange(w) - (w - 1) // 2
    where, inside = _mirror_index(idx, n, "constant" if mode == "interp" else mode)
    windows = x[..., where]
    if inside is not None:
        windows = np.where(inside, windows, 0 if mode == "interp" else cval)
    y = windows @ weights
    if mode == "interp":
        half = w // 2
        left = _edge_fit(w, polyorder, deriv, delta, np.arange(half)).astype(dtype)
        right = _edge_fit(w, polyorder, deriv, delta, np.arange(w - half, w)).astype(dtype)
        y = np.concatenate([x[..., :w] @ left.T, y[..., half:n - half], x[..., n - w:] @ right.T], axis=-1)
    return np.moveaxis(y, -1, axis)


def savgol_filter(x: Any, window_length: int, polyorder: int, deriv: int = 0, delta: float = 1.0, axis: int = -1,
                  mode: str = "interp", cval: float = 0.0) -> Any:
    """``scipy.signal.savgol_filter`` with derivatives in ``x`` (linear): ``y[i] = Σ_j c_j x[i + j − ⌊(w−1)/2⌋]``
    with ndimage's boundary ``mode``; ``mode='interp'`` replaces ``⌊w/2⌋`` samples at each end by the fitted
    polynomial's value (a fixed least-squares matrix). ``delta`` and ``cval`` are constants."""
    _constant("savgol_filter", delta=delta, cval=cval)
    return _savgol(x, window_length=window_length, polyorder=polyorder, deriv=deriv, delta=delta, axis=axis,
                   mode=mode, cval=cval)


def _detrend_last(x: Any, type: str, bp: Any) -> Any:
    if type in ("constant", "c"):
        return x - np.mean(x, axis=-1, keepdims=True)
    n, dtype = x.shape[-1], _real_dtype(x)
    cuts = np.sort(np.unique(np.concatenate(np.atleast_1d(0, bp, n))))
    pieces = []
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        design = np.stack([np.arange(1, hi - lo + 1) / (hi - lo), np.ones(hi - lo)], axis=-1).astype(dtype)
        piece = x[..., lo:hi]
        pieces.append(piece - (piece @ np.linalg.pinv(design).T) @ design.T)
    return np.concatenate(pieces, axis=-1)


def _detrend_scipy(data: Any, **kwargs: Any) -> Any:
    return _ss.detrend(data, **kwargs)


@counterpart(_detrend_scipy, "signal", registered=False)
def _detrend(data, *, value=None, down=None, axis=-1, type="linear", bp=0, overwrite_data=False):
    return np.moveaxis(_detrend_last(np.moveaxis(_arr(data), axis, -1), type, np.asarray(bp)), -1, axis)


def detrend(data: Any, axis: int = -1, type: str = "linear", bp: Any = 0, overwrite_data: bool = False) -> Any:
    """``scipy.signal.detrend`` with derivatives in ``data`` (linear): ``data − mean`` or, piece by piece
    between the breakpoints, ``data − A A⁺ data`` with ``A = [t/N, 1]``. ``bp`` are sample indices (no tangent)."""
    _constant("detrend", bp=bp)
    return _detrend(data, axis=axis, type=type, bp=bp, overwrite_data=overwrite_data)


# --------------------------------------------------------------------------------- convolutions
def _full_conv(in1: Any, in2: Any, axes: list[int]) -> Any:
    """The full convolution over ``axes`` (broadcasting elsewhere): shifted copies or zero-padded FFTs."""
    if not axes:
        return in1 * in2
    sizes = [math.prod(v.shape[a] for a in axes) for v in (in1, in2)]
    kernel, volume = (in1, in2) if sizes[0] <= sizes[1] else (in2, in1)
    if min(sizes) <= DIRECT_MAX:
        out = None
        for offsets in np.ndindex(*(kernel.shape[a] for a in axes)):
            key, widths = [slice(None)] * kernel.ndim, [(0, 0)] * kernel.ndim
            for a, k in zip(axes, offsets, strict=True):
                key[a], widths[a] = slice(k, k + 1), (k, kernel.shape[a] - 1 - k)
            term = kernel[tuple(key)] * np.pad(volume, widths)
            out = term if out is None else out + term
        return out
    shape = [in1.shape[a] + in2.shape[a] - 1 for a in axes]
    real = not (np.iscomplexobj(_plain(in1)) or np.iscomplexobj(_plain(in2)))
    fast = [next_fast_len(s, real) for s in shape]
    if real:
        ret = np.fft.irfftn(np.fft.rfftn(in1, fast, axes) * np.fft.rfftn(in2, fast, axes), fast, axes)
    else:
        ret = np.fft.ifftn(np.fft.fftn(in1, fast, axes) * np.fft.fftn(in2, fast, axes), fast, axes)
    key = [slice(None)] * ret.ndim
    for a, s in zip(axes, shape, strict=True):
        key[a] = slice(0, s)
    return ret[tuple(key)]


def _convolution(in1: Any, in2: Any, mode: str, axes: Any = None) -> Any:
    """SciPy's ``fftconvolve`` semantics: axes of length 1 broadcast; ``valid`` swaps the inputs when needed."""
    if in1.ndim == 0 and in2.ndim == 0:
        return in1 * in2
    if _plain(in1).size == 0 or _plain(in2).size == 0:
        return None
    ndim = in1.ndim
    axes = range(ndim) if axes is None else [int(a) % ndim for a in np.atleast_1d(axes)]
    s1, s2 = in1.shape, in2.shape
    axes = [a for a in axes if s1[a] != 1 and s2[a] != 1]
    if mode == "valid" and not all(s1[a] >= s2[a] for a in axes):
        in1, in2, s1, s2 = in2, in1, s2, s1
    full = _full_conv(in1, in2, axes)
    if mode == "full":
        return full
    new = s1 if mode == "same" else [full.shape[a] if a not in axes else s1[a] - s2[a] + 1 for a in range(ndim)]
    return full[tuple(slice((c - k) // 2, (c - k) // 2 + k) for c, k in zip(full.shape, new, strict=True))]


@counterpart(_ss.convolve, "signal")
def convolve(in1, in2, mode="full", method="auto", *, value=None, down=None):
    """Bilinear: ``d(in1 ∗ in2) = in1̇ ∗ in2 + in1 ∗ in2̇`` (every ``method``, the same derivative)."""
    return _convolution(_arr(in1), _arr(in2), mode)


@counterpart(_ss.correlate, "signal")
def correlate(in1, in2, mode="full", method="auto", *, value=None, down=None):
    """``correlate(in1, in2) = convolve(in1, conj(in2) reversed)``: bilinear (conjugate-linear in ``in2``)."""
    in1, in2 = _arr(in1), _arr(in2)
    if in1.ndim == 0 and in2.ndim == 0:
        return in1 * np.conj(in2)
    return _convolution(in1, np.conj(np.flip(in2)), mode)


@counterpart(_ss.fftconvolve, "signal")
def fftconvolve(in1, in2, mode="full", axes=None, *, value=None, down=None):
    """Bilinear over ``axes`` (broadcasting over the others)."""
    return _convolution(_arr(in1), _arr(in2), mode, axes)


@counterpart(_ss.oaconvolve, "signal")
def oaconvolve(in1, in2, mode="full", axes=None, *, value=None, down=None):
    """Overlap-add computes ``fftconvolve``'s result: the same bilinear derivative."""
    return _convolution(_arr(in1), _arr(in2), mode, axes)


# ----------------------------------------------------------------------------- spectral estimates
def _median_bias(n: int) -> float:
    ii_2 = 2 * np.arange(1.0, (n - 1) // 2 + 1)
    return 1 + np.sum(1.0 / (ii_2 + 1) - 1.0 / ii_2)


def _psd(x, *, value, down=None, fs=1.0, window=_WELCH_WINDOW, nperseg=None, noverlap=None, nfft=None,
         detrend="constant", return_onesided=True, scaling="density", axis=-1, average="mean"):
    """``P = s · mean_segments |FFT_nfft(w · detrend(x[seg]))|²`` (median / bias with ``average='median'``),
    ``s = 1/(fs Σw²)`` (density) or ``1/(Σw)²`` (spectrum), one-sided bins doubled; ``f`` is SciPy's."""
    x = np.moveaxis(_arr(x), axis, -1)
    n = x.shape[-1]
    if _plain(x).size == 0:
        return value
    if isinstance(window, str | tuple):
        nperseg = min(256 if nperseg is None else int(nperseg), n)
        win = _ss.get_window(window, nperseg)
    else:
        win = np.asarray(window)
        nperseg = len(win) if nperseg is None else int(nperseg)
    win = win.astype(np.result_type(win.dtype, _real_dtype(x)) if np.iscomplexobj(win) else _real_dtype(x))
    nfft = nperseg if nfft is None else int(nfft)
    hop = nperseg - (nperseg // 2 if noverlap is None else int(noverlap))
    onesided = return_onesided and not np.iscomplexobj(_plain(x))
    count = (n - nperseg) // hop + 1
    seg = x[..., np.arange(count)[:, None] * hop + np.arange(nperseg)]
    if isinstance(detrend, str):
        seg = _detrend_last(seg, detrend, np.asarray(0))
    elif callable(detrend):
        seg = detrend(seg)
    spec = (np.fft.rfft if onesided else np.fft.fft)(seg * np.conj(win), nfft)
    scale = 1.0 / (fs * np.sum(np.abs(win) ** 2)) if scaling == "density" else 1.0 / np.abs(np.sum(win)) ** 2
    power = np.real(np.conj(spec) * spec) * scale
    if onesided:
        double = np.full(power.shape[-1], 2.0, dtype=win.real.dtype)
        double[0] = 1.0
        if nfft % 2 == 0:
            double[-1] = 1.0
        power = power * double
    if count == 1:
        power = power[..., 0, :]
    elif average == "median":
        power = np.median(power, axis=-2) / _median_bias(count)
    else:
        power = np.mean(power, axis=-2)
    return value[0], np.moveaxis(power, -1, axis)


def _welch_scipy(x: Any, **kwargs: Any) -> Any:
    return _ss.welch(x, **kwargs)


_welch = counterpart(_welch_scipy, "signal", registered=False)(_psd)


def welch(x: Any, fs: float = 1.0, window: Any = _WELCH_WINDOW, nperseg: int | None = None,
          noverlap: int | None = None, nfft: int | None = None, detrend: Any = "constant",
          return_onesided: bool = True, scaling: str = "density", axis: int = -1,
          average: str = "mean") -> tuple[np.ndarray, Any]:
    """``scipy.signal.welch`` with derivatives in ``x`` (quadratic): ``(f, Pxx)`` with ``f`` SciPy's plain array.

    ``Pxx = s · mean_k |FFT(w · detrend(x_k))|²`` over the segments ``x_k`` (median over ``k`` divided by
    SciPy's bias with ``average='median'``); ``fs`` and ``window`` are constants.
    """
    _constant("welch", fs=fs, window=window)
    f, pxx = _welch(x, fs=fs, window=window, nperseg=nperseg, noverlap=noverlap, nfft=nfft, detrend=detrend,
                    return_onesided=return_onesided, scaling=scaling, axis=axis, average=average)
    return strip_all(f), pxx


def _periodogram_scipy(x: Any, **kwargs: Any) -> Any:
    return _ss.periodogram(x, **kwargs)


@counterpart(_periodogram_scipy, "signal", registered=False)
def _periodogram(x, *, value, down=None, fs=1.0, window="boxcar", nfft=None, detrend="constant",
                 return_onesided=True, scaling="density", axis=-1):
    x = _arr(x)
    n = x.shape[axis] if x.ndim else 0
    nperseg = n if nfft is None or nfft >= n else nfft
    if nfft is not None and nfft < n:
        x, nfft = np.moveaxis(np.moveaxis(x, axis, -1)[..., :nfft], -1, axis), None
    return _psd(x, value=value, fs=fs, window="boxcar" if window is None else window, nperseg=nperseg, noverlap=0,
                nfft=nfft, detrend=detrend, return_onesided=return_onesided, scaling=scaling, axis=axis)


def periodogram(x: Any, fs: float = 1.0, window: Any = "boxcar", nfft: int | None = None, detrend: Any = "constant",
                return_onesided: bool = True, scaling: str = "density", axis: int = -1) -> tuple[np.ndarray, Any]:
    """``scipy.signal.periodogram`` with derivatives in ``x``: ``welch`` with one segment of the whole signal
    (cut to ``nfft`` when shorter); ``f`` is SciPy's plain array."""
    _constant("periodogram", fs=fs, window=window)
    f, pxx = _periodogram(x, fs=fs, window=window, nfft=nfft, detrend=detrend, return_onesided=return_onesided,
                          scaling=scaling, axis=axis)
    return strip_all(f), pxx


for _func, _scipy_func in ((lfilter, _ss.lfilter), (sosfilt, _ss.sosfilt), (savgol_filter, _ss.savgol_filter),
                           (detrend, _ss.detrend), (welch, _ss.welch), (periodogram, _ss.periodogram)):
    _public(_func, _scipy_func)
del _func, _scipy_func
