"""Rows for shape, joining, splitting, selection, padding, in-place and creation-like functions.

Shapes contain 3 on purpose: the batched check uses k = 3 directions, so a rule that mixes up the
direction axis with a value axis fails there.
"""

from __future__ import annotations

import numpy as np
import numpy.lib.scimath as emath
import numpy.lib.stride_tricks as stride_tricks

from . import BINARY, UNARY, WITH_COMPLEX, Case

U, C = UNARY, WITH_COMPLEX
ND = [((3,),), ((3, 4),), ((2, 3, 4),)]          # at least 1-d
M = [((3, 4),), ((2, 3, 4),)]                    # at least 2-d
SQ = [((3, 3),), ((4, 3),), ((2, 3, 3),)]
PAIR = [((3,), (3,)), ((3, 4), (3, 4)), ((2, 3, 4), (2, 3, 4))]


PIECES = [lambda v, a: a * v, lambda v, a: np.cos(v), 0.0]
IMAG_NONFINITE = np.array([0j, complex(0.0, np.inf), complex(0.0, np.nan)])


def _quarter(rng, shape):
    """Away from the rounding kinks at .5."""
    return rng.integers(-5, 5, size=shape) + rng.choice([0.1, 0.3, 0.7, 0.9], size=shape)


def _mixed_sign(rng, shape):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def _beyond_one(rng, shape):
    magnitude = np.where(rng.random(shape) < 0.5, rng.uniform(0.2, 0.8, shape), rng.uniform(1.2, 2.5, shape))
    return rng.choice([-1.0, 1.0], size=shape) * magnitude


def _nonfinite(rng, shape):
    x = rng.standard_normal(shape)
    flat = x.reshape(-1)
    flat[::3] = np.inf
    flat[1::4] = np.nan
    return x


def _put_along(a, v):
    b = np.copy(a)
    np.put_along_axis(b, np.array([[0], [2], [1]]), v, axis=1)
    return b


def _in_place(func):
    def run(a, v):
        b = np.copy(a)
        func(b, v)
        return b

    return run


MASK34 = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
IDX34 = np.array([[3, 0, 1], [2, 2, 0], [1, 3, 3]])

