"""Transforms: closed forms, shapes, chunking, argnums, multiple outputs, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import rosen_der, rosen_hess, rosen_hess_prod

import dualarray as da
from dualarray import (
    DualArray,
    derivative,
    gradient,
    hessian,
    hvp,
    jacobian,
    jvp,
    value_and_gradient,
    value_and_jacobian,
)
from dualarray.transforms import DerivativeLostError


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def bratu(u, lam=1.0):
    """Discretized 1-D Bratu residual F_i = u_{i-1} - 2u_i + u_{i+1} + h²λ exp(u_i), u_0 = u_{n+1} = 0."""
    h = 1.0 / (u.shape[0] + 1)
    zero = np.zeros(1)
    return np.concatenate([zero, u[:-1]]) - 2.0 * u + np.concatenate([u[1:], zero]) + h * h * lam * np.exp(u)


def bratu_jacobian(u, lam=1.0):
    n = u.shape[0]
    h = 1.0 / (n + 1)
    return np.diag(-2.0 + h * h * lam * np.exp(u)) + np.eye(n, k=1) + np.eye(n, k=-1)


# ---------------------------------------------------------------- closed forms
@pytest.mark.parametrize("n", [2, 10, 1000])
def test_rosenbrock_gradient(n):
    x = np.linspace(-1.2, 1.5, n)
    np.testing.assert_allclose(gradient(rosen)(x), rosen_der(x), rtol=1e-13, atol=1e-12)


@pytest.mark.parametrize("n", [2, 10, 100])
def test_rosenbrock_hessian(n):
    x = np.linspace(-1.2, 1.5, n)
    h = hessian(rosen)(x)
    np.testing.assert_allclose(h, rosen_hess(x), rtol=1e-13, atol=1e-12)
    assert np.array_equal(h, h.T)


def test_rosenbrock_n1000_hessian_products_and_blocks():
    """n = 1000: Hessian-vector products (what Newton-CG uses) and a chunked Hessian of a 200-slice.

    A dense forward-over-forward Hessian costs n²/2 direction pairs over length-n intermediates
    (~5e8 flops per operation at n = 1000, several seconds), so the full 1000×1000 matrix is checked on
    the leading 200 coordinates with the rest held fixed; the chunked block path is the same.
    """
    n = 1000
    rng = np.random.default_rng(4)
    x = rng.uniform(-1.0, 1.5, n)
    for _ in range(3):
        v = rng.standard_normal(n)
        np.testing.assert_allclose(hvp(rosen)(x, v), rosen_hess_prod(x, v), rtol=1e-12, atol=1e-9)
    m = 200
    head = lambda z: rosen(np.concatenate([z, x[m:]]))  # noqa: E731
    h = hessian(head, chunk_size=64)(x[:m])
    np.testing.assert_allclose(h, rosen_hess(x)[:m, :m], rtol=1e-13, atol=1e-10)
    assert np.array_equal(h, h.T)


@pytest.mark.parametrize("n", [5, 100, 1000])
def test_bratu_jacobian_tridiagonal(n):
    u = np.sin(np.linspace(0.0, np.pi, n))
    j = jacobian(bratu)(u)
    np.testing.assert_allclose(j, bratu_jacobian(u), rtol=1e-15, atol=0)
    assert np.count_nonzero(j - np.diag(np.diag(j))) == 2 * (n - 1)  # exactly tridiagonal


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 100, 1000])
def test_chunked_equals_unchunked(chunk):
    u = np.sin(np.linspace(0.0, np.pi, 100))
    assert np.array_equal(jacobian(bratu, chunk_size=chunk)(u), jacobian(bratu)(u))
    x = np.linspace(-1.2, 1.5, 12)
    assert np.array_equal(gradient(rosen, chunk_size=chunk)(x), gradient(rosen)(x))
    h = hessian(rosen, chunk_size=chunk)(x)
    np.testing.assert_allclose(h, hessian(rosen)(x), rtol=1e-15, atol=0)
    assert np.array_equal(h, h.T)


def test_default_chunk_bounds_memory():
    from dualarray.transforms import CHUNK_BYTES, _default_chunk

    assert _default_chunk(1000, 1000, 8) == 1000  # one pass
    k = _default_chunk(2000, 2000, 8)
    assert k * 2000 * 8 <= CHUNK_BYTES and k >= 512
    assert _default_chunk(10, 10**7, 8) == 1  # huge output: one direction per pass
    calls = []
    u = np.sin(np.linspace(0.0, np.pi, 2000))
    j = jacobian(lambda u: calls.append(1) or bratu(u), mode="forward")(u)
    assert len(calls) == math.ceil(2000 / k)
    np.testing.assert_allclose(j, bratu_jacobian(u), rtol=1e-15, atol=0)


# ---------------------------------------------------------------- shapes
@pytest.mark.parametrize(
    "f, x, out_shape",
    [
        (lambda x: x**3, 2.0, ()),  # scalar -> scalar
        (lambda x: np.sum(x**2), np.ones(3), ()),  # vector -> scalar
        (lambda x: x * np.arange(4.0), 1.5, (4,)),  # scalar -> vector
        (lambda x: x[::-1] * x, np.arange(3.0), (3,)),  # vector -> vector
        (lambda x: x @ x.T, np.arange(6.0).reshape(2, 3), (2, 2)),  # matrix -> matrix
        (lambda x: np.sum(x, axis=0), np.ones((3, 2)), (2,)),  # matrix -> vector
        (lambda x: x[:, None] * x[None, :], np.arange(1.0, 4.0), (3, 3)),  # vector -> matrix
    ],
)
def test_jacobian_shapes(f, x, out_shape):
    j = jacobian(f)(x)
    assert isinstance(j, np.ndarray)
    assert j.shape == out_shape + np.shape(x)
    # against central differences, one input element at a time
    x = np.asarray(x, dtype=float)
    eps = 1e-6
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        fd = (np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * eps)
        np.testing.assert_allclose(j[(...,) + idx], fd, rtol=1e-7, atol=1e-7)


def test_hessian_shapes():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    h = hessian(lambda x: np.sum(x**3))(x)
    assert h.shape == (2, 3, 2, 3)
    np.testing.assert_array_equal(h.reshape(6, 6), np.diag(6.0 * x.ravel()))
    hv = hessian(lambda x: x**3)(np.array([1.0, 2.0]))  # vector output: f.shape + x.shape + x.shape
    assert hv.shape == (2, 2, 2)
    np.testing.assert_array_equal(hv[0], [[6.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(hv[1], [[0.0, 0.0], [0.0, 12.0]])
    assert hessian(lambda x: x**3)(2.0) == 12.0


def test_derivative_over_a_grid():
    x = np.linspace(-3.0, 3.0, 101)
    np.testing.assert_allclose(derivative(np.tanh)(x), 1.0 - np.tanh(x) ** 2, rtol=1e-15)
    d = derivative(lambda x: np.sin(x) * x)(x.reshape(101, 1))
    np.testing.assert_allclose(d[:, 0], np.cos(x) * x + np.sin(x), rtol=1e-14, atol=1e-15)
    assert derivative(lambda x: 3.0 * x)(2.0) == 3.0
    assert derivative(lambda x: 5.0)(2.0) == 0.0  # constant output: zero derivative


def test_jvp():
    x = np.array([1.0, 2.0, 3.0])
    v = np.array([0.5, -1.0, 2.0])
    y, t = jvp(bratu, x, v)
    np.testing.assert_array_equal(y, bratu(x))
    np.testing.assert_allclose(t, bratu_jacobian(x) @ v, rtol=1e-15)
    (y, t) = jvp(lambda a, b: a * b, (x, v), (np.ones(3), np.zeros(3)))
    np.testing.assert_array_equal(t, v)
    with pytest.raises(ValueError, match="tangent of shape"):
        jvp(bratu, x, np.ones(2))


def test_value_and_gradient_and_jacobian():
    x = np.linspace(-1.2, 1.5, 6)
    value, grad = value_and_gradient(rosen)(x)
    assert value == rosen(x)
    np.testing.assert_allclose(grad, rosen_der(x), rtol=1e-13)
    value, jac = value_and_jacobian(bratu)(x)
    np.testing.assert_array_equal(value, bratu(x))
    np.testing.assert_allclose(jac, bratu_jacobian(x), rtol=1e-15)


def test_hvp_matches_hessian():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 1.0, 8)
    v = rng.standard_normal(8)
    np.testing.assert_allclose(hvp(rosen)(x, v), hessian(rosen)(x) @ v, rtol=1e-13, atol=1e-12)
    # SciPy's hessp(x, p, *args)
    shifted = lambda x, c: rosen(x - c)  # noqa: E731
    np.testing.assert_allclose(hvp(shifted)(x, v, 0.5), rosen_hess_prod(x - 0.5, v), rtol=1e-13, atol=1e-12)


# ---------------------------------------------------------------- argnums, args, several outputs
def test_argnums_and_passthrough():
    def f(t, y, k, *, scale=1.0):
        return scale * np.stack([k * y[0] * y[1], t * y[1] ** 2])

    y = np.array([2.0, 3.0])
    j = jacobian(f, argnums=1)(0.5, y, 4.0, scale=2.0)  # jac(t, y) for solve_ivp, extra args passed on
    np.testing.assert_array_equal(j, 2.0 * np.array([[4.0 * 3.0, 4.0 * 2.0], [0.0, 2 * 0.5 * 3.0]]))
    jt, jy, jk = jacobian(f, argnums=(0, 1, 2))(0.5, y, 4.0)
    np.testing.assert_array_equal(jt, [0.0, 9.0])
    np.testing.assert_array_equal(jy, j / 2.0)
    np.testing.assert_array_equal(jk, [6.0, 0.0])
    (only,) = jacobian(f, argnums=(1,))(0.5, y, 4.0)
    np.testing.assert_array_equal(only, jy)
    # tuple argnums in chunks spanning argument boundaries give the same result
    for chunk in (1, 2, 3):
        for a, b in zip(
            jacobian(f, argnums=(0, 1, 2), chunk_size=chunk)(0.5, y, 4.0), (jt, jy, jk), strict=True
        ):
            np.testing.assert_array_equal(a, b)
    g = gradient(lambda a, b: np.sum(a * b**2), argnums=(0, 1))(np.ones(2), np.array([1.0, 3.0]))
    np.testing.assert_array_equal(g[0], [1.0, 9.0])
    np.testing.assert_array_equal(g[1], [2.0, 6.0])
    assert derivative(lambda a, b: a * b, argnums=1)(2.0, 5.0) == 2.0
    with pytest.raises(ValueError, match="argnums=3"):
        jacobian(f, argnums=3)(0.5, y, 4.0)


def test_curve_fit_signature():
    def model(x, a, b):
        return a * np.exp(b * x)

    x = np.linspace(0.0, 1.0, 5)
    ja, jb = jacobian(model, argnums=(1, 2))(x, 2.0, 0.5)
    np.testing.assert_allclose(
        np.stack([ja, jb], axis=-1), np.stack([np.exp(0.5 * x), 2.0 * x * np.exp(0.5 * x)], -1)
    )


def test_several_outputs():
    def f(x):
        return np.sum(x**2), x * 2.0, 7.0

    x = np.array([1.0, 2.0])
    (g, j, c) = jacobian(f)(x)
    np.testing.assert_array_equal(g, 2 * x)
    np.testing.assert_array_equal(j, 2 * np.eye(2))
    np.testing.assert_array_equal(c, np.zeros(2))
    values, jacs = value_and_jacobian(f)(x)
    assert values[0] == 5.0 and values[2] == 7.0
    d = derivative(lambda x: (x**2, x))(3.0)
    assert d == (6.0, 1.0)
    (dy_a, dy_b), (dz_a, dz_b) = jacobian(lambda a, b: (a * b, a + b), argnums=(0, 1))(2.0, 3.0)
    assert (dy_a, dy_b, dz_a, dz_b) == (3.0, 2.0, 1.0, 1.0)


# ---------------------------------------------------------------- inputs and errors
def test_integer_inputs_promote_to_float():
    assert derivative(lambda x: x**2)(3) == 6.0
    g = gradient(lambda x: np.sum(x**2))(np.array([1, 2, 3]))
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(jacobian(lambda x: x * x)([1, 2]), [[2.0, 0.0], [0.0, 4.0]])
    np.testing.assert_array_equal(
        hessian(lambda x: np.sum(x**3))(np.array([1, 2])), [[6.0, 0.0], [0.0, 12.0]]
    )


def test_float32_stays_float32():
    g = gradient(lambda x: np.sum(x * x))(np.ones(3, dtype=np.float32))
    assert g.dtype == np.float32


def test_gradient_of_non_scalar_is_an_error():
    with pytest.raises(
        ValueError, match=r"gradient: the function must return a scalar .*shape \(3,\).*jacobian"
    ):
        gradient(lambda x: x**2)(np.ones(3))
    with pytest.raises(ValueError, match="tuple"):
        value_and_gradient(lambda x: (np.sum(x), x))(np.ones(3))


@pytest.mark.parametrize("bad", ["text", [1.0, 2.0], {"a": 1}, None])
def test_non_array_output_is_an_error(bad):
    with pytest.raises(TypeError, match="must return an array or a number"):
        jacobian(lambda x: bad)(np.ones(2))
    with pytest.raises(TypeError, match="must return an array or a number"):
        derivative(lambda x: bad)(1.0)


def test_float_call_names_the_line():
    def f(x):
        return float(x) ** 2  # the offending line

    with pytest.raises(
        DerivativeLostError, match=r"derivative: .*test_transforms\.py:\d+ \(`return float\(x\)"
    ) as info:
        derivative(f)(1.0)
    assert isinstance(info.value, TypeError)
    assert "float(DualArray)" in str(info.value)

    with pytest.raises(DerivativeLostError, match=r"gradient: .*math\.exp"):
        gradient(lambda x: math.exp(x[0]))(np.ones(2))
    with pytest.raises(DerivativeLostError, match="hessian"):
        hessian(lambda x: np.asarray(x).sum())(np.ones(2))
    # nested: the inner transform's message reaches the user unchanged
    with pytest.raises(DerivativeLostError, match=r"derivative: .*`return float\(x\)"):
        gradient(lambda x: np.sum(x) * derivative(f)(1.0))(np.ones(2))


def test_other_type_errors_pass_through():
    def f(x):
        raise TypeError("my own error")

    with pytest.raises(TypeError, match="^my own error$"):
        jacobian(f)(np.ones(2))


def test_non_numeric_input_is_an_error():
    with pytest.raises(TypeError, match="numeric array"):
        jacobian(lambda x: x)(np.array(["a"]))


def test_results_are_plain_arrays_outside_and_duals_inside():
    seen = []

    def outer(x):
        d = derivative(lambda y: x * y**2)(3.0)
        seen.append(d)
        return d

    assert derivative(outer)(2.0) == 6.0
    (inner,) = seen
    assert isinstance(inner, DualArray) and inner.value == 12.0  # carries the outer tag
    assert isinstance(derivative(np.sin)(1.0), np.ndarray | np.generic)
    assert isinstance(derivative(np.sin)(np.ones(2)), np.ndarray)


def test_each_call_uses_a_fresh_tag():
    tags = []

    def f(x):
        tags.append(x.tag)
        return x

    jacobian(f, chunk_size=1, mode="forward")(np.ones(3))
    derivative(f)(1.0)
    jacobian(f, mode="reverse")(np.ones(3))
    assert len(set(tags)) == len(tags) == 5
    assert tags == sorted(tags)
    assert tags[-1] < da.new_tag()


def test_zero_sized_input():
    j = jacobian(lambda x: np.sum(x) + np.ones(2))(np.zeros(0))
    assert j.shape == (2, 0)


def test_in_place_updates_of_the_input_do_not_leak_between_chunks():
    def f(x):
        x *= 2.0  # updates its argument in place
        return x**2

    x = np.array([1.0, 2.0, 3.0])
    expected = np.diag(8.0 * x)
    np.testing.assert_array_equal(jacobian(f, chunk_size=1)(x), expected)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])  # the caller's array is untouched

    def g(x):
        x *= 2.0
        return np.sum(x**3)

    np.testing.assert_array_equal(hessian(g, chunk_size=1)(x), np.diag(48.0 * x))


def test_docstring_examples():
    import doctest

    import dualarray.transforms

    result = doctest.testmod(dualarray.transforms, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10 and result.failed == 0


def test_results_are_writable():
    # tangents of broadcasts are read-only views inside dualarray; results handed out are not
    j = jacobian(lambda x: np.broadcast_to(x, (3, 2)))(np.ones(2))
    assert j.flags.writeable
    np.testing.assert_array_equal(j, np.broadcast_to(np.eye(2), (3, 2, 2)))
    assert jacobian(lambda x: np.sum(x) + np.zeros(4))(np.ones(2)).flags.writeable
    assert derivative(lambda x: x + np.zeros(3))(1.0).flags.writeable


def test_transformed_functions_get_every_argument_from_f2py_callbacks():
    # NumPy < 2.3's f2py (behind solve_ivp(method="LSODA", jac=...)) passes a Python *function* only
    # __code__.co_argcount positional arguments (none for ``*args``); a callable object gets all of them
    jac = jacobian(lambda t, y: y**2, argnums=1)
    assert not hasattr(jac, "__code__")
    assert jac.__name__ == "jacobian(<lambda>)"
    np.testing.assert_array_equal(jac(0.0, np.array([1.0, 2.0])), np.diag([2.0, 4.0]))


# ---------------------------------------------------------------- complex inputs
def _realified_gradient(f, z, h=1e-6):
    """∂f/∂x + 1j·∂f/∂y of a real-valued f by central differences, one element at a time."""
    out = np.zeros(z.shape, dtype=complex)
    for idx in np.ndindex(z.shape):
        e = np.zeros(z.shape)
        e[idx] = h
        out[idx] = (f(z + e) - f(z - e)) / (2 * h) + 1j * (f(z + 1j * e) - f(z - 1j * e)) / (2 * h)
    return out


def _complex_fd_jacobian(f, z, h=1e-6):
    """∂f/∂x (derivative along the real axis) by central differences; equals f'(z) when holomorphic."""
    cols = [(np.asarray(f(z + h * e)) - np.asarray(f(z - h * e))) / (2 * h) for e in np.eye(z.size)]
    return np.stack(cols, axis=-1).reshape(np.shape(f(z)) + z.shape)


