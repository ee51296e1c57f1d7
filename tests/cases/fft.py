"""Rows for ``numpy.fft``: every transform with n/axis/axes/s/norm variants, real and complex inputs."""

from __future__ import annotations

import numpy as np

from . import Case

fft = np.fft
RC = ("float64", "complex128")
R = ("float64",)
V = [((5,),), ((3, 4),)]           # vectors and stacks of vectors
M = [((3, 4),), ((2, 3, 4),)]      # matrices and stacks of matrices
N3 = [((2, 3, 4),)]

CASES = [
    # 1-d complex transforms
    Case("fft", fft.fft, ("real",), V, RC),
    Case("fft_n_pad", lambda x: fft.fft(x, n=7), ("real",), V, RC),
    Case("fft_n_crop_axis0", lambda x: fft.fft(x, n=2, axis=0), ("real",), [((3, 4),)], RC),
    Case("fft_ortho", lambda x: fft.fft(x, norm="ortho"), ("real",), V, RC),
    Case("fft_forward", lambda x: fft.fft(x, axis=-2, norm="forward"), ("real",), [((3, 4),)], RC),
    Case("fft_float32", fft.fft, ("real",), [((4,),)], ("float32",)),
    Case("ifft", fft.ifft, ("real",), V, RC),
    Case("ifft_n_norm", lambda x: fft.ifft(x, n=6, axis=0, norm="ortho"), ("real",), [((3, 4),)], RC),
    # 1-d real transforms (rfft/ihfft take real input; irfft/hfft are only real-linear)
    Case("rfft", fft.rfft, ("real",), V, R),
    Case("rfft_n_axis", lambda x: fft.rfft(x, n=5, axis=0, norm="forward"), ("real",), [((3, 4),)], R),
    Case("irfft", fft.irfft, ("real",), V, RC),
    Case("irfft_n_odd", lambda x: fft.irfft(x, n=7, norm="ortho"), ("real",), V, RC),
    Case("irfft_axis0", lambda x: fft.irfft(x, axis=0, norm="forward"), ("real",), [((3, 4),)], RC),
    Case("hfft", fft.hfft, ("real",), V, RC),
    Case("hfft_n_norm", lambda x: fft.hfft(x, n=5, axis=0, norm="ortho"), ("real",), [((3, 4),)], RC),
    Case("ihfft", fft.ihfft, ("real",), V, R),
    Case("ihfft_n_norm", lambda x: fft.ihfft(x, n=6, norm="forward"), ("real",), V, R),
    # 2-d and n-d
    Case("fft2", fft.fft2, ("real",), M, RC),
    Case("fft2_s_axes", lambda x: fft.fft2(x, s=(2, 5), axes=(0, 2), norm="ortho"), ("real",), N3, RC),
    Case("ifft2", fft.ifft2, ("real",), M, RC),
    Case("ifft2_axes", lambda x: fft.ifft2(x, axes=(-1, 0), norm="forward"), ("real",), N3, RC),
    Case("fftn", fft.fftn, ("real",), [((4,),), ((3, 4),), ((2, 3, 4),)], RC),
    Case("fftn_s_axes", lambda x: fft.fftn(x, s=(4, 3), axes=(1, 2)), ("real",), N3, RC),
    Case("fftn_axes", lambda x: fft.fftn(x, axes=(0,), norm="ortho"), ("real",), N3, RC),
    Case("ifftn", fft.ifftn, ("real",), [((3, 4),), ((2, 3, 4),)], RC),
    Case("ifftn_s_axes", lambda x: fft.ifftn(x, s=(3, 3), axes=(2, 0), norm="forward"), ("real",), N3, RC),
    Case("rfft2", fft.rfft2, ("real",), M, R),
    Case("rfft2_s", lambda x: fft.rfft2(x, s=(4, 6), norm="ortho"), ("real",), M, R),
    Case("irfft2", fft.irfft2, ("real",), M, RC),
    Case("irfft2_s_axes", lambda x: fft.irfft2(x, s=(3, 5), axes=(0, 2)), ("real",), N3, RC),
    Case("rfftn", fft.rfftn, ("real",), [((5,),), ((2, 3, 4),)], R),
    Case("rfftn_s_axes", lambda x: fft.rfftn(x, s=(3, 3), axes=(0, 1), norm="forward"), ("real",), N3, R),
    Case("irfftn", fft.irfftn, ("real",), [((3, 4),), ((2, 3, 4),)], RC),
    Case("irfftn_s_axes", lambda x: fft.irfftn(x, s=(4, 5), axes=(1, 2), norm="ortho"), ("real",), N3, RC),
    # shifts
    Case("fftshift", fft.fftshift, ("real",), [((5,),), ((3, 4),)], RC),
    Case("fftshift_axes", lambda x: fft.fftshift(x, axes=1), ("real",), N3, RC),
    Case("ifftshift", fft.ifftshift, ("real",), [((5,),), ((3, 4),)], RC),
    Case("ifftshift_axes", lambda x: fft.ifftshift(x, axes=(0, -1)), ("real",), N3, RC),
    # frequencies: no dispatch; a DualArray spacing d runs through its operators
    Case("fftfreq_d", lambda d: fft.fftfreq(6, d), ("positive",), [((),)], R),
    Case("rfftfreq_d", lambda d: fft.rfftfreq(7, d), ("positive",), [((),)], R),
]
