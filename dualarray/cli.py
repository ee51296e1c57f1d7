"""The ``dualarray`` command line: a tour, ``plot`` an expression, ``check`` a user's function.

``python -m dualarray`` (or the ``dualarray`` console script)::

    dualarray                                  # the tour (writes dualarray-tour.png to the temp dir)
    dualarray plot "sin(x) * exp(-x**2)" --x -3:3:400 --order 2 -o out.png
    dualarray check mymodule:func --shape 10   # or --x 1,2,3

Exit status: 0 success; for ``check`` 1 when the derivative disagrees with finite differences,
2 when an operation is unsupported and 4 when the finite differences themselves are unreliable (two step
sizes never agree), so neither verdict can be given; 3 for bad input (an expression that does not parse, an unknown
module or function, bad options). Errors print one line; ``--traceback`` shows the traceback.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import os
import sys
import tempfile
import time
import traceback
import types
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

EXIT_OK = 0
EXIT_DISAGREES = 1
EXIT_UNSUPPORTED = 2
EXIT_BAD_INPUT = 3
EXIT_INCONCLUSIVE = 4

_COMMANDS = ("tour", "plot", "check")
_PLOT_HINT = "pip install dualarray[plot]  (or: pip install matplotlib)"


class CLIError(Exception):
    """A user error reported as one line (bad expression, unknown module, bad option)."""

    def __init__(self, message: str, status: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CLIError(f"{self.prog}: {message}")


# ====================================================================== expressions
# Names an expression may use: NumPy's functions and ufuncs, scipy.special's, a few constants.
# File, process and configuration functions are left out; so is every builtin.
_DENY = frozenset(
    """load loadtxt save savetxt savez savez_compressed genfromtxt fromfile frombuffer fromregex memmap
    info show_config show_runtime test get_include set_printoptions get_printoptions printoptions
    seterr geterr seterrcall geterrcall errstate setbufsize getbufsize set_string_function
    add_docstring add_newdoc add_newdoc_ufunc deprecate deprecate_with_doc byte_bounds who lookfor
    source safe_eval recfromcsv recfromtxt asarray_chkfinite""".split()
)


def _public_functions(module: Any) -> dict[str, Any]:
    out = {}
    for name in dir(module):
        if name.startswith("_") or name in _DENY:
            continue
        obj = getattr(module, name, None)
        if isinstance(obj, type) or isinstance(obj, types.ModuleType) or not callable(obj):
            continue
        out[name] = obj
    return out


def expression_namespace() -> dict[str, Any]:
    """The names visible to ``dualarray plot`` expressions (besides ``x``)."""
    import scipy.special

    special = _public_functions(scipy.special)
    numpy = _public_functions(np)
    constants = {"pi": np.pi, "e": np.e, "inf": np.inf, "nan": np.nan, "euler_gamma": np.euler_gamma}
    np_ns = types.SimpleNamespace(
        **numpy,
        **constants,
        linalg=types.SimpleNamespace(**_public_functions(np.linalg)),
        fft=types.SimpleNamespace(**_public_functions(np.fft)),
    )
    special_ns = types.SimpleNamespace(**special)
    ns: dict[str, Any] = {}
    ns.update(special)
    ns.update(numpy)  # NumPy's name wins where both define one (exp2, expm1, ...)
    ns.update(constants)
    ns.update(np=np_ns, numpy=np_ns, special=special_ns, sc=special_ns)
    return ns


def compile_expression(expr: str, namespace: dict[str, Any]) -> Callable[[Any], Any]:
    """A function of ``x`` evaluating ``expr`` with ``namespace`` only (no builtins, no dunder names)."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise CLIError(f"cannot parse the expression {expr!r}: {exc.msg}") from exc
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise CLIError(f"the name {node.id!r} is not allowed in an expression")
            if node.id != "x" and node.id not in namespace:
                raise CLIError(
                    f"unknown name {node.id!r} in {expr!r}: use x and NumPy or scipy.special functions "
                    "(sin, exp, gamma, erf, ...), or np.<name>"
                )
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise CLIError(f"the attribute {node.attr!r} is not allowed in an expression")
        elif isinstance(node, ast.Lambda | ast.NamedExpr):
            raise CLIError("lambdas and assignments are not allowed in an expression")
    code = compile(tree, "<expression>", "eval")

    def f(x: Any) -> Any:
        return eval(code, {"__builtins__": {}}, {**namespace, "x": x})

    return f


