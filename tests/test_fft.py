"""Targeted FFT checks the case table cannot express (the table rows are in tests/cases/fft.py)."""

from __future__ import annotations

import numpy as np
import pytest

from dualarray import DualArray, new_tag

fft = np.fft


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize("func", [fft.fft, fft.rfft, fft.fftn, fft.rfft2, fft.ihfft])
def test_real_input_gives_complex_tangent(func):
    rng = _rng(1)
    x, v = rng.standard_normal((2, 3, 4))
    y = func(DualArray(x, v))
    assert np.iscomplexobj(y.value)
    assert np.iscomplexobj(y.tangent)
    np.testing.assert_allclose(y.tangent, func(v), rtol=1e-12, atol=1e-12)


def test_round_trips_carry_the_tangent():
    rng = _rng(2)
    x, v = rng.standard_normal((2, 6))
    d = DualArray(x, v)
    np.testing.assert_allclose(fft.irfft(fft.rfft(d), n=6).tangent, v, atol=1e-12)
    np.testing.assert_allclose(fft.ifft(fft.fft(d)).tangent, v, atol=1e-12)
    np.testing.assert_allclose(fft.hfft(fft.ihfft(d), n=6).tangent, v, atol=1e-12)
    z = DualArray(x + 1j * v, v - 1j * x)
    back = fft.ifftn(fft.fftn(z, norm="ortho"), norm="ortho")
    np.testing.assert_allclose(back.tangent, v - 1j * x, atol=1e-12)


def test_irfft_is_only_real_linear():
    # the imaginary parts of the DC and Nyquist bins are ignored, for the value and for the tangent
    x = np.array([1.0, 2.0 - 1j, 0.5])
    t = np.array([1j, 0.0, 2j])
    y = fft.irfft(DualArray(x, t))
    np.testing.assert_array_equal(y.value, fft.irfft(x))
    np.testing.assert_allclose(y.tangent, 0.0, atol=1e-15)
    assert not np.iscomplexobj(y.tangent)


@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
def test_parseval_identity_holds_for_derivatives(norm):
    # sum |x|² = sum |X|² · c with c depending on norm: the derivatives agree too
    rng = _rng(3)
    x, v = rng.standard_normal((2, 8)) + 1j * rng.standard_normal((2, 8))
    d = DualArray(x, v)
    X = fft.fft(d, norm=norm)
    scale = {None: 1 / 8, "backward": 1 / 8, "ortho": 1.0, "forward": 8.0}[norm]
    lhs = np.sum(np.real(d * np.conj(d)))
    rhs = np.sum(np.real(X * np.conj(X))) * scale
    np.testing.assert_allclose(rhs.value, lhs.value, rtol=1e-12)
    np.testing.assert_allclose(rhs.tangent, lhs.tangent, rtol=1e-12)
    np.testing.assert_allclose(lhs.tangent, 2 * np.sum(np.real(np.conj(x) * v)), rtol=1e-12)


def test_many_directions_with_a_dimension_equal_to_k():
    rng = _rng(4)
    x = rng.standard_normal((3, 3))
    v = rng.standard_normal((3, 3, 3))
    y = fft.rfft2(DualArray(x, v, batched=True), axes=(0, 1))
    for j in range(3):
        np.testing.assert_allclose(y.tangent[j], fft.rfft2(v[j], axes=(0, 1)), atol=1e-12)


def test_second_derivative_through_nesting():
    # f(t) = sum |fft(x + t v)|² / n = sum |x + t v|²  ⇒  f''(t) = 2 sum |v|²
    rng = _rng(5)
    x, v = rng.standard_normal((2, 6))
    inner, outer = new_tag(), new_tag()
    d = DualArray(DualArray(x, v, tag=inner), v, tag=outer)
    X = fft.fft(d)
    f = np.sum(np.real(X * np.conj(X))) / 6
    np.testing.assert_allclose(f.tangent.tangent, 2 * np.sum(v * v), rtol=1e-12)


def test_shifts_permute_the_tangent():
    x = np.arange(10.0).reshape(2, 5)
    t = x + 100
    y = fft.fftshift(DualArray(x, t), axes=-1)
    np.testing.assert_array_equal(y.tangent, fft.fftshift(t, axes=-1))
    np.testing.assert_array_equal(fft.ifftshift(y, axes=-1).tangent, t)


def test_fftfreq_with_dual_spacing():
    # fftfreq/rfftfreq do not dispatch; a DualArray d goes through its operators: d(k/(n d)) = -y/d ḋ
    d = DualArray(0.5, 1.0)
    y = fft.fftfreq(6, d)
    np.testing.assert_array_equal(y.value, fft.fftfreq(6, 0.5))
    np.testing.assert_allclose(y.tangent, -fft.fftfreq(6, 0.5) / 0.5)
    r = fft.rfftfreq(7, d)
    np.testing.assert_allclose(r.tangent, -fft.rfftfreq(7, 0.5) / 0.5)


def test_out_must_be_a_dual_buffer():
    x = DualArray(np.ones(4), 1.0)
    with pytest.raises(TypeError, match="out="):
        fft.fft(x, out=np.empty(4, complex))
    buf = DualArray(np.empty(4, complex))
    assert fft.fft(x, out=buf) is buf
    np.testing.assert_allclose(buf.tangent, fft.fft(np.ones(4)))


def test_constant_input_has_zero_tangent():
    y = fft.fft(DualArray(np.ones(4)))
    assert y._tangent is None
    np.testing.assert_array_equal(y.tangent, np.zeros(4))
