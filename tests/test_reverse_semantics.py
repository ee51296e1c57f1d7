"""Reverse mode on the patterns that matter: reverse gradients against forward mode and finite differences.

* the README's and examples' patterns: work buffers from ``np.zeros_like(x)``, ``buf[i] = ...``, ``+=``,
  ``out=`` of ufuncs and reductions, ``np.copyto(where=)``, writes through views (``np.reshape(buf, (3, 1))
  [1, 0] = ...``), ``np.add.at`` with repeated indices, ``buf[[0, 0]] = x[:2]`` (the last writer wins),
  views made before a write and read after it, ``x.sort()``, ``nan_to_num(copy=False)``;
* mutation after use, inside f and between ``vjp`` and calling the pullback: the gradient is the one of
  what was computed;
* NaN/inf in the unused branches of ``np.where``/``select``/``piecewise`` never reach a reverse gradient;
* the README's kink conventions, in reverse mode;
* eigh at a repeated eigenvalue: ``mode="reverse"`` refuses (NotLinearError), ``"auto"`` equals forward;
* complex inputs: gradients of real f agree with forward mode, non-holomorphic Jacobians raise;
* nesting in every order (reverse over forward, forward over reverse, reverse over reverse) and
  perturbation confusion (tests/test_confusion.py redone with reverse transforms);
* the pullback's hygiene (callable twice, no aliasing) and memory: nothing is retained after a call.
"""

from __future__ import annotations

import gc
import tracemalloc
import warnings

import numpy as np
import pytest

import dualarray as da
from dualarray import DualArray, NotLinearError

R = {"mode": "reverse"}
F = {"mode": "forward"}


def _richardson(f, x, h=1e-4):
    """Richardson-extrapolated central differences of a real scalar f (real x)."""
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = 1.0

        def d(s, e=e):
            return (f(x + s * e) - f(x - s * e)) / (2 * s)

        g.flat[i] = (4 * d(h / 2) - d(h)) / 3
    return g


def _check_gradient(f, x, *, fd=True, rtol=1e-12, fd_rtol=1e-6, fd_atol=1e-7):
    """reverse == forward (to rounding) and == finite differences; returns the reverse gradient."""
    rev = da.gradient(f, **R)(x)
    fwd = da.gradient(f, **F)(x)
    assert np.shape(rev) == np.shape(x)
    assert np.result_type(rev) == np.result_type(fwd)
    scale = 1.0 + float(np.max(np.abs(fwd), initial=0.0))
    np.testing.assert_allclose(rev, fwd, rtol=rtol, atol=rtol * scale, err_msg="reverse != forward")
    if fd:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ref = _richardson(f, x)
        np.testing.assert_allclose(rev, ref, rtol=fd_rtol, atol=fd_atol * scale, err_msg="reverse != differences")
    return rev


# ---------------------------------------------------------------- README / examples patterns
X = np.array([0.7, -1.3, 2.1, 0.4, -0.9, 1.6])
W = np.array([0.3, -1.1, 0.8, 1.7, -0.4, 0.9])


def readme_model(p):
    t = np.linspace(0, 1, 50)
    out = np.zeros_like(p, shape=t.shape)
    out[:] = p[0] * np.exp(-p[1] * t)
    out += p[2] * np.sin(t)
    return out.sum() / t.size


def readme_copyto_and_view(x):
    buf = np.zeros_like(x)
    np.copyto(buf, 2 * x, where=np.asarray(x > 0))
    np.reshape(buf, (3, 1))[1, 0] = x[1] ** 3
    return np.sum(buf * W[:3])


def reshape_view_write(x):
    buf = np.zeros_like(x)
    np.reshape(buf, (3, 2))[1, 0] = x[1] ** 3
    np.reshape(buf, (2, 3))[:, 2] += x[:2] ** 2
    return np.sum(buf * W)


def setitem_and_iadd(x):
    b = np.zeros_like(x)
    b[0] = x[0] ** 2
    b[1] = x[1] * x[2]
    b[2:4] = np.sin(x[2:4])
    b += x
    b[4:] -= x[:2] * 3
    return np.sum(b**2 * W)


def ufunc_out(x):
    b = np.empty_like(x)
    np.multiply(x, x, out=b)
    np.sin(b, out=b)
    np.add(b, x, out=b)
    return np.sum(b * W)


def ufunc_out_where(x):
    b = x * 1.0
    np.exp(x, out=b, where=np.asarray(x > 0))
    return np.sum(b * W)


def reduction_out(x):
    b = np.zeros_like(x, shape=(3,))
    np.add.reduce((x**2).reshape(2, 3), axis=0, out=b)
    c = np.zeros_like(x)
    np.cumsum(x * W, out=c)
    return np.sum(b * W[:3]) + np.sum(c * x)


def matmul_out(x):
    B = np.zeros_like(x, shape=(2, 2))
    np.matmul(x.reshape(2, 3), x.reshape(3, 2), out=B)
    return np.sum(B * W[:4].reshape(2, 2))


def add_at_repeated(x):
    b = np.zeros_like(x)
    np.add.at(b, [0, 0, 2, 0, 5], x[:5] ** 2)
    return np.sum(b * W) + b[0] ** 2


def add_at_2d(x):
    b = np.zeros_like(x, shape=(2, 2))
    np.add.at(b, ([0, 0, 1, 0], [1, 1, 0, 1]), x[:4] ** 2)
    return np.sum(b * W[:4].reshape(2, 2))


def last_writer_wins(x):
    b = np.zeros_like(x)
    b[[0, 0]] = x[:2]  # NumPy keeps the last: b[0] = x[1]
    b[[3, 1, 3]] = x[2:5] ** 2  # b[3] = x[4]²
    return np.sum(b * np.arange(1.0, 7.0))


def view_before_write(x):
    b = np.zeros_like(x)
    v = b[1:4]
    w = b.reshape(2, 3)[:, ::-1]
    b[2] = x[0] ** 2
    b[1] = x[2]
    w[1, 0] = x[3] * x[4]  # b[5]
    return np.sum(v * v) + b[0] + np.sum(w * W.reshape(2, 3))