def parse_grid(spec: str) -> np.ndarray:
    """``"start:stop[:num]"`` → ``np.linspace(start, stop, num)`` (num defaults to 400)."""
    parts = spec.split(":")
    try:
        if len(parts) not in (2, 3):
            raise ValueError
        start, stop = float(parts[0]), float(parts[1])
        num = int(parts[2]) if len(parts) == 3 else 400
    except ValueError:
        raise CLIError(f"--x expects start:stop or start:stop:num (like -3:3:400), got {spec!r}") from None
    if num < 2:
        raise CLIError(f"--x needs at least 2 points, got {num}")
    return np.linspace(start, stop, num)


def _numbers(spec: str, what: str, kind: type = float) -> list[Any]:
    try:
        return [kind(s) for s in spec.replace(" ", "").split(",") if s]
    except ValueError:
        raise CLIError(f"{what} expects comma-separated numbers, got {spec!r}") from None


# ====================================================================== tour
def _square(x: Any) -> Any:
    return x * x


def _cube(x: Any) -> Any:
    return x * x * x


def _rosen(x: Any) -> Any:
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _tour_f(x: Any) -> Any:
    return np.sin(2 * x) * np.exp(-(x**2) / 4)


def _tour_system(x: Any) -> Any:
    return np.stack([x[0] ** 2 * x[1], 5 * x[0] + np.sin(x[1])])


def tour(output: str | None, plot: bool = True, out: Any = None) -> int:
    """Print the classic dual-number examples, a Jacobian, a SciPy run; write a PNG of f, f', f''."""
    import scipy.optimize

    import dualarray as da
    from dualarray import DualArray

    def say(*lines: str) -> None:
        for line in lines:
            print(line, file=out or sys.stdout)

    np_opts = {"precision": 6, "suppress": True}
    say("dualarray: forward-mode automatic differentiation of plain NumPy code", "")
    say("1. Dual numbers: evaluate f at x + ε (ε² = 0) and read f(x) and f'(x) off the result")
    rows = [
        ("x*x      at 3.1", _square(DualArray(3.1, 1.0)), "2x   = 6.2"),
        ("x*x*x    at 2", _cube(DualArray(2.0, 1.0)), "3x²  = 12"),
        ("np.exp(x) at 3", np.exp(DualArray(3.0, 1.0)), f"exp(3) = {np.exp(3.0):.10g}"),
        ("1 / x    at 4", 1.0 / DualArray(4.0, 1.0), "-1/x² = -0.0625"),
    ]
    for name, y, exact in rows:
        say(f"   {name:16s} value {y.value:<14.10g} derivative {y.tangent:<14.10g} exact: {exact}")
    say("   (np.exp is where a hand-written Dual class stops: DualArray handles every NumPy ufunc)", "")

    x0 = np.array([1.0, 2.0])
    jac = da.jacobian(_tour_system)(x0)
    exact = np.array([[2 * x0[0] * x0[1], x0[0] ** 2], [5.0, np.cos(x0[1])]])
    say("2. Jacobian of f(x) = [x0² x1, 5 x0 + sin x1] at x = (1, 2), one pass with 2 directions:")
    with np.printoptions(**np_opts):
        for line in str(jac).splitlines():
            say("   " + line)
    err = np.abs(jac - exact).max()
    say(f"   max difference from the hand-derived [[2 x0 x1, x0²], [5, cos x1]]: {err:.1e}")
    say("")

    start = np.full(5, -1.2)
    start[1::2] = 1.0
    ad = scipy.optimize.minimize(_rosen, start, jac=da.gradient(_rosen), method="BFGS")
    fd = scipy.optimize.minimize(_rosen, start, method="BFGS")
    say("3. scipy.optimize.minimize(rosen, x0, jac=dualarray.gradient(rosen), method='BFGS'), 5 variables:")
    with np.printoptions(**np_opts):
        say(f"   AD gradient:        x* = {ad.x}, f(x*) = {ad.fun:.1e}: "
            f"{ad.nfev} calls of f + {ad.njev} AD gradients")
        say(f"   finite differences: x* = {fd.x}, f(x*) = {fd.fun:.1e}: {fd.nfev} calls of f")
    say("")

    say("4. f(x) = sin(2x) exp(-x²/4) and its first two derivatives, all from one vectorized pass:")
    if not plot:
        say("   (plot skipped)")
    else:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            say(f"   matplotlib is not installed; to get the plot: {_PLOT_HINT}")
        else:
            path = output or os.path.join(tempfile.gettempdir(), "dualarray-tour.png")
            _save_plot(_tour_f, np.linspace(-6.0, 6.0, 600), 2, path, "sin(2x) exp(-x²/4)")
            say(f"   wrote {path}")
    say("")
    say("Next: dualarray plot \"sin(x) * exp(-x**2)\" --x -3:3:400 --order 2 -o out.png")
    say("      dualarray check mymodule:func --shape 10")
    return EXIT_OK


