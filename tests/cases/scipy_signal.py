"""Rows for ``dualarray.scipy.signal``: values must equal SciPy's own, tangents finite differences.

Every generic test runs over these rows as over NumPy's (k directions, layouts, nesting, reverse mode,
sparsity patterns). Denominators are drawn stable (poles well inside the unit circle); ``sos`` rows
build the sections from numerators and the two trailing denominator coefficients, since SciPy requires
``sos[:, 3] == 1`` exactly.
"""

from __future__ import annotations

import numpy as np

from dualarray.scipy import signal as S

from . import Case

F64 = ("float64",)
DC = ("float64", "complex128")


def denominator(rng, shape):
    """``a`` with ``a₀ ∈ [0.8, 1.2]`` and the other coefficients small: a stable recursion."""
    a = rng.uniform(-0.3, 0.3, size=shape)
    a[..., :1] = rng.uniform(0.8, 1.2, size=a[..., :1].shape)
    return a


def section_tail(rng, shape):
    """``(a₁, a₂)`` of stable second-order sections."""
    return rng.uniform(-0.3, 0.3, size=shape)


def _sos(num, den):
    return np.concatenate([num, np.ones((num.shape[0], 1)), den], axis=1)


def row(name, func, domains, shapes, dtypes=F64):
    """A float64 row (``dtypes`` to add complex128) named ``scipy_signal_<name>``, rtol 1e-5."""
    return Case(f"scipy_signal_{name}", func, domains, shapes, dtypes, rtol=1e-5)


def _savgol(window, order, **kwargs):
    return lambda x: S.savgol_filter(x, window, order, **kwargs)


CASES = [
    # filters
    row("lfilter", S.lfilter, ("real", denominator, "real"), [((3,), (3,), (8,)), ((2,), (4,), (2, 6))], DC),
    row("lfilter_zi", lambda b, a, x, zi: S.lfilter(b, a, x, zi=zi), ("real", denominator, "real", "real"),
        [((3,), (3,), (7,), (2,)), ((4,), (2,), (2,), (3,))], DC),
    row("lfilter_axis0_zi", lambda b, a, x, zi: S.lfilter(b, a, x, axis=0, zi=zi),
        ("real", denominator, "real", "real"), [((3,), (3,), (6, 2), (2, 1))]),
    row("lfilter_fir_zi", lambda b, a, x, zi: S.lfilter(b, a, x, zi=zi), ("real", "positive", "real", "real"),
        [((3,), (1,), (5,), (2,))]),
    row("sosfilt", lambda num, den, x: S.sosfilt(_sos(num, den), x), ("real", section_tail, "real"),
        [((2, 3), (2, 2), (8,))]),
    row("sosfilt_zi", lambda num, den, x, zi: S.sosfilt(_sos(num, den), x, zi=zi),
        ("real", section_tail, "real", "real"), [((2, 3), (2, 2), (2, 6), (2, 2, 2))]),
    row("filtfilt", S.filtfilt, ("real", denominator, "real"), [((3,), (3,), (12,))]),
    row("filtfilt_even", lambda b, a, x: S.filtfilt(b, a, x, padtype="even", padlen=3),
        ("real", denominator, "real"), [((2,), (3,), (8,))]),
    row("filtfilt_constant_axis0", lambda b, a, x: S.filtfilt(b, a, x, axis=0, padtype="constant", padlen=2),
        ("real", denominator, "real"), [((2,), (2,), (7, 2))]),
    row("lfilter_zi_steady", S.lfilter_zi, ("real", denominator), [((3,), (3,)), ((2,), (4,))]),
    row("sosfilt_zi_steady", lambda num, den: S.sosfilt_zi(_sos(num, den)), ("real", section_tail),
        [((2, 3), (2, 2))]),
    # smoothing and trends (linear)
    row("savgol", _savgol(5, 2), ("real",), [((9,),), ((2, 7),)]),
    row("savgol_even_axis0", _savgol(4, 2, axis=0, deriv=1), ("real",), [((8, 2),)]),
    row("savgol_mirror", _savgol(5, 3, mode="mirror", deriv=1, delta=0.5), ("real",), [((7,),)]),
    row("savgol_nearest", _savgol(5, 2, mode="nearest"), ("real",), [((6,),)]),
    row("savgol_wrap", _savgol(7, 2, mode="wrap"), ("real",), [((5,),)]),
    row("savgol_constant", _savgol(5, 2, mode="constant", cval=0.5), ("real",), [((6,),)]),
    row("detrend", S.detrend, ("real",), [((9,),), ((3, 8),)]),
    row("detrend_bp_axis0", lambda x: S.detrend(x, axis=0, bp=[2, 5]), ("real",), [((9, 2),)]),
    row("detrend_constant", lambda x: S.detrend(x, type="constant"), ("real",), [((3, 5),)]),
    # convolutions (bilinear; the 6x6 kernel takes the FFT path)
    row("convolve", S.convolve, ("real", "real"), [((5,), (3,)), ((3, 4), (2, 2)), ((2,), (4,))], DC),
    row("convolve_same", lambda u, v: S.convolve(u, v, "same"), ("real", "real"), [((5,), (4,)), ((2, 3), (3, 3))]),
    row("convolve_valid", lambda u, v: S.convolve(u, v, "valid"), ("real", "real"), [((6,), (3,)), ((2,), (4,))]),
    row("correlate", S.correlate, ("real", "real"), [((5,), (3,)), ((3, 4), (2, 2))], DC),
    row("correlate_same", lambda u, v: S.correlate(u, v, "same"), ("real", "real"), [((5,), (4,)), ((3,), (5,))]),
    row("correlate_valid_direct", lambda u, v: S.correlate(u, v, "valid", "direct"), ("real", "real"),
        [((2, 3), (3, 5))]),
    row("fftconvolve", lambda u, v: S.fftconvolve(u, v, "same"), ("real", "real"), [((6, 7), (6, 6))], DC),
    row("fftconvolve_axes", lambda u, v: S.fftconvolve(u, v, "valid", axes=1), ("real", "real"), [((2, 6), (1, 3))]),
    row("oaconvolve", lambda u, v: S.oaconvolve(u, v, "full", axes=0), ("real", "real"), [((9, 2), (3, 2))]),
    # spectral estimates (quadratic; f is SciPy's plain array)
    row("welch", lambda x: S.welch(x, nperseg=8), ("real",), [((20,),), ((2, 16),)]),
    row("welch_median_linear",
        lambda x: S.welch(x, nperseg=6, noverlap=2, nfft=7, detrend="linear", average="median")[1],
        ("real",), [((18,),)]),
    row("welch_twosided_axis0",
        lambda x: S.welch(x, nperseg=4, return_onesided=False, axis=0, scaling="spectrum")[1],
        ("real",), [((10, 2),)], DC),
    row("periodogram", S.periodogram, ("real",), [((9,),), ((2, 8),)]),
    row("periodogram_nfft", lambda x: S.periodogram(x, window="hann", nfft=6, detrend="linear")[1],
        ("real",), [((9,),)]),
]