def read_view_of_written_view(x):
    b = np.zeros_like(x)
    v = b[1:]
    w = v[::2]
    w[0] = x[0] ** 2
    v[1] = x[5]
    return np.sum(b * W) + np.sum(w * W[:3])


def overlapping_self_writes(x):
    a = x * 1.0
    a[1:] = a[:-1]
    b = x * 1.0
    b[1:] += b[:-1]
    c = x * 1.0
    c += c[::-1]
    d = x * 1.0
    d *= d[::-1]
    return np.sum((a + b**2 + c * d) * W)


def transposed_view_write(x):
    B = np.zeros_like(x, shape=(2, 3))
    B.T[0] = x[:2] ** 2
    B.T[1:] = x[2:].reshape(2, 2)
    np.swapaxes(B, 0, 1)[2, 1] *= x[5]
    return np.sum(B * W.reshape(2, 3))


def mask_and_flat_writes(x):
    b = np.zeros_like(x)
    m = np.asarray(x > 0)
    b[m] = x[m] ** 2
    c = np.zeros_like(x, shape=(2, 3))
    c.flat[[1, 4]] = x[:2] ** 3
    return np.sum(b * W) + np.sum(c * W.reshape(2, 3))


def sort_in_place(x):
    y = x * x
    y.sort()
    z = (x * 1.0).reshape(2, 3)
    z.sort(axis=0)
    return np.sum(y * np.arange(1.0, 7.0)) + np.sum(z * W.reshape(2, 3))


def sort_the_input(x):
    x.sort()
    return np.sum(x * np.arange(1.0, 7.0))


def nan_to_num_in_place(x):
    with np.errstate(invalid="ignore"):
        y = np.log(x)
    np.nan_to_num(y, copy=False, nan=0.5)
    return np.sum(y * W)


def swap_rows(x):
    B = (x * 1.0).reshape(2, 3)
    B[[0, 1]] = B[[1, 0]]
    b = x * 1.0
    b[[1, 2]] = b[[2, 1]]
    return np.sum(B * W.reshape(2, 3)) + np.sum(b * x)


def in_place_functions(x):
    b = np.zeros_like(x)
    np.put(b, [7, -1, 2], x[:3] ** 2, mode="wrap")
    np.putmask(b, np.array([False, True, False, False, True, False]), x * 2)
    c = np.zeros_like(x)
    np.place(c, np.array([True, False, True, False, False, True]), x[3:] ** 2)
    B = np.outer(x[:3], x[3:])
    np.fill_diagonal(B, x[:3] ** 2)
    return np.sum(b * W) + np.sum(c * W) + np.sum(B * W[:3])


def put_along_axis_pattern(x):
    B = (x * 1.0).reshape(2, 3)
    np.put_along_axis(B, np.array([[0], [2]]), x[:2].reshape(2, 1) ** 2, axis=1)
    return np.sum(B * W.reshape(2, 3))


def ufunc_at_variants(x):
    b = x * 1.0
    np.multiply.at(b, [0, 0, 2], x[3:])
    np.subtract.at(b, [1, 1], x[:2] ** 2)
    return np.sum(b * W)


def in_place_operators(x):
    b = x * 1.0
    b **= 3
    b[::2] /= x[1::2]
    b -= x[::-1]
    return np.sum(b * W)


PATTERNS = [
    readme_copyto_and_view, reshape_view_write, setitem_and_iadd, ufunc_out, ufunc_out_where, reduction_out,
    matmul_out, add_at_repeated, add_at_2d, last_writer_wins, view_before_write, read_view_of_written_view,
    overlapping_self_writes, transposed_view_write, mask_and_flat_writes, sort_in_place, sort_the_input,
    nan_to_num_in_place, swap_rows, in_place_functions, put_along_axis_pattern, ufunc_at_variants,
    in_place_operators,
]


@pytest.mark.parametrize("f", PATTERNS, ids=lambda f: f.__name__)
def test_pattern(f):
    """Strict: mode="reverse" must record these (they are the README's workflow), and agree."""
    x = X[:3].copy() if f is readme_copyto_and_view else X.copy()
    _check_gradient(f, x)
    np.testing.assert_array_equal(x, X[: x.size], err_msg="the caller's array was modified")


@pytest.mark.parametrize("f", PATTERNS, ids=lambda f: f.__name__)
def test_pattern_auto_equals_forward(f):
    x = X[:3].copy() if f is readme_copyto_and_view else X.copy()
    np.testing.assert_allclose(da.gradient(f)(x), da.gradient(f, **F)(x), rtol=1e-12, atol=1e-12)


def test_readme_model():
    p = np.array([1.0, 0.5, 0.2])
    g = _check_gradient(readme_model, p)
    t = np.linspace(0, 1, 50)
    assert np.isclose(g[1], np.mean(-t * np.exp(-0.5 * t)))


def test_readme_buffer_values():
    """The README's copyto/reshape-view example, values and tangents through vjp and linearize."""
    x = np.array([4.0, -1.0, 9.0])

    def f(x):
        buf = np.zeros_like(x)
        np.copyto(buf, 2 * x, where=np.asarray(x > 0))
        np.reshape(buf, (3, 1))[1, 0] = x[1] ** 3
        return buf

    y, pull = da.vjp(f, x)
    np.testing.assert_array_equal(y, [8.0, -1.0, 18.0])
    np.testing.assert_array_equal(pull(np.ones(3)), [2.0, 3.0, 2.0])
    _, push = da.linearize(f, x)
    np.testing.assert_array_equal(push(np.ones(3)), [2.0, 3.0, 2.0])


def test_pytorch_tutorial_reverse():
    grad = da.gradient(lambda x: np.mean(3 * (x + 2) ** 2), **R)(np.ones((2, 2)))
    assert np.all(grad == 4.5)


# ---------------------------------------------------------------- mutation after use
def _consts():
    return {
        "c": np.array([1.0, 2.0, 3.0]),
        "M": np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [1.0, 0.0, 1.0]]),
        "mask": np.array([True, False, True]),
        "idx": np.array([2, 0, 0]),
        "xp": np.array([-2.0, 0.0, 3.0]),
        "fp": np.array([0.0, 1.0, -1.0]),
    }


