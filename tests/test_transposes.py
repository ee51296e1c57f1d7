"""Each linear primitive of a recorded tangent map alone: apply, transpose, batches, dtypes.

For a traced function ``fn`` (linear NumPy code) every check compares
(a) ``L.apply(v)`` with ``fn(v)`` on arrays, (b) the dot-product test ``Re<L v, w> == Re<v, Lᵀw>``,
(c) ``Lᵀw`` with the dense ``Jᴴw`` built by applying L to (real and imaginary) basis vectors,
(d) 3 cotangents in one transpose == 3 single transposes, (e) cotangents have the input's dtype.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dualarray._linear import NotLinearError, masked_scale, trace
from dualarray._transposes import TRANSPOSES

DTYPES = [np.float32, np.float64, np.complex128]
dtypes = st.sampled_from(DTYPES)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
nonempty = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
few = settings(max_examples=25)


def _rand(rng, shape, dtype):
    x = rng.standard_normal(shape)
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rng.standard_normal(shape)
    return np.asarray(x, dtype=dtype)


def _mask(data, shape):
    n = int(np.prod(shape))
    return np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool).reshape(shape)


def _tol(*dts):
    return 2e-4 if any(np.dtype(d) in (np.float32, np.complex64) for d in dts) else 1e-10


def _re_inner(us, vs):
    c = np.complex128
    return sum(float(np.real(np.vdot(np.asarray(u, c), np.asarray(v, c)))) for u, v in zip(us, vs, strict=True))


def _dense_transpose(L, specs, w):
    """Jᴴw from basis vectors: x̄_k = Re<w, L e_k> + i Re<w, L(i e_k)> (the real inner product)."""
    out = []
    for j, (shape, dtype) in enumerate(specs):
        xbar = np.zeros(int(np.prod(shape)), np.complex128)
        units = (1, 1j) if np.issubdtype(dtype, np.complexfloating) else (1,)
        for k in range(xbar.size):
            for u in units:
                args = [np.zeros(s, d) for s, d in specs]
                args[j].flat[k] = u
                col = L.apply(*args)
                col = col if isinstance(col, tuple) else (col,)
                xbar[k] += _re_inner(w, col) * u
        out.append(xbar.reshape(shape))
    return out


def check(fn, *specs, dense=True, exact=False):
    """Run checks (a)-(e) for ``fn`` on inputs of the given (shape, dtype); returns the LinearMap."""
    specs = [(tuple(s), np.dtype(d)) for s, d in specs]
    L = trace(fn, *specs)
    rng = np.random.default_rng(0)
    v = [_rand(rng, s, d) for s, d in specs]
    ref = fn(*v)
    got = L.apply(*v)
    refs, gots = (ref, got) if isinstance(ref, tuple) else ((ref,), (got,))
    out_dtypes = [o.dtype for o in L.outputs]
    tol = _tol(*(d for _, d in specs), *out_dtypes)
    for r, g, o in zip(refs, gots, L.outputs, strict=True):  # (a)
        assert np.shape(r) == o.shape == np.shape(g)
        assert np.asarray(r).dtype == o.dtype, (np.asarray(r).dtype, o.dtype)
        if exact:
            np.testing.assert_array_equal(g, r)
        else:
            np.testing.assert_allclose(g, r, rtol=tol, atol=tol)
    w = [_rand(rng, o.shape, o.dtype) for o in L.outputs]
    xt = L.transpose(*w)
    assert len(xt) == len(specs)
    for x, (s, d) in zip(xt, specs, strict=True):  # (e)
        assert x.shape == s and x.dtype == d, (x.shape, x.dtype, s, d)
    lhs, rhs = _re_inner(w, gots), _re_inner(xt, v)  # (b)
    scale = sum(np.linalg.norm(a) * np.linalg.norm(b) for a, b in zip(w, gots, strict=True)) + sum(
        np.linalg.norm(a) * np.linalg.norm(b) for a, b in zip(xt, v, strict=True)) + 1.0
    assert abs(lhs - rhs) <= tol * scale, (lhs, rhs)
    if dense and sum(int(np.prod(s)) for s, _ in specs) <= 64:  # (c)
        for x, e in zip(xt, _dense_transpose(L, specs, w), strict=True):
            np.testing.assert_allclose(x, e.astype(x.dtype) if x.dtype.kind == "c" else e.real, rtol=tol, atol=tol * 10)
    batch = [np.stack([_rand(rng, o.shape, o.dtype) for _ in range(3)]) for o in L.outputs]  # (d)
    together = L.transpose(*batch)
    for b in range(3):
        single = L.transpose(*(wb[b] for wb in batch))
        for t, s1 in zip(together, single, strict=True):
            assert t.dtype == s1.dtype
            np.testing.assert_allclose(t[b], s1, rtol=tol, atol=tol)
    SEEN.update(L.kinds)
    return L


SEEN: set = set()


# ------------------------------------------------------------------------------ scaling and sums
@few
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), dtypes, dtypes, st.booleans())
def test_scale(shapes2, dtype, cdtype, first):
    (s, cs), _ = shapes2
    c = _rand(np.random.default_rng(1), cs, cdtype)
    check(lambda x: x * c if first else c * x, (s, dtype), exact=True)
    check(lambda x: x / (c + 3), (s, dtype), exact=True)


@few
@given(shapes, st.sampled_from([np.float32, np.float64]))
def test_ldexp(s, dtype):
    e = np.arange(int(np.prod(s))).reshape(s) % 5 - 2
    check(lambda x: np.ldexp(x, e), (s, dtype), exact=True)


@few
@given(shapes, dtypes)
def test_masked_scale_finite(s, dtype):
    c = _rand(np.random.default_rng(2), s, dtype)
    L = check(lambda x: masked_scale(c, x) if not isinstance(x, np.ndarray) else c * x, (s, dtype))
    assert "masked_scale" in L.kinds


def test_masked_scale_nonfinite_is_zero_where_nothing_flows():
    c = np.array([np.inf, 2.0, -np.inf])
    L = trace(lambda x: masked_scale(c, x), ((3,), np.float64))
    np.testing.assert_array_equal(L.apply(np.array([0.0, 1.0, 0.0])), [0.0, 2.0, 0.0])
    np.testing.assert_array_equal(L.transpose(np.array([0.0, 1.0, 1.0]))[0], [0.0, 2.0, -np.inf])
    # a plain scale with an infinite coefficient also masks in the transpose (design §3.9)
    L = trace(lambda x: c * x, ((3,), np.float64))
    np.testing.assert_array_equal(L.transpose(np.array([0.0, 1.0, 0.0]))[0], [0.0, 2.0, 0.0])


@few
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), dtypes, dtypes)
def test_add_subtract_negative(shapes2, da, db):
    (sa, sb), _ = shapes2
    check(lambda x, y: x + y, (sa, da), (sb, db), exact=True)
    check(lambda x, y: x - y, (sa, da), (sb, db), exact=True)
    check(lambda x, y: -x + (+y), (sa, da), (sb, db), exact=True)
    check(lambda x: 0 + x - 0.0, (sa, da), exact=True)
    check(lambda x, y: np.zeros_like(y) - x, (sa, da), (sb, db))


# --------------------------------------------------------------------------- complex parts, casts
@few
@given(shapes, dtypes, st.sampled_from([np.float32, np.float64, np.complex64, np.complex128]))
def test_complex_parts_and_casts(s, dtype, target):
    check(lambda x: np.conjugate(x), (s, dtype), exact=True)
    check(lambda x: (x.real, x.imag), (s, dtype), exact=True)
    check(lambda x: np.real(x) + np.imag(x), (s, dtype), exact=True)
    if np.dtype(dtype).kind == "c" and np.dtype(target).kind != "c":
        check(lambda x: x.real.astype(target), (s, dtype), exact=True)
    else:
        check(lambda x: x.astype(target), (s, dtype), exact=True)


# ------------------------------------------------------------------------------ shape and order
@few
@given(shapes, dtypes, st.sampled_from(["C", "F"]), st.data())
def test_reshape(s, dtype, order, data):
    n = int(np.prod(s))
    target = data.draw(st.sampled_from([(n,), (1, n), (n, 1), (-1,)] + ([(2, n // 2)] if n % 2 == 0 else [])))
    check(lambda x: np.reshape(x, target, order=order), (s, dtype), exact=True)
    check(lambda x: x.ravel(order), (s, dtype), exact=True)
    L = trace(lambda x: np.reshape(x, target, order=order), (s, dtype))
    v = np.asfortranarray(_rand(np.random.default_rng(3), s, dtype))
    np.testing.assert_array_equal(L.apply(v), np.reshape(v, target, order=order))


@few
@given(shapes, dtypes, st.data())
def test_squeeze_expand_dims(s, dtype, data):
    ax = data.draw(st.integers(-len(s) - 1, len(s)))
    check(lambda x: np.expand_dims(x, ax), (s, dtype), exact=True)
    check(lambda x: np.squeeze(np.expand_dims(x, ax), ax), (s, dtype), exact=True)
    check(lambda x: np.atleast_3d(x), (s, dtype), exact=True)


@few
@given(shapes, dtypes, st.data())
def test_permutations(s, dtype, data):
    perm = data.draw(st.permutations(range(len(s))))
    check(lambda x: np.transpose(x, perm), (s, dtype), exact=True)
    check(lambda x: x.T, (s, dtype), exact=True)
    check(lambda x: np.flip(x), (s, dtype), exact=True)
    if len(s) >= 1:
        a, b = data.draw(st.integers(-len(s), len(s) - 1)), data.draw(st.integers(-len(s), len(s) - 1))
        check(lambda x: np.swapaxes(x, a, b), (s, dtype), exact=True)
        check(lambda x: np.moveaxis(x, a, b), (s, dtype), exact=True)
        check(lambda x: np.flip(x, a), (s, dtype), exact=True)
    if len(s) >= 2:
        k = data.draw(st.integers(-3, 4))
        check(lambda x: np.rot90(x, k, axes=(-1, 0)), (s, dtype), exact=True)
        check(lambda x: x.mT, (s, dtype), exact=True)


@few
@given(hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=3, max_side=3), dtypes)
def test_broadcast_to(bs, dtype):
    (s,), target = bs
    target = (2, *target)
    check(lambda x: np.broadcast_to(x, target), (s, dtype), exact=True)
    check(lambda x: np.broadcast_arrays(x, np.ones(target))[0], (s, dtype), exact=True)


@few
@given(hnp.array_shapes(min_dims=2, max_dims=3, min_side=0, max_side=4), dtypes, st.data())
def test_diagonal_trace(s, dtype, data):
    offset = data.draw(st.integers(-3, 3))
    a1, a2 = data.draw(st.permutations(range(-len(s), 0)))[:2]
    check(lambda x: np.diagonal(x, offset, a1, a2), (s, dtype), exact=True)
    check(lambda x: np.trace(x, offset, a1, a2), (s, dtype))
    check(lambda x: np.linalg.diagonal(x, offset=offset), (s, dtype), exact=True)
    if min(s[-2:]) >= 2:
        check(lambda x: np.einsum("...ii->...i", x[..., :2, :2]), (s, dtype), exact=True)


# ----------------------------------------------------------------------------------- indexing
def _basic_keys(s):
    per_axis = [st.one_of(st.slices(max(n, 1)), st.integers(-n, n - 1)) if n else st.slices(1) for n in s]
    return st.tuples(*per_axis, st.integers(0, len(s)), st.booleans(), st.booleans()).map(_with_extras)


def _with_extras(drawn):
    *items, where, new_axis, ellipsis = drawn
    if new_axis:
        items.insert(where, None)
    if ellipsis:
        items.insert(where, Ellipsis)
    return tuple(items)


@few
@given(shapes, dtypes, st.data())
def test_basic_getitem(s, dtype, data):
    key = data.draw(_basic_keys(s))
    check(lambda x: x[key], (s, dtype), exact=True)
    check(lambda x: x[..., None], (s, dtype), exact=True)


@few
@given(nonempty, dtypes, st.data())
def test_advanced_getitem(s, dtype, data):
    n = s[0]
    idx = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=6)), dtype=np.intp)  # duplicates
    check(lambda x: x[idx], (s, dtype), exact=True)
    mask = _mask(data, s)
    check(lambda x: x[mask], (s, dtype), exact=True)
    if len(s) >= 3:
        check(lambda x: x[idx, :, idx % s[2]], (s, dtype), exact=True)  # separated advanced indices
    check(lambda x: x[[0, 0, -1]], (s, dtype), exact=True)


@few
@given(nonempty, dtypes, st.data())
def test_gathers(s, dtype, data):
    ax = data.draw(st.integers(-len(s), len(s) - 1))
    n = s[ax]
    idx = np.array(data.draw(st.lists(st.integers(-n, n - 1), max_size=5)), dtype=np.intp)
    check(lambda x: np.take(x, idx, axis=ax), (s, dtype), exact=True)
    check(lambda x: np.take(x, [0, 0, -1]), (s, dtype), exact=True)
    along = np.random.default_rng(4).integers(0, n, size=s)
    check(lambda x: np.take_along_axis(x, along, axis=ax), (s, dtype), exact=True)
    check(lambda x: np.roll(x, 2, axis=ax), (s, dtype), exact=True)
    check(lambda x: np.repeat(x, 2, axis=ax), (s, dtype), exact=True)
    check(lambda x: np.tile(x, (2, 1)), (s, dtype), exact=True)
    check(lambda x: np.compress(np.arange(n) % 2 == 0, x, axis=ax), (s, dtype), exact=True)
    check(lambda x: np.delete(x, 0, axis=ax), (s, dtype), exact=True)
    check(lambda x: tuple(np.array_split(x, 2, axis=ax)), (s, dtype), exact=True)
    check(lambda x: np.fft.fftshift(x), (s, dtype), exact=True)


# ------------------------------------------------------------------------- joining and selecting
@few
@given(nonempty, dtypes, dtypes, st.data())
def test_concatenate_stack(s, da, db, data):
    ax = data.draw(st.integers(-len(s), len(s) - 1))
    s2 = list(s)
    s2[ax] = data.draw(st.integers(0, 3))
    check(lambda x, y: np.concatenate([x, y, np.zeros_like(x)], axis=ax), (s, da), (tuple(s2), db), exact=True)
    check(lambda x, y: np.concatenate([x, y], axis=None), (s, da), (tuple(s2), db), exact=True)
    sax = data.draw(st.integers(-len(s) - 1, len(s)))
    check(lambda x, y: np.stack([x, y], axis=sax), (s, da), (s, db), exact=True)
    check(lambda x, y: np.hstack([x, y]) if len(s) == 1 else np.vstack([x, y]), (s, da), (s, db), exact=True)


@few
@given(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3), dtypes, dtypes, st.data())
def test_where_select(shapes3, da, db, data):
    (sc, sa, sb), _ = shapes3
    cond = _mask(data, sc)
    check(lambda x, y: np.where(cond, x, y), (sa, da), (sb, db), exact=True)
    check(lambda x: np.where(cond, x, 0), (sa, da), exact=True)
    check(lambda x: np.where(cond, 0.0, x), (sa, da), exact=True)
    check(lambda x, y: np.select([cond, ~cond], [x, y]), (sa, da), (sb, db), exact=True)


@few
@given(hnp.array_shapes(min_dims=2, max_dims=3, max_side=4), dtypes, st.integers(-2, 2))
def test_tril_triu(s, dtype, k):
    check(lambda x: np.tril(x, k), (s, dtype), exact=True)
    check(lambda x: np.triu(x, k), (s, dtype), exact=True)


@few
@given(shapes, dtypes, st.data())
def test_pad(s, dtype, data):
    widths = [(data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))) for _ in s] if s else 1
    check(lambda x: np.pad(x, widths), (s, dtype), exact=True)
    check(lambda x: np.pad(x, 1, constant_values=0), (s, dtype), exact=True)
    if all(n > 0 for n in s):
        mode = data.draw(st.sampled_from(["edge", "wrap", "reflect", "symmetric"]))
        check(lambda x: np.pad(x, widths, mode=mode), (s, dtype), exact=True)


# -------------------------------------------------------------------------------- reductions
@few
@given(shapes, dtypes, st.booleans(), st.data())
def test_sum_mean(s, dtype, keepdims, data):
    axis = data.draw(st.none() | st.integers(-len(s), len(s) - 1) if s else st.none())
    mask = _mask(data, s)
    check(lambda x: np.sum(x, axis=axis, keepdims=keepdims), (s, dtype), exact=True)
    check(lambda x: np.sum(x, axis=axis, keepdims=keepdims, where=mask), (s, dtype), exact=True)
    if s:
        check(lambda x: np.add.reduce(x, axis=axis, where=mask), (s, dtype), exact=True)
    if all(n > 0 for n in s):
        check(lambda x: np.mean(x, axis=axis, keepdims=keepdims), (s, dtype), exact=True)
        check(lambda x: np.mean(x, axis=axis, where=mask | True), (s, dtype), exact=True)
    check(lambda x: x.sum(dtype=np.complex128), (s, dtype), exact=True)


@few
@given(nonempty, dtypes, st.data())
def test_cumsum_diff(s, dtype, data):
    ax = data.draw(st.integers(-len(s), len(s) - 1))
    check(lambda x: np.cumsum(x, axis=ax), (s, dtype), exact=True)
    check(lambda x: np.cumsum(x), (s, dtype), exact=True)
    check(lambda x: np.add.accumulate(x, axis=ax), (s, dtype), exact=True)
    n = data.draw(st.integers(0, 3))
    check(lambda x: np.diff(x, n=n, axis=ax), (s, dtype), exact=True)
    check(lambda x: np.diff(x, axis=ax, prepend=0, append=0.0), (s, dtype), exact=True)


# -------------------------------------------------------------------------- contractions, solve
MATMUL_SHAPES = [  # (left, right) operand shapes
    ((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)), ((2, 1, 2, 3), (3, 3, 2)), ((1,), (4, 1, 2)),
    ((4, 2, 3), (3,)), ((2, 3), (5, 3, 1)),
]


@pytest.mark.parametrize("left,right", MATMUL_SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul(left, right, dtype):
    rng = np.random.default_rng(5)
    b = _rand(rng, right, np.complex128)
    check(lambda x: x @ b, (left, dtype))
    a = _rand(rng, left, np.float64)
    check(lambda x: a @ x, (right, dtype))
    check(lambda x: np.linalg.matmul(a, x), (right, dtype))


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)], 0), ("ij,jk->ik", [(2, 3), (3, 4)], 1), ("ij,jk", [(2, 3), (3, 4)], 1),
    ("ii->i", [(3, 3)], 0), ("ii", [(3, 3)], 0), ("ij->", [(2, 3)], 0), ("i,j->ij", [(2,), (3,)], 1),
    ("...ij,jk->...ik", [(2, 1, 3), (3, 2)], 0), ("...i,...i->...", [(2, 3), (3,)], 1),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)], 1), ("ij,ij->ij", [(1, 3), (2, 3)], 0), ("iij,j->i", [(2, 2, 3), (3,)], 0),
    ("ijk,kj->i", [(2, 3, 1), (4, 3)], 0),
]


@pytest.mark.parametrize("spec,shapes_,pos", EINSUM_CASES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_einsum(spec, shapes_, pos, dtype):
    rng = np.random.default_rng(6)
    consts = [_rand(rng, s, np.complex128 if i % 2 else np.float64) for i, s in enumerate(shapes_)]

    def fn(x):
        ops = list(consts)
        ops[pos] = x
        return np.einsum(spec, *ops)

    check(fn, (shapes_[pos], dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_products(dtype):
    rng = np.random.default_rng(7)
    a, b, m = _rand(rng, (3, 4), np.complex128), _rand(rng, (4,), np.float64), _rand(rng, (2, 4, 3), np.float64)
    check(lambda x: np.tensordot(x, a, axes=([0, 1], [1, 0])), ((4, 3), dtype))
    check(lambda x: np.tensordot(a, x, axes=1), ((4, 2), dtype))
    check(lambda x: np.dot(x, a), ((2, 3), dtype))
    check(lambda x: np.dot(m, x), ((3, 2), dtype))
    check(lambda x: np.dot(x, 2.0), ((3,), dtype))
    check(lambda x: np.inner(x, b), ((2, 4), dtype))
    check(lambda x: np.outer(x, a), ((2,), dtype), exact=True)
    check(lambda x: np.multiply.outer(x, b), ((2,), dtype), exact=True)
    check(lambda x: (np.vecdot(x, a), np.vecdot(a, x)), ((3, 4), dtype))
    check(lambda x: np.vecdot(x, b[:3], axis=0), ((3, 2), dtype))
    check(lambda x: np.linalg.vecdot(x, a), ((3, 4), dtype))
    check(lambda x: (np.matvec(a, x), np.vecmat(x, a.T)), ((4,), dtype))
    check(lambda x: np.matvec(x, b), ((3, 4), dtype))
    check(lambda x: np.vecmat(b[:3], x), ((3, 4), dtype))


@few
@given(st.integers(1, 4), st.sampled_from(["vec", "mat", "batch"]), dtypes, dtypes)
def test_solve(n, kind, dtype, adtype):
    rng = np.random.default_rng(8)
    a = _rand(rng, (n, n), adtype) + 3 * n * np.eye(n)
    if kind == "batch":
        a = np.stack([a, a.T])
    b_shape = {"vec": (n,), "mat": (n, 2), "batch": (3, 1, n, 2)}[kind]
    check(lambda x: np.linalg.solve(a, x), (b_shape, dtype))


# ----------------------------------------------------------------------------------------- FFT
norms = st.sampled_from([None, "backward", "ortho", "forward"])


@few
@given(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5), dtypes, norms, st.data())
def test_fft_1d(s, dtype, norm, data):
    ax = data.draw(st.integers(-len(s), len(s) - 1))
    n = data.draw(st.none() | st.integers(1, 7))
    check(lambda x: np.fft.fft(x, n, axis=ax, norm=norm), (s, dtype))
    check(lambda x: np.fft.ifft(x, n, axis=ax, norm=norm), (s, dtype))
    if n is not None or s[ax] > 1:
        check(lambda x: np.fft.hfft(x, n, axis=ax, norm=norm), (s, dtype))
        check(lambda x: np.fft.irfft(x, n, axis=ax, norm=norm), (s, dtype))
    if np.dtype(dtype).kind == "f":
        check(lambda x: np.fft.rfft(x, n, axis=ax, norm=norm), (s, dtype))
        check(lambda x: np.fft.ihfft(x, n, axis=ax, norm=norm), (s, dtype))


@few
@given(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4), dtypes, norms, st.data())
def test_fft_nd(s, dtype, norm, data):
    axes = data.draw(st.permutations(range(-len(s), 0)))[:2]
    sizes = data.draw(st.none() | st.tuples(st.integers(1, 5), st.integers(1, 5)))
    check(lambda x: np.fft.fftn(x, sizes, axes=axes, norm=norm), (s, dtype))
    check(lambda x: np.fft.ifft2(x, sizes, norm=norm), (s, dtype))
    if sizes is not None or s[axes[-1]] > 1:
        check(lambda x: np.fft.irfftn(x, sizes, axes=axes, norm=norm), (s, dtype))
    if np.dtype(dtype).kind == "f":
        check(lambda x: np.fft.rfftn(x, sizes, axes=axes, norm=norm), (s, dtype))
        check(lambda x: np.fft.rfft2(x, norm=norm), (s, dtype))


# ------------------------------------------------------------------------ maps, zeros, batches
def test_several_inputs_and_outputs_and_zeros():
    L = check(lambda x, y: (x[:2] + y, np.imag(x.real), 2.0 * y), ((3,), np.float64), ((2,), np.complex128))
    x_bar, y_bar = L.transpose(None, np.ones(3), None)  # only the symbolic-zero output gets a cotangent
    np.testing.assert_array_equal(x_bar, 0.0)
    np.testing.assert_array_equal(y_bar, 0.0)
    assert y_bar.dtype == np.complex128
    unused = trace(lambda x, y: 2.0 * x, ((2,), np.float32), ((3,), np.float32))
    xs = unused.transpose(np.ones((4, 2), np.float32))
    assert xs[1].shape == (4, 3) and xs[1].dtype == np.float32 and not xs[1].any()


def test_float32_stays_float32_with_float64_coefficients():
    c = np.linspace(0.5, 2.0, 4)
    L = trace(lambda x: (c * x).astype(np.float32), ((4,), np.float32))
    (g,) = L.transpose(np.ones(4, np.float32))
    assert g.dtype == np.float32


def test_identity_result_is_not_an_alias():
    L = trace(lambda x: x, ((3,), np.float64))
    w = np.ones(3)
    (g,) = L.transpose(w)
    g[0] = 5.0
    assert w[0] == 1.0


def test_transpose_accepts_leading_batch_axes():
    L = trace(lambda x: np.sum(x * np.arange(3.0), axis=-1), ((2, 3), np.float64))
    (g,) = L.transpose(np.ones((5, 4, 2)))
    assert g.shape == (5, 4, 2, 3)
    np.testing.assert_array_equal(g[1, 2], np.tile(np.arange(3.0), (2, 1)))


# ------------------------------------------------------------------- every primitive, one example
def _writes(x, y):
    z = x * 2.0
    z[0] = y[1]
    z[[1, 1]] = y[:2]               # repeated positions: the last write survives
    np.add.at(z, [2, 2], y[1:])     # repeated positions accumulate
    np.subtract.at(z, [3], y[:1])
    return z


_SPARSE = __import__("scipy.sparse").sparse.csr_array(np.array([[1.0, 0, 2], [0, 0, 3]]))
EXAMPLES = {
    "sparse_matmul": (lambda x: _SPARSE @ x - x.T @ _SPARSE.T, [((3, 2), float)]),
    "scatter": (_writes, [((4,), float), ((3,), float)]),
    "segment_sum": (lambda x: np.add.reduceat(x, [0, 2, 2, 1, 3], axis=-1), [((2, 4), float)]),
    np.multiply: (lambda x: 2.0 * x, [((3,), float)]),
    "masked_scale": (lambda x: masked_scale(np.arange(3.0), x) if not isinstance(x, np.ndarray) else np.arange(3.0) * x,
                     [((3,), float)]),
    np.divide: (lambda x: x / 4.0, [((3,), float)]),
    np.ldexp: (lambda x: np.ldexp(x, 3), [((3,), float)]),
    np.add: (lambda x, y: x + y, [((3,), float), ((3,), float)]),
    np.subtract: (lambda x, y: x - y, [((3,), float), ((1,), float)]),
    np.negative: (lambda x: -x, [((3,), float)]),
    np.conjugate: (lambda x: x.conj(), [((3,), complex)]),
    np.real: (lambda x: x.real, [((3,), complex)]),
    np.imag: (lambda x: x.imag, [((3,), complex)]),
    "astype": (lambda x: x.astype(np.complex64), [((3,), float)]),
    np.reshape: (lambda x: x.reshape(3, 2, order="F"), [((2, 3), float)]),
    np.transpose: (lambda x: x.T, [((2, 3), float)]),
    np.broadcast_to: (lambda x: np.broadcast_to(x, (2, 3)), [((3,), float)]),
    "getitem": (lambda x: x[::-2], [((5,), float)]),
    "gather": (lambda x: x[[1, 1, -1]], [((3,), float)]),
    np.concatenate: (lambda x, y: np.concatenate([x, y]), [((3,), float), ((2,), complex)]),
    np.where: (lambda x: np.where([True, False, True], x, 0), [((3,), float)]),
    np.pad: (lambda x: np.pad(x, (1, 2)), [((3,), float)]),
    np.sum: (lambda x: x.sum(axis=0), [((2, 3), float)]),
    np.cumsum: (lambda x: x.cumsum(), [((3,), float)]),
    np.matmul: (lambda x: x @ np.ones((3, 2)), [((2, 3), float)]),
    np.einsum: (lambda x: np.einsum("ij,j->i", x, np.arange(3.0)), [((2, 3), float)]),
    np.linalg.solve: (lambda x: np.linalg.solve(np.diag([1.0, 2.0]), x), [((2,), float)]),
    np.fft.fft: (lambda x: np.fft.fft(x), [((4,), float)]),
    np.fft.ifft: (lambda x: np.fft.ifft(x, 6), [((4,), complex)]),
    np.fft.rfft: (lambda x: np.fft.rfft(x, norm="ortho"), [((5,), float)]),
    np.fft.irfft: (lambda x: np.fft.irfft(x), [((4,), complex)]),
}


@pytest.mark.parametrize("kind", list(TRANSPOSES), ids=lambda k: getattr(k, "__name__", str(k)))
def test_every_primitive_has_an_example(kind):
    fn, specs = EXAMPLES[kind]
    assert kind in check(fn, *specs).kinds


# --------------------------------------------------------------------------- not linear: refused
NOT_LINEAR = [
    (lambda x: x * x, "numpy.multiply"),
    (lambda x: x @ x, "numpy.matmul"),
    (lambda x: np.exp(x), "numpy.exp"),
    (lambda x: x < 0, "numpy.less"),
    (lambda x: x == 0, "numpy.equal"),
    (lambda x: bool(x[0]), "bool"),
    (lambda x: float(x[0]), "float"),
    (lambda x: np.asarray(x), "numpy.asarray"),
    (lambda x: np.any(x), "numpy.any"),
    (lambda x: np.all(x), "numpy.all"),
    (lambda x: abs(x), "numpy.absolute"),
    (lambda x: 1.0 / x, "numpy.divide"),
    (lambda x: x + 1.0, "numpy.add"),
    (lambda x: np.where(x, x, 0), "numpy.where"),
    (lambda x: np.linalg.solve(np.outer(x, x), x), "numpy.multiply"),
    (lambda x: np.einsum("i,i->", x, x), "numpy.einsum"),
    (lambda x: np.concatenate([x, np.ones(1)]), "numpy.concatenate"),
    (lambda x: np.sort(x), "numpy.sort"),
    (lambda x: x.astype(int), "astype"),
    (lambda x: np.pad(x, 1, mode="maximum"), "numpy.pad"),
    (lambda x: x.sum(initial=1.0), "numpy.sum"),
    (lambda x: np.add.at(x, [0], 1.0), "nonzero constant"),
    (lambda x: x.__setitem__(0, 1.0), "nonzero constant"),
    (lambda x: np.negative(x, out=np.empty(3)), "numpy.negative"),
]


@pytest.mark.parametrize("fn,name", NOT_LINEAR, ids=[n for _, n in NOT_LINEAR])
def test_not_linear_raises_naming_the_function(fn, name):
    with pytest.raises(NotLinearError, match=name.replace(".", r"\.")) as info:
        trace(fn, ((3,), np.float64))
    assert "mode='forward'" in str(info.value)
    assert isinstance(info.value, TypeError)
