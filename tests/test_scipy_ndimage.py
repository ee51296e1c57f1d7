"""dualarray.scipy.ndimage beyond the case table (tests/cases/scipy_ndimage.py): SciPy's exact values for plain
input in every boundary mode, the gather structure against SciPy on plain data, tangents against differences
of SciPy itself, reverse mode, patterns, kinks and errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as nd

import dualarray as da
from dualarray import DualArray
from dualarray.scipy import COUNTERPARTS
from dualarray.scipy import ndimage as N

RNG = np.random.default_rng(16)
X = RNG.standard_normal((5, 6))
X3 = RNG.standard_normal((3, 5, 4))
W2 = RNG.standard_normal((3, 2))
W1 = RNG.standard_normal(4)
COORDS = np.stack([RNG.uniform(-2.5, 6.5, (3, 4)), RNG.uniform(-3.5, 8.5, (3, 4))])
FILTER_MODES = ("reflect", "mirror", "nearest", "wrap", "constant", "grid-mirror", "grid-wrap", "grid-constant")
SPLINE_MODES = ("constant", "grid-constant", "nearest", "reflect", "grid-mirror", "mirror", "wrap", "grid-wrap")
FILTERS = {  # name -> (args after the input, keywords): every linear filter
    "correlate": ((W2,), {"origin": (1, 0)}), "convolve": ((W2,), {"origin": (0, -1)}),
    "correlate1d": ((W1,), {"origin": 1}), "convolve1d": ((W1,), {"axis": 0, "origin": -1}),
    "gaussian_filter": ((1.2,), {}), "gaussian_filter1d": ((0.8,), {"order": 2, "axis": 0}),
    "uniform_filter": (((3, 2),), {"origin": (1, 0)}), "uniform_filter1d": ((4,), {"origin": -1}),
    "sobel": ((), {"axis": 0}), "prewitt": ((), {}), "laplace": ((), {}), "gaussian_laplace": (((1.0, 0.7),), {}),
}
INTERPOLATORS = {  # name -> (args after the input, keywords)
    "map_coordinates": ((COORDS,), {}), "shift": (((0.3, -1.7),), {}), "zoom": (((1.5, 0.7),), {}),
    "rotate": ((30.0,), {}), "affine_transform": ((np.array([[0.9, 0.2], [-0.3, 1.1]]), (0.4, -0.6)), {}),
}


# ------------------------------------------------------------------ plain inputs: SciPy's result, registered
@pytest.mark.parametrize("mode", FILTER_MODES)
@pytest.mark.parametrize("name", list(FILTERS))
def test_plain_filters_give_scipys_result(name, mode):
    args, kwargs = FILTERS[name]
    kwargs = {**kwargs, "mode": mode, "cval": 0.4}
    ours, theirs = getattr(N, name)(X, *args, **kwargs), getattr(nd, name)(X, *args, **kwargs)
    assert type(ours) is type(theirs) and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)
    assert COUNTERPARTS[getattr(nd, name)] is getattr(N, name)
    assert getattr(N, name).__module__ == "dualarray.scipy.ndimage"


@pytest.mark.parametrize("mode", SPLINE_MODES)
@pytest.mark.parametrize("order", range(6))
@pytest.mark.parametrize("name", list(INTERPOLATORS))
def test_plain_interpolation_gives_scipys_result(name, order, mode):
    args, kwargs = INTERPOLATORS[name]
    kwargs = {**kwargs, "order": order, "mode": mode, "cval": 0.4}
    np.testing.assert_array_equal(getattr(N, name)(X, *args, **kwargs), getattr(nd, name)(X, *args, **kwargs))
    assert COUNTERPARTS[getattr(nd, name)] is getattr(N, name)
    assert getattr(N, name).__module__ == "dualarray.scipy.ndimage"


def test_plain_output_arrays_are_scipys():
    out, theirs = np.empty((5, 6)), np.empty((5, 6))
    ours = N.gaussian_filter(X, 1.0, output=out)
    assert (ours is out) == (nd.gaussian_filter(X, 1.0, output=theirs) is theirs)
    np.testing.assert_array_equal(out, theirs)


# ------------------------------------------------------------------ the gather structure, on plain data
@pytest.mark.parametrize("mode", FILTER_MODES)
def test_filter_index_maps_match_scipy(mode):
    """Every line length (1 included), kernel length (longer than the line included) and origin."""
    for n in (1, 2, 3, 5):
        x = RNG.standard_normal((2, n))
        for size in range(1, 2 * n + 5):
            w = RNG.standard_normal(size)
            for origin in range(-(size // 2), (size - 1) // 2 + 1):
                want = nd.correlate1d(x, w, axis=1, mode=mode, cval=0.7, origin=origin)
                np.testing.assert_allclose(N._correlate1d(x, w, 1, mode, 0.7, origin), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", FILTER_MODES)
@pytest.mark.parametrize("convolution", [False, True])
def test_nd_index_maps_match_scipy(mode, convolution):
    f = nd.convolve if convolution else nd.correlate
    for shape in [(4, 5), (1, 3), (2, 2)]:
        x = RNG.standard_normal(shape)
        for ws, origin in [((3, 3), 0), ((2, 4), (0, -1)), ((5, 1), (2, 0)), ((1, 6), (0, 2))]:
            w = RNG.standard_normal(ws)
            want = f(x, w, mode=mode, cval=-0.3, origin=origin)
            got = N._correlate(x, w, mode, -0.3, origin, None, convolution)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", SPLINE_MODES)
@pytest.mark.parametrize("order", range(6))
def test_interpolation_matches_scipy(order, mode):
    """Far outside the array, on the knots and the half-knots, lines of length 1 and 2, with and without prefilter."""
    knots = np.stack(np.meshgrid(np.arange(-7, 12) * 0.5, np.arange(-7, 13) * 0.5, indexing="ij"))
    for shape, coords in [((5, 6), knots), ((5, 6), COORDS), ((1, 4), COORDS), ((2, 3), 3 * COORDS)]:
        x = RNG.standard_normal(shape)
        for prefilter in (True, False):
            want = nd.map_coordinates(x, coords, order=order, mode=mode, cval=0.4, prefilter=prefilter)
            got = N._interpolate(x, list(coords), order, mode, 0.4, prefilter)
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def _linear_check(name, x, args, kwargs):
    """``f`` is linear in the input (cval 0): the tangent along ``x`` is SciPy's ``f(x)`` itself."""
    y = getattr(N, name)(DualArray(x, x), *args, **kwargs)
    want = getattr(nd, name)(x, *args, **kwargs)
    np.testing.assert_array_equal(y.value, want)
    np.testing.assert_allclose(y.tangent, want, rtol=1e-9, atol=1e-9)