def _save_plot(f: Callable[[Any], Any], x: np.ndarray, order: int, path: str, title: str) -> None:
    """f, f', ... each in its own panel (own y-scale, shared x): the third derivative of gamma near 0
    is 1000 times gamma itself, and one shared y axis would flatten f to a line.

    NumPy's warnings from evaluating outside f's domain are silenced: those points are NaN, drawn as gaps.
    """
    from matplotlib.figure import Figure

    from .plotting import plot

    fig = Figure(figsize=(7, 1.5 + 1.7 * (order + 1)))
    axes = fig.subplots(order + 1, 1, sharex=True, squeeze=False)[:, 0]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        plot(f, x, order=order, ax=list(axes))
    axes[0].set_title(title)
    pad = 0.02 * (x[-1] - x[0])
    axes[-1].set_xlim(x[0] - pad, x[-1] + pad)  # the whole --x range, even where f is undefined (a gap)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


# ====================================================================== plot
def plot_command(args: argparse.Namespace) -> int:
    args.expression = args.expression.strip()
    x = parse_grid(args.x)
    f = compile_expression(args.expression, expression_namespace())
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CLIError(f"dualarray plot needs matplotlib: {_PLOT_HINT}") from None
    try:
        _save_plot(f, x, args.order, args.output, args.expression)
    except (TypeError, NotImplementedError) as exc:
        raise CLIError(f"cannot differentiate {args.expression!r}: {explain(exc)}", EXIT_UNSUPPORTED) from exc
    except ValueError as exc:
        if isinstance(exc.__cause__, TypeError):  # out[i] = ... into a plain array: NumPy's ValueError
            raise CLIError(f"cannot differentiate {args.expression!r}: {explain(exc)}", EXIT_UNSUPPORTED) from exc
        raise CLIError(f"cannot plot {args.expression!r}: {exc}") from exc
    except (NameError, AttributeError, ZeroDivisionError) as exc:
        raise CLIError(f"cannot evaluate {args.expression!r}: {exc}") from exc
    print(f"wrote {args.output}  ({args.expression} and {args.order} derivative(s) on {x.size} points "
          f"in [{x[0]:g}, {x[-1]:g}])")
    return EXIT_OK


# ====================================================================== check
def load_function(spec: str) -> Callable[..., Any]:
    """``"module:func"``, ``"package.module:obj.method"`` or ``"path/to/file.py:func"``."""
    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise CLIError(f"expected module:function (like mymodule:func or path/to/file.py:func), got {spec!r}")
    if module_name.endswith(".py") or os.sep in module_name:
        if not os.path.isfile(module_name):
            raise CLIError(f"no such file: {module_name}")
        name = os.path.splitext(os.path.basename(module_name))[0]
        loader_spec = importlib.util.spec_from_file_location(name, module_name)
        module = importlib.util.module_from_spec(loader_spec)
        sys.path.insert(0, os.path.dirname(os.path.abspath(module_name)))
        loader_spec.loader.exec_module(module)
    else:
        if "" not in sys.path and os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())  # the console script does not add the current directory
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                raise CLIError(f"cannot import {module_name!r}: no module named {exc.name!r}") from exc
            raise
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise CLIError(f"{module_name!r} has no attribute {attr!r}") from None
    if not callable(obj):
        raise CLIError(f"{spec} is not callable")
    return obj