_RNG = np.random.default_rng(20240611)
_Z = _RNG.standard_normal(4) + 1j * _RNG.standard_normal(4)
_A = _RNG.standard_normal((4, 4)) + 1j * _RNG.standard_normal((4, 4))


def test_gradient_of_real_function_of_complex_input_is_dfdx_plus_i_dfdy():
    # regression: this used to return [2, 6], the derivative along the real axis only
    z = np.array([1 + 2j, 3 - 1j])
    np.testing.assert_array_equal(gradient(lambda z: np.sum(np.abs(z) ** 2))(z), 2 * z)
    value, g = value_and_gradient(lambda z: np.sum(np.abs(z) ** 2))(z)
    assert value == pytest.approx(15.0) and np.array_equal(g, 2 * z)

    def f(z):
        return np.sum(np.abs(_A @ z - 1.0) ** 2) + np.real(np.sum(z**3)) + np.sum(np.angle(z + 3.0))

    expected = _realified_gradient(f, _Z)
    for chunk in (None, 1, 3, 5):  # chunks splitting the 1 and 1j directions of an element
        np.testing.assert_allclose(gradient(f, chunk_size=chunk)(_Z), expected, rtol=1e-7, atol=1e-7)
    # a descent direction, as in PyTorch: f(z - t·g) < f(z) for a small step
    g = gradient(f)(_Z)
    assert f(_Z - 1e-4 * g) < f(_Z)


