"""Hypothesis properties: the tangent is linear in the seed direction, and broadcasting is NumPy's."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dualarray import DualArray

FUNCTIONS = {
    "chain": lambda x: np.tanh(np.exp(np.sin(x)) * x**2 + np.log1p(x * x)) / np.sqrt(1 + x * x),
    "poly": lambda x: 3 * x**3 - x / (1 + x * x),
    "reductions": lambda x: np.sum(np.cos(x), axis=-1) * np.max(x, axis=-1),
    "indexing": lambda x: x[..., ::-1] * x[..., :1],
    "matmul": lambda x: x @ np.swapaxes(x, -1, -2) if x.ndim >= 2 else x @ x,
}

floats = st.floats(-3, 3, allow_nan=False, allow_infinity=False, width=64)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


@st.composite
def point_and_directions(draw):
    shape = draw(shapes)
    x = draw(hnp.arrays(np.float64, shape, elements=floats))
    u = draw(hnp.arrays(np.float64, shape, elements=floats))
    v = draw(hnp.arrays(np.float64, shape, elements=floats))
    a, b = draw(floats), draw(floats)
    return x, u, v, a, b


@given(point_and_directions(), st.sampled_from(sorted(FUNCTIONS)))
def test_tangent_is_linear_in_the_direction(data, name):
    x, u, v, a, b = data
    f = FUNCTIONS[name]
    tu = f(DualArray(x, u)).tangent
    tv = f(DualArray(x, v)).tangent
    both = f(DualArray(x, a * u + b * v)).tangent
    np.testing.assert_allclose(both, a * tu + b * tv, rtol=1e-9, atol=1e-9 * (1 + np.abs(both).max()))
    batched = f(DualArray(x, np.stack([u, v]), batched=True)).tangent
    np.testing.assert_allclose(batched[0], tu, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(batched[1], tv, rtol=1e-12, atol=1e-12)


@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4),
       st.sampled_from([np.add, np.multiply, np.maximum, np.arctan2, np.hypot]))
def test_broadcasting_matches_numpy(shapes, ufunc):
    rng = np.random.default_rng(0)
    sa, sb = shapes.input_shapes
    a, b = rng.uniform(0.5, 2, sa), rng.uniform(0.5, 2, sb)
    ta, tb = rng.standard_normal(sa), rng.standard_normal(sb)
    r = ufunc(DualArray(a, ta), DualArray(b, tb))
    expected = ufunc(a, b)
    assert r.shape == expected.shape == shapes.result_shape
    np.testing.assert_array_equal(r.value, expected)
    assert r.tangent.shape == expected.shape
    # each input's contribution is that of a single-input run
    only_a = ufunc(DualArray(a, ta), b).tangent
    only_b = ufunc(a, DualArray(b, tb)).tangent
    np.testing.assert_allclose(r.tangent, only_a + only_b, rtol=1e-12, atol=1e-12)