CASES = [
    # ---------------------------------------------------------------- changing shape
    Case("reshape", lambda x: np.reshape(x, (4, 3)), ("real",), [((3, 4),), ((12,),)], C),
    Case("reshape_infer_F", lambda x: np.reshape(x, (2, -1), order="F"),
         ("real",), [((3, 4),), ((2, 3, 2),)]),
    Case("reshape_method", lambda x: x.reshape(-1), ("real",), M),
    Case("ravel", np.ravel, ("real",), U + [((2, 3, 4),)], C),
    Case("ravel_F", lambda x: np.ravel(x, order="F"), ("real",), M),
    Case("transpose", np.transpose, ("real",), U + [((2, 3, 4),)], C),
    Case("transpose_axes", lambda x: np.transpose(x, (1, 2, 0)), ("real",), [((2, 3, 4),)]),
    Case("permute_dims", lambda x: np.permute_dims(x, (2, 0, 1)), ("real",), [((2, 3, 4),)]),
    Case("moveaxis", lambda x: np.moveaxis(x, 0, -1), ("real",), M),
    Case("moveaxis_many", lambda x: np.moveaxis(x, (0, 1), (2, 0)), ("real",), [((2, 3, 4),)]),
    Case("swapaxes", lambda x: np.swapaxes(x, 0, -1), ("real",), M),
    Case("rollaxis", lambda x: np.rollaxis(x, 2, 0), ("real",), [((2, 3, 4),)]),
    Case("rollaxis_start", lambda x: np.rollaxis(x, 0, 3), ("real",), [((2, 3, 4),)]),
    Case("squeeze", np.squeeze, ("real",), [((3, 1, 4),), ((1, 3, 1),), ((1,),)], C),
    Case("squeeze_axis", lambda x: np.squeeze(x, axis=1), ("real",), [((3, 1, 4),)]),
    Case("expand_dims", lambda x: np.expand_dims(x, 0), ("real",), U),
    Case("expand_dims_many", lambda x: np.expand_dims(x, (0, -1)), ("real",), U),
    Case("broadcast_to", lambda x: np.broadcast_to(x, (2, 3, 4)), ("real",), [((),), ((4,),), ((3, 1),)]),
    Case("broadcast_arrays", lambda a, b: np.broadcast_arrays(a, b), ("real", "real"), BINARY),
    Case("atleast_1d", np.atleast_1d, ("real",), U),
    Case("atleast_2d", np.atleast_2d, ("real",), U),
    Case("atleast_3d", np.atleast_3d, ("real",), U + [((2, 3, 4),)]),
    Case("atleast_2d_many", lambda a, b: np.atleast_2d(a, b), ("real", "real"), [((), (3,)), ((3,), (3, 4))]),
    Case("sliding_window_view", lambda x: stride_tricks.sliding_window_view(x, 2), ("real",), [((5,),)]),
    Case("sliding_window_view_axis", lambda x: stride_tricks.sliding_window_view(x, (2, 3), axis=(0, -1)),
         ("real",), [((3, 4),), ((3, 2, 4),)]),
    Case("astype", lambda x: np.astype(x, np.float32), ("real",), U, rtol=3e-3, atol=3e-4),
    Case("real_if_close", np.real_if_close, ("real",), U, C),
    Case("real_if_close_real_part", lambda x: np.real_if_close(x + 0j), ("real",), U),
    # ---------------------------------------------------------------- joining
    Case("concatenate", lambda a, b: np.concatenate([a, b]), ("real", "real"), PAIR, C),
    Case("concatenate_axis_last", lambda a, b: np.concatenate((a, b), axis=-1), ("real", "real"),
         [((3, 4), (3, 2)), ((2, 3, 1), (2, 3, 3))]),
    Case("concatenate_none", lambda a, b: np.concatenate((a, b), axis=None), ("real", "real"),
         [((3, 4), (2,)), ((), (3,))]),
    Case("concatenate_const", lambda a, b: np.concatenate([a, b, [[1.0, 2.0, 3.0, 4.0]]]), ("real", "real"),
         [((3, 4), (1, 4))], diff=(0,)),
    Case("concatenate_dtype", lambda a, b: np.concatenate([a, b], dtype=np.float32), ("real", "real"), PAIR,
         rtol=3e-4, atol=3e-4),
    Case("concat", lambda a, b: np.concat([a, b], axis=1), ("real", "real"), [((3, 4), (3, 2))]),
    Case("stack", lambda a, b: np.stack([a, b]), ("real", "real"), [((), ())] + PAIR, C),
    Case("stack_axis_last", lambda a, b: np.stack([a, b], axis=-1), ("real", "real"), PAIR),
    Case("vstack", lambda a, b: np.vstack([a, b]), ("real", "real"), [((), ())] + PAIR, C),
    Case("hstack", lambda a, b: np.hstack((a, b)), ("real", "real"), [((), ())] + PAIR),
    Case("dstack", lambda a, b: np.dstack((a, b)), ("real", "real"), [((), ())] + PAIR),
    Case("column_stack", lambda a, b: np.column_stack((a, b)), ("real", "real"),
         [((3,), (3,)), ((3, 4), (3,)), ((3, 2), (3, 4))]),
    Case("block", lambda a, b, c, d: np.block([[a, b], [c, d]]), ("real",) * 4,
         [((3, 2), (3, 4), (1, 2), (1, 4)), ((2,), (3,), (2,), (3,))]),
    Case("block_flat_scalar", lambda a, b: np.block([a, b, 1.0]),
         ("real", "real"), [((3,), ()), ((2,), (1,))]),
    Case("append", np.append, ("real", "real"), [((3, 4), (2,)), ((), ())]),
    Case("append_axis", lambda a, b: np.append(a, b, axis=0), ("real", "real"), [((3, 4), (2, 4))]),
    Case("insert", lambda a, v: np.insert(a, 1, v), ("real", "real"), [((5,), ()), ((3, 4), (2,))]),
    Case("insert_axis", lambda a, v: np.insert(a, [0, 2], v, axis=1), ("real", "real"),
         [((3, 4), ()), ((3, 4), (3, 1)), ((2, 3, 4), (2, 1, 4))]),
    Case("insert_scalar_obj_axis", lambda a, v: np.insert(a, 2, v, axis=0), ("real", "real"),
         [((3, 4), (4,)), ((3, 4), ())]),
    Case("meshgrid", lambda a, b: np.meshgrid(a, b), ("real", "real"), [((3,), (4,)), ((2,), (3,))]),
    Case("meshgrid_ij_sparse", lambda a, b, c: np.meshgrid(a, b, c, indexing="ij", sparse=True),
         ("real",) * 3, [((3,), (2,), (4,))]),
    Case("meshgrid_nocopy", lambda a, b: np.meshgrid(a, b, copy=False, indexing="ij"), ("real", "real"),
         [((3,), (4,))]),
    # ---------------------------------------------------------------- splitting
    Case("split", lambda x: tuple(np.split(x, 3)), ("real",), [((6,),), ((3, 4),)], C),
    Case("split_indices_axis", lambda x: tuple(np.split(x, [1, 3], axis=-1)), ("real",), [((3, 4),)]),
    Case("array_split", lambda x: tuple(np.array_split(x, 3, axis=1)), ("real",), [((2, 4),), ((3, 5, 2),)]),
    Case("hsplit", lambda x: tuple(np.hsplit(x, 2)), ("real",), [((4,),), ((3, 4),)]),
    Case("vsplit", lambda x: tuple(np.vsplit(x, [1])), ("real",), [((3, 4),)]),
    Case("dsplit", lambda x: tuple(np.dsplit(x, 2)), ("real",), [((2, 3, 4),)]),
    Case("unstack", np.unstack, ("real",), ND),
    Case("unstack_axis", lambda x: np.unstack(x, axis=-1), ("real",), M),
    # ---------------------------------------------------------------- rearranging
    Case("tile", lambda x: np.tile(x, 2), ("real",), U, C),
    Case("tile_reps", lambda x: np.tile(x, (2, 1, 3)), ("real",), U),
    Case("repeat", lambda x: np.repeat(x, 2), ("real",), U, C),
    Case("repeat_axis", lambda x: np.repeat(x, [1, 0, 3], axis=0), ("real",), [((3,),), ((3, 4),)]),
    Case("flip", np.flip, ("real",), U + [((2, 3, 4),)], C),
    Case("flip_axis", lambda x: np.flip(x, 0), ("real",), ND),
    Case("flip_axes", lambda x: np.flip(x, (0, -1)), ("real",), M),
    Case("fliplr", np.fliplr, ("real",), M),
    Case("flipud", np.flipud, ("real",), ND),
    Case("roll", lambda x: np.roll(x, 2), ("real",), ND, C),
    Case("roll_axis", lambda x: np.roll(x, -1, axis=1), ("real",), M),
    Case("roll_axes", lambda x: np.roll(x, (1, 2), axis=(0, 1)), ("real",), M),
    Case("rot90", np.rot90, ("real",), M, C),
    Case("rot90_k", lambda x: np.rot90(x, 3, axes=(1, 0)), ("real",), M),
    Case("rot90_axes", lambda x: np.rot90(x, 2, axes=(0, 2)), ("real",), [((2, 3, 4),)]),
    Case("take", lambda x: np.take(x, [0, 2, 2]), ("real",), ND, C),
    Case("take_axis", lambda x: np.take(x, [[0, 1], [2, 0]], axis=1), ("real",), M),
    Case("take_scalar_wrap", lambda x: np.take(x, 5, axis=-1, mode="wrap"), ("real",), ND),
    Case("take_along_axis", lambda x: np.take_along_axis(x, IDX34, axis=1), ("real",), [((3, 4),)], C),
    Case("take_along_axis_0", lambda x: np.take_along_axis(x, np.array([[2, 0, 1, 1]]), axis=0), ("real",),
         [((3, 4),)]),
    Case("take_along_axis_none", lambda x: np.take_along_axis(x, np.array([5, 0, 11]), axis=None), ("real",),
         [((3, 4),)]),
    Case("take_along_argsort", lambda x: np.take_along_axis(x, np.argsort(x, axis=-1), axis=-1),
         ("real",), M),
    Case("compress", lambda x: np.compress([True, False, True], x, axis=0), ("real",), [((3,),), ((3, 4),)]),
    Case("compress_none", lambda x: np.compress([False, True, True, False, True], x), ("real",), M),
    Case("extract", lambda x: np.extract(MASK34, x), ("real",), [((3, 4),)], C),
    Case("delete", lambda x: np.delete(x, 1), ("real",), ND),
    Case("delete_axis", lambda x: np.delete(x, [0, 2], axis=-1), ("real",), M),
    Case("resize", lambda x: np.resize(x, (2, 7)), ("real",), U, C),
    # ---------------------------------------------------------------- padding
    Case("pad_constant", lambda x: np.pad(x, 2), ("real",), U, C),
    Case("pad_constant_values", lambda x: np.pad(x, ((1, 2), (0, 3)), constant_values=(4.0, -1.0)), ("real",),
         [((3, 4),)]),
    Case("pad_dual_constant", lambda x, c: np.pad(x, 1, constant_values=c), ("real", "real"),
         [((3,), ()), ((3, 4), ())]),
    Case("pad_edge", lambda x: np.pad(x, (2, 1), mode="edge"), ("real",), ND, C),
    Case("pad_reflect", lambda x: np.pad(x, 2, mode="reflect"), ("real",), ND),
    Case("pad_reflect_odd", lambda x: np.pad(x, 2, mode="reflect", reflect_type="odd"), ("real",), ND),
    Case("pad_symmetric", lambda x: np.pad(x, ((1, 2), (3, 0)), mode="symmetric"), ("real",), [((3, 4),)]),
    Case("pad_symmetric_odd", lambda x: np.pad(x, 2, mode="symmetric", reflect_type="odd"), ("real",), ND),
    Case("pad_wrap", lambda x: np.pad(x, 4, mode="wrap"), ("real",), ND),
    Case("pad_linear_ramp", lambda x: np.pad(x, 2, mode="linear_ramp", end_values=1.5), ("real",), ND),
    Case("pad_mean", lambda x: np.pad(x, (1, 2), mode="mean", stat_length=2), ("real",), ND),
    # ---------------------------------------------------------------- diagonals and triangles
    Case("diag_vector", np.diag, ("real",), [((3,),), ((1,),)], C),
    Case("diag_vector_k", lambda x: np.diag(x, -2), ("real",), [((3,),)]),
    Case("diag_matrix", lambda x: np.diag(x, 1), ("real",), [((3, 3),), ((4, 3),)]),
    Case("diagflat", lambda x: np.diagflat(x, 1), ("real",), [((3,),), ((2, 3),)]),
    Case("diagonal", np.diagonal, ("real",), SQ, C),
    Case("diagonal_offset_axes", lambda x: np.diagonal(x, -1, 2, 0), ("real",), [((4, 2, 3),)]),
    Case("trace", np.trace, ("real",), SQ, C),
    Case("trace_offset_axes", lambda x: np.trace(x, 1, axis1=1, axis2=2, dtype=np.float64), ("real",),
         [((2, 3, 4),)]),
    Case("tril", np.tril, ("real",), [((3,),)] + SQ, C),
    Case("tril_k", lambda x: np.tril(x, -1), ("real",), SQ),
    Case("triu", np.triu, ("real",), [((3,),)] + SQ, C),
    Case("triu_k", lambda x: np.triu(x, 1), ("real",), SQ),
    # ---------------------------------------------------------------- selection
    Case("where", lambda a, b: np.where(a > b, a, b), ("real", "real"), BINARY),
    Case("where_const_branch", lambda a: np.where(a > 0, a, 2.0), ("real",), U, C),
    Case("where_fixed_cond", lambda a, b: np.where(np.array([True, False, True]), a, b), ("real", "real"),
         [((3,), (3,)), ((3, 3), (3, 1)), ((3,), ())], C),
    Case("select", lambda a, b: np.select([a < -0.5, a > 0.5], [a * b, b], default=a),
         ("real", "real"), BINARY),
    Case("select_const_default", lambda a: np.select([a < 0], [a * a]), ("real",), U),
    Case("choose", lambda a, b, c: np.choose(np.array([0, 2, 1]), [a, b, c]), ("real",) * 3,
         [((3,), (3,), (3,)), ((3, 3), (3, 3), (1, 3)), ((3,), (), (3,))], C),
    Case("choose_wrap", lambda a, b: np.choose(np.array([[3], [0], [1]]), (a, b), mode="wrap"),
         ("real", "real"), [((3, 4), (3, 4))]),
    Case("piecewise", lambda x: np.piecewise(x, [x < 0, x >= 0], [lambda v: v * v, lambda v: 2 * v]),
         ("real",), U),
    Case("piecewise_otherwise", lambda x: np.piecewise(x, [x < -0.5], [np.sin, 1.5]), ("real",), U),
    Case("piecewise_args", lambda x: np.piecewise(x, [x > 0.2, x < -0.2], PIECES, 3.0), ("real",), M),
    Case("clip_scalar_bounds", lambda x: np.clip(x, -0.5, 0.7), ("real",), U),
    Case("clip_array_bounds", lambda x, lo, hi: np.clip(x, lo - 1.0, hi + 1.0), ("real",) * 3,
         [((3,), (3,), (3,)), ((3, 4), (3, 1), (1, 4))]),
    Case("nan_to_num", np.nan_to_num, (_nonfinite,), [((4, 3),), ((7,),)]),
    Case("nan_to_num_values", lambda x: np.nan_to_num(x, nan=1.0, posinf=9.0, neginf=-9.0), ("real",), U, C),
    Case("nan_to_num_complex", lambda x: np.nan_to_num(x + IMAG_NONFINITE),
         ("real",), [((3,),), ((2, 3),)]),
    # ---------------------------------------------------------------- complex parts, rounding
    Case("real", np.real, ("real",), U, C),
    Case("imag", np.imag, ("real",), U, C),
    Case("conj", np.conj, ("real",), U, C),
    Case("real_attribute", lambda x: x.real * x.imag, ("real",), U, C),
    Case("angle", np.angle, ("nonzero",), U, C),
    Case("angle_deg", lambda x: np.angle(x, deg=True), ("nonzero",), U, C),
    Case("round", np.round, (_quarter,), U),
    Case("around_decimals", lambda x: np.around(x, 1), (_quarter,), U),
    Case("fix", np.fix, (_quarter,), U),
    # ---------------------------------------------------------------- in place
    Case("copyto", _in_place(np.copyto), ("real", "real"), [((3, 4), (3, 4)), ((3, 4), (4,)), ((3,), ())], C),
    Case("copyto_where", _in_place(lambda d, s: np.copyto(d, s, where=MASK34)), ("real", "real"),
         [((3, 4), (3, 4)), ((3, 4), ())]),
    Case("copyto_const_source", _in_place(lambda d, s: np.copyto(d, s + 0.5, where=MASK34)), ("real", "real"),
         [((3, 4), (3, 1))], diff=(0,)),
    Case("putmask", _in_place(lambda d, s: np.putmask(d, MASK34, s)), ("real", "real"),
         [((3, 4), (3, 4)), ((3, 4), (5,)), ((3, 4), ())]),
    Case("place", _in_place(lambda d, s: np.place(d, MASK34, s)),
         ("real", "real"), [((3, 4), (3,)), ((3, 4), (6,))]),
    Case("put", _in_place(lambda d, s: np.put(d, [0, 5, -1], s)),
         ("real", "real"), [((3, 4), (3,)), ((3, 4), ())]),
    Case("put_wrap", _in_place(lambda d, s: np.put(d, [[1, 14], [2, -15]], s, mode="wrap")), ("real", "real"),
         [((3, 4), (2,))]),
    Case("put_clip", _in_place(lambda d, s: np.put(d, [1, 40], s, mode="clip")),
         ("real", "real"), [((12,), (2,))]),
    Case("put_along_axis", _put_along, ("real", "real"), [((3, 4), (3, 1)), ((3, 4), ())], C),
    Case("put_along_axis_none", _in_place(lambda d, s: np.put_along_axis(d, np.array([1, 7]), s, axis=None)),
         ("real", "real"), [((3, 4), (2,)), ((3, 4), ())]),
    Case("fill_diagonal", _in_place(np.fill_diagonal), ("real", "real"), [((3, 3), ()), ((4, 3), (3,))]),
    Case("fill_diagonal_wrap", _in_place(lambda d, s: np.fill_diagonal(d, s, wrap=True)), ("real", "real"),
         [((7, 3), (2,))]),
    # ---------------------------------------------------------------- creation-like and copies
    Case("copy", np.copy, ("real",), U, C),
    Case("zeros_like_sum", lambda x: np.zeros_like(x) + x, ("real",), U),
    Case("ones_like_product", lambda x: np.ones_like(x) * x, ("real",), U),
    Case("full_like_dual_fill", lambda x, c: np.full_like(x, c) * x,
         ("real", "real"), [((3,), ()), ((3, 4), ())]),
    Case("empty_like_filled", lambda x: _filled(np.empty_like(x), x), ("real",), ND),
    # ---------------------------------------------------------------- applying functions over axes
    Case("apply_along_axis", lambda x: np.apply_along_axis(lambda v: v * v[0], 1, x), ("real",), M),
    Case("apply_along_axis_scalar", lambda x: np.apply_along_axis(lambda v: v @ v, 0, x), ("real",), M),
    Case("apply_over_axes", lambda x: np.apply_over_axes(np.sum, x, [0, 2]), ("real",), [((2, 3, 4),)]),
    # ---------------------------------------------------------------- numpy.emath
    Case("emath_sqrt", emath.sqrt, (_mixed_sign,), U),
    Case("emath_sqrt_positive", emath.sqrt, ("positive",), U, C),
    Case("emath_log", emath.log, (_mixed_sign,), U),
    Case("emath_log10", emath.log10, (_mixed_sign,), U),
    Case("emath_log2", emath.log2, (_mixed_sign,), U),
    Case("emath_logn", emath.logn, ("gt1", _mixed_sign), BINARY),
    Case("emath_power", emath.power, (_mixed_sign, "small"), BINARY),
    Case("emath_arccos", emath.arccos, (_beyond_one,), U),
    Case("emath_arcsin", emath.arcsin, (_beyond_one,), U),
    Case("emath_arctanh", emath.arctanh, (_beyond_one,), U),
]


def _filled(buf, x):
    buf[...] = 2 * x
    return buf

