"""Rows for ``dualarray.scipy.ndimage``: values must equal SciPy's own, tangents finite differences.

Every generic test runs over these rows (k directions, layouts, nesting, reverse mode, sparsity
patterns). Images are (5, 6). Linear interpolation (order 1) is a piecewise polynomial with kinks on
the grid lines, so its coordinates are drawn inside cells (fractions in [0.15, 0.85]); the cubic rows use
C² boundary modes (nearest, mirror, grid-wrap, grid-constant: SciPy's pre-padding and periodic or
symmetric splines) and may go beyond the edges. Gaussian ``sigma`` stays where the kernel radius
``int(4σ + 0.5)`` is constant.
"""

from __future__ import annotations

import numpy as np

from dualarray.scipy import ndimage as N

from . import Case, uniform

F64 = ("float64",)
REAL = ("float64", "float32")
IMAGE = (5, 6)


def _edge(shape):
    """The image's shape along the coordinates' first axis, broadcasting over the others."""
    return np.reshape(IMAGE, (2,) + (1,) * (len(shape) - 1))


def inside(rng, shape):
    """Coordinates (2, m) into a (5, 6) image, inside cells: integer part + a fraction in [0.15, 0.85]."""
    whole = rng.integers(0, _edge(shape) - 1, size=shape)
    return whole + rng.uniform(0.15, 0.85, size=shape)


def around(rng, shape):
    """Coordinates (2, m) anywhere in [-1.5, n + 0.5] (for the C² cubic rows)."""
    return rng.uniform(-1.5, _edge(shape) + 0.5, size=shape)


def off_grid(rng, shape):
    """Shifts whose fractional parts stay in [0.15, 0.85]."""
    return rng.integers(-2, 3, size=shape) + rng.uniform(0.15, 0.85, size=shape)


def near_identity(rng, shape):
    return np.eye(*shape) + 0.15 * rng.standard_normal(shape)


sigma = uniform(0.9, 1.1)
ONE = [(IMAGE,)]
WITH_SIGMA = [(IMAGE, ())]

