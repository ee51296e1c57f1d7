"""Reverse mode over the one case table (``tests/cases``): vjp, linearize and mode= against forward mode.

For every row, dtype and shape group (:data:`GROUPS`), at one seeded point:

a. the dot-product test: ``Re<J v, w> == Re<v, Jᴴ w>`` with ``J v`` the forward tangent (a DualArray
   run along random directions v) and ``Jᴴ w`` the pullback of random cotangents w (complex w for complex
   outputs), summed over outputs and differentiated arguments;
b. ``linearize``: its values are NumPy's bit for bit and ``push(v)`` equals the forward tangent ``J v``;
c. a batch of K cotangents in one pullback equals K single pullbacks;
d. cotangents have the primal's shape and dtype (float32 stays float32, real inputs get real cotangents).

A row whose rules cannot be recorded must raise :class:`dualarray.NotLinearError` from ``vjp`` (and
``linearize``), never another error and never a wrong number; ``mode="auto"`` then equals forward mode.

``test_gradient_modes`` compares ``gradient(mode="reverse")`` with ``gradient(mode="forward")`` (and with
the pullback) on ``f_w(x) = Σ Re(conj(w)·f(x))``; ``test_jacobian_modes`` compares the two Jacobians on
the real rows (dtype float64, one shape group per row, rotated like ``test_rule_layout``);
``test_hessian_modes`` compares ``hessian`` (forward over reverse) with forward over forward on the
order-2 rows, and reverse over reverse ``∇(∇f·v)`` with ``H v``.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

import dualarray as da
from dualarray import DualArray, NotLinearError

from .cases import ALL, Case
from .test_rules import _directions, _duals, _is_float32, _layout_of, _outputs, _tangent, _value, relayout

K = 3
GROUPS = None  # every shape group of every row


def _params(groups=GROUPS):
    for case in ALL:
        for shapes in list(case.shapes)[:groups]:
            for dtype in case.dtypes:
                label = f"{case.name}-{'x'.join(map(str, shapes)).replace(' ', '')}-{dtype}"
                yield pytest.param(case, shapes, dtype, id=label)


def _rotated_params():
    """One shape group per row (rotated by a CRC of the name), float64 only (the real rows)."""
    for case in ALL:
        if "float64" not in case.dtypes:
            continue
        shapes = list(case.shapes)
        pick = shapes[zlib.crc32(repr((case.name, "jacobian")).encode()) % len(shapes)]
        label = f"{case.name}-{'x'.join(map(str, pick)).replace(' ', '')}"
        yield pytest.param(case, pick, id=label)


# ---------------------------------------------------------------- helpers
def _seed(case, shapes, dtype, what):
    return case.seed(shapes, dtype, "reverse", what)


def _diff_fn(case: Case, arrays):
    """``f(*diff_args)`` with the other arguments fixed at their drawn values."""
    diff = case.diff_args

    def f(*xs):
        full = list(arrays)
        for i, x in zip(diff, xs, strict=True):
            full[i] = x
        out = case.func(*full)
        return tuple(out) if isinstance(out, list | tuple) else out

    return f


def _listify(out):
    return list(out) if isinstance(out, tuple) else [out]


def _is_inexact(a):
    return np.issubdtype(np.result_type(a), np.inexact)


def _cotangents(expected, rng, k=None):
    """Random cotangents, one per output (complex for complex outputs, None for integer/bool outputs)."""
    ws = []
    for e in expected:
        if not _is_inexact(e):
            ws.append(None)
            continue
        shape = np.shape(e) if k is None else (k, *np.shape(e))
        w = rng.standard_normal(shape)
        if np.iscomplexobj(e):
            w = w + 1j * rng.standard_normal(shape)
        ws.append(w.astype(np.result_type(e)))
    return ws


def _pull(pullback, ws, is_tuple):
    out = pullback(tuple(ws) if is_tuple else ws[0])
    return list(out) if isinstance(out, tuple) else [out]


def _real_dot(a, b):
    """``Re Σ conj(a)·b`` in double precision."""
    a = np.asarray(a, dtype=np.complex128)
    b = np.asarray(b, dtype=np.complex128)
    return float(np.real(np.sum(np.conj(a) * b)))


def _norm(a):
    return float(np.linalg.norm(np.ravel(np.asarray(a, dtype=np.complex128))))


def _low_precision(dtype, outputs):
    """float32 tolerances: a float32/complex64 input or output (``sum(x, dtype=np.float32)``)."""
    return _is_float32(dtype) or any(_is_float32(np.result_type(o)) for o in outputs if _is_inexact(o))


def _big(a):
    """The largest finite magnitude in ``a`` (0 for none): the scale of an absolute tolerance."""
    a = np.abs(np.asarray(a, dtype=_wide(np.result_type(a))))
    return float(np.max(a[np.isfinite(a)], initial=0.0))


def _wide(dtype):
    return np.complex128 if np.issubdtype(dtype, np.complexfloating) else np.float64


def _not_linear_or_run(fn, *args):
    """Run a reverse transform; ``None`` when it raises NotLinearError (the only accepted refusal)."""
    try:
        return fn(*args)
    except NotLinearError:
        return None


def _assert_numpys(got, expected, message):
    """Bit-identical values; 0-d complex results within an ulp (NumPy's own 0-d complex loops differ by
    an ulp between calls on bit-identical inputs once other tests have run; the forward DualArray too)."""
    if np.ndim(expected) == 0 and np.iscomplexobj(expected):
        np.testing.assert_array_max_ulp(np.real(got), np.real(expected), maxulp=1)
        np.testing.assert_array_max_ulp(np.imag(got), np.imag(expected), maxulp=1)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=message)


# ---------------------------------------------------------------- a-d: vjp and linearize
@pytest.mark.parametrize(("case", "shapes", "dtype"), list(_params()))
def test_vjp(case: Case, shapes, dtype):
    rng = np.random.default_rng(_seed(case, shapes, dtype, "vjp"))
    arrays = case.draw(rng, shapes, dtype)
    diff = case.diff_args
    primals = [arrays[i] for i in diff]
    f = _diff_fn(case, arrays)
    expected = _listify(f(*primals))
    is_tuple = isinstance(f(*primals), tuple)

    try:
        y, pullback = da.vjp(f, *primals)
    except NotLinearError:
        # a refusal must be consistent: linearize and mode="reverse" refuse too, "auto" falls back
        with pytest.raises(NotLinearError):
            da.linearize(f, *primals)
        return

    # values are NumPy's bit for bit
    ys = _listify(y)
    assert len(ys) == len(expected)
    for g, e in zip(ys, expected, strict=True):
        assert np.shape(g) == np.shape(e)
        assert np.result_type(g) == np.result_type(e), f"vjp value dtype {np.result_type(g)} != {np.result_type(e)}"
        _assert_numpys(g, e, f"{case.name}: vjp value != NumPy's")

    # the forward tangent J v
    directions = _directions(case, arrays, rng)
    v = [directions[i] for i in diff]
    fwd = _outputs(case.func(*_duals(case, arrays, directions)))
    fwd = list(fwd) if isinstance(fwd, tuple | list) else [fwd]
    jv = [_tangent(g, e) for g, e in zip(fwd, expected, strict=True)]

    low = _low_precision(dtype, expected)

    # (a) dot-product test (rows whose value or tangent is NaN/inf at the drawn point, like iv(1.5, x < 0),
    # cannot be tested this way: there push and the batch check below compare NaN positions)
    ws = _cotangents(expected, rng)
    cts = _pull(pullback, ws, is_tuple)
    assert len(cts) == len(primals)
    if all(np.all(np.isfinite(t)) for t in jv):
        lhs = sum(_real_dot(t, w) for t, w in zip(jv, ws, strict=True) if w is not None)
        rhs = sum(_real_dot(vi, c) for vi, c in zip(v, cts, strict=True))
        scale = sum(_norm(t) * _norm(w) for t, w in zip(jv, ws, strict=True) if w is not None)
        scale += sum(_norm(vi) * _norm(c) for vi, c in zip(v, cts, strict=True))
        # a floor for maps that are zero in exact arithmetic (svd projectors): rounding of O(1) coefficients
        floor = sum(_norm(vi) for vi in v) * sum(_norm(w) for w in ws if w is not None)
        rtol, eps = (1e-3, 1e-5) if low else (1e-9, 1e-13)
        assert abs(lhs - rhs) <= rtol * scale + eps * floor, (
            f"{case.name}: dot-product test Re<Jv, w> = {lhs!r} != Re<v, Jᴴw> = {rhs!r} (scale {scale:.3g})"
        )

    # (d) cotangent shapes and dtypes
    for x, c in zip(primals, cts, strict=True):
        assert isinstance(c, np.ndarray | np.generic), f"{case.name}: cotangent of type {type(c).__name__}"
        assert np.shape(c) == np.shape(x), f"{case.name}: cotangent shape {np.shape(c)} != primal {np.shape(x)}"
        assert np.result_type(c) == np.result_type(x), (
            f"{case.name}: cotangent dtype {np.result_type(c)} for a {np.result_type(x)} primal"
        )

    # (c) K cotangents in one pullback == K single pullbacks
    wk = _cotangents(expected, rng, k=K)
    if any(w is not None for w in wk):
        many = _pull(pullback, wk, is_tuple)
        batch_rtol = 1e-5 if low else 1e-10
        for j in range(K):
            single = _pull(pullback, [None if w is None else w[j] for w in wk], is_tuple)
            for m, s in zip(many, single, strict=True):
                assert np.shape(m) == (K, *np.shape(s))
                atol = batch_rtol * (1.0 + _big(s))
                np.testing.assert_allclose(m[j], s, rtol=batch_rtol, atol=atol,
                                           err_msg=f"{case.name}: cotangent {j} of the batch != its single pullback")

    # (b) linearize: values bit-identical, push(v) == J v
    y2, push = da.linearize(f, *primals)
    for g, e in zip(_listify(y2), expected, strict=True):
        assert np.result_type(g) == np.result_type(e)
        _assert_numpys(g, e, f"{case.name}: linearize value != NumPy's")
    pushed = _listify(push(*v))
    assert len(pushed) == len(jv)
    prtol = 1e-4 if low else 1e-10
    for p, t, e in zip(pushed, jv, expected, strict=True):
        assert np.shape(p) == np.shape(e), f"{case.name}: push shape {np.shape(p)} != {np.shape(e)}"
        atol = prtol * (1.0 + _big(t))
        np.testing.assert_allclose(p, t, rtol=prtol, atol=atol, err_msg=f"{case.name}: push(v) != forward J v")


# ---------------------------------------------------------------- gradient(mode=) on a real scalar
@pytest.mark.parametrize(("case", "shapes", "dtype"), list(_params(groups=1)))
def test_gradient_modes(case: Case, shapes, dtype):
    """``gradient`` of ``Σ Re(conj(w)·f(x))``: reverse == forward == the pullback of w; auto == forward."""
    rng = np.random.default_rng(_seed(case, shapes, dtype, "gradient"))
    arrays = case.draw(rng, shapes, dtype)
    diff = case.diff_args
    primals = [arrays[i] for i in diff]
    f = _diff_fn(case, arrays)
    expected = _listify(f(*primals))
    ws = _cotangents(expected, rng)
    if all(w is None for w in ws):
        return
    if not all(np.all(np.isfinite(e)) for e in expected if _is_inexact(e)):
        # NaN/inf values (iv(1.5, x < 0)): forward mode spreads 0·NaN to every gradient entry, reverse
        # mode keeps it where it is; both are defensible, so such points are not compared
        return

    def fw(*xs):
        out = _listify(f(*xs))
        total = 0.0
        for o, w in zip(out, ws, strict=True):
            if w is not None:
                total = total + np.sum(np.real(np.conj(w) * o))
        return total

    argnums = tuple(range(len(primals)))
    forward = da.gradient(fw, argnums=argnums, mode="forward")(*primals)
    auto = da.gradient(fw, argnums=argnums, mode="auto")(*primals)
    try:
        reverse = da.gradient(fw, argnums=argnums, mode="reverse")(*primals)
    except NotLinearError:
        reverse = None
    rtol = 1e-4 if _low_precision(dtype, expected) else 1e-10
    for i, fg in enumerate(forward):
        atol = rtol * (1.0 + _big(fg))
        np.testing.assert_allclose(auto[i], fg, rtol=rtol, atol=atol, err_msg=f"{case.name}: auto != forward")
        if reverse is not None:
            assert np.result_type(reverse[i]) == np.result_type(fg), (
                f"{case.name}: reverse gradient dtype {np.result_type(reverse[i])} != forward {np.result_type(fg)}"
            )
            np.testing.assert_allclose(reverse[i], fg, rtol=rtol, atol=atol,
                                       err_msg=f"{case.name}: gradient reverse != forward")


# ---------------------------------------------------------------- jacobian(mode=) on the real rows
def _flat(tree):
    if isinstance(tree, tuple | list):
        return [leaf for t in tree for leaf in _flat(t)]
    return [tree]


@pytest.mark.parametrize(("case", "shapes"), list(_rotated_params()))
def test_jacobian_modes(case: Case, shapes):
    rng = np.random.default_rng(_seed(case, shapes, "float64", "jacobian"))
    arrays = case.draw(rng, shapes, "float64")
    diff = case.diff_args
    primals = [arrays[i] for i in diff]
    f = _diff_fn(case, arrays)
    argnums = tuple(range(len(primals)))
    expected = _listify(f(*primals))
    if not all(np.all(np.isfinite(e)) for e in expected if _is_inexact(e)):
        return  # NaN values: forward spreads 0·NaN across the row, reverse does not (see test_gradient_modes)
    forward = da.jacobian(f, argnums=argnums, mode="forward")(*primals)
    try:
        reverse = da.jacobian(f, argnums=argnums, mode="reverse")(*primals)
    except NotLinearError:
        auto = da.jacobian(f, argnums=argnums, mode="auto")(*primals)
        for a, b in zip(_flat(auto), _flat(forward), strict=True):
            np.testing.assert_array_equal(a, b)
        return
    fl, rl = _flat(forward), _flat(reverse)
    assert len(fl) == len(rl)
    for r, fj in zip(rl, fl, strict=True):
        assert np.shape(r) == np.shape(fj), f"{case.name}: reverse Jacobian shape {np.shape(r)} != {np.shape(fj)}"
        assert np.result_type(r) == np.result_type(fj), (
            f"{case.name}: dtype {np.result_type(r)} != {np.result_type(fj)}"
        )
        rtol = 1e-4 if _low_precision("float64", expected) else 1e-10
        atol = rtol * (1.0 + _big(fj))
        np.testing.assert_allclose(r, fj, rtol=rtol, atol=atol, err_msg=f"{case.name}: jacobian reverse != forward")


def test_value_is_a_plain_array():
    """``vjp`` returns plain values (never a DualArray of its own tag)."""
    y, pull = da.vjp(lambda x: np.sin(x) * x, np.array([1.0, 2.0]))
    assert type(y) is np.ndarray
    assert not isinstance(pull(np.ones(2)), DualArray)
    assert _value(y) is y


# ---------------------------------------------------------------- second order: hessian(mode=) on order2 rows
def _hessian_params():
    for case in ALL:
        if not case.order2 or "float64" not in case.dtypes:
            continue
        shapes = list(case.shapes)
        pick = shapes[zlib.crc32(repr((case.name, "hessian")).encode()) % len(shapes)]
        label = f"{case.name}-{'x'.join(map(str, pick)).replace(' ', '')}"
        yield pytest.param(case, pick, id=label)


@pytest.mark.parametrize(("case", "shapes"), list(_hessian_params()))
def test_hessian_modes(case: Case, shapes):
    """``hessian`` (forward over reverse) == ``hessian(mode="forward")`` of ``Σ w·f`` in all differentiated
    arguments (packed into one flat vector); reverse over reverse ``∇(∇f·v)`` == ``H v``."""
    rng = np.random.default_rng(_seed(case, shapes, "float64", "hessian"))
    arrays = case.draw(rng, shapes, "float64")
    diff = case.diff_args
    primals = [arrays[i] for i in diff]
    f = _diff_fn(case, arrays)
    expected = _listify(f(*primals))
    if not all(np.all(np.isfinite(e)) for e in expected if _is_inexact(e)):
        return
    ws = _cotangents(expected, rng)
    if all(w is None for w in ws):
        return
    sizes = [p.size for p in primals]
    offsets = np.cumsum([0, *sizes])

    def g(flat):
        xs = [flat[offsets[i]:offsets[i + 1]].reshape(p.shape) for i, p in enumerate(primals)]
        total = 0.0
        for o, w in zip(_listify(f(*xs)), ws, strict=True):
            if w is not None:
                total = total + np.sum(np.real(np.conj(w) * o))
        return total

    flat = np.concatenate([p.ravel() for p in primals])
    H = da.hessian(g, mode="forward")(flat)
    tol = 1e-9 * (1.0 + _big(H))
    np.testing.assert_allclose(da.hessian(g)(flat), H, rtol=1e-9, atol=tol,
                               err_msg=f"{case.name}: hessian (forward over reverse) != forward over forward")
    v = rng.standard_normal(flat.shape)
    try:
        rr = da.gradient(lambda y: da.gradient(g, mode="reverse")(y) @ v, mode="reverse")(flat)
    except NotLinearError:
        return
    np.testing.assert_allclose(rr, H @ v, rtol=1e-9, atol=tol * (1.0 + _norm(v)),
                               err_msg=f"{case.name}: reverse over reverse != H v")


# ---------------------------------------------------------------- non-C layouts of primals and cotangents
def _reverse_layout_params():
    for case in ALL:
        shapes = list(case.shapes)
        pick = shapes[zlib.crc32(repr((case.name, "reverse-layout")).encode()) % len(shapes)]
        if all(len(s) == 0 for s in pick):
            continue
        dtype = case.dtypes[zlib.crc32(repr((case.name, "reverse-dtype")).encode()) % len(case.dtypes)]
        value_layout, seed_layout = _layout_of(case, pick, dtype)
        label = f"{case.name}-{'x'.join(map(str, pick)).replace(' ', '')}-{dtype}-{value_layout}-ct{seed_layout}"
        yield pytest.param(case, pick, dtype, value_layout, seed_layout, id=label)


@pytest.mark.parametrize(("case", "shapes", "dtype", "value_layout", "seed_layout"), list(_reverse_layout_params()))
def test_vjp_layout(case: Case, shapes, dtype, value_layout, seed_layout):
    """Primals in a non-C layout (F, .T, negative strides, gaps) and cotangents in another: the same values
    and cotangents as the C-layout run (one shape group and dtype per row, rotated)."""
    rng = np.random.default_rng(_seed(case, shapes, dtype, "layout"))
    contiguous = case.draw(rng, shapes, dtype)
    arrays = [relayout(a, value_layout) for a in contiguous]
    diff = case.diff_args
    f_c, f_l = _diff_fn(case, contiguous), _diff_fn(case, arrays)
    try:
        expected = _listify(f_l(*[arrays[i] for i in diff]))
    except Exception as err:  # NumPy itself refuses this layout
        with pytest.raises(type(err)):
            da.vjp(f_l, *[arrays[i] for i in diff])
        return
    try:
        y_c, pull_c = da.vjp(f_c, *[contiguous[i] for i in diff])
    except NotLinearError:
        with pytest.raises(NotLinearError):
            da.vjp(f_l, *[arrays[i] for i in diff])
        return
    y_l, pull_l = da.vjp(f_l, *[arrays[i] for i in diff])
    ws = _cotangents(expected, rng)
    is_tuple = isinstance(y_c, tuple)
    ws_l = [None if w is None else relayout(w, seed_layout) for w in ws]
    got = _pull(pull_l, ws_l, is_tuple)
    ref = _pull(pull_c, ws, is_tuple)
    tol = 1e-5 if _low_precision(dtype, expected) else 1e-10
    for g, r in zip(got, ref, strict=True):
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol * (1.0 + _big(r)),
                                   err_msg=f"{case.name} ({value_layout} primals, {seed_layout} cotangents): "
                                           "cotangent != the C-layout run's")
    # values: NumPy's on the caller's (non-C) arrays, bit for bit, as DualArray gives (test_rule_layout)
    for g, e in zip(_listify(y_l), expected, strict=True):
        np.testing.assert_array_equal(g, e, err_msg=f"{case.name} ({value_layout} primals): vjp value != NumPy's "
                                                    "on the same arrays")