def _outputs(y: Any) -> list[np.ndarray]:
    """The outputs of f as arrays: a tuple return gives one entry per element (as ``jacobian`` does)."""
    return [np.asarray(o) for o in y] if isinstance(y, tuple) else [np.asarray(y)]


def _as_inexact(a: Any) -> np.ndarray:
    """``a`` in double precision, keeping complex values complex (float32 → float64, complex64 → complex128)."""
    a = np.asarray(a)
    return a.astype(np.result_type(a.dtype, np.float64)) if a.dtype != object else a


def output_eps(outputs: Sequence[np.ndarray]) -> float:
    """Machine epsilon of the least precise output (float64's for integer outputs)."""
    eps = [np.finfo(o.dtype).eps for o in outputs if np.issubdtype(o.dtype, np.inexact)]
    return float(max(eps, default=np.finfo(np.float64).eps))


def central_differences(f: Callable[[Any], Any], x: np.ndarray) -> Any:
    """Jacobian by central differences (step ``eps**(1/3) * max(1, |x_i|)``), shape ``f(x).shape + x.shape``.

    Each input is perturbed on its own: ``2 * x.size`` evaluations of ``f``. Complex outputs stay complex;
    a function returning a tuple gives a tuple of Jacobians (as ``dualarray.jacobian`` does).
    """
    flat = x.ravel()
    cols: list[list[np.ndarray]] = []
    is_tuple = False
    for i in range(flat.size):
        h = np.finfo(float).eps ** (1 / 3) * max(1.0, abs(flat[i]))
        up, down = flat.copy(), flat.copy()
        up[i] += h
        down[i] -= h
        f_up, f_down = f(up.reshape(x.shape)), f(down.reshape(x.shape))
        is_tuple = isinstance(f_up, tuple)
        diffs = [(_as_inexact(a) - _as_inexact(b)) / (up[i] - down[i])
                 for a, b in zip(_outputs(f_up), _outputs(f_down), strict=True)]
        cols.append(diffs)
    jacs = tuple(np.stack(col, axis=-1).reshape(np.shape(col[0]) + x.shape) for col in zip(*cols, strict=True))
    return jacs if is_tuple else jacs[0]