def test_gradient_mixed_real_and_complex_arguments():
    def f(a, z):
        return np.sum(a * np.abs(z) ** 2) + np.sum(a**2)

    a = np.array([0.5, -1.0])
    z = np.array([1 + 1j, 2 - 3j])
    for chunk in (None, 1, 2, 3):
        ga, gz = gradient(f, argnums=(0, 1), chunk_size=chunk)(a, z)
        np.testing.assert_allclose(ga, np.abs(z) ** 2 + 2 * a, rtol=1e-15)
        np.testing.assert_allclose(gz, 2 * a * z, rtol=1e-15)
        assert ga.dtype == np.float64 and gz.dtype == np.complex128


@pytest.mark.parametrize(
    "f, x",
    [
        (lambda z: np.sum(z * z), _Z),  # complex output of complex input
        (lambda z: np.sum(z * np.conj(z)), _Z),  # real in exact arithmetic, complex dtype
        (lambda x: np.sum(np.exp(1j * x)), np.ones(3)),  # complex output of real input
    ],
)
def test_gradient_of_complex_valued_function_is_an_error(f, x):
    with pytest.raises(ValueError, match=r"gradient: the function returned a complex value.*np\.real"):
        gradient(f)(x)
    with pytest.raises(ValueError, match="value_and_gradient: the function returned a complex value"):
        value_and_gradient(f)(x)


