"""The tangent keeps the value's memory layout, so view-or-copy decisions agree with NumPy's.

The oracle is the *twin model*: every operation here is linear (views, copies, reshapes, writes, products
with constants of one), so a DualArray program behaves like the same program run by NumPy on the value
and, separately, on each direction's tangent laid out exactly like the value. Each scenario is run three
ways: on the plain value, on the plain tangent twins (one per direction), and on a DualArray with k
directions. The DualArray's values must equal NumPy's exactly, its tangents must equal the twins'
exactly, and so writes through views reach the parent's value AND tangent exactly when NumPy's view
shares memory with it (a copy for the value must be a copy for the tangent, and a view a view).
"""

from __future__ import annotations

import numpy as np
import pytest

from dualarray import DualArray

from .test_rules import relayout

LAYOUTS = ("C", "F", "T", "neg", "gap")


def in_layout(a, layout):
    return np.array(a, order="C") if layout == "C" else relayout(a, layout)  # always a fresh array


def twin_check(scenario, base, layout, seeds, *, label=""):
    """Run ``scenario`` on ``base`` in ``layout`` (plain), on each seed in the same layout, and on a
    DualArray of that value seeded with ``seeds`` (shape ``(k, *base.shape)``, batched; for k == 1 also
    unbatched). ``scenario(a)`` returns a list of arrays; all are compared, value and every direction.
    """
    k = len(seeds)
    expected = scenario(in_layout(base, layout))
    twins = [scenario(in_layout(s, layout)) for s in seeds]
    runs = [("batched", DualArray(in_layout(base, layout), seeds, batched=True))]
    if k == 1:
        runs.append(("single", DualArray(in_layout(base, layout), seeds[0])))
    for how, dual in runs:
        got = scenario(dual)
        assert len(got) == len(expected)
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            where = f"{label} [{layout} input]: output {i} ({how}, k={k})"
            assert isinstance(g, DualArray), f"{where}: not a DualArray"
            assert g.shape == e.shape and g.dtype == e.dtype, f"{where}: {g.shape} {g.dtype} != {e.shape} {e.dtype}"
            np.testing.assert_array_equal(g.value, e, err_msg=f"{where}: value != NumPy's")
            t = g.tangent if how == "batched" else g.tangent[None]
            assert t.shape == (k, *e.shape)
            for j in range(k):
                np.testing.assert_array_equal(
                    t[j], twins[j][i], err_msg=f"{where}: tangent of direction {j} != NumPy on the tangent")


