"""A deterministic random-program fuzzer: short NumPy programs mixing views, in-place updates,
elementwise functions, reductions, reshapes and copies, run on plain NumPy and on DualArrays.

A program is a list of ops over an environment of arrays (``env[0]`` is the input, a 2-D or 3-D float
array in C, F, transposed or negative-stride layout). Each op reads existing entries and appends a new
one (a view, a copy, a function value) or updates one in place (``+=``, ``*=``, setitem through a view,
``np.copyto``, ``out=``). Programs are generated against a plain run (so every op is valid for NumPy: shapes
broadcast, targets are writable) and the same code is replayed on a DualArray with k = 2 directions.
The whole environment at the end is compared:

* values: exactly NumPy's;
* tangents: Richardson-extrapolated central differences of the plain program along each direction, with
  a margin of several times the extrapolation's own error estimate;
* the k-direction run: equal to k single-direction runs.

Only smooth functions are used (no data-dependent branches), so the differences are reliable. A failure
prints the program as a numbered list of ops, the layout and the seed, which reproduce it.
"""

from __future__ import annotations

import numpy as np
import pytest

from dualarray import DualArray

N_PROGRAMS = 200
MAX_OPS = 10
K = 2


class Op:
    """One step: ``desc`` for the report, ``run(env)`` appends to or updates ``env`` in place."""

    def __init__(self, desc, run):
        self.desc, self.run = desc, run

    def __repr__(self):
        return self.desc


# ---------------------------------------------------------------- op generators
# Each takes (rng, env) with env the plain run's arrays, and returns an Op or None (not applicable).

def _pick(rng, env, pred=lambda a: True):
    choices = [i for i, a in enumerate(env) if pred(a)]
    return int(rng.choice(choices)) if choices else None


def _writable(a):
    return isinstance(a, np.ndarray) and a.flags.writeable and a.size > 0


def _broadcasts(src_shape, dst_shape):
    try:
        return np.broadcast_shapes(src_shape, dst_shape) == tuple(dst_shape)
    except ValueError:
        return False


def _random_slice(rng, n):
    step = int(rng.choice([1, 2, -1, -2]))
    start = int(rng.integers(0, n)) if rng.random() < 0.5 else None
    return slice(start, None, step)


def _fmt_key(key):
    def one(s):
        if s is None:
            return "None"
        if s is Ellipsis:
            return "..."
        if isinstance(s, slice):
            return f"{'' if s.start is None else s.start}:{'' if s.stop is None else s.stop}" + (
                "" if s.step is None else f":{s.step}")
        return repr(s)
    return ", ".join(one(s) for s in key)


def g_slice(rng, env):
    i = _pick(rng, env, lambda a: a.ndim >= 1 and a.size > 0)
    if i is None:
        return None
    a = env[i]
    key = tuple(_random_slice(rng, n) if rng.random() < 0.7 else slice(None) for n in a.shape)
    if a.ndim >= 2 and rng.random() < 0.3:
        key = (int(rng.integers(-a.shape[0], a.shape[0])), *key[1:])   # an int: one axis fewer
    if not np.empty(a.shape)[key].size:
        return None
    return Op(f"v{len(env)} = v{i}[{_fmt_key(key)}]", lambda e: e.append(e[i][key]))


def g_transpose(rng, env):
    i = _pick(rng, env, lambda a: a.ndim >= 2)
    if i is None:
        return None
    if rng.random() < 0.5:
        return Op(f"v{len(env)} = v{i}.T", lambda e: e.append(e[i].T))
    a1, a2 = (int(x) for x in rng.choice(env[i].ndim, 2, replace=False))
    return Op(f"v{len(env)} = np.swapaxes(v{i}, {a1}, {a2})", lambda e: e.append(np.swapaxes(e[i], a1, a2)))