@pytest.mark.filterwarnings("ignore:It is recommended")
@pytest.mark.parametrize("mode", SPLINE_MODES)
@pytest.mark.parametrize("name", ["shift", "zoom", "rotate", "affine_transform"])
def test_transforms_are_scipys_linear_maps(name, mode):
    cases = {"shift": [((0.3, -1.7), {}), (2.5, {})], "zoom": [((1.5, 0.7), {}), (1.3, {"grid_mode": True})],
             "rotate": [(30.0, {}), (100.0, {"reshape": False})],
             "affine_transform": [(np.array([[0.9, 0.2], [-0.3, 1.1]]), {"offset": (0.4, -0.6)}),
                                  (np.array([0.9, 1.3]), {"offset": (0.4, -0.6)}),
                                  (np.array([[0.9, 0.2, 0.5], [-0.3, 1.1, 1.0]]), {"output_shape": (4, 7)})]}
    for order in range(6):
        for arg, kwargs in cases[name]:
            _linear_check(name, X, (arg,), {**kwargs, "order": order, "mode": mode})


@pytest.mark.parametrize("mode", FILTER_MODES)
@pytest.mark.parametrize("name", list(FILTERS))
def test_filters_are_scipys_linear_maps(name, mode):
    args, kwargs = FILTERS[name]
    _linear_check(name, X, args, {**kwargs, "mode": mode})


