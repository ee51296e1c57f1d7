"""Forward-mode Jacobians on a ``dask.distributed`` cluster: ``jacobian(f, scheduler=client)``.

The n input directions are cut into chunks (``chunk_size`` each, by default about four per worker);
each chunk is one task that seeds its columns of the identity, runs ``f`` once on batched DualArrays
and returns the tangent rows: ``J[:, start:stop]``. ``f`` and the plain inputs travel to the workers
with cloudpickle (dask's serialisation); a task lost with its worker is recomputed by the scheduler.
The columns are assembled in order, so the result equals the local ``jacobian`` (same passes, same
rules, bit for bit when the chunks are the same).

With ``sparsity=`` the pattern is detected and coloured locally (one recorded run); the colour groups
are the tasks: the seed rows (one per colour, plus the probe that checks the pattern) are cut into
chunks, each pushed by a worker (``J·Sᵀ`` for its rows; ``S·J`` by a reverse pass for row colours), and
the compressed columns are joined before the usual decompression.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._calling import _argnums, _call, _inexact, _outputs, _prepare, _result_dtype, _unpack
from ._core import DualArray, new_tag


def columns(f: Callable[..., Any], args: Sequence[Any], kwargs: dict, nums: Sequence[int], start: int,
            stop: int, where: str) -> tuple[list[Any], bool]:
    """One task: ``(tangent rows per output (stop - start, *out_shape) or None, is_tuple)`` for directions
    ``start:stop`` numbered over the differentiated arguments in ``nums`` (flattened, in order)."""
    call = list(args)
    tag = new_tag()
    offset = 0
    for a in nums:
        x = call[a]
        size = int(np.size(x))
        lo, hi = max(start, offset), min(stop, offset + size)
        seeds = np.zeros((stop - start, size), dtype=x.dtype)
        seeds[np.arange(lo, hi) - start, np.arange(lo, hi) - offset] = 1
        call[a] = DualArray(np.array(x, copy=True), seeds.reshape((stop - start, *np.shape(x))), batched=True,
                            tag=tag)
        offset += size
    outs, is_tuple = _outputs(_call(f, call, kwargs, where))
    rows = []
    for y in outs:
        value, tangent = _unpack(y, tag, where)
        rows.append((np.asarray(value), None if tangent is None else np.asarray(tangent)))
    return rows, is_tuple


def check_scheduler(scheduler: Any, where: str) -> None:
    if not (hasattr(scheduler, "map") and hasattr(scheduler, "gather")):
        raise TypeError(f"{where}: scheduler= takes a dask.distributed.Client (an object with .map and .gather), "
                        f"got {type(scheduler).__name__}")


def _task_starts(scheduler: Any, total: int, chunk_size: int | None, where: str) -> tuple[list[int], int]:
    """``(starts, k)``: ``total`` directions cut into tasks of ``k`` (``chunk_size``, by default about four
    tasks per worker)."""
    if chunk_size is None:
        workers = len(scheduler.scheduler_info().get("workers", {})) if hasattr(scheduler, "scheduler_info") else 1
        k = max(1, math.ceil(total / (4 * max(1, workers))))
    else:
        k = int(chunk_size)
        if k < 1:
            raise ValueError(f"{where}: chunk_size must be a positive integer, got {chunk_size}")
    return list(range(0, total, k)), k


def colour_groups(scheduler: Any, chunk_size: int | None) -> Callable[..., Any]:
    """A ``pass_(kernel, f, args, kwargs, num, rows, where)`` for :func:`dualarray._sparse.evaluate` that cuts the
    seed ``rows`` (colours, the probe last) into tasks of ``scheduler`` and joins their compressed blocks:
    ``kernel`` returns ``(value, block)`` with one column per row (push) or one row per row (pull)."""

    def pass_(kernel: Any, f: Any, args: Any, kwargs: dict, num: int, rows: np.ndarray, where: str,
              axis: int) -> tuple[Any, np.ndarray]:
        starts, k = _task_starts(scheduler, rows.shape[0], chunk_size, where)
        futures = scheduler.map(kernel, [f] * len(starts), [args] * len(starts), [kwargs] * len(starts),
                                [num] * len(starts), [rows[s:s + k] for s in starts], [where] * len(starts),
                                pure=False)
        results = scheduler.gather(futures)
        return results[0][0], np.concatenate([block for _, block in results], axis=axis)

    return pass_


def jacobian(f: Callable[..., Any], args: Sequence[Any], kwargs: dict, argnums: Any, chunk_size: int | None,
             scheduler: Any, where: str) -> Any:
    """The Jacobian of ``f`` at ``args``, its direction chunks computed as tasks of ``scheduler``."""
    check_scheduler(scheduler, where)
    nums, many = _argnums(argnums, len(args), where)
    args = list(args)
    for a in nums:
        args[a] = _prepare(args[a], where)
        if isinstance(args[a], DualArray):
            raise NotImplementedError(f"{where}: scheduler= differentiates plain inputs (nested derivatives run "
                                      "locally)")
        if np.iscomplexobj(args[a]):
            raise NotImplementedError(f"{where}: scheduler= takes real inputs (split a complex one into its real "
                                      "and imaginary parts)")
    shapes = [np.shape(args[a]) for a in nums]
    n = sum(math.prod(s) for s in shapes)
    starts, k = _task_starts(scheduler, n, chunk_size, where)
    futures = scheduler.map(columns, [f] * len(starts), [args] * len(starts), [kwargs] * len(starts),
                            [nums] * len(starts), starts, [min(n, s + k) for s in starts], [where] * len(starts),
                            pure=False)
    chunks = scheduler.gather(futures)
    is_tuple = chunks[0][1]
    jacs = []
    for j in range(len(chunks[0][0])):
        value = chunks[0][0][j][0]
        out_shape = np.shape(value)
        dtype = _result_dtype(value, *[_inexact(args[a].dtype) for a in nums])
        full = np.concatenate([np.zeros((min(n, s + k) - s, *out_shape), dtype) if rows[j][1] is None
                               else rows[j][1].astype(dtype, copy=False)
                               for s, (rows, _) in zip(starts, chunks, strict=True)], axis=0)
        full = np.moveaxis(full, 0, -1)  # (*out_shape, n)
        row, offset = [], 0
        for shape in shapes:
            size = math.prod(shape)
            row.append(np.reshape(full[..., offset:offset + size], (*out_shape, *shape)))
            offset += size
        jacs.append(tuple(row) if many else row[0])
    return tuple(jacs) if is_tuple else jacs[0]