def _scramble(k):
    """Overwrite every constant in place (same shapes, other values)."""
    for a in k.values():
        if a.dtype == bool:
            a[...] = ~a
        elif a.dtype.kind == "i":
            a[...] = (a + 1) % 3
        else:
            a[...] = a * 7 + 1


def _filled(make):
    def run(x, k):
        b = np.zeros_like(x)
        make(b, x, k)
        return b

    return run


USES = {
    "multiply": lambda x, k: x * k["c"],
    "divide": lambda x, k: x / k["c"],
    "power_const_exponent": lambda x, k: x ** k["c"],
    "power_const_base": lambda x, k: k["c"] ** x,
    "hypot": lambda x, k: np.hypot(x, k["c"]),
    "maximum_const": lambda x, k: np.maximum(x, k["c"] - 2.5),
    "clip": lambda x, k: np.clip(x, k["c"] - 3, k["c"]),
    "matmul": lambda x, k: k["M"] @ x,
    "dot": lambda x, k: np.dot(x, k["M"]),
    "einsum": lambda x, k: np.einsum("ij,j->i", k["M"], x),
    "tensordot": lambda x, k: np.tensordot(k["M"], x, 1),
    "outer": lambda x, k: np.outer(k["c"], x).ravel(),
    "solve": lambda x, k: np.linalg.solve(k["M"] + 3 * np.eye(3), x),
    "where_mask": lambda x, k: np.where(k["mask"], x, 0.0),
    "bool_index": lambda x, k: x[k["mask"]],
    "fancy_index": lambda x, k: x[k["idx"]],
    "take": lambda x, k: np.take(x, k["idx"]),
    "interp_in_x": lambda x, k: np.interp(x, k["xp"], k["fp"]),
    "interp_in_fp": lambda x, k: np.interp(k["c"], k["xp"], x),
    "convolve": lambda x, k: np.convolve(x, k["c"]),
    "polyval_in_x": lambda x, k: np.polyval(k["c"], x),
    "polyval_in_p": lambda x, k: np.polyval(x, k["c"]),
    "average_weights": lambda x, k: np.average(x, weights=k["c"]),
    "cumsum_product": lambda x, k: np.cumsum(x * k["c"]),
    "sort_shifted": lambda x, k: np.sort(x + k["c"]),
    "add_at": _filled(lambda b, x, k: np.add.at(b, k["idx"], x)),
    "setitem_index": _filled(lambda b, x, k: b.__setitem__(k["idx"][:2], x[:2])),
    "putmask": _filled(lambda b, x, k: np.putmask(b, k["mask"], x)),
    "place": _filled(lambda b, x, k: np.place(b, k["mask"], x)),
    "ufunc_out": _filled(lambda b, x, k: np.multiply(x, k["c"], out=b)),
    "in_place_multiply": lambda x, k: (lambda b: (b.__imul__(k["c"]), b)[1])(x * 1.0),
}
XM = np.array([0.7, -1.3, 2.1])


def _pull_ref(use, x, w):
    return da.vjp(lambda x: use(x, _consts()), x)[1](w)


@pytest.mark.parametrize("name", list(USES))
def test_constants_mutated_between_vjp_and_pullback(name):
    """``c[...] = ...`` after ``vjp`` returns: the pullback is the one of what was computed."""
    use = USES[name]
    k = _consts()
    y, pull = da.vjp(lambda x: use(x, k), XM)
    w = np.linspace(0.5, 1.5, np.size(y)).reshape(np.shape(y))
    ref = _pull_ref(use, XM, w)
    _scramble(k)
    np.testing.assert_allclose(pull(w), ref, rtol=1e-14, atol=0, err_msg=f"{name}: pullback read mutated constants")


@pytest.mark.parametrize("name", list(USES))
def test_constants_mutated_inside_f_after_use(name):
    """``y = x * c; c[...] = ...; return y`` inside f: the gradient of y (as computed)."""
    use = USES[name]

    def f(x):
        k = _consts()
        y = use(x, k)
        _scramble(k)
        return np.sum(y * np.linspace(0.5, 1.5, np.size(y)).reshape(np.shape(y)))

    _check_gradient(f, XM.copy(), fd=False)
    wref = np.linspace(0.5, 1.5, np.size(use(XM, _consts())))
    np.testing.assert_allclose(da.gradient(f, **R)(XM), _pull_ref(use, XM, wref.reshape(np.shape(use(XM, _consts())))),
                               rtol=1e-14, atol=1e-15)


def test_buffer_written_after_use_inside_f():
    """The brief's pattern: ``y = x * buf; buf[0] = 5`` (a DualArray buffer, a constant and a traced write)."""
    x = XM.copy()

    def const_write(x):
        buf = np.zeros_like(x)
        buf[:] = x
        y = x * buf
        buf[0] = 5.0
        return np.sum(y)

    def traced_write(x):
        buf = np.zeros_like(x)
        buf[:] = x
        y = x * buf
        buf[0] = 5.0 * x[1]
        return np.sum(y) + np.sum(buf)

    def scaled(x):
        buf = np.zeros_like(x)
        buf[:] = x
        y = x * buf
        buf *= 3
        return np.sum(y) + np.sum(buf)

    def plain(x):
        buf = np.ones(3)
        y = x * buf
        buf[0] = 5.0
        return np.sum(y)

    np.testing.assert_allclose(_check_gradient(const_write, x), 2 * x, rtol=1e-15)
    np.testing.assert_allclose(_check_gradient(traced_write, x), 2 * x + [0, 6, 1], rtol=1e-15)
    np.testing.assert_allclose(_check_gradient(scaled, x), 2 * x + 3, rtol=1e-15)
    np.testing.assert_array_equal(_check_gradient(plain, x), np.ones(3))