class FiniteDifferences:
    """Richardson-extrapolated central differences of every output of f, with their own error estimate.

    For each input ``x_j`` the central difference ``D(h)`` is taken at steps ``h0 / 2**k`` and combined as
    ``R_k = (4 D(h_k/2) − D(h_k)) / 3`` (error O(h⁴)); steps are halved until three successive ``R_k``
    agree to within ``rtol·|R| + atol``. ``atol = C·σ / h`` is the rounding floor: σ is the larger of
    ``eps·max|f|`` (``eps`` of the output dtype) and the noise measured in f near x (cancellation inside
    f). Entries whose estimates never agree, and every entry of an output that is as rough as its own
    size at the scale of the smallest step, are marked *unreliable*: there the finite differences, not
    the derivative, are in doubt (an oscillation faster than the step, a kink or jump near x).
    Attributes, one entry per output of f (same shapes as the Jacobians): ``jac``, ``spread``
    (|R_k − R_{k−1}|), ``atol``, ``unreliable``; ``noise`` per output; ``evaluations``.
    """

    FLOOR = 64.0  # rounding-error safety factor of the absolute floor
    MAX_HALVINGS = 16

    def _central(self, f: Callable[[Any], Any], flat: np.ndarray, shape: tuple[int, ...], j: int, step: float,
                 scale: list[float]) -> list[np.ndarray]:
        """Central differences along x_j of every output; ``scale`` grows to the largest |f| seen."""
        up, down = flat.copy(), flat.copy()
        up[j] += step
        down[j] -= step
        fu = [_as_inexact(o) for o in _outputs(f(up.reshape(shape)))]
        fd = [_as_inexact(o) for o in _outputs(f(down.reshape(shape)))]
        self.evaluations += 2
        for i, (a, b) in enumerate(zip(fu, fd, strict=True)):
            for v in (a, b):
                scale[i] = max(scale[i], float(np.abs(v[np.isfinite(v)]).max(initial=0.0)))
        return [(a - b) / (up[j] - down[j]) for a, b in zip(fu, fd, strict=True)]

    def _noise(self, f: Callable[[Any], Any], flat: np.ndarray, shape: tuple[int, ...], base: list[np.ndarray],
               eps: float) -> list[float]:
        """Rounding noise of each output beyond ``eps·|f|`` (cancellation inside f, like ``(x + 1e8) - 1e8``).

        f at ``x + jδv`` (j = −2..2, δ ≈ sqrt(eps), v a fixed ±1 direction): the 4th difference of a smooth
        f is ~δ⁴f⁗ ≈ 0, of rounding noise of size σ about sqrt(70)·σ (the ECnoise idea, one sample).
        """
        v = np.where(np.random.default_rng(12345).random(flat.size) < 0.5, -1.0, 1.0)
        step = np.sqrt(eps) * np.maximum(1.0, np.abs(flat)) * v
        vals: dict[int, list[np.ndarray]] = {0: base}
        for j in (-2, -1, 1, 2):
            vals[j] = [_as_inexact(o) for o in _outputs(f((flat + j * step).reshape(shape)))]
            self.evaluations += 1
        out = []
        for i in range(len(base)):
            d4 = vals[-2][i] - 4 * vals[-1][i] + 6 * vals[0][i] - 4 * vals[1][i] + vals[2][i]
            out.append(float(np.abs(d4[np.isfinite(d4)]).max(initial=0.0)) / np.sqrt(70.0))
        return out

    def __init__(self, f: Callable[[Any], Any], x: np.ndarray, eps: float, rtol: float) -> None:
        flat = np.asarray(x, dtype=float).ravel()
        base = [_as_inexact(o) for o in _outputs(f(flat.reshape(x.shape).copy()))]
        self.evaluations = 1
        h0 = 2.0 * eps ** 0.2
        cols: list[list[np.ndarray]] = [[] for _ in base]
        spreads: list[list[np.ndarray]] = [[] for _ in base]
        atols: list[list[np.ndarray]] = [[] for _ in base]
        bad: list[list[np.ndarray]] = [[] for _ in base]
        scale0 = [float(np.abs(b[np.isfinite(b)]).max(initial=0.0)) for b in base]
        self.noise = self._noise(f, flat, x.shape, base, eps)

        for j in range(flat.size):
            h = h0 * max(1.0, abs(flat[j]))
            scale = list(scale0)

            def central(step: float, j: int = j, scale: list[float] = scale) -> list[np.ndarray]:
                return self._central(f, flat, x.shape, j, step, scale)

            d_prev, d_half = central(h), central(h / 2)
            r_prev = [(4 * b - a) / 3 for a, b in zip(d_prev, d_half, strict=True)]
            best: tuple[float, Any] | None = None
            prev: list[np.ndarray] | None = None
            for _ in range(self.MAX_HALVINGS):
                h /= 2
                d_next = central(h / 2)
                r = [(4 * b - a) / 3 for a, b in zip(d_half, d_next, strict=True)]
                spread = [np.abs(a - b) for a, b in zip(r, r_prev, strict=True)]
                atol = [self.FLOOR * max(eps * s, n) / h for s, n in zip(scale, self.noise, strict=True)]
                tol = [rtol * np.maximum(np.abs(a), np.abs(b)) + t
                       for a, b, t in zip(r, r_prev, atol, strict=True)]
                with np.errstate(invalid="ignore"):
                    # a NaN estimate where f(x) is finite (a step outside the domain) is not converged
                    excess = [np.where(np.isfinite(s) | ~np.isfinite(b0), s / np.where(t > 0, t, 1.0), np.inf)
                              for s, t, b0 in zip(spread, tol, base, strict=True)]
                if prev is not None:  # converged: three successive estimates agree (not two, by chance)
                    both = [np.fmax(e, p) for e, p in zip(excess, prev, strict=True)]
                    worst = max((float(np.nanmax(e, initial=0.0)) for e in both), default=0.0)
                    if best is None or worst < best[0]:
                        best = (worst, (r, spread, atol, [e > 1 for e in both]))
                    if worst <= 1:
                        break
                d_half, r_prev, prev = d_next, r, excess
            assert best is not None
            r, spread, atol, unreliable = best[1]
            for i in range(len(base)):
                cols[i].append(r[i])
                spreads[i].append(spread[i])
                atols[i].append(np.broadcast_to(atol[i], np.shape(r[i])))
                bad[i].append(unreliable[i])

        def stack(parts: list[np.ndarray], out_shape: tuple[int, ...]) -> np.ndarray:
            return np.stack(parts, axis=-1).reshape(out_shape + x.shape)

        shapes = [b.shape for b in base]
        self.jac = [stack(c, s) for c, s in zip(cols, shapes, strict=True)]
        self.spread = [stack(c, s) for c, s in zip(spreads, shapes, strict=True)]
        self.atol = [stack(c, s) for c, s in zip(atols, shapes, strict=True)]
        # f as rough as its own size at the scale of the smallest step: no step resolves it, and the
        # estimates are bounded by max|f| / h, so their agreement would mean nothing
        self.rough = [n > 1e-3 * s for n, s in zip(self.noise, scale0, strict=True)]
        self.unreliable = [stack(c, s) | r for c, s, r in zip(bad, shapes, self.rough, strict=True)]


