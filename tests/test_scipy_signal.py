"""dualarray.scipy.signal beyond the case table (tests/cases/scipy_signal.py): plain inputs, long signals
(the blocked inverse filter, the FFT convolution), reverse mode, second derivatives, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.signal as ss

import dualarray as da
from dualarray import DualArray
from dualarray.scipy import COUNTERPARTS
from dualarray.scipy import signal as S

RNG = np.random.default_rng(20)
B, A = ss.butter(3, 0.2)
SOS = ss.butter(4, 0.3, output="sos")
X = RNG.standard_normal(40)
N_LONG = 2 * S.BLOCK + 37  # three blocks of the inverse filter, the last one short

PLAIN = {
    "lfilter": ((B, A, X), {}),
    "sosfilt": ((SOS, X), {}),
    "filtfilt": ((B, A, X), {}),
    "lfilter_zi": ((B, A), {}),
    "sosfilt_zi": ((SOS,), {}),
    "savgol_filter": ((X, 7, 2), {}),
    "convolve": ((X, X[:5]), {}),
    "correlate": ((X, X[:5]), {"mode": "same"}),
    "fftconvolve": ((X, X[:9]), {"mode": "valid"}),
    "oaconvolve": ((X, X[:9]), {}),
    "detrend": ((X,), {"bp": [10, 20]}),
    "welch": ((X,), {"nperseg": 16}),
    "periodogram": ((X,), {}),
}
PLAIN_WITH_ZI = {"lfilter": ((B, A, X), {"zi": np.ones(3)}), "sosfilt": ((SOS, X), {"zi": np.ones((2, 2))})}


def _items(out):
    return out if isinstance(out, tuple) else (out,)


def _fd(f, x, d, h=1e-6):
    """Central differences of f (one array or a tuple of arrays) along d."""
    return [(np.asarray(p) - np.asarray(m)) / (2 * h) for p, m in zip(_items(f(x + h * d)), _items(f(x - h * d)),
                                                                      strict=True)]


def _assert_tangents(ours, theirs, x, rtol=1e-6):
    d = RNG.standard_normal(np.shape(x))
    out = ours(DualArray(x, d))
    for o, r in zip(_items(out), _fd(theirs, x, d), strict=True):
        t = o.tangent if isinstance(o, DualArray) else np.zeros(np.shape(o))
        np.testing.assert_allclose(t, r, rtol=rtol, atol=rtol * max(1.0, np.max(np.abs(r))))


# ------------------------------------------------------------------------------- plain inputs
@pytest.mark.parametrize("name", S.__all__)
def test_plain_inputs_give_scipys_result(name):
    assert set(S.__all__) == set(PLAIN)
    for table in (PLAIN, PLAIN_WITH_ZI):
        if name not in table:
            continue
        args, kwargs = table[name]
        ours, theirs = getattr(S, name)(*args, **kwargs), getattr(ss, name)(*args, **kwargs)
        assert type(ours) is type(theirs)
        for o, t in zip(_items(ours), _items(theirs), strict=True):
            assert type(o) is type(t)
            np.testing.assert_array_equal(o, t)
    ours = getattr(S, name)
    assert COUNTERPARTS[getattr(ss, name)] is ours
    assert ours.__module__ == "dualarray.scipy.signal"


def test_spectral_frequencies_stay_plain():
    f, pxx = S.welch(DualArray(X, np.ones_like(X)), nperseg=16)
    assert type(f) is np.ndarray and isinstance(pxx, DualArray)
    np.testing.assert_array_equal(f, ss.welch(X, nperseg=16)[0])
    f, _ = S.periodogram(DualArray(X, np.ones_like(X)), fs=3.0)
    assert type(f) is np.ndarray


# ---------------------------------------------------------------- long signals vs SciPy's differences
@pytest.mark.parametrize("arg", ["b", "a", "x", "zi"])
def test_lfilter_long_signal_every_argument(arg):
    """n > BLOCK: the blocked inverse filter carries its state across block boundaries exactly."""
    b, a = RNG.standard_normal(3), np.array([1.2, -0.5, 0.3, 0.1])
    x, zi = RNG.standard_normal(N_LONG), RNG.standard_normal(3)
    args = {"b": b, "a": a, "x": x, "zi": zi}

    def call(func, v):
        kw = {**args, arg: v}
        return func(kw["b"], kw["a"], kw["x"], zi=kw["zi"])

    _assert_tangents(lambda v: call(S.lfilter, v), lambda v: call(ss.lfilter, v), args[arg])


def test_lfilter_long_complex_along_axis0():
    b, a = RNG.standard_normal(2) + 0.5j, np.array([1.0, 0.4 - 0.2j])
    x = RNG.standard_normal((N_LONG, 2)) + 1j * RNG.standard_normal((N_LONG, 2))
    _assert_tangents(lambda v: S.lfilter(v, a, x, axis=0), lambda v: ss.lfilter(v, a, x, axis=0), b)
    _assert_tangents(lambda v: S.lfilter(b, v, x, axis=0), lambda v: ss.lfilter(b, v, x, axis=0), a)
    _assert_tangents(lambda v: S.lfilter(b, a, v, axis=0), lambda v: ss.lfilter(b, a, v, axis=0), x)


def test_sosfilt_and_filtfilt_long_signals():
    x, zi = RNG.standard_normal(N_LONG), RNG.standard_normal((2, 2))
    _assert_tangents(lambda v: S.sosfilt(SOS, v, zi=zi), lambda v: ss.sosfilt(SOS, v, zi=zi), x)
    _assert_tangents(lambda v: S.sosfilt(SOS, x, zi=v), lambda v: ss.sosfilt(SOS, x, zi=v), zi)
    _assert_tangents(lambda v: S.filtfilt(B, A, v), lambda v: ss.filtfilt(B, A, v), x, rtol=1e-5)
    _assert_tangents(lambda v: S.filtfilt(v, A, x), lambda v: ss.filtfilt(v, A, x), B, rtol=1e-5)
    _assert_tangents(lambda v: S.filtfilt(B, v, x), lambda v: ss.filtfilt(B, v, x), A, rtol=1e-5)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("func", ["convolve", "correlate", "fftconvolve", "oaconvolve"])
def test_convolutions_fft_path(func, mode):
    """Kernels above DIRECT_MAX go through zero-padded FFTs (oaconvolve's overlap-add sizes)."""
    u, v = RNG.standard_normal(300), RNG.standard_normal(S.DIRECT_MAX + 20)
    ours, theirs = getattr(S, func), getattr(ss, func)
    _assert_tangents(lambda w: ours(w, v, mode), lambda w: theirs(w, v, mode), u)
    _assert_tangents(lambda w: ours(u, w, mode), lambda w: theirs(u, w, mode), v)


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_correlate_methods_agree(mode, method):
    u, v = RNG.standard_normal((3, 5)), RNG.standard_normal((2, 4))
    _assert_tangents(lambda w: S.correlate(u, w, mode, method), lambda w: ss.correlate(u, w, mode, method), v)
    _assert_tangents(lambda w: S.correlate(w, v, mode, method), lambda w: ss.correlate(w, v, mode, method), u)


@pytest.mark.parametrize("mode", ["interp", "mirror", "nearest", "wrap", "constant"])
def test_savgol_modes_windows_longer_than_signal(mode):
    x = RNG.standard_normal(9)
    _assert_tangents(lambda v: S.savgol_filter(v, 9, 3, deriv=2, delta=0.3, mode=mode),
                     lambda v: ss.savgol_filter(v, 9, 3, deriv=2, delta=0.3, mode=mode), x, rtol=1e-5)
    if mode != "interp":
        _assert_tangents(lambda v: S.savgol_filter(v, 7, 2, mode=mode), lambda v: ss.savgol_filter(v, 7, 2, mode=mode),
                         x[:3], rtol=1e-5)


def test_welch_defaults_and_callable_detrend():
    x = RNG.standard_normal(600)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _assert_tangents(lambda v: S.welch(v), lambda v: ss.welch(v), x[:100])
    _assert_tangents(lambda v: S.welch(v, nperseg=64, detrend=lambda s: s - np.mean(s, axis=-1, keepdims=True)),
                     lambda v: ss.welch(v, nperseg=64), x)
    _assert_tangents(lambda v: S.welch(v, nperseg=64, average="median"),
                     lambda v: ss.welch(v, nperseg=64, average="median"), x)


# ------------------------------------------------------------------------------------- modes
@pytest.mark.parametrize("f", [
    lambda x: S.lfilter(B, A, x, zi=x[:3]),
    lambda x: S.filtfilt(B, A, x),
    lambda x: S.sosfilt(SOS, x),
    lambda x: S.savgol_filter(x, 5, 2),
    lambda x: S.fftconvolve(x, x[::-1] ** 2, "same"),
    lambda x: S.welch(x, nperseg=16)[1],
    lambda x: S.periodogram(x, nfft=30)[1],
    lambda x: S.detrend(x, bp=5),
], ids=["lfilter", "filtfilt", "sosfilt", "savgol", "fftconvolve", "welch", "periodogram", "detrend"])
def test_reverse_mode_equals_forward(f):
    x = RNG.standard_normal(N_LONG)
    fwd = da.jacobian(f, mode="forward")(x)
    rev = da.jacobian(f, mode="reverse")(x)
    for r, j in zip(_items(rev), _items(fwd), strict=True):
        np.testing.assert_allclose(r, j, rtol=1e-12, atol=1e-12 * max(1.0, np.max(np.abs(j))))


def test_lfilter_second_derivatives_in_b_and_a():
    """Forward over forward (nested DualArrays through the differentiated impulse response) against
    differences of the gradient, and against forward over reverse."""
    x, w = RNG.standard_normal(N_LONG), RNG.standard_normal(N_LONG)
    ba = np.concatenate([B, A])

    def loss(p):
        y, zf = S.lfilter(p[:4], p[4:], x, zi=np.ones(3))
        return np.sum(w * y) + np.sum(zf**2)

    hess = da.hessian(loss, mode="forward")(ba)
    grad = da.gradient(loss)
    h = 1e-6
    diffs = np.stack([(grad(ba + h * e) - grad(ba - h * e)) / (2 * h) for e in np.eye(ba.size)])
    np.testing.assert_allclose(hess, diffs, rtol=1e-5, atol=1e-5 * np.max(np.abs(hess)))
    np.testing.assert_allclose(da.hessian(loss)(ba), hess, rtol=1e-10, atol=1e-10 * np.max(np.abs(hess)))
    np.testing.assert_array_equal(hess, hess.T)


def test_lfilter_tangent_solves_the_differentiated_difference_equation():
    b, a, x = DualArray(B, RNG.standard_normal(4)), DualArray(A, RNG.standard_normal(4)), X
    y = S.lfilter(b, a, x)
    n = x.size
    lhs = np.convolve(A, y.tangent)[:n]
    rhs = np.convolve(b.tangent, x)[:n] - np.convolve(a.tangent, y.value)[:n]
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-12)