def test_higher_rank_inputs():
    _linear_check("rotate", X3, (25.0,), {"axes": (0, 2), "order": 3})
    _linear_check("rotate", X3, (25.0,), {"order": 1, "mode": "nearest"})
    _linear_check("sobel", X3, (), {"axis": 1, "mode": ("reflect", "wrap", "constant")})
    _linear_check("gaussian_filter", X3, (1.0,), {"axes": (0, 2)})
    _linear_check("map_coordinates", X3, (RNG.uniform(-1, 5, (3, 7)),), {"order": 2, "mode": "mirror"})


# ------------------------------------------------------------------ tangents against differences of SciPy
def _differences(f, x, v, h=1e-4):
    return (4 * (f(x + h / 2 * v) - f(x - h / 2 * v)) / h - (f(x + h * v) - f(x - h * v)) / (2 * h)) / 3


PARAMETERS = {  # name -> (scipy f(input, p), our f, p, mode): derivatives in the second argument
    "correlate_weights": (lambda x, w: nd.correlate(x, w, mode="mirror"), lambda x, w: N.correlate(x, w, mode="mirror"),
                          W2),
    "convolve1d_weights": (lambda x, w: nd.convolve1d(x, w, mode="constant", cval=1.0),
                           lambda x, w: N.convolve1d(x, w, mode="constant", cval=1.0), W1),
    "gaussian_sigma": (lambda x, s: nd.gaussian_filter(x, s, order=(0, 1)),
                       lambda x, s: N.gaussian_filter(x, s, order=(0, 1)), np.array([1.0, 0.8])),
    "gaussian_laplace_sigma": (lambda x, s: nd.gaussian_laplace(x, s, mode="wrap"),
                               lambda x, s: N.gaussian_laplace(x, s, mode="wrap"), np.array(1.05)),
    "coordinates_cubic": (lambda x, c: nd.map_coordinates(x, c, mode="grid-wrap"),
                          lambda x, c: N.map_coordinates(x, c, mode="grid-wrap"), COORDS),
    "coordinates_reflect": (lambda x, c: nd.map_coordinates(x, c, order=1, mode="reflect"),
                            lambda x, c: N.map_coordinates(x, c, order=1, mode="reflect"),
                            np.floor(COORDS) + 0.3),
    "coordinates_mirror_far": (lambda x, c: nd.map_coordinates(x, c, order=1, mode="mirror"),
                               lambda x, c: N.map_coordinates(x, c, order=1, mode="mirror"),
                               np.floor(3 * COORDS) + 0.6),
    "shift": (lambda x, s: nd.shift(x, s, mode="wrap"), lambda x, s: N.shift(x, s, mode="wrap"), np.array([0.3, 2.4])),
    "angle": (lambda x, a: nd.rotate(x, a, reshape=False, mode="grid-constant"),
              lambda x, a: N.rotate(x, a, reshape=False, mode="grid-constant"), np.array(33.0)),
    "matrix": (lambda x, m: nd.affine_transform(x, m, order=4, mode="nearest"),
               lambda x, m: N.affine_transform(x, m, order=4, mode="nearest"), np.array([[0.9, 0.2], [-0.3, 1.1]])),
    "offset": (lambda x, o: nd.affine_transform(x, np.array([1.1, 0.9]), o, mode="mirror"),
               lambda x, o: N.affine_transform(x, np.array([1.1, 0.9]), o, mode="mirror"), np.array([0.4, -0.6])),
}


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_parameter_tangents_match_scipy_differences(name):
    theirs, ours, p = PARAMETERS[name]
    v = RNG.standard_normal(np.shape(p))
    got = ours(X, DualArray(p, v)).tangent
    np.testing.assert_allclose(got, _differences(lambda q: theirs(X, q), p, v), rtol=1e-6, atol=1e-7)
    u = RNG.standard_normal(X.shape)  # and in the input at the same time
    both = ours(DualArray(X, u), DualArray(p, v)).tangent
    np.testing.assert_allclose(both, got + ours(DualArray(X, u), p).tangent, rtol=1e-12, atol=1e-12)