def _best_time(fn: Callable[[], Any], repeat: int) -> float:
    best = np.inf
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _fmt_time(seconds: float) -> str:
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


_ZEROS_HINT = "allocate work arrays with np.zeros_like(x) (not np.zeros(n)) so they can hold derivatives"


def explain(exc: BaseException) -> str:
    """One line: the exception, the exceptions that caused it, and the fix for the commonest mistake.

    ``out = np.zeros(n); out[i] = x[i] ** 2`` makes NumPy raise ``ValueError: setting an array element with
    a sequence.`` from dualarray's TypeError: both messages are kept, and the np.zeros_like hint added.
    """
    parts = [f"{type(exc).__name__}: {exc}"]
    seen = {id(exc)}
    cause = exc.__cause__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        parts.append(f"caused by {type(cause).__name__}: {cause}")
        cause = cause.__cause__
    text = " <- ".join(parts)
    if "setting an array element with a sequence" in text and "zeros_like" not in text:
        text = f"{text.rstrip('.')}. Hint: {_ZEROS_HINT}"
    return text


def _check_shape(spec: str) -> tuple[int, ...]:
    shape = tuple(_numbers(spec, "--shape", int))
    if not shape or any(n <= 0 for n in shape):
        raise CLIError(f"--shape needs positive sizes (like 10 or 3,4), got {spec!r}")
    return shape


def _index(flat: int, shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat, shape)) + "]" if shape else "[]"