@pytest.mark.parametrize(
    "f",
    [
        lambda z: z**3 - 2.0 * z + 1.0,
        np.exp,
        np.log,
        lambda z: np.sqrt(z) / (1.0 + z**2),
        lambda z: _A @ z,
        lambda z: np.linalg.solve(_A + np.diag(z), z),
        np.fft.fft,
        lambda z: np.outer(z, z),
        lambda z: np.prod(z) * np.cumsum(z),
    ],
)
def test_jacobian_of_holomorphic_function_is_the_complex_derivative(f):
    j = jacobian(f)(_Z)
    assert j.dtype == np.complex128
    np.testing.assert_allclose(j, _complex_fd_jacobian(f, _Z), rtol=1e-7, atol=1e-7)
    for chunk in (1, 3):
        np.testing.assert_allclose(jacobian(f, chunk_size=chunk)(_Z), j, rtol=1e-14, atol=1e-15)
    value, j2 = value_and_jacobian(f)(_Z)
    np.testing.assert_array_equal(j2, j)


@pytest.mark.parametrize(
    "f",
    [
        np.abs,
        np.conj,
        np.real,
        np.imag,
        np.angle,
        lambda z: z * np.conj(z),
        lambda z: z + 1e-6 * np.conj(z),  # slightly non-holomorphic: still no complex derivative
        lambda z: np.stack([1e20 * z[0], np.conj(z[1])]),  # a huge entry elsewhere hides nothing
        lambda z: 1e20 * z[0] + np.conj(z[1]),
        lambda z: (z**2, np.abs(z)),  # one output of several
    ],
)
def test_jacobian_of_non_holomorphic_function_is_an_error(f):
    # regression: these used to return ∂f/∂x as if it were a complex Jacobian
    with pytest.raises(ValueError, match=r"jacobian: the function is not holomorphic.*z\.real, z\.imag"):
        jacobian(f)(_Z)
    with pytest.raises(ValueError, match="value_and_jacobian: the function is not holomorphic"):
        value_and_jacobian(f)(_Z)