def test_keyword_arguments_carry_derivatives():
    m, o = np.array([[0.9, 0.2], [-0.3, 1.1]]), np.array([0.4, -0.6])
    v = RNG.standard_normal(2)
    by_position = N.affine_transform(X, m, DualArray(o, v), None, None, 1)
    by_keyword = N.affine_transform(X, m, offset=DualArray(o, v), order=1)
    np.testing.assert_array_equal(by_keyword.tangent, by_position.tangent)
    s = N.gaussian_filter1d(X, sigma=DualArray(1.0, 1.0), axis=0)
    np.testing.assert_allclose(s.tangent, _differences(lambda q: nd.gaussian_filter1d(X, q, axis=0), 1.0, 1.0),
                               rtol=1e-6)


def test_zoom_factor_has_zero_derivative():
    y = N.zoom(X, DualArray(np.array([1.5, 0.7]), np.ones(2)), order=1)
    np.testing.assert_array_equal(y.value, nd.zoom(X, (1.5, 0.7), order=1))
    np.testing.assert_array_equal(y.tangent, 0.0)


# ------------------------------------------------------------------ reverse mode, nesting, patterns
REVERSE = {
    "correlate": lambda x: N.correlate(x, W2, mode="constant", cval=2.0),
    "gaussian_filter": lambda x: N.gaussian_filter(x, (1.0, 0.5), mode=("wrap", "mirror")),
    "gaussian_laplace": lambda x: N.gaussian_laplace(x, 0.9),
    "uniform_filter": lambda x: N.uniform_filter(x, 3, mode="nearest"),
    "sobel": lambda x: N.sobel(x),
    "map_coordinates": lambda x: N.map_coordinates(x, COORDS, order=3, mode="nearest"),
    "map_coordinates_in_coords": lambda c: N.map_coordinates(X, c, order=1, mode="grid-constant", cval=1.0),
    "shift_in_shift": lambda s: N.shift(X, s, order=3, mode="grid-constant"),
    "rotate_in_angle": lambda a: N.rotate(X, a, order=1, mode="reflect"),
    "affine_in_matrix": lambda m: N.affine_transform(X, m, order=3, mode="mirror"),
}
REVERSE_AT = {"map_coordinates_in_coords": np.floor(COORDS) + 0.4, "shift_in_shift": np.array([0.3, -1.2]),
              "rotate_in_angle": np.array(28.0), "affine_in_matrix": np.array([[0.9, 0.2], [-0.3, 1.1]])}


@pytest.mark.parametrize("name", list(REVERSE))
def test_reverse_mode_equals_forward(name):
    f, at = REVERSE[name], REVERSE_AT.get(name, X)
    forward = da.jacobian(f, mode="forward")(at)
    np.testing.assert_allclose(da.jacobian(f, mode="reverse")(at), forward, rtol=1e-12, atol=1e-12)
    w = RNG.standard_normal(np.shape(f(at)))
    pullback = da.vjp(f, at)[1](w)
    np.testing.assert_allclose(pullback, np.tensordot(w, forward, axes=np.ndim(w)), rtol=1e-10, atol=1e-12)


def test_second_derivative_in_the_angle_matches_differences():
    f = lambda a: np.sum(N.rotate(X, a, reshape=False, mode="nearest") ** 2)  # noqa: E731
    h = da.hessian(f)(np.array(33.0))
    g = lambda a: nd.rotate(X, a, reshape=False, mode="nearest")  # noqa: E731
    second = (np.sum(g(33.0 + 1e-3) ** 2) - 2 * np.sum(g(33.0) ** 2) + np.sum(g(33.0 - 1e-3) ** 2)) / 1e-6
    np.testing.assert_allclose(h, second, rtol=1e-4)