def check_command(args: argparse.Namespace) -> int:
    import dualarray as da

    if args.rtol is not None and not args.rtol > 0:
        raise CLIError(f"--rtol must be a positive number, got {args.rtol:g}")
    if args.repeat < 1:
        raise CLIError(f"--repeat must be at least 1, got {args.repeat}")
    f = load_function(args.function)
    if args.x is not None:
        values = _numbers(args.x, "--x")
        if not values:
            raise CLIError(f"--x needs at least one number, got {args.x!r}")
        x = np.array(values, dtype=float)
        where = f"x = {args.x}"
    else:
        shape = _check_shape(args.shape) if args.shape else (3,)
        low, high = (float(v) for v in parse_range(args.range))
        x = np.random.default_rng(args.seed).uniform(low, high, shape)
        where = f"random x of shape {shape} (uniform on [{low:g}, {high:g}], seed {args.seed})"
    print(f"checking {args.function} at {where}")

    try:
        result = f(x.copy())
    except Exception as exc:
        raise CLIError(f"{args.function} failed on a plain NumPy input: {explain(exc)}") from exc
    is_tuple = isinstance(result, tuple)
    try:
        plain = _outputs(result)
    except Exception as exc:
        raise CLIError(f"{args.function} returned something that is not an array: {explain(exc)}") from exc
    for o in plain:
        if not np.issubdtype(o.dtype, np.number):
            raise CLIError(f"{args.function} returned {o.dtype} values; expected numbers")

    try:
        values, jacs = da.value_and_jacobian(f)(x.copy())
    except Exception as exc:  # it runs on NumPy but not on DualArrays: an unsupported operation
        if args.traceback:
            traceback.print_exc()
        print(f"UNSUPPORTED: {explain(exc)}")
        return EXIT_UNSUPPORTED
    values = [np.asarray(v) for v in values] if is_tuple else [np.asarray(values)]
    jacs = [_as_inexact(j) for j in jacs] if is_tuple else [_as_inexact(jacs)]
    same = all(v.shape == p.shape and np.array_equal(v, p, equal_nan=True)
               for v, p in zip(values, plain, strict=True))
    shapes = ", ".join(str(p.shape) for p in plain)
    print(f"  value:     {'identical to' if same else 'DIFFERS from'} the plain NumPy result "
          f"(output shape{'s' if is_tuple else ''} {shapes})")

    eps = output_eps(plain)
    rtol = args.rtol if args.rtol is not None else max(1e-6, float(np.sqrt(eps)))
    with warnings.catch_warnings(), np.errstate(all="ignore"):  # steps may leave f's domain: NaN, no noise
        warnings.simplefilter("ignore", RuntimeWarning)
        fd = FiniteDifferences(f, x, eps, rtol)
    disagree: list[str] = []
    doubtful = 0
    for i, (ad, num) in enumerate(zip(jacs, fd.jac, strict=True)):
        name = f"Jacobian[{i}]" if is_tuple else "Jacobian"
        atol, unreliable = fd.atol[i], fd.unreliable[i]
        finite = np.isfinite(ad) & np.isfinite(num)
        with np.errstate(invalid="ignore", over="ignore"):
            size = np.maximum(np.abs(ad), np.abs(num))
            diff = np.where(finite, np.abs(ad - num), 0.0)
            bad = finite & (diff > rtol * size + atol)
            above = finite & (size > atol)
            rel = np.where(above, diff / np.where(above, size, 1.0), 0.0)
        bad |= np.isfinite(ad) != np.isfinite(num)
        doubtful += int((bad & unreliable).sum())
        blamed = bad & ~unreliable
        print(f"  {name + ':':10s} shape {ad.shape}; vs central differences (Richardson): "
              f"max relative error {rel.max(initial=0.0):.2e} (tolerance {rtol:.2g}), "
              f"max absolute error {diff.max(initial=0.0):.2e} (floor {atol.max(initial=0.0):.2e})")
        if blamed.any():
            with np.errstate(all="ignore"):
                score = np.nan_to_num(np.where(blamed, diff / (rtol * size + atol), -1.0), nan=np.inf)
            k = int(np.argmax(score))
            disagree.append(f"{int(blamed.sum())} of {ad.size} entries of {name} differ; e.g. "
                            f"{name}{_index(k, ad.shape)}: AD {ad.ravel()[k]:.10g}, "
                            f"finite differences {num.ravel()[k]:.10g}")

    t_ad = _best_time(lambda: da.jacobian(f)(x.copy()), args.repeat)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        t_fd = _best_time(lambda: central_differences(f, x), args.repeat)
    print(f"  time:      AD Jacobian {_fmt_time(t_ad)} ({x.size} directions, one call of f per chunk); "
          f"central differences {_fmt_time(t_fd)} ({2 * x.size} evaluations)")

    if disagree or not same:
        for line in disagree:
            print(f"DISAGREES: {line}")
        if not same:
            print("DISAGREES: the value computed on DualArrays differs from plain NumPy")
        return EXIT_DISAGREES
    if doubtful:
        print(f"INCONCLUSIVE: the finite differences are unreliable at {doubtful} entries (their estimates "
              "at smaller and smaller steps never agree: f changes faster than the smallest step, or has a "
              "kink or jump near x), so they cannot judge AD there; everywhere else AD agrees with them. "
              "Try another point (--x, --seed).")
        return EXIT_INCONCLUSIVE
    print("OK: dualarray differentiates this function")
    return EXIT_OK


def parse_range(spec: str) -> tuple[float, float]:
    parts = spec.split(":")
    try:
        low, high = float(parts[0]), float(parts[1])
        if len(parts) != 2 or not low < high:
            raise ValueError
    except (ValueError, IndexError):
        raise CLIError(f"--range expects low:high with low < high, got {spec!r}") from None
    return low, high