def _factor_shapes(size):
    shapes = [(size,)]
    for d in range(2, size):
        if size % d == 0:
            shapes.append((d, size // d))
            rest = size // d
            for d2 in range(2, rest):
                if rest % d2 == 0:
                    shapes.append((d, d2, rest // d2))
    return shapes


def g_reshape(rng, env):
    i = _pick(rng, env, lambda a: a.size > 0)
    if i is None:
        return None
    shapes = _factor_shapes(env[i].size)
    shape = shapes[int(rng.integers(len(shapes)))]
    order = str(rng.choice(["C", "F", "A"]))
    if rng.random() < 0.25:
        order = str(rng.choice(["C", "F", "A", "K"]))
        return Op(f"v{len(env)} = np.ravel(v{i}, order={order!r})",
                  lambda e: e.append(np.ravel(e[i], order=order)))
    if rng.random() < 0.2:
        return Op(f"v{len(env)} = v{i}.ravel()", lambda e: e.append(e[i].ravel()))
    return Op(f"v{len(env)} = v{i}.reshape({shape}, order={order!r})",
              lambda e: e.append(e[i].reshape(shape, order=order)))


def g_newaxis(rng, env):
    i = _pick(rng, env, lambda a: a.ndim <= 3)
    if i is None:
        return None
    return Op(f"v{len(env)} = v{i}[None]", lambda e: e.append(e[i][None]))


def g_diagonal(rng, env):
    i = _pick(rng, env, lambda a: a.ndim >= 2)
    if i is None:
        return None
    return Op(f"v{len(env)} = v{i}.diagonal()   # read-only view", lambda e: e.append(e[i].diagonal()))


def g_copy(rng, env):
    i = _pick(rng, env)
    order = str(rng.choice(["C", "F", "A", "K"]))
    if rng.random() < 0.3:
        return Op(f"v{len(env)} = v{i}.flatten({order!r})", lambda e: e.append(e[i].flatten(order)))
    return Op(f"v{len(env)} = np.copy(v{i}, order={order!r})", lambda e: e.append(np.copy(e[i], order=order)))


UNARY = {
    "np.sin": np.sin,
    "np.cos": np.cos,
    "np.tanh": np.tanh,
    "np.exp": lambda a: np.exp(0.5 * a),
    "square": lambda a: a * a,
}
UNARY_DESC = {"np.exp": "np.exp(0.5 * {})", "square": "{0} * {0}"}


def g_unary(rng, env):
    i = _pick(rng, env)
    name = str(rng.choice(list(UNARY)))
    f = UNARY[name]
    desc = UNARY_DESC.get(name, name + "({})").format(f"v{i}")
    return Op(f"v{len(env)} = {desc}", lambda e: e.append(f(e[i])))


BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply}


def _partner(rng, env, shape):
    """An entry that broadcasts against ``shape`` (None if there is none)."""
    return _pick(rng, env, lambda b: _broadcasts(b.shape, shape) or _broadcasts(shape, b.shape))


def g_binary(rng, env):
    i = _pick(rng, env)
    j = _partner(rng, env, env[i].shape)
    sym = str(rng.choice(list(BINARY)))
    f = BINARY[sym]
    return Op(f"v{len(env)} = v{i} {sym} v{j}", lambda e: e.append(f(e[i], e[j])))


def g_where(rng, env):
    i = _pick(rng, env)
    j = _partner(rng, env, env[i].shape)
    shape = np.broadcast_shapes(env[i].shape, env[j].shape)
    mask = rng.random(shape) < 0.5   # a constant mask: no data-dependent branch for the differences
    return Op(f"v{len(env)} = np.where(mask{mask.astype(int).tolist()}, v{i}, v{j})",
              lambda e: e.append(np.where(mask, e[i], e[j])))


def g_reduce(rng, env):
    i = _pick(rng, env, lambda a: a.ndim >= 1)
    if i is None:
        return None
    a = env[i]
    if rng.random() < 0.4:
        axis = int(rng.integers(-a.ndim, a.ndim))
        return Op(f"v{len(env)} = np.cumsum(v{i}, axis={axis}) * 0.5",
                  lambda e: e.append(np.cumsum(e[i], axis=axis) * 0.5))
    axis = None if rng.random() < 0.2 else int(rng.integers(-a.ndim, a.ndim))
    keep = bool(rng.random() < 0.3)
    return Op(f"v{len(env)} = v{i}.sum(axis={axis}, keepdims={keep}) * 0.5",
              lambda e: e.append(e[i].sum(axis=axis, keepdims=keep) * 0.5))


def g_zeros_like(rng, env):
    i = _pick(rng, env)
    order = str(rng.choice(["K", "C", "F"]))
    return Op(f"v{len(env)} = np.zeros_like(v{i}, order={order!r})",
              lambda e: e.append(np.zeros_like(e[i], order=order)))


def g_inplace(rng, env):
    i = _pick(rng, env, _writable)
    if i is None:
        return None
    j = _pick(rng, env, lambda b: _broadcasts(b.shape, env[i].shape))
    sym = str(rng.choice(["+=", "-=", "*="]))
    if sym == "*=":
        j2 = j

        def run(e):
            t = e[i]
            t *= np.tanh(e[j2])   # bounded factors keep the values tame

        return Op(f"v{i} *= np.tanh(v{j})", run)

    def run(e):
        t = e[i]
        if sym == "+=":
            t += e[j]
        else:
            t -= e[j]

    return Op(f"v{i} {sym} v{j}", run)


def g_setitem(rng, env):
    i = _pick(rng, env, _writable)
    if i is None:
        return None
    a = env[i]
    key = tuple(_random_slice(rng, n) if rng.random() < 0.6 else slice(None) for n in a.shape)
    if rng.random() < 0.3:
        key = (int(rng.integers(-a.shape[0], a.shape[0])), *key[1:])
    target = np.empty(a.shape)[key].shape
    if not np.prod(target):
        return None
    j = _pick(rng, env, lambda b: _broadcasts(b.shape, target))
    if j is None:
        return None

    def run(e):
        e[i][key] = e[j]

    return Op(f"v{i}[{_fmt_key(key)}] = v{j}", run)


def g_copyto(rng, env):
    i = _pick(rng, env, _writable)
    if i is None:
        return None
    j = _pick(rng, env, lambda b: _broadcasts(b.shape, env[i].shape))
    return Op(f"np.copyto(v{i}, 0.5 * v{j})", lambda e: np.copyto(e[i], 0.5 * e[j]))


def g_out(rng, env):
    i = _pick(rng, env, _writable)
    if i is None:
        return None
    shape = env[i].shape
    j = _pick(rng, env, lambda b: _broadcasts(b.shape, shape))
    if rng.random() < 0.5:
        name = str(rng.choice(["sin", "cos", "tanh"]))
        f = getattr(np, name)
        return Op(f"np.{name}(v{j}, out=v{i})", lambda e: f(e[j], out=e[i]))
    k = _pick(rng, env, lambda b: _broadcasts(b.shape, shape))
    return Op(f"np.multiply(v{j}, v{k}, out=v{i})", lambda e: np.multiply(e[j], e[k], out=e[i]))


GENERATORS = [
    (g_slice, 3), (g_transpose, 2), (g_reshape, 3), (g_newaxis, 1), (g_diagonal, 1), (g_copy, 1),
    (g_unary, 3), (g_binary, 3), (g_where, 1), (g_reduce, 2), (g_zeros_like, 1),
    (g_inplace, 3), (g_setitem, 3), (g_copyto, 2), (g_out, 2),
]
_WEIGHTS = np.array([w for _, w in GENERATORS], dtype=float)
_WEIGHTS /= _WEIGHTS.sum()


def _layout(a, name):
    if name == "C":
        return np.array(a, order="C")
    if name == "F":
        return np.array(a, order="F")
    if name == "T":
        return np.transpose(a).copy(order="C").T  # always a copy
    rev = (slice(None, None, -1),) * a.ndim
    return a[rev].copy()[rev]


def generate(seed):
    """(shape, layout, ops) of program ``seed``, valid for NumPy (checked by running it)."""
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(2, 5, size=int(rng.integers(2, 4))))
    layout = str(rng.choice(["C", "F", "T", "neg"]))
    env = [_layout(rng.uniform(-1, 1, size=shape), layout)]
    ops = []
    n_ops = int(rng.integers(3, MAX_OPS + 1))
    while len(ops) < n_ops:
        gen = GENERATORS[int(rng.choice(len(GENERATORS), p=_WEIGHTS))][0]
        op = gen(rng, env)
        if op is None:
            continue
        op.run(env)
        ops.append(op)
    return shape, layout, ops


def run_program(ops, x):
    env = [x]
    for op in ops:
        op.run(env)
    return env


def _report(seed, shape, layout, ops, problem):
    lines = "\n".join(f"  {n:2d}. {op.desc}" for n, op in enumerate(ops, 1))
    return (f"program {seed} (v0: {layout}-layout input of shape {shape}, tests/test_fuzz.py::generate({seed})):\n"
            f"{lines}\n{problem}")


def _fd(ops, x, layout, v, h=1e-3):
    """Richardson-extrapolated central differences of every env entry, and an error estimate."""
    def at(step):
        return [np.array(a, dtype=np.float64) for a in run_program(ops, _layout(x + step * v, layout))]

    def central(step):
        return [(p - m) / (2 * step) for p, m in zip(at(step), at(-step), strict=True)]

    coarse, fine = central(h), central(h / 2)
    finer = central(h / 4)
    ref = [(4 * f - c) / 3 for f, c in zip(fine, coarse, strict=True)]
    ref2 = [(4 * f - c) / 3 for f, c in zip(finer, fine, strict=True)]
    return ref2, [np.abs(a - b) for a, b in zip(ref, ref2, strict=True)]


@pytest.mark.parametrize("seed", range(N_PROGRAMS))
def test_random_program(seed):
    shape, layout, ops = generate(seed)
    rng = np.random.default_rng(10_000 + seed)
    x0 = _layout(rng.uniform(-1, 1, size=shape), layout)
    V = rng.standard_normal((K, *shape))

    def report(problem):
        return _report(seed, shape, layout, ops, problem)

    expected = run_program(ops, _layout(x0, layout))
    try:
        got = run_program(ops, DualArray(_layout(x0, layout), V, batched=True))
        singles = [run_program(ops, DualArray(_layout(x0, layout), V[j])) for j in range(K)]
    except Exception as err:
        pytest.fail(report(f"the DualArray run raised {type(err).__name__}: {err}"))

    fds = [_fd(ops, x0, layout, V[j]) for j in range(K)]
    for n, (g, e) in enumerate(zip(got, expected, strict=True)):
        if not isinstance(g, DualArray):
            pytest.fail(report(f"v{n} is a {type(g).__name__}, not a DualArray"))
        if g.shape != e.shape or g.dtype != e.dtype:
            pytest.fail(report(f"v{n}: shape/dtype {g.shape} {g.dtype} != NumPy's {e.shape} {e.dtype}"))
        if not np.array_equal(g.value, e):
            pytest.fail(report(f"v{n}: value != NumPy's\n  got      {g.value.tolist()}\n  expected {e.tolist()}"))
        if g.tangent.shape != (K, *e.shape):
            pytest.fail(report(f"v{n}: tangent shape {g.tangent.shape} != {(K, *e.shape)}"))
        for j in range(K):
            t = g.tangent[j]
            ref, err = fds[j][0][n], fds[j][1][n]
            scale = max(1.0, float(np.max(np.abs(ref), initial=0.0)))
            tol = 1e-7 * scale + 1e-6 * np.abs(ref) + 10 * err
            if not np.all(np.abs(t - ref) <= tol):
                bad = np.argwhere(~(np.abs(t - ref) <= tol))[:5].tolist()
                pytest.fail(report(f"v{n}, direction {j}: tangent != finite differences at {bad}\n"
                                   f"  tangent     {t.tolist()}\n  differences {ref.tolist()}"))
            s = singles[j][n]
            if not np.allclose(s.tangent, t, rtol=1e-10, atol=1e-12):
                pytest.fail(report(f"v{n}, direction {j}: batched tangent != single-direction run\n"
                                   f"  batched {t.tolist()}\n  single  {s.tangent.tolist()}"))