def test_filter_patterns_are_the_stencil():
    x = RNG.standard_normal((4, 5))
    pattern = da.jacobian_sparsity(lambda z: N.laplace(z, mode="constant"))(x).toarray()
    dense = da.jacobian(lambda z: N.laplace(z, mode="constant"))(x).reshape(20, 20) != 0
    np.testing.assert_array_equal(pattern, dense)  # the 5-point stencil, nothing more
    pattern = da.jacobian_sparsity(lambda z: N.uniform_filter1d(z, 3, mode="wrap"))(x).toarray()
    assert pattern.sum() == 20 * 3


# ------------------------------------------------------------------ kinks
def test_linear_interpolation_on_a_knot_takes_the_right_cell():
    """At an integer coordinate ``order=1`` has a kink: the derivative is the right-hand one (SciPy's ⌊c⌋ cell)."""
    c = DualArray(np.array([[2.0], [3.0]]), np.array([[1.0], [0.0]]))
    y = N.map_coordinates(X, c, order=1)
    np.testing.assert_allclose(y.tangent, [X[3, 3] - X[2, 3]], rtol=1e-14)
    np.testing.assert_array_equal(y.value, [X[2, 3]])
    c = DualArray(np.array([[2.5], [3.0]]), np.array([[0.0], [1.0]]))
    np.testing.assert_allclose(N.map_coordinates(X, c, order=1).tangent, [(X[2, 4] + X[3, 4] - X[2, 3] - X[3, 3]) / 2])


def test_constant_mode_outside_is_cval_with_zero_derivative():
    c = DualArray(np.array([[-0.5, 4.5], [1.2, 1.2]]), np.ones((2, 2)))
    y = N.map_coordinates(X, c, order=1, mode="constant", cval=3.0)
    np.testing.assert_array_equal(y.value, [3.0, 3.0])
    np.testing.assert_array_equal(y.tangent, [0.0, 0.0])


# ------------------------------------------------------------------ errors
def test_output_arrays_with_dualarrays_refused():
    with pytest.raises(NotImplementedError, match=r"ndimage\.gaussian_filter: output= arrays"):
        N.gaussian_filter(DualArray(X, X), 1.0, output=np.empty((5, 6)))
    with pytest.raises(NotImplementedError, match=r"ndimage\.map_coordinates: output= arrays"):
        N.map_coordinates(DualArray(X, X), COORDS, np.empty((3, 4)))
    y = N.gaussian_filter(DualArray(X, X), 1.0, output=np.float32)  # a dtype is fine
    assert y.value.dtype == np.float32


def test_dualarrays_where_there_is_no_derivative_refused():
    with pytest.raises(NotImplementedError, match=r"ndimage\.shift: no derivative in cval="):
        N.shift(X, 0.5, cval=DualArray(1.0, 1.0))
    with pytest.raises(NotImplementedError, match=r"ndimage\.uniform_filter1d: no derivative in size="):
        N.uniform_filter1d(X, DualArray(3.0, 1.0))
    with pytest.raises(TypeError, match=r"ndimage\.shift: shift= is a list holding DualArrays"):
        N.shift(X, [DualArray(0.5, 1.0), 0.2])


def test_scipy_functions_name_their_counterpart():
    with pytest.raises(TypeError, match=r"dualarray\.scipy\.ndimage\.gaussian_filter"):
        da.jacobian(lambda x: nd.gaussian_filter(x, 1.0))(X)


def test_every_function_is_registered():
    for name in N.__all__:
        assert COUNTERPARTS[getattr(nd, name)] is getattr(N, name)
        assert getattr(N, name).__name__ == name
