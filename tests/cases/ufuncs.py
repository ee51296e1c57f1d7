"""Rows for every differentiable NumPy ufunc and the ufunc methods."""

from __future__ import annotations

import numpy as np

from . import BINARY, TERNARY, UNARY, WITH_COMPLEX, Case

U, B = UNARY, BINARY


def _at(uf, index):
    """``uf.at`` on a copy of ``x`` (an out-of-place function for the case table)."""

    def f(x, *b):
        buf = np.copy(x)
        uf.at(buf, index, *b)
        return buf

    return f


_AT_INDICES = {
    "slice_between": (slice(None), [0, 1], slice(None), [1, 0]),
    "int_slice_int_array": (2, slice(1, None), 0, [1, 3]),
    "repeated_separated": ([0, 2, 0], slice(None), 1, [1, 1, 1]),
    "none_between": (slice(None), [[0], [1]], None, [0, 1]),
    "ellipsis_between": ([1, 1], Ellipsis, [4, 0]),
    "adjacent": (slice(None), [0, 0, 3], [1, 1, 0]),
}
C = WITH_COMPLEX

CASES = [
    # arithmetic
    Case("add", np.add, ("real", "real"), B, C),
    Case("subtract", np.subtract, ("real", "real"), B, C),
    Case("multiply", np.multiply, ("real", "real"), B, C),
    Case("divide", np.divide, ("real", "nonzero"), B, C),
    Case("negative", np.negative, ("real",), U, C),
    Case("positive", np.positive, ("real",), U, C),
    Case("conjugate", np.conjugate, ("real",), U, C),
    Case("power", np.power, ("positive", "small"), B, C),
    Case("power_int_exponent", lambda x: x**3, ("real",), U, C),
    Case("power_const_exponent_negative_base", lambda x: np.power(x, 2.0), ("real",), U),
    Case("float_power", np.float_power, ("positive", "small"), B),
    Case("square", np.square, ("real",), U, C),
    Case("sqrt", np.sqrt, ("positive",), U, C),
    Case("cbrt", np.cbrt, ("nonzero",), U),
    Case("reciprocal", np.reciprocal, ("nonzero",), U, C),
    # exponentials and logarithms
    Case("exp", np.exp, ("real",), U, C),
    Case("exp2", np.exp2, ("real",), U, C),
    Case("expm1", np.expm1, ("real",), U, C),
    Case("log", np.log, ("positive",), U, C),
    Case("log2", np.log2, ("positive",), U, C),
    Case("log10", np.log10, ("positive",), U, C),
    Case("log1p", np.log1p, ("positive",), U, C),
    Case("logaddexp", np.logaddexp, ("real", "real"), B),
    Case("logaddexp2", np.logaddexp2, ("real", "real"), B),
    Case("ldexp", lambda x: np.ldexp(x, np.array(3)), ("real",), U),
    # trigonometric and hyperbolic
    Case("sin", np.sin, ("real",), U, C),
    Case("cos", np.cos, ("real",), U, C),
    Case("tan", np.tan, ("unit",), U, C),
    Case("arcsin", np.arcsin, ("unit",), U, C),
    Case("arccos", np.arccos, ("unit",), U, C),
    Case("arctan", np.arctan, ("real",), U, C),
    Case("arctan2", np.arctan2, ("nonzero", "nonzero"), B),
    Case("hypot", np.hypot, ("nonzero", "nonzero"), B),
    Case("sinh", np.sinh, ("real",), U, C),
    Case("cosh", np.cosh, ("real",), U, C),
    Case("tanh", np.tanh, ("real",), U, C),
    Case("arcsinh", np.arcsinh, ("real",), U, C),
    Case("arccosh", np.arccosh, ("gt1",), U, C),
    Case("arctanh", np.arctanh, ("unit",), U, C),
    Case("deg2rad", np.deg2rad, ("real",), U),
    Case("rad2deg", np.rad2deg, ("real",), U),
    Case("radians", np.radians, ("real",), U),
    Case("degrees", np.degrees, ("real",), U),
    # sign, extrema, remainders (random points stay away from kinks; see test_kinks.py)
    Case("absolute", np.absolute, ("nonzero",), U, C),
    Case("fabs", np.fabs, ("nonzero",), U),
    Case("sign", np.sign, ("nonzero",), U, C),
    Case("copysign", np.copysign, ("nonzero", "nonzero"), B),
    Case("maximum", np.maximum, ("real", "real"), B),
    Case("minimum", np.minimum, ("real", "real"), B),
    Case("fmax", np.fmax, ("real", "real"), B),
    Case("fmin", np.fmin, ("real", "real"), B),
    Case("fmod", np.fmod, ("fraction", "divisor"), B),
    Case("remainder", np.remainder, ("fraction", "divisor"), B),
    Case("floor_divide", np.floor_divide, ("fraction", "divisor"), B),
    Case("heaviside", np.heaviside, ("nonzero", "real"), B),
    Case("nextafter", lambda x: np.nextafter(x, np.inf), ("real",), U),
    Case("floor", np.floor, ("small",), U),
    Case("ceil", np.ceil, ("small",), U),
    Case("trunc", np.trunc, ("small",), U),
    Case("rint", np.rint, ("small",), U),
    Case("spacing", np.spacing, ("binade",), U),
    Case("clip_ufunc", np._core.umath.clip, ("real", "real", "real"), TERNARY),
    Case("modf", np.modf, ("small",), U),
    Case("frexp", np.frexp, ("nonzero",), U),
    Case("divmod", np.divmod, ("fraction", "divisor"), B),
    # gufuncs
    Case("matmul_mm", np.matmul, ("real", "real"),
         [((3, 4), (4, 2)), ((2, 3, 4), (4, 3)), ((5, 1, 3, 4), (2, 4, 3))], C),
    Case("matmul_vm", np.matmul, ("real", "real"), [((4,), (4, 2)), ((3,), (2, 3, 4)), ((4,), (4,))], C),
    Case("matmul_mv", np.matmul, ("real", "real"), [((3, 4), (4,)), ((2, 3, 4), (4,))], C),
    Case("vecdot", np.vecdot, ("real", "real"), [((3,), (3,)), ((2, 3), (3,)), ((4, 1, 3), (2, 3))], C),
    Case("vecdot_axis", lambda a, b: np.vecdot(a, b, axis=0), ("real", "real"), [((3, 2), (3, 1)), ((4,), (4,))],
         C),
    Case("matvec", np.matvec, ("real", "real"), [((3, 4), (4,)), ((2, 3, 4), (4,)), ((3, 4), (2, 4))], C),
    Case("vecmat", np.vecmat, ("real", "real"), [((3,), (3, 4)), ((2, 3), (3, 4)), ((3,), (2, 3, 4))], C),
    Case("matmul_operator", lambda a, b: a @ b, ("real", "real"), [((3, 4), (4, 2))]),
    # ufunc methods
    Case("add_reduce", lambda x: np.add.reduce(x, axis=0), ("real",), [((3,),), ((3, 4),)], C),
    Case("add_reduce_axes", lambda x: np.add.reduce(x, axis=(0, 2), keepdims=True), ("real",), [((2, 3, 4),)]),
    Case("add_reduce_where", lambda x: np.add.reduce(x, axis=1, where=np.array([True, False, True, True]),
                                                     initial=1.0), ("real",), [((3, 4),)]),
    Case("multiply_reduce", lambda x: np.multiply.reduce(x, axis=-1), ("nonzero",), [((3,),), ((3, 4),)], C),
    Case("multiply_reduce_none", lambda x: np.multiply.reduce(x, axis=None), ("nonzero",), [((3, 4),)]),
    Case("maximum_reduce", lambda x: np.maximum.reduce(x, axis=1), ("real",), [((3, 4),)]),
    Case("minimum_reduce", lambda x: np.minimum.reduce(x, axis=None), ("real",), [((3, 4),)]),
    Case("fmax_reduce", lambda x: np.fmax.reduce(x, axis=0, keepdims=True), ("real",), [((3, 4),)]),
    Case("fmin_reduce", lambda x: np.fmin.reduce(x, axis=0), ("real",), [((3, 4),)]),
    Case("maximum_reduce_initial", lambda x: np.maximum.reduce(x, axis=0, initial=0.0), ("real",), [((5, 3),)]),
    Case("logaddexp_reduce", lambda x: np.logaddexp.reduce(x, axis=0), ("real",), [((4,),), ((4, 3),)]),
    Case("logaddexp2_reduce", lambda x: np.logaddexp2.reduce(x, axis=-1), ("real",), [((3, 4),)]),
    Case("subtract_reduce", lambda x: np.subtract.reduce(x, axis=0), ("real",), [((4, 3),)]),
    Case("divide_reduce", lambda x: np.divide.reduce(x, axis=1), ("nonzero",), [((2, 3),)]),
    Case("add_accumulate", lambda x: np.add.accumulate(x, axis=-1), ("real",), [((3,),), ((3, 4),)], C),
    Case("multiply_accumulate", lambda x: np.multiply.accumulate(x, axis=0), ("nonzero",), [((4,),), ((4, 3),)], C),
    Case("maximum_accumulate", lambda x: np.maximum.accumulate(x, axis=1), ("real",), [((3, 4),)]),
    Case("minimum_accumulate", lambda x: np.minimum.accumulate(x), ("real",), [((5,),)]),
    Case("add_reduceat", lambda x: np.add.reduceat(x, [0, 2, 3], axis=0), ("real",), [((5,),), ((5, 2),)]),
    Case("multiply_outer", np.multiply.outer, ("real", "real"), [((3,), (4,)), ((2, 3), (2,))], C),
    Case("power_outer", np.power.outer, ("positive", "small"), [((3,), (4,))]),
    Case("maximum_outer", np.maximum.outer, ("real", "real"), [((3,), (4,))]),
    # dtype= of the methods: float64 data reduced in float32 (the tangent in float32, the rule on the cast
    # values; float32 rounding of the value limits the differences, hence the tolerances)
    *[Case(f"{uf.__name__}_{method}_dtype_float32",
           lambda x, uf=uf, method=method: getattr(uf, method)(x, axis=-1, dtype=np.float32),
           ("nonzero" if uf is np.multiply else "real",), [((3, 4),)], ("float64",), order2=False, rtol=1e-3, atol=1e-3)
      for uf in (np.maximum, np.minimum, np.fmax, np.fmin, np.add, np.multiply, np.logaddexp)
      for method in ("reduce", "accumulate")],
    Case("add_reduceat_dtype_float32", lambda x: np.add.reduceat(x, [0, 2], axis=-1, dtype=np.float32), ("real",),
         [((3, 4),)], ("float64",), order2=False, rtol=1e-3, atol=1e-3),
    Case("multiply_outer_dtype_float32", lambda a, b: np.multiply.outer(a, b, dtype=np.float32), ("real", "real"),
         [((3,), (4,))], ("float64",), order2=False, rtol=1e-3, atol=1e-3),
    # ufunc.at with advanced indices separated by a slice, Ellipsis or None (NumPy puts their axes first)
    *[Case(f"{uf.__name__}_at_{name}", _at(uf, index), ("real", "nonzero" if uf is np.divide else "real"),
           [((3, 4, 2, 5), np.empty((3, 4, 2, 5))[index].shape)])
      for uf in (np.add, np.subtract, np.multiply, np.divide, np.maximum)
      for name, index in _AT_INDICES.items()],
    *[Case(f"{uf.__name__}_at_{name}", _at(uf, index), ("real",), [((3, 4, 2, 5),)])
      for uf in (np.negative, np.square)
      for name, index in list(_AT_INDICES.items())[:3]],
]