CASES = [
    # ------------------------------------------------------------------ linear filters
    Case("scipy_ndimage_correlate", lambda x, w: N.correlate(x, w), ("real", "real"), [(IMAGE, (3, 3))],
         ("float64", "float32", "complex128"), rtol=1e-5),
    Case("scipy_ndimage_convolve_constant", lambda x, w: N.convolve(x, w, mode="constant", cval=0.5, origin=(0, 1)),
         ("real", "real"), [(IMAGE, (2, 3))], F64, rtol=1e-5),
    Case("scipy_ndimage_correlate_axes", lambda x, w: N.correlate(x, w, mode="wrap", axes=(1,)), ("real", "real"),
         [(IMAGE, (4,))], F64, rtol=1e-5),
    Case("scipy_ndimage_correlate1d_mirror", lambda x, w: N.correlate1d(x, w, axis=0, mode="mirror", origin=-1),
         ("real", "real"), [(IMAGE, (4,))], REAL, rtol=1e-5),
    Case("scipy_ndimage_convolve1d_wrap", lambda x, w: N.convolve1d(x, w, mode="wrap", origin=1), ("real", "real"),
         [(IMAGE, (4,))], ("float64", "complex128"), rtol=1e-5),
    Case("scipy_ndimage_gaussian_filter", lambda x: N.gaussian_filter(x, 1.0), ("real",), ONE, REAL, rtol=1e-5),
    Case("scipy_ndimage_gaussian_filter_sigma", lambda x, s: N.gaussian_filter(x, s, mode="nearest"), ("real", sigma),
         WITH_SIGMA, F64, rtol=1e-5),
    Case("scipy_ndimage_gaussian_filter_orders", lambda x, s: N.gaussian_filter(x, s, order=(1, 2), mode="mirror"),
         ("real", sigma), WITH_SIGMA, F64, rtol=1e-5),
    Case("scipy_ndimage_gaussian_filter1d", lambda x, s: N.gaussian_filter1d(x, s, axis=0, order=1, mode="constant",
                                                                        cval=0.3),
         ("real", sigma), WITH_SIGMA, F64, rtol=1e-5),
    Case("scipy_ndimage_uniform_filter", lambda x: N.uniform_filter(x, (3, 2), mode="wrap", origin=(1, 0)), ("real",),
         ONE, REAL, rtol=1e-5),
    Case("scipy_ndimage_uniform_filter1d", lambda x: N.uniform_filter1d(x, 4, axis=0, mode="nearest", origin=-1),
         ("real",), ONE, F64, rtol=1e-5),
    Case("scipy_ndimage_sobel", lambda x: N.sobel(x, axis=0, mode=("reflect", "constant")), ("real",), ONE, F64,
         rtol=1e-5),
    Case("scipy_ndimage_prewitt", lambda x: N.prewitt(x, mode="mirror"), ("real",), ONE, F64, rtol=1e-5),
    Case("scipy_ndimage_laplace", lambda x: N.laplace(x, mode="nearest"), ("real",), ONE, F64, rtol=1e-5),
    Case("scipy_ndimage_gaussian_laplace", lambda x, s: N.gaussian_laplace(x, s, mode="reflect"), ("real", sigma),
         WITH_SIGMA, F64, rtol=1e-5),
    # ------------------------------------------------------------------ interpolation
    Case("scipy_ndimage_map_coordinates_linear", lambda x, c: N.map_coordinates(x, c, order=1), ("real", inside),
         [(IMAGE, (2, 7))], F64, rtol=1e-5),
    Case("scipy_ndimage_map_coordinates_cubic", lambda x, c: N.map_coordinates(x, c, mode="nearest"), ("real", around),
         [(IMAGE, (2, 7))], F64, rtol=1e-5),
    Case("scipy_ndimage_map_coordinates_cubic_mirror", lambda x, c: N.map_coordinates(x, c, mode="mirror"),
         ("real", around), [(IMAGE, (2, 3, 2))], F64, rtol=1e-5),
    Case("scipy_ndimage_map_coordinates_quadratic_wrap",
         lambda x, c: N.map_coordinates(x, c, order=2, mode="grid-wrap"), ("real", around), [(IMAGE, (2, 7))], F64,
         rtol=1e-5),
    Case("scipy_ndimage_map_coordinates_quintic_constant",
         lambda x, c: N.map_coordinates(x, c, order=5, mode="grid-constant", cval=0.5), ("real", around),
         [(IMAGE, (2, 7))], F64, rtol=1e-5),
    Case("scipy_ndimage_shift_linear", lambda x, s: N.shift(x, s, order=1, mode="nearest"), ("real", off_grid),
         [(IMAGE, (2,))], F64, rtol=1e-5),
    Case("scipy_ndimage_shift_cubic", lambda x, s: N.shift(x, s, mode="grid-wrap"), ("real", "real"), [(IMAGE, ())],
         REAL, rtol=1e-5),
    Case("scipy_ndimage_zoom", lambda x: N.zoom(x, (1.5, 0.7), order=1), ("real",), ONE, REAL, rtol=1e-5),
    Case("scipy_ndimage_zoom_cubic_grid", lambda x: N.zoom(x, 1.4, mode="grid-mirror", grid_mode=True), ("real",), ONE,
         F64, rtol=1e-5),
    Case("scipy_ndimage_rotate", lambda x, a: N.rotate(x, a, mode="nearest"), ("real", uniform(35.0, 55.0)),
         [(IMAGE, ())], F64, rtol=1e-5),
    Case("scipy_ndimage_rotate_linear", lambda x, a: N.rotate(x, a, reshape=False, order=1, mode="nearest"),
         ("real", uniform(10.0, 80.0)), [(IMAGE, ())], F64, rtol=1e-5),
    Case("scipy_ndimage_affine_transform", lambda x, m, o: N.affine_transform(x, m, o, mode="nearest"),
         ("real", near_identity, "real"), [(IMAGE, (2, 2), (2,))], F64, rtol=1e-5),
    Case("scipy_ndimage_affine_transform_diagonal", lambda x, m, o: N.affine_transform(x, m, o, order=3, mode="mirror"),
         ("real", uniform(0.8, 1.2), "real"), [(IMAGE, (2,), ())], F64, rtol=1e-5),
    Case("scipy_ndimage_affine_transform_homogeneous",
         lambda x, m: N.affine_transform(x, m, output_shape=(4, 7), order=2, mode="grid-constant"),
         ("real", near_identity), [(IMAGE, (2, 3))], F64, rtol=1e-5),
]