def test_non_holomorphic_function_differentiated_through_real_and_imaginary_parts():
    # the fix the error message suggests gives every partial derivative
    jx, jy = jacobian(lambda x, y: np.conj(x + 1j * y), argnums=(0, 1))(_Z.real, _Z.imag)
    np.testing.assert_array_equal(jx, np.eye(4))
    np.testing.assert_array_equal(jy, -1j * np.eye(4))


def test_jacobian_checks_holomorphy_under_an_enclosing_transform():
    # at p = 0 the map z -> z + p·conj(z) is holomorphic, but its derivative in p is not
    with pytest.raises(ValueError, match="not holomorphic"):
        derivative(lambda p: jacobian(lambda z: z + p * np.conj(z))(_Z))(0.0)
    d = derivative(lambda p: jacobian(lambda z: p * z**2)(_Z))(2.0)
    np.testing.assert_allclose(d, np.diag(2 * _Z), rtol=1e-15)


def test_jacobian_of_real_input_with_complex_output():
    x = np.linspace(0.0, 1.0, 5)
    j = jacobian(np.fft.fft)(x)
    assert j.dtype == np.complex128
    np.testing.assert_allclose(j, np.fft.fft(np.eye(5), axis=0), atol=1e-14)
    f = lambda x: np.exp(1j * x) * x  # noqa: E731
    np.testing.assert_allclose(jacobian(f)(x), np.diag((1 + 1j * x) * np.exp(1j * x)), rtol=1e-15)
    assert derivative(f)(0.5) == pytest.approx((1 + 0.5j) * np.exp(0.5j), rel=1e-15)


