"""Discrete Fourier transforms (``numpy.fft``).

Every transform is linear over the reals, so its tangent is the same transform of the tangent::

    y = F(x)  ⇒  ẏ = F(ẋ)

with the transformed axes in negative form (so the leading direction axis is never touched). This holds
for the complex-to-real transforms too (``irfft``, ``hfft`` ignore the imaginary parts of some
entries: still linear over the reals), and a real input gets a complex tangent from ``fft``/``rfft``.
``fftshift``/``ifftshift`` are permutations. ``fftfreq``/``rfftfreq`` do not dispatch (they take no
array); with a DualArray spacing ``d`` they run on its operators and give ``d(k/(n d)) = -y ḋ/d``.

>>> import numpy as np
>>> from dualarray import DualArray
>>> x = DualArray(np.array([1.0, 2.0, 0.0, -1.0]), np.array([1.0, 0.0, 0.0, 0.0]))
>>> np.fft.rfft(x).tangent  # the transform of a unit impulse
array([1.+0.j, 1.+0.j, 1.+0.j])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _directions as dirs
from .._core import split, whole_along
from .._registry import implements
from .shape import _into

fft = np.fft


def _transform_1d(func):
    """``func(a, n=None, axis=-1, norm=None, out=None)``: the tangent is ``func`` along the same axis."""

    def impl(a, n=None, axis=-1, norm=None, out=None):
        frame, (x,), (t,) = split([a])
        y = func(whole_along(x, (axis,)), n=n, axis=axis, norm=norm)
        if frame is None:
            return _into(out, y)
        tangent = None
        if t is not None:
            t_axis = dirs.axis(axis, np.ndim(x))
            tangent = func(whole_along(t, (t_axis,)), n=n, axis=t_axis, norm=norm)
        return _into(out, frame.wrap(y, tangent))

    impl.__name__ = f"_{func.__name__}"
    return impl


def _nd_axes(ndim: int, s: Any, axes: Any) -> tuple[int, ...]:
    """The transformed axes, negative, as NumPy chooses them (all axes, or the last ``len(s)``)."""
    if axes is None:
        if s is None:
            return tuple(range(-ndim, 0))
        return tuple(range(-len(s), 0))
    return tuple(dirs.axis(a, ndim) for a in axes)


def _transform_nd(func, default_axes: Any = None):
    """``func(a, s=None, axes=..., norm=None, out=None)``: the tangent is ``func`` over the same axes."""

    def impl(a, s=None, axes=default_axes, norm=None, out=None):
        frame, (x,), (t,) = split([a])
        y = func(whole_along(x, _nd_axes(np.ndim(x), s, axes)), s=s, axes=axes, norm=norm)
        if frame is None:
            return _into(out, y)
        tangent = None
        if t is not None:
            t_axes = _nd_axes(np.ndim(x), s, axes)
            tangent = func(whole_along(t, t_axes), s=s, axes=t_axes, norm=norm)
        return _into(out, frame.wrap(y, tangent))

    impl.__name__ = f"_{func.__name__}"
    return impl


for _f in (fft.fft, fft.ifft, fft.rfft, fft.irfft, fft.hfft, fft.ihfft):
    implements(_f)(_transform_1d(_f))
for _f in (fft.fftn, fft.ifftn, fft.rfftn, fft.irfftn):
    implements(_f)(_transform_nd(_f))
for _f in (fft.fft2, fft.ifft2, fft.rfft2, fft.irfft2):
    implements(_f)(_transform_nd(_f, (-2, -1)))


def _shift(func):
    """``fftshift``/``ifftshift``: a permutation (a roll over ``axes``, default all)."""

    def impl(x, axes=None):
        frame, (v,), (t,) = split([x])
        y = func(v, axes=axes)
        if frame is None:
            return y
        nd = np.ndim(v)
        tangent = None
        if t is not None:
            neg = tuple(range(-nd, 0)) if axes is None else dirs.axes(axes, nd)
            tangent = func(t, axes=neg)
        return frame.wrap(y, tangent)

    impl.__name__ = f"_{func.__name__}"
    return impl


for _f in (fft.fftshift, fft.ifftshift):
    implements(_f)(_shift(_f))