# ====================================================================== parser and entry point
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dualarray",
        description="Forward-mode automatic differentiation for plain NumPy code. "
        "With no command: a short tour.",
        epilog="Exit status: 0 ok; check: 1 derivative disagrees, 2 unsupported operation, "
        "4 inconclusive (finite differences unreliable); 3 bad input.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"dualarray {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{tour,plot,check}")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--traceback", action="store_true", help="show the full traceback on errors")

    p = sub.add_parser("tour", help="print the classic examples and write a plot (the default)")
    p.add_argument("-o", "--output", help="PNG path (default: dualarray-tour.png in the temp directory)")
    p.add_argument("--no-plot", action="store_true", help="do not write the PNG")
    common(p)

    p = sub.add_parser(
        "plot", help="plot an elementwise expression in x and its derivatives",
        description="Plot f(x) and its derivatives on a grid, one panel per derivative. f must act "
        "elementwise (f(x)[i] depends on x[i] only: sin(x) * exp(-x**2), gamma(x), where(x > 0, x, 0)); "
        "sum(x), cumsum(x), mean(x) are refused. Points outside f's domain are drawn as gaps.",
    )
    p.add_argument("expression", help='elementwise expression in x, e.g. "sin(x) * exp(-x**2)" '
                   "(NumPy and scipy.special functions)")
    p.add_argument("--x", default="-5:5:400", help="grid start:stop[:num] (default -5:5:400)")
    p.add_argument("--order", type=int, choices=(1, 2, 3), default=1, help="highest derivative (default 1)")
    p.add_argument("-o", "--output", default="dualarray-plot.png", help="PNG path (default: %(default)s)")
    common(p)

    p = sub.add_parser("check", help="check the Jacobian of your function against finite differences")
    p.add_argument("function", help="module:function or path/to/file.py:function")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--shape", help="shape of the random input, e.g. 10 or 3,4 (default 3)")
    group.add_argument("--x", help="the input point, e.g. 1,2,3")
    p.add_argument("--range", default="0.5:1.5", help="random inputs uniform on low:high (default 0.5:1.5)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--rtol", type=float, default=None,
                   help="relative tolerance (default 1e-6, or sqrt(eps) of a less precise output dtype: "
                   "3.5e-4 for float32)")
    p.add_argument("--repeat", type=int, default=3, help="timing repeats, best kept (default 3)")
    common(p)
    return parser


def _normalize(argv: list[str]) -> list[str]:
    """Default to the tour; let option values start with '-' (``--x -3:3:400``, ``--range -1:1``)."""
    if argv and not argv[0].startswith("-") and argv[0] not in _COMMANDS:
        raise CLIError(f"unknown command {argv[0]!r}: choose one of {', '.join(_COMMANDS)} "
                       "(dualarray --help shows them all)")
    if not argv or argv[0] not in (*_COMMANDS, "-h", "--help", "--version"):
        argv = ["tour", *argv]
    out: list[str] = []
    i = 0
    plot_flags = {"--x", "--order", "-o", "--output", "--traceback", "-h", "--help"}
    while i < len(argv):
        a = argv[i]
        if argv[0] == "plot" and i == 1 and a.startswith("-") and a.split("=")[0] not in plot_flags:
            out.append(" " + a)  # an expression such as "-x**2": a leading space keeps it positional
            i += 1
            continue
        if a in ("--x", "--range", "--shape") and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{a}={argv[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m dualarray`` and the ``dualarray`` script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in argv
    try:
        args = build_parser().parse_args(_normalize(argv))
        if args.command == "plot":
            return plot_command(args)
        if args.command == "check":
            return check_command(args)
        return tour(args.output, plot=not args.no_plot)
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except CLIError as exc:
        if show_traceback:
            traceback.print_exc()
        print(f"dualarray: error: {exc}", file=sys.stderr)
        return exc.status
    except Exception as exc:
        if show_traceback:
            traceback.print_exc()
        else:
            print(f"dualarray: error: {type(exc).__name__}: {exc} (--traceback shows where)", file=sys.stderr)
        return EXIT_BAD_INPUT