def test_derivative_of_complex_input():
    np.testing.assert_allclose(derivative(np.exp)(_Z), np.exp(_Z), rtol=1e-15)
    np.testing.assert_allclose(derivative(lambda z: z**3)(_Z), 3 * _Z**2, rtol=1e-15)
    assert derivative(lambda a, z: a * z**2, argnums=1)(2.0, 1j) == -0 + 4j
    for f in (np.abs, np.conj, np.real, lambda z: np.abs(z) ** 2):
        with pytest.raises(ValueError, match="derivative: the function is not holomorphic"):
            derivative(f)(_Z)


def test_jvp_of_complex_input_is_the_directional_derivative():
    v = np.array([1.0 - 2.0j, 0.5j, 3.0, -1.0 + 1.0j])
    _, t = jvp(np.conj, _Z, v)  # defined for any f, holomorphic or not
    np.testing.assert_array_equal(t, np.conj(v))
    _, t = jvp(lambda z: np.abs(z) ** 2, _Z, v)
    np.testing.assert_allclose(t, 2 * np.real(np.conj(_Z) * v), rtol=1e-14)
    _, t = jvp(lambda z: z**2, _Z, np.ones(4))  # a real tangent of a complex input is fine
    np.testing.assert_allclose(t, 2 * _Z, rtol=1e-15)
    with pytest.raises(TypeError, match=r"jvp: complex tangent .* real argument 0"):
        jvp(np.sin, np.ones(4), v)
    with pytest.raises(TypeError, match=r"hvp: complex tangent"):
        hvp(lambda x: np.sum(x**3))(np.ones(4), v)