def test_primal_mutated_between_vjp_and_pullback():
    x = XM.copy()
    y, pull = da.vjp(lambda x: np.sin(x) * x, x)
    x[:] = 100.0
    np.testing.assert_allclose(pull(np.ones(3)), np.cos(XM) * XM + np.sin(XM), rtol=1e-15)
    np.testing.assert_array_equal(y, np.sin(XM) * XM)


def test_input_mutated_inside_f():
    """f writes into its own (DualArray) input after using it; the caller's array is untouched."""
    def write_const(x):
        y = np.sin(x) * x
        x[0] = 7.0
        return y

    def scale_input(x):
        y = x * x
        x *= 3
        return np.sum(y) + np.sum(x)

    def through_view(x):
        v = x[1:]
        x[0] = v[1] ** 2
        x[2] = 0.0
        return np.sum(v * v) + x[0]  # x1² + x2_old²

    x = XM.copy()
    _, pull = da.vjp(write_const, x)
    np.testing.assert_allclose(pull(np.ones(3)), np.cos(XM) * XM + np.sin(XM), rtol=1e-15)
    np.testing.assert_allclose(_check_gradient(scale_input, x), 2 * XM + 3, rtol=1e-15)
    np.testing.assert_allclose(_check_gradient(through_view, x), [0.0, 2 * XM[1], 2 * XM[2]], rtol=1e-15)
    np.testing.assert_array_equal(x, XM)


def test_returned_view_sees_a_later_write():
    def f(x):
        b = x * 1.0
        v = b[:2]
        b[0] = x[2] ** 2
        return v

    y, pull = da.vjp(f, XM)
    np.testing.assert_array_equal(y, [XM[2] ** 2, XM[1]])
    np.testing.assert_array_equal(pull(np.array([1.0, 1.0])), [0.0, 1.0, 2 * XM[2]])
    np.testing.assert_array_equal(da.jacobian(f, **R)(XM), da.jacobian(f, **F)(XM))


# ---------------------------------------------------------------- pullback hygiene
def test_pullback_is_reusable_and_does_not_alias():
    x = XM.copy()
    w = np.array([1.0, 2.0, 3.0])
    for f in (lambda x: x, lambda x: x.reshape(3), lambda x: x[::-1], lambda x: np.sin(x) * x):
        y, pull = da.vjp(f, x)
        assert not np.shares_memory(y, x)
        w0 = w.copy()
        a = pull(w)
        assert not np.shares_memory(a, w)
        np.testing.assert_array_equal(w, w0, err_msg="the pullback modified its cotangent")
        a_copy = a.copy()
        a[...] = -99.0  # scribbling on a result must not change the next one
        b = pull(w)
        np.testing.assert_array_equal(b, a_copy)
        np.testing.assert_allclose(pull(2 * w), 2 * a_copy, rtol=1e-15)
        np.testing.assert_array_equal(pull(np.arange(6.0)[::2] + 1), pull(np.array([1.0, 3.0, 5.0])))


def test_linearize_push_is_reusable():
    y, push = da.linearize(lambda x: np.cumsum(np.exp(x) * x[::-1]), XM)
    v = np.array([1.0, -2.0, 0.5])
    a = push(v)
    a[...] = 0.0
    b = push(v)
    np.testing.assert_array_equal(b, push(v.copy()))
    _, fwd = da.jvp(lambda x: np.cumsum(np.exp(x) * x[::-1]), XM, v)
    np.testing.assert_allclose(b, fwd, rtol=1e-15)


# ---------------------------------------------------------------- NaN/inf in unused branches
Z = np.array([-1.0, 0.0, 4.0, 2.25])