def _base(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _seeds(shape, k, seed=1):
    return np.random.default_rng(seed).standard_normal((k, *shape))


# ---------------------------------------------------------------- the known bug, literally
def test_ravel_of_fortran_is_a_copy_for_the_tangent_too():
    xv = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    seed = np.arange(12.0).reshape(3, 4) + 100
    x = DualArray(xv.copy(order="F"), seed)
    y = x.ravel()
    assert not np.shares_memory(y.value, x.value)
    before = y.tangent.copy()
    x *= 2
    np.testing.assert_array_equal(y.value, xv.ravel())
    np.testing.assert_array_equal(y.tangent, before, err_msg="ravel() of an F array is a copy: x *= 2 leaked into it")
    np.testing.assert_array_equal(x.tangent, 2 * seed)


def test_fortran_buffer_filled_through_its_fortran_reshape():
    xv = np.random.default_rng(0).standard_normal((3, 4))
    seed = np.random.default_rng(1).standard_normal((3, 4))
    x = DualArray(xv, seed)
    buf = np.zeros_like(x, order="F")
    v = buf.reshape(-1, order="F")
    assert np.shares_memory(v.value, buf.value)
    v[...] = x.reshape(-1, order="F")
    np.testing.assert_array_equal(buf.value, xv)
    np.testing.assert_array_equal(buf.tangent, seed, err_msg="the write through the F view did not reach buf's tangent")


# ---------------------------------------------------------------- scenarios (twin model)
def _ravel_then_scale(order):
    def run(x):
        y = np.ravel(x, order=order)
        x *= 2
        return [x, y]
    return run


def _ravel_T_then_write(order):
    def run(x):
        r = np.ravel(x.T, order=order)
        r *= 3
        return [x, r]
    return run


def _copy_then_views(order):
    def run(x):
        c = np.copy(x, order=order)
        r = c.ravel(order="K")
        r *= 2
        f = c.reshape(-1, order="A")
        f *= 5
        x *= 7
        return [x, c, r, f]
    return run


def _method_copy(order):
    def run(x):
        c = x.copy(order=order)
        a = c.reshape(-1, order="A")
        a *= 3
        return [c, a]
    return run


def _flatten(order):
    def run(x):
        f = x.flatten(order)
        x *= 2
        f *= 3
        return [x, f]
    return run


def _reshape_F_of_negative(x):
    v = x[::-1, ..., ::-1]
    r = v.reshape(-1, order="F")
    r *= 2
    return [x, v, r]


def _reshape_F_of_transposed(x):
    v = x.T
    r = v.reshape(-1, order="F")
    r *= 2
    w = v.reshape(v.shape[::-1], order="F")
    w *= 3
    return [x, v, r, w]


def _reshape_C_of_fortran_view(x):
    v = x.reshape(-1)
    v *= 2
    return [x, v]


def _like(func, order):
    flat = order if order in "CF" else "A"   # reshape has no order K

    def run(x):
        b = func(x, order=order) if func is not np.full_like else np.full_like(x, 0.0, order=order)
        if func is np.empty_like:
            b[...] = 0.0
        if func is np.ones_like:
            b *= x          # 1 * x: the tangent twin sees ones * t = t
        else:
            v = b.reshape(-1, order=flat)   # a view of b exactly when NumPy's is
            v[...] = np.ravel(x, order=flat)
        r = b.ravel(order="K")
        r *= 2
        t = b.T
        t[0] *= 3
        return [b, r]
    return run


def _zeros_like_views_write(x):
    b = np.zeros_like(x)
    np.copyto(b.T, x.T)
    k = b.ravel(order="K")
    k *= 2
    a = b.ravel(order="A")
    a *= 3
    return [b, k, a]


def _transpose_view_writes(x):
    t = x.T
    t[0] *= 2
    s = np.swapaxes(x, 0, -1)[::-1]
    s[..., 0] = 5 * s[..., 1]
    return [x, t, s]


def _ravel_A_write(x):
    a = np.ravel(x, order="A")
    a *= 2
    k = np.ravel(x, order="K")
    k *= 3
    return [x, a, k]


SCENARIOS = {
    **{f"ravel-{o}-then-scale": _ravel_then_scale(o) for o in "CFAK"},
    **{f"ravel-T-{o}-write": _ravel_T_then_write(o) for o in "CFAK"},
    **{f"np.copy-{o}-views": _copy_then_views(o) for o in "CFAK"},
    **{f"method-copy-{o}": _method_copy(o) for o in "CFAK"},
    **{f"flatten-{o}": _flatten(o) for o in "CFAK"},
    "reshape-F-of-negative": _reshape_F_of_negative,
    "reshape-F-of-transposed": _reshape_F_of_transposed,
    "reshape-C-view-or-copy": _reshape_C_of_fortran_view,
    **{f"{f.__name__}-{o}": _like(f, o) for f in (np.zeros_like, np.empty_like, np.ones_like, np.full_like)
       for o in "CFAK"},
    "zeros_like-views-write": _zeros_like_views_write,
    "transpose-view-writes": _transpose_view_writes,
    "ravel-A-K-write": _ravel_A_write,
}


@pytest.mark.parametrize("k", [1, 2])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)], ids=["3x4", "2x3x4"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_layout_scenario(name, layout, shape, k):
    twin_check(SCENARIOS[name], _base(shape), layout, _seeds(shape, k), label=f"{name} {shape}")


@pytest.mark.parametrize("seed_layout", LAYOUTS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_seed_layout_does_not_matter(layout, seed_layout):
    """The seed's own layout is irrelevant: the same values seeded from any layout give the same program."""
    shape = (3, 4)
    base, seeds = _base(shape), _seeds(shape, 2)
    for run in (_copy_then_views("K"), _reshape_F_of_transposed, _ravel_A_write):
        reference = DualArray(in_layout(base, layout), seeds, batched=True)
        other = DualArray(in_layout(base, layout), in_layout(seeds, seed_layout), batched=True)
        single = DualArray(in_layout(base, layout), in_layout(seeds[1], seed_layout))
        a, b, c = run(reference), run(other), run(single)
        for ra, rb, rc in zip(a, b, c, strict=True):
            np.testing.assert_array_equal(rb.value, ra.value)
            np.testing.assert_array_equal(rb.tangent, ra.tangent)
            np.testing.assert_array_equal(rc.tangent, ra.tangent[1])


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("order", ["C", "F", "A", "K"])
def test_view_or_copy_agrees(layout, order):
    """For every reshape/ravel the result shares memory with its input exactly when NumPy's does; checked
    by writing through the result and looking at the parent's value and tangent."""
    base, seeds = _base((3, 4)), _seeds((3, 4), 2)
    for make in (lambda a: np.ravel(a, order=order),
                 lambda a: np.reshape(a, (4, 3), order=order if order != "K" else "A"),
                 lambda a: np.reshape(a.T, (2, 6), order=order if order != "K" else "A"),
                 lambda a: np.ravel(a[::-1], order=order),
                 lambda a: np.ravel(a[:, ::2], order=order)):
        def run(a, make=make):
            r = make(a)
            r *= 2
            return [a, r]
        twin_check(run, base, layout, seeds, label=f"order {order}")