def test_hessian_of_complex_input_is_an_error_and_hvp_is_defined():
    def f(z):
        return np.sum(np.abs(z) ** 4) + np.sum(np.abs(_A @ z) ** 2) + np.real(np.sum(z**3))

    with pytest.raises(TypeError, match=r"hessian: complex input .*np\.stack\(\[z\.real, z\.imag\]\)"):
        hessian(f)(_Z)
    v = np.array([1.0 - 2.0j, 0.5j, 3.0, -1.0 + 1.0j])
    g = gradient(f)
    h = 1e-5
    expected = (g(_Z + h * v) - g(_Z - h * v)) / (2 * h)
    np.testing.assert_allclose(hvp(f)(_Z, v), expected, rtol=1e-7, atol=1e-6)
    # the same as the real Hessian of w -> f(w[0] + 1j w[1]) applied to (v.real, v.imag)
    hr = hessian(lambda w: f(w[0] + 1j * w[1]))(np.stack([_Z.real, _Z.imag]))
    hv = np.einsum("abcd,cd->ab", hr, np.stack([v.real, v.imag]))
    np.testing.assert_allclose(hvp(f)(_Z, v), hv[0] + 1j * hv[1], rtol=1e-12, atol=1e-11)


# ---------------------------------------------------------------- precision
_F32 = np.array([0.5, -1.25, 2.0], dtype=np.float32)


