"""Scalar conversions of 0-d DualArrays: allowed exactly when lossless, refused (clearly) otherwise."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import dualarray as da
from dualarray import DualArray


@pytest.mark.parametrize("convert", [float, int, complex])
def test_lossless_conversions(convert):
    assert convert(DualArray(2.0)) == convert(2.0)  # no tangent
    assert convert(DualArray(2.0, 0.0)) == convert(2.0)  # a zero tangent
    assert convert(DualArray(np.float64(2.0), np.zeros(3), batched=True)) == convert(2.0)  # zero in every direction
    assert convert(DualArray(np.int64(3))) == 3
    with pytest.raises(TypeError, match="would drop the derivative"):
        convert(DualArray(2.0, 1.0))
    with pytest.raises(TypeError, match="would drop the derivative"):
        convert(DualArray(np.float64(2.0), np.array([0.0, 1.0]), batched=True))


def test_index_needs_an_integer_dtype():
    assert operator.index(DualArray(np.int64(2))) == 2
    assert [10, 20, 30][DualArray(np.int64(1))] == 20
    with pytest.raises(TypeError, match="integer"):
        operator.index(DualArray(2.0))


def test_conversions_inside_transforms():
    # a value whose derivative is zero at this point converts; one that carries a derivative raises
    assert da.derivative(lambda x: x * float(x * 0 + 3))(2.0) == 3.0
    with pytest.raises(TypeError, match="float"):
        da.derivative(lambda x: float(x) * x)(2.0)
    with pytest.raises(TypeError, match="float"):
        da.gradient(lambda x: float(x[0] * 0) * x.sum(), mode="reverse")(np.ones(3))  # a traced tangent: refused
    # nested: x[1] - x[1] has zero inner and outer tangents; x[0] has an outer one, so it raises
    h = da.hessian(lambda x: x[0] ** 2 * float(x[1] - x[1] + 2), mode="forward")(np.ones(2))
    np.testing.assert_array_equal(h, [[4.0, 0.0], [0.0, 0.0]])
    with pytest.raises(TypeError, match="float"):
        da.hessian(lambda x: x[0] * float(x[1]), mode="forward")(np.ones(2))