def _expect_no_leak(f, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rev = da.gradient(f, **R)(Z)
        fwd = da.gradient(f, **F)(Z)
        jrev = da.jacobian(lambda z: f(z) * np.ones(2), **R)(Z)
        y, pull = da.vjp(f, Z)
        batch = pull(np.array([1.0, 2.0, -1.0]))
    assert np.all(np.isfinite(rev)), rev
    np.testing.assert_allclose(rev, expected, rtol=1e-14)
    np.testing.assert_allclose(fwd, expected, rtol=1e-14)
    np.testing.assert_allclose(jrev, [expected, expected], rtol=1e-14)
    np.testing.assert_allclose(batch, np.outer([1.0, 2.0, -1.0], expected), rtol=1e-14)


def test_where_does_not_leak():
    _expect_no_leak(lambda x: np.sum(np.where(x > 0, np.sqrt(x), 0.0)), [0.0, 0.0, 0.25, 1 / 3])
    _expect_no_leak(lambda x: np.sum(np.where(x > 0, np.log(x), x)), [1.0, 1.0, 0.25, 1 / 2.25])
    _expect_no_leak(lambda x: np.sum(np.where(x != 0, 1 / x, 2 * x)), [-1.0, 2.0, -1 / 16, -1 / 2.25**2])
    _expect_no_leak(lambda x: np.sum(np.where(x > 0, x**0.5, -x)), [-1.0, -1.0, 0.25, 1 / 3])
    # unused: log(0) = -inf (slope inf) at x = -1, arcsin(1.5) = NaN at x >= 0
    f = lambda x: np.sum(np.where(x < 0, np.arcsin(x + 1.5), np.log(x + 1)))  # noqa: E731
    _expect_no_leak(f, [1 / np.sqrt(0.75), 1.0, 0.2, 1 / 3.25])


def test_select_does_not_leak():
    def f(x):
        return np.sum(np.select([x > 0, x < 0], [np.log(x), np.sqrt(-x) * 2], x**2))

    _expect_no_leak(f, [-1.0, 0.0, 0.25, 1 / 2.25])


def test_piecewise_does_not_leak():
    def f(x):
        return np.sum(np.piecewise(x, [x > 0, x <= 0], [np.log, lambda t: t**2]))

    _expect_no_leak(f, [-2.0, 0.0, 0.25, 1 / 2.25])


def test_where_does_not_leak_into_second_derivatives():
    f = lambda x: np.sum(np.where(x > 0, np.sqrt(x), x**3))  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        h = da.hessian(f)(Z)
        hf = da.hessian(f, **F)(Z)
        hv = da.hvp(f, **R)(Z, np.ones(4))
    expected = np.diag([-6.0, 0.0, -0.25 * 4.0**-1.5, -0.25 * 2.25**-1.5])
    np.testing.assert_allclose(hf, expected, rtol=1e-14)
    np.testing.assert_allclose(h, expected, rtol=1e-14)
    np.testing.assert_allclose(hv, np.diag(expected), rtol=1e-14)


# ---------------------------------------------------------------- kink conventions (README's table)
def _ZERO_TIMES_SQRT(x):  # noqa: N802
    return np.sum(0.0 * np.sqrt(x))


KINKS = [
    ("abs at 0", lambda x: np.sum(np.abs(x)), [0.0, -2.0, 3.0], [0.0, -1.0, 1.0]),
    ("fabs at 0", lambda x: np.sum(np.fabs(x)), [0.0, -2.0], [0.0, -1.0]),
    ("sign at 0", lambda x: np.sum(np.sign(x) * 3), [0.0, 2.0], [0.0, 0.0]),
    ("sqrt at 0, zero cotangent", lambda x: np.sqrt(x)[1], [0.0, 4.0], [0.0, 0.25]),
    ("sqrt at 0 times 0", _ZERO_TIMES_SQRT, [0.0, 4.0], [0.0, 0.0]),
    ("cbrt at 0, zero cotangent", lambda x: np.cbrt(x)[1], [0.0, 8.0], [0.0, 1 / 12]),
    ("x**0.5 at 0, zero cotangent", lambda x: (x**0.5)[1], [0.0, 4.0], [0.0, 0.25]),
    ("maximum tie", lambda x: np.maximum(x[0], x[1]), [1.0, 1.0], [0.5, 0.5]),
    ("minimum tie", lambda x: np.minimum(x[0], x[1]), [1.0, 1.0], [0.5, 0.5]),
    ("fmax tie", lambda x: np.fmax(x[0], x[1]), [1.0, 1.0], [0.5, 0.5]),
    ("fmin tie", lambda x: np.fmin(x[0], x[1]), [1.0, 1.0], [0.5, 0.5]),
    ("clip at the bounds", lambda x: np.sum(np.clip(x, 0.0, 1.0)), [0.0, 1.0, 0.5], [0.5, 0.5, 1.0]),
    ("max ties, 1/n", lambda x: np.max(x), [2.0, 1.0, 2.0, 2.0], [1 / 3, 0.0, 1 / 3, 1 / 3]),
    ("min ties", lambda x: np.min(x), [1.0, 1.0, 2.0], [0.5, 0.5, 0.0]),
    ("ptp ties", lambda x: np.ptp(x), [1.0, 3.0, 1.0, 3.0], [-0.5, 0.5, -0.5, 0.5]),
    ("x**0 at 0", lambda x: np.sum(x**0), [0.0, 2.0], [0.0, 0.0]),
    ("0**y, y > 0", lambda y: np.sum(np.zeros(2) ** y), [1.0, 2.0], [0.0, 0.0]),
    ("(-2)**2", lambda x: np.sum(x**2.0), [-2.0], [-4.0]),
    ("floor/rint/round", lambda x: np.sum(np.floor(x) + np.rint(x) + np.round(x, 1)), [1.5, -0.5], [0.0, 0.0]),
    ("prod at a zero", np.prod, [2.0, 0.0, 3.0], [0.0, 6.0, 0.0]),
    ("prod at two zeros", np.prod, [2.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
    ("std at zero spread", np.std, [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]),
    ("norm at 0", np.linalg.norm, [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
    ("hypot(0, 0)", lambda x: np.hypot(x[0], x[1]), [0.0, 0.0], [0.0, 0.0]),
    ("interp at a knot", lambda x: np.interp(x, [0, 1, 3], [0, 2, 1])[0], [1.0], [0.75]),
    ("sort ties keep order", lambda x: np.sum(np.sort(x) * [1.0, 2.0, 3.0]), [2.0, 1.0, 2.0], [2.0, 1.0, 3.0]),
    ("median ties", np.median, [1.0, 2.0, 2.0, 5.0, 2.0], [0.0, 1 / 3, 1 / 3, 0.0, 1 / 3]),
]


@pytest.mark.parametrize(("f", "x", "expected"), [k[1:] for k in KINKS], ids=[k[0] for k in KINKS])
def test_kink_convention(f, x, expected):
    x = np.array(x)
    rev = da.gradient(f, **R)(x)
    np.testing.assert_allclose(rev, expected, rtol=1e-15, atol=0)
    if f is not _ZERO_TIMES_SQRT:  # forward mode gives 0·inf = NaN there (the tangent 1 is not zero)
        np.testing.assert_array_equal(rev, da.gradient(f, **F)(x))


def test_kink_norm_of_matrix_and_vector_norms_at_zero():
    for ord_ in (None, 2, 1, np.inf):
        g = da.gradient(lambda x, o=ord_: np.linalg.norm(x, ord=o), **R)(np.zeros(3))
        np.testing.assert_array_equal(g, np.zeros(3), err_msg=f"ord={ord_}")
    np.testing.assert_array_equal(da.gradient(np.linalg.norm, **R)(np.zeros((2, 2))), np.zeros((2, 2)))


def test_sqrt_at_zero_nonzero_cotangent_is_inf():
    _, pull = da.vjp(np.sqrt, np.array([0.0, 4.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_array_equal(pull(np.array([1.0, 1.0])), [np.inf, 0.25])
        np.testing.assert_array_equal(pull(np.array([[0.0, 1.0], [1.0, 0.0]])), [[0.0, 0.25], [np.inf, 0.0]])


def test_det_at_a_singular_matrix_is_the_adjugate_transpose():
    A = np.array([[1.0, 2.0], [2.0, 4.0]])
    adj = np.array([[4.0, -2.0], [-2.0, 1.0]])  # adj(A); ∂det/∂A = adj(A)ᵀ
    np.testing.assert_array_equal(da.gradient(np.linalg.det, **R)(A), adj.T)
    B = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 5.0]])  # rank 2
    np.testing.assert_allclose(da.gradient(np.linalg.det, **R)(B), da.gradient(np.linalg.det, **F)(B), atol=1e-12)
    _, pull = da.vjp(np.linalg.det, A)
    np.testing.assert_array_equal(pull(np.float64(1.0)), adj.T)


# ---------------------------------------------------------------- eigh at a repeated eigenvalue
def _expm_sym(A):
    w, V = np.linalg.eigh(A)
    return (V * np.exp(w)) @ V.T


def test_eigh_repeated_reverse_refuses_auto_is_forward():
    S = np.arange(9.0).reshape(3, 3)
    f = lambda A: np.sum(_expm_sym(A) * S)  # noqa: E731
    with pytest.raises(NotLinearError):
        da.gradient(f, **R)(np.eye(3))
    with pytest.raises(NotLinearError):
        da.vjp(_expm_sym, np.eye(3))
    with pytest.raises(NotLinearError):
        da.jacobian(_expm_sym, **R)(np.eye(3))
    np.testing.assert_array_equal(da.gradient(f)(np.eye(3)), da.gradient(f, **F)(np.eye(3)))
    np.testing.assert_array_equal(da.jacobian(_expm_sym)(np.eye(3)), da.jacobian(_expm_sym, **F)(np.eye(3)))
    # d exp(A) = e·S at A = I (README)
    S = np.array([[1.0, 2.0, 0.0], [2.0, -1.0, 3.0], [0.0, 3.0, 5.0]])
    J = da.jacobian(_expm_sym)(np.eye(3))
    np.testing.assert_allclose(np.einsum("ijkl,kl->ij", J, S), np.e * S)


def test_eigh_simple_eigenvalues_reverse_equals_forward():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((4, 4))
    A = A + A.T
    S = rng.standard_normal((4, 4))
    f = lambda A: np.sum(_expm_sym(A) * S) + np.sum(np.linalg.eigvalsh(A) * [1.0, 2.0, 3.0, 4.0])  # noqa: E731
    _check_gradient(f, A, rtol=1e-10, fd_rtol=1e-5)


# ---------------------------------------------------------------- complex inputs
ZC = np.array([1 + 2j, 3 - 1j, -0.5 + 0.25j])
REAL_OF_COMPLEX = {
    "abs2": lambda z: np.sum(np.abs(z) ** 2),
    "re_cube": lambda z: np.sum(np.real(z**3)),
    "im_exp": lambda z: np.sum(np.imag(np.exp(z))),
    "angle": lambda z: np.sum(np.angle(z)),
    "abs_sin": lambda z: np.sum(np.abs(np.sin(z))),
    "vdot": lambda z: np.real(np.vdot(z, z * [1.0, 2.0, 3.0])),
    "norm": np.linalg.norm,
    "fft_power": lambda z: np.sum(np.abs(np.fft.fft(z)) ** 2 * [1.0, 0.5, 0.25]),
    "conj_product": lambda z: np.sum(np.real(np.conj(z) * z[::-1] * 1j)),
    "solve": lambda z: np.real(np.sum(np.linalg.solve(np.outer(z, z) + 4 * np.eye(3), z))),
    "buffer": lambda z: (lambda b: (b.__setitem__(slice(1, None), z[:2] ** 2), np.sum(np.abs(b)))[1])(z * 1.0),
}


def _complex_fd(f, z, h=1e-5):
    g = np.zeros_like(z)
    for i in range(z.size):
        for unit, part in ((1.0, 1.0), (1j, 1j)):
            e = np.zeros_like(z)
            e.flat[i] = unit
            g.flat[i] += part * (f(z + h * e) - f(z - h * e)) / (2 * h)
    return g


@pytest.mark.parametrize("name", list(REAL_OF_COMPLEX))
def test_complex_gradient_reverse_equals_forward(name):
    f = REAL_OF_COMPLEX[name]
    rev = da.gradient(f, **R)(ZC)
    fwd = da.gradient(f, **F)(ZC)
    assert rev.dtype == np.complex128
    np.testing.assert_allclose(rev, fwd, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rev, _complex_fd(f, ZC), rtol=1e-6, atol=1e-7)
    _, pull = da.vjp(f, ZC)
    np.testing.assert_allclose(pull(np.float64(1.0)), fwd, rtol=1e-12, atol=1e-12)


def test_complex_readme_gradient():
    z = np.array([1 + 2j, 3 - 1j])
    np.testing.assert_allclose(da.gradient(lambda z: np.sum(np.abs(z) ** 2), **R)(z), 2 * z)


@pytest.mark.parametrize("f", [np.abs, np.conj, np.real, np.imag, np.angle, lambda z: z * np.conj(z)],
                         ids=["abs", "conj", "real", "imag", "angle", "z_conj_z"])
def test_jacobian_reverse_of_non_holomorphic_raises(f):
    with pytest.raises(ValueError, match="holomorphic"):
        da.jacobian(f, **R)(ZC)
    with pytest.raises(ValueError, match="holomorphic"):
        da.jacobian(f)(ZC)


@pytest.mark.parametrize("f", [lambda z: z**3, np.exp, np.fft.fft, lambda z: np.outer(z, z) @ z,
                               lambda z: np.linalg.solve(np.outer(z, z) + 4 * np.eye(3), z), np.cumprod],
                         ids=["cube", "exp", "fft", "outer_matmul", "solve", "cumprod"])
def test_jacobian_reverse_of_holomorphic_equals_forward(f):
    rev = da.jacobian(f, **R)(ZC)
    fwd = da.jacobian(f, **F)(ZC)
    assert rev.dtype == np.complex128
    np.testing.assert_allclose(rev, fwd, rtol=1e-12, atol=1e-12)
    for chunk in (1, 2):
        np.testing.assert_allclose(da.jacobian(f, chunk_size=chunk, **R)(ZC), fwd, rtol=1e-12, atol=1e-12)


def test_complex_valued_gradient_raises():
    with pytest.raises(ValueError, match="complex"):
        da.gradient(lambda z: np.sum(z**2), **R)(ZC)


def test_complex_hvp_reverse_equals_forward():
    f = lambda z: np.sum(np.abs(z) ** 4) + np.real(np.sum(z**3))  # noqa: E731
    v = np.array([0.5 - 1j, 2 + 0.5j, -1 + 1j])
    np.testing.assert_allclose(da.hvp(f, **R)(ZC, v), da.hvp(f, **F)(ZC, v), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- nesting
def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def det3(x):
    return np.linalg.det(x.reshape(3, 3))


def buffered(x):
    b = np.zeros_like(x)
    b[1:] = x[:-1] * x[1:]
    b[0] = np.sin(x[-1])
    b += x**3
    return np.sum(b * b)


SCALARS = [rosen, logsumexp, det3, buffered]
XN = np.linspace(-1.0, 1.5, 9)
VN = np.arange(9.0) / 9 - 0.4


@pytest.mark.parametrize("f", SCALARS, ids=lambda f: f.__name__)
def test_hessian_forward_over_reverse(f):
    H = da.hessian(f, **F)(XN)
    scale = 1e-12 * (1.0 + np.max(np.abs(H)))
    for h in (da.hessian(f)(XN), da.hessian(f, **R)(XN), da.jacobian(da.gradient(f, **R), **F)(XN)):
        np.testing.assert_allclose(h, H, rtol=1e-12, atol=scale)
    assert np.array_equal(da.hessian(f, **R)(XN), da.hessian(f, **R)(XN).T)
    np.testing.assert_allclose(da.hvp(f, **R)(XN, VN), H @ VN, rtol=1e-12, atol=scale)
    np.testing.assert_allclose(da.hvp(f)(XN, VN), da.hvp(f, **F)(XN, VN), rtol=1e-12, atol=scale)


@pytest.mark.parametrize("f", SCALARS, ids=lambda f: f.__name__)
def test_reverse_over_reverse_and_over_forward(f):
    H = da.hessian(f, **F)(XN)
    scale = 1e-12 * (1.0 + np.max(np.abs(H)))
    rr = da.gradient(lambda y: da.gradient(f, **R)(y) @ VN, **R)(XN)
    rf = da.gradient(lambda y: da.gradient(f, **F)(y) @ VN, **R)(XN)
    fr = da.gradient(lambda y: da.gradient(f, **R)(y) @ VN, **F)(XN)
    for got in (rr, rf, fr):
        np.testing.assert_allclose(got, H @ VN, rtol=1e-11, atol=scale)
    np.testing.assert_allclose(da.jacobian(da.gradient(f, **R), **R)(XN), H, rtol=1e-11, atol=scale)


def test_vjp_of_vjp():
    # g(x) = pullback of y ↦ sin(x y) at y = x with ones = x cos(x²);  g'(x) = cos(x²) − 2x² sin(x²)
    x = np.array([0.3, 0.5])
    _, pull = da.vjp(lambda x: da.vjp(lambda y: np.sin(x * y), x)[1](np.ones(2)), x)
    np.testing.assert_allclose(pull(np.ones(2)), np.cos(x**2) - 2 * x**2 * np.sin(x**2), rtol=1e-14)


def test_third_derivatives_with_reverse_inside():
    def cubic(x):
        return x[0] * x[1] * x[2] + np.sum(x**3)

    x = np.array([0.5, -1.0, 2.0])
    t = np.zeros((3, 3, 3))
    for i, j, k in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]:
        t[i, j, k] = 1.0
    for i in range(3):
        t[i, i, i] = 6.0
    for third in (
        lambda x: da.jacobian(da.hessian(cubic), **R)(x),
        lambda x: da.hessian(da.gradient(cubic, **R))(x),
        lambda x: da.jacobian(da.jacobian(da.gradient(cubic, **R), **R), **R)(x),
        lambda x: da.jacobian(da.hessian(cubic, **R), **F)(x),
    ):
        np.testing.assert_array_equal(third(x), t)


# ---------------------------------------------------------------- perturbation confusion with reverse transforms
@pytest.mark.parametrize(("outer", "inner"), [(R, R), (R, F), (F, R)], ids=["rev-rev", "rev-fwd", "fwd-rev"])
def test_confusion_closure(outer, inner):
    # d/dx [x · d/dy (x + y)] = 1 ;  d/dx [x · d/dy (x y)] = 2x ;  d/dx [d/dy x] = 0 ; d/dx [d/dy x y²](y=x) = 4x
    assert da.gradient(lambda x: x * da.gradient(lambda y: x + y, **inner)(1.0), **outer)(1.0) == 1.0
    assert da.gradient(lambda x: x * da.gradient(lambda y: x * y, **inner)(1.0), **outer)(3.0) == 6.0
    assert da.gradient(lambda x: da.gradient(lambda y: x, **inner)(x), **outer)(1.0) == 0.0
    assert da.gradient(lambda x: da.gradient(lambda y: x * y**2, **inner)(x), **outer)(3.0) == 12.0


@pytest.mark.parametrize(("outer", "inner"), [(R, R), (R, F), (F, R)], ids=["rev-rev", "rev-fwd", "fwd-rev"])
def test_confusion_jacobian_of_gradient_is_the_matrix(outer, inner):
    rng = np.random.default_rng(83)
    a = rng.random((10, 8))
    y = rng.random(10)
    x = rng.random(8)
    j = da.jacobian(lambda x: da.gradient(lambda y: y @ (a @ x), **inner)(y), **outer)(x)
    np.testing.assert_allclose(j, a, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize(("outer", "inner"), [(R, R), (R, F), (F, R)], ids=["rev-rev", "rev-fwd", "fwd-rev"])
def test_confusion_issue_83_and_238(outer, inner):
    def norm(v):
        return np.sqrt(np.sum(v * v))

    g = da.gradient(lambda v: np.sum(v) * da.gradient(lambda y: y * norm(v), **inner)(1.0), **outer)(np.array([1.0]))
    np.testing.assert_array_equal(g, [2.0])

    def lagrangian(q, qdot):
        return 0.5 * (qdot @ qdot) - 9.8 * q[1]

    q, qdot = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    d = da.jacobian(lambda a: da.gradient(lambda b: lagrangian(a, b), **inner)(qdot), **outer)(q)
    np.testing.assert_array_equal(d, np.zeros((2, 2)))


def test_confusion_triple_and_inner_hessian():
    f = lambda x: x * da.gradient(lambda y: y * da.gradient(lambda z: x * y * z, **R)(1.0), **R)(1.0)  # noqa: E731
    assert da.gradient(f, **R)(2.0) == 8.0
    x = np.array([0.5, -1.0, 2.0])

    def k(x):
        return np.sum(da.hessian(lambda y: np.sum(x**2 * y**2), **R)(x))

    np.testing.assert_array_equal(da.gradient(k, **R)(x), 4.0 * x)
    np.testing.assert_array_equal(da.hessian(k, **R)(x), 4.0 * np.eye(3))
    v = np.array([1.0, 2.0, -1.0])
    quartic = lambda x: np.sum(x**4) / 12.0  # noqa: E731
    np.testing.assert_array_equal(da.jacobian(lambda z: da.hvp(quartic, **R)(z, v), **R)(x), np.diag(2.0 * x * v))
    np.testing.assert_array_equal(da.jacobian(lambda w: da.hvp(quartic, **R)(x, w), **R)(v), np.diag(x**2))


def test_user_duals_inside_and_as_input_of_reverse_transforms():
    s = DualArray(2.0, 1.0)
    g = da.gradient(lambda x: s * np.sum(x**2), **R)(np.array([1.0, 3.0]))
    assert isinstance(g, DualArray) and g.tag == 0
    np.testing.assert_array_equal(g.value, [4.0, 12.0])
    np.testing.assert_array_equal(g.tangent, [2.0, 6.0])
    x = DualArray(np.array([1.0, 3.0]), np.array([1.0, 0.0]))
    g = da.gradient(lambda x: np.sum(x**3), **R)(x)
    np.testing.assert_array_equal(g.value, [3.0, 27.0])
    np.testing.assert_array_equal(g.tangent, [6.0, 0.0])
    _, pull = da.vjp(lambda x: x**3, np.array([1.0, 3.0]))
    ct = pull(DualArray(np.ones(2), np.array([1.0, 0.0])))  # the pullback is linear in the cotangent
    np.testing.assert_array_equal(ct.value, [3.0, 27.0])
    np.testing.assert_array_equal(ct.tangent, [3.0, 0.0])


# ---------------------------------------------------------------- memory
def _node_count():
    from dualarray._transposes import Node

    return sum(isinstance(o, Node) for o in gc.get_objects())


def test_memory_is_released_after_a_reverse_gradient():
    n = 10**4
    x = np.linspace(-1.0, 1.5, n)
    g = da.gradient(rosen, **R)
    g(x)  # warm up caches
    gc.collect()
    nodes = _node_count()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = g(x)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    retained = current - base - out.nbytes
    assert retained < 1 << 20, f"{retained} bytes retained after the call"
    # the record of rosen: a handful of n-element coefficients (8 bytes each), not O(n) Python objects
    assert peak - base < 40 * 8 * n, f"peak {peak - base} bytes for n = {n}"
    assert _node_count() <= nodes, "recorded nodes survive the call"
    from scipy.optimize import rosen_der

    np.testing.assert_allclose(out, rosen_der(x), rtol=1e-12, atol=1e-12)


def test_no_growth_over_repeated_calls():
    x = np.linspace(-1.0, 1.5, 10**4)
    g = da.gradient(rosen, **R)
    g(x)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(10):
            g(x)
        gc.collect()
        current = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert current - base < 256 * 1024, f"{current - base} bytes retained by 10 calls"


def test_vjp_record_lives_as_long_as_the_pullback():
    x = np.linspace(-1.0, 1.5, 10**4)
    gc.collect()
    nodes = _node_count()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        y, pull = da.vjp(rosen, x)
        held = tracemalloc.get_traced_memory()[0] - base
        assert _node_count() > nodes
        ct = pull(1.0)
        del pull
        gc.collect()
        after = tracemalloc.get_traced_memory()[0] - base - ct.nbytes
    finally:
        tracemalloc.stop()
    assert held > 8 * x.size, "the pullback holds its record"
    assert after < 64 * 1024, f"{after} bytes retained after the pullback was released"
    assert _node_count() <= nodes, "recorded nodes survive the pullback"


def test_hessian_of_einsum_optimize_of_two_slices_of_one_vector():
    """Minimal form of test_reverse.py::test_hessian_modes[einsum_optimize]: forward over reverse with k > 1
    forward directions through a 3-operand ``einsum(optimize=True)`` of two traced operands."""
    c = np.ones((2, 2))
    flat = np.arange(8.0) / 7 + 1

    def g(fl):
        return np.sum(np.einsum("ij,jk,kl->il", fl[:4].reshape(2, 2), fl[4:].reshape(2, 2), c, optimize=True))

    H = da.hessian(g, **F)(flat)
    np.testing.assert_allclose(da.hessian(g)(flat), H, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(da.jacobian(da.gradient(g, **R), **F, chunk_size=2)(flat), H, rtol=1e-12, atol=1e-12)


def test_values_on_strided_primals_are_numpys():
    """vjp/linearize return NumPy's value on the caller's array even when it is not C-contiguous (NumPy's
    strided and contiguous loops may round differently, e.g. cbrt by an ulp)."""
    x = np.array([0.01, 0.11, 0.21])[::-1].copy()[::-1]  # negative strides
    A = np.asfortranarray(np.random.default_rng(3).standard_normal((3, 4)))
    v = np.random.default_rng(4).standard_normal(4)
    for f, args in ((np.cbrt, (x,)), (np.arccosh, (1 + x,)), (np.matmul, (A, v))):
        expected = f(*args)
        np.testing.assert_array_equal(da.vjp(f, *args)[0], expected, err_msg=f"vjp({f.__name__})")
        np.testing.assert_array_equal(da.linearize(f, *args)[0], expected, err_msg=f"linearize({f.__name__})")