@pytest.mark.parametrize(
    "name, call",
    [
        ("derivative", lambda x: derivative(np.sin)(x)),
        ("derivative of a scalar", lambda x: derivative(np.sin)(x[0])),
        ("derivative with python floats", lambda x: derivative(lambda x: 2.0 * x**2 + 1.0)(x)),
        ("jvp with a float64 tangent", lambda x: jvp(np.sin, x, np.ones(3))[1]),
        ("jvp value", lambda x: jvp(np.sin, x, np.ones(3))[0]),
        ("jacobian", lambda x: jacobian(lambda x: x * 2.0)(x)),
        ("jacobian of a constant", lambda x: jacobian(lambda x: np.ones(2, dtype=np.float32))(x)),
        ("value_and_jacobian", lambda x: value_and_jacobian(np.tanh)(x)[1]),
        ("gradient", lambda x: gradient(lambda x: np.sum(np.sin(x) * 3.0))(x)),
        ("value_and_gradient", lambda x: value_and_gradient(lambda x: np.sum(x**2))(x)[1]),
        ("hessian", lambda x: hessian(lambda x: np.sum(x**3))(x)),
        ("hvp with a float64 vector", lambda x: hvp(lambda x: np.sum(x**3))(x, np.ones(3))),
    ],
)
def test_float32_in_float32_out(name, call):
    r = call(_F32.copy())
    assert r.dtype == np.float32, name


def test_float32_results_are_right():
    x = _F32
    np.testing.assert_allclose(derivative(np.sin)(x), np.cos(x), rtol=1e-6)
    np.testing.assert_allclose(hvp(lambda x: np.sum(x**3))(x, np.ones(3)), 6 * x, rtol=1e-6)
    np.testing.assert_allclose(hessian(lambda x: np.sum(x**3))(x), np.diag(6 * x), rtol=1e-6)


def test_result_dtype_follows_inputs_and_outputs():
    x = _F32
    # a float64 output of a float32 input: float64 Jacobian
    assert jacobian(lambda x: x * np.ones(3))(x).dtype == np.float64
    assert derivative(lambda x: x * np.float64(2.0))(x).dtype == np.float64
    # complex64 input: complex64 gradient and Jacobian
    z = (x + 1j * x[::-1]).astype(np.complex64)
    g = gradient(lambda z: np.sum(np.abs(z) ** 2))(z)
    assert g.dtype == np.complex64
    np.testing.assert_allclose(g, 2 * z, rtol=1e-6)
    assert jacobian(lambda z: z**2)(z).dtype == np.complex64
    assert derivative(np.exp)(z).dtype == np.complex64
    # real float32 input with complex output
    assert jacobian(lambda x: np.exp(1j * x))(x).dtype == np.complex64
    # integers and bools promote to float64
    assert derivative(np.sin)(np.arange(3)).dtype == np.float64
    assert jvp(lambda x: x**2, np.arange(3), np.ones(3))[1].dtype == np.float64
