"""The one parameterized check over every case of ``tests/cases``.

For each case, shape group and dtype:

1. the value equals NumPy's on the plain arrays exactly (values, shape, dtype);
2. the tangent matches Richardson-extrapolated central differences along a random direction;
3. k directions in one batched pass equal k single-direction runs;
4. (float64) the second derivative through a nested DualArray matches differences of the first.

``test_rule_layout`` runs every (case, shape group, dtype) once more on non-C-contiguous inputs and
seeds: Fortran order, the ``.T`` view of a C array, negative strides, and strided views with gaps. One
layout per parameter, rotated deterministically (a CRC of the case name, shapes and dtype); the seeds
get the next layout of the rotation, so value layout and seed layout differ. Checks 1-3 only (values
exactly NumPy's on the same non-C inputs, tangents vs finite differences *and* vs the C-layout run,
k directions == k single runs); the second-order check stays with ``test_rule``.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from dualarray import DualArray, new_tag
from dualarray import array_api as xp

try:
    from scipy._lib._array_api_override import SCIPY_ARRAY_API as _SCIPY_ARRAY_API
except ImportError:  # no SciPy
    _SCIPY_ARRAY_API = False

from .cases import ALL, Case

K = 3


def _params():
    for case in ALL:
        for shapes in case.shapes:
            for dtype in case.dtypes:
                label = f"{case.name}-{'x'.join(map(str, shapes)).replace(' ', '')}-{dtype}"
                yield pytest.param(case, shapes, dtype, id=label)


def _outputs(result):
    return result if isinstance(result, tuple) else (result,)


def _value(r):
    return r.value if isinstance(r, DualArray) else r


def _tangent(r, like):
    """Tangent of one output (zeros for a plain, non-differentiable output)."""
    if isinstance(r, DualArray):
        return r.tangent
    return np.zeros(np.shape(like))


def _directional(case: Case, arrays, directions, h: float = 1e-3):
    """Richardson-extrapolated central difference of every output along ``directions``."""

    def at(step):
        shifted = list(arrays)
        for i in case.diff_args:
            shifted[i] = arrays[i] + step * directions[i]
        return [np.asarray(o, dtype=np.result_type(o, np.float64)) for o in _outputs(case.func(*shifted))]

    def central(step):
        plus, minus = at(step), at(-step)
        return [(p - m) / (2 * step) for p, m in zip(plus, minus, strict=True)]

    coarse, fine = central(h), central(h / 2)
    return [(4 * f - c) / 3 for f, c in zip(fine, coarse, strict=True)]


def _directions(case, arrays, rng, k=None):
    dirs = []
    for i, x in enumerate(arrays):
        if i not in case.diff_args:
            dirs.append(None)
            continue
        shape = np.shape(x) if k is None else (k, *np.shape(x))
        v = rng.standard_normal(shape)
        if np.iscomplexobj(x):
            v = v + 1j * rng.standard_normal(shape)
        dirs.append(v.astype(x.dtype))
    return dirs


def _duals(case, arrays, directions, batched=False):
    return [
        DualArray(x, v, batched=batched) if i in case.diff_args else _constant(x)
        for i, (x, v) in enumerate(zip(arrays, directions, strict=True))
    ]


def _constant(x):
    """A non-differentiated argument: as it is, or, on SciPy's array-API path (SCIPY_ARRAY_API=1 at its
    import), an array-API constant: SciPy refuses to mix NumPy arrays with DualArrays there."""
    return xp.asarray(x) if _SCIPY_ARRAY_API and isinstance(x, np.ndarray) else x


def _is_float32(dtype):
    return np.dtype(dtype) in (np.float32, np.complex64)


@pytest.mark.parametrize(("case", "shapes", "dtype"), list(_params()))
def test_rule(case: Case, shapes, dtype):
    rng = np.random.default_rng(case.seed(shapes, dtype))
    for _ in range(case.seed_points):
        arrays = case.draw(rng, shapes, dtype)
        directions = _directions(case, arrays, rng)
        expected = _outputs(case.func(*arrays))
        got = _outputs(case.func(*_duals(case, arrays, directions)))
        assert len(got) == len(expected)

        # 1. values equal NumPy's exactly
        for g, e in zip(got, expected, strict=True):
            v = _value(g)
            assert np.shape(v) == np.shape(e), f"shape {np.shape(v)} != NumPy's {np.shape(e)}"
            assert np.result_type(v) == np.result_type(e), f"dtype {np.result_type(v)} != NumPy's {np.result_type(e)}"
            np.testing.assert_array_equal(v, e)

        # 2. tangents match finite differences (computed in double precision)
        wide = [a.astype(np.complex128 if np.iscomplexobj(a) else np.float64) for a in arrays]
        wide_dirs = [None if d is None else d.astype(w.dtype) for d, w in zip(directions, wide, strict=True)]
        reference = _directional(case, wide, wide_dirs)
        rtol, atol = (3e-3, 3e-3) if _is_float32(dtype) else (case.rtol, case.atol)
        for g, e, ref in zip(got, expected, reference, strict=True):
            t = _tangent(g, e)
            assert np.shape(t) == np.shape(e)
            np.testing.assert_allclose(t, ref, rtol=rtol, atol=atol, err_msg=f"{case.name}: tangent vs differences")

        # 3. k directions in one pass == k single runs
        if case.batched:
            # stacked BLAS calls may round differently from single ones by an ulp
            batch_rtol = 1e-5 if _is_float32(dtype) else 1e-10
            many = _directions(case, arrays, rng, k=K)
            batched = _outputs(case.func(*_duals(case, arrays, many, batched=True)))
            for j in range(K):
                single = _outputs(case.func(*_duals(case, arrays, [None if m is None else m[j] for m in many])))
                for b, s, e in zip(batched, single, expected, strict=True):
                    if isinstance(b, DualArray):
                        assert b.tangent.shape == (K, *np.shape(e))
                        np.testing.assert_allclose(b.tangent[j], _tangent(s, e), rtol=batch_rtol, atol=batch_rtol)

        # 4. second derivatives through nesting (float64 only)
        if case.order2 and not _is_float32(dtype):
            _check_order2(case, arrays, directions, rng)


def _check_order2(case: Case, arrays, v, rng):
    w = _directions(case, arrays, rng)
    inner, outer = new_tag(), new_tag()
    nested = [
        DualArray(DualArray(x, w[i], tag=inner), v[i], tag=outer) if i in case.diff_args else _constant(x)
        for i, x in enumerate(arrays)
    ]
    results = _outputs(case.func(*nested))
    expected = _outputs(case.func(*arrays))

    def first_order(xs):
        return [_tangent(o, e) for o, e in zip(_outputs(case.func(*_duals(case, xs, v))), expected, strict=True)]

    h = 1e-3
    def at(step):
        return first_order([x + step * wi if wi is not None else x for x, wi in zip(arrays, w, strict=True)])

    coarse = [(p - m) / (2 * h) for p, m in zip(at(h), at(-h), strict=True)]
    fine = [(p - m) / h for p, m in zip(at(h / 2), at(-h / 2), strict=True)]
    reference = [(4 * f - c) / 3 for f, c in zip(fine, coarse, strict=True)]
    for r, e, ref in zip(results, expected, reference, strict=True):
        if not isinstance(r, DualArray):
            continue
        assert r.tag == outer
        inner_value = r.value
        np.testing.assert_array_equal(_value(inner_value), e)
        second = r.tangent.tangent if isinstance(r.tangent, DualArray) else np.zeros(np.shape(e))
        np.testing.assert_allclose(second, ref, rtol=1e-5, atol=1e-6, err_msg=f"{case.name}: second derivative")


# ---------------------------------------------------------------- memory layouts
def _fortran(a):
    return np.array(a, order="F")  # always a copy


def _transposed(a):
    """The ``.T`` view of a C-contiguous array of the reversed shape (strides decrease backwards)."""
    return np.transpose(a).copy(order="C").T  # always a copy


def _negative(a):
    """Negative strides along every axis (the same elements, read backwards from a reversed copy)."""
    rev = (slice(None, None, -1),) * a.ndim
    return a[rev].copy()[rev]


def _gapped(a):
    """A strided view with gaps: every other element of a buffer twice as long along each axis."""
    buf = np.zeros(tuple(2 * n for n in a.shape), dtype=a.dtype)
    view = buf[(slice(None, None, 2),) * a.ndim]
    view[...] = a
    return view


LAYOUTS = {"F": _fortran, "T": _transposed, "neg": _negative, "gap": _gapped}
_LAYOUT_NAMES = tuple(LAYOUTS)


def relayout(a, name):
    """``a`` (same values, shape and dtype) in layout ``name``; 0-d arrays and layouts that are C order
    for this shape (F and T of a 1-d array) fall back to negative strides."""
    a = np.asarray(a)
    if a.ndim == 0:
        return a
    if name in ("F", "T") and sum(n > 1 for n in a.shape) < 2:
        name = "neg"
    out = LAYOUTS[name](a)
    assert out.shape == a.shape and out.dtype == a.dtype
    np.testing.assert_array_equal(out, a)
    return out


def _batched_relayout(v, name):
    """k stacked seeds ``(k, *shape)`` in layout ``name`` (the whole stack, direction axis included)."""
    return relayout(v, name) if np.ndim(v) >= 2 else v


def _layout_of(case, shapes, dtype):
    i = zlib.crc32(repr((case.name, shapes, dtype, "layout")).encode()) % len(_LAYOUT_NAMES)
    return _LAYOUT_NAMES[i], _LAYOUT_NAMES[(i + 1) % len(_LAYOUT_NAMES)]


def _layout_params():
    for case in ALL:
        for shapes in case.shapes:
            if all(len(s) == 0 for s in shapes):
                continue  # 0-d arrays have one layout
            for dtype in case.dtypes:
                value_layout, seed_layout = _layout_of(case, shapes, dtype)
                label = (f"{case.name}-{'x'.join(map(str, shapes)).replace(' ', '')}-{dtype}"
                         f"-{value_layout}-seed{seed_layout}")
                yield pytest.param(case, shapes, dtype, value_layout, seed_layout, id=label)


@pytest.mark.parametrize(("case", "shapes", "dtype", "value_layout", "seed_layout"), list(_layout_params()))
def test_rule_layout(case: Case, shapes, dtype, value_layout, seed_layout):
    rng = np.random.default_rng(case.seed(shapes, dtype))
    contiguous = case.draw(rng, shapes, dtype)
    arrays = [relayout(a, value_layout) for a in contiguous]
    c_dirs = _directions(case, contiguous, rng)
    directions = [None if d is None else relayout(d, seed_layout) for d in c_dirs]

    # 1. values equal NumPy's on the same (non-C) inputs exactly
    try:
        expected = _outputs(case.func(*arrays))
    except Exception as err:  # NumPy itself refuses this layout (put_along_axis(F array, axis=None))
        with pytest.raises(type(err)):
            case.func(*_duals(case, arrays, directions))
        return
    got = _outputs(case.func(*_duals(case, arrays, directions)))
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        v = _value(g)
        assert np.shape(v) == np.shape(e), f"shape {np.shape(v)} != NumPy's {np.shape(e)}"
        assert np.result_type(v) == np.result_type(e), f"dtype {np.result_type(v)} != NumPy's {np.result_type(e)}"
        np.testing.assert_array_equal(v, e, err_msg=f"{case.name} ({value_layout} inputs): value != NumPy's")

    # 2. tangents match finite differences, and the tangents of the same inputs in C layout
    wide = [a.astype(np.complex128 if np.iscomplexobj(a) else np.float64) for a in arrays]
    wide_dirs = [None if d is None else d.astype(w.dtype) for d, w in zip(directions, wide, strict=True)]
    reference = _directional(case, wide, wide_dirs)
    c_got = _outputs(case.func(*_duals(case, contiguous, c_dirs)))
    rtol, atol = (3e-3, 3e-3) if _is_float32(dtype) else (case.rtol, case.atol)
    same = 1e-5 if _is_float32(dtype) else 1e-10
    for g, c, e, ref in zip(got, c_got, expected, reference, strict=True):
        t = _tangent(g, e)
        assert np.shape(t) == np.shape(e)
        np.testing.assert_allclose(t, ref, rtol=rtol, atol=atol,
                                   err_msg=f"{case.name} ({value_layout} inputs, {seed_layout} seeds): "
                                           "tangent vs differences")
        np.testing.assert_allclose(t, _tangent(c, e), rtol=same, atol=same,
                                   err_msg=f"{case.name} ({value_layout} inputs, {seed_layout} seeds): "
                                           "tangent != the C-layout run's")

    # 3. k directions in one pass (seeds stacked in the seed layout) == k single runs
    if case.batched:
        batch_rtol = 1e-5 if _is_float32(dtype) else 1e-10
        many = [None if m is None else _batched_relayout(m, seed_layout)
                for m in _directions(case, contiguous, rng, k=K)]
        batched = _outputs(case.func(*_duals(case, arrays, many, batched=True)))
        for j in range(K):
            single = _outputs(case.func(*_duals(case, arrays, [None if m is None else m[j] for m in many])))
            for b, s, e in zip(batched, single, expected, strict=True):
                if isinstance(b, DualArray):
                    assert b.tangent.shape == (K, *np.shape(e))
                    np.testing.assert_allclose(b.tangent[j], _tangent(s, e), rtol=batch_rtol, atol=batch_rtol,
                                               err_msg=f"{case.name} ({value_layout} inputs): direction {j} of "
                                                       "the batched run != its single run")