def test_lfilter_sparsity_is_causal():
    jac = da.jacobian(lambda x: S.lfilter(B, A, x), sparsity="auto")
    pattern = jac(X[:30]).toarray() != 0
    np.testing.assert_array_equal(pattern, np.tril(np.ones((30, 30), dtype=bool)))


def test_docstring_example():
    import doctest

    result = doctest.testmod(S)
    assert result.attempted >= 4 and result.failed == 0


# ------------------------------------------------------------------------------------ errors
def test_what_is_not_implemented_says_so():
    x = DualArray(X, np.ones_like(X))
    with pytest.raises(NotImplementedError, match="method='gust'"):
        S.filtfilt(B, A, x, method="gust")
    with pytest.raises(NotImplementedError, match=r"savgol_filter: no derivative with respect to delta"):
        S.savgol_filter(X, 5, 2, delta=DualArray(np.array(0.5), np.array(1.0)))
    with pytest.raises(NotImplementedError, match=r"welch: no derivative with respect to fs"):
        S.welch(x, fs=DualArray(np.array(2.0), np.array(1.0)))
    with pytest.raises(NotImplementedError, match=r"periodogram: no derivative with respect to window"):
        S.periodogram(x, window=DualArray(np.ones(40), np.ones(40)))
    with pytest.raises(NotImplementedError, match=r"detrend: no derivative with respect to bp"):
        S.detrend(x, bp=DualArray(np.array(3.0), np.array(1.0)))


def test_scipys_errors_come_first():
    with pytest.raises(ValueError, match="sos"):
        S.sosfilt(np.ones((1, 6)) * 2, DualArray(X, np.ones_like(X)))
    with pytest.raises(ValueError, match="padlen"):
        S.filtfilt(B, A, DualArray(X[:5], np.ones(5)))


def test_scipy_functions_name_their_counterpart():
    with pytest.raises(TypeError, match=r"use dualarray\.scipy\.signal\.lfilter"):
        da.jacobian(lambda x: ss.lfilter(B, A, x))(X)
    with pytest.raises(TypeError, match=r"use dualarray\.scipy\.signal\.welch"):
        da.jacobian(lambda x: ss.welch(x)[1])(X)
