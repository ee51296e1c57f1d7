"""Plot a function and its derivatives over a grid (matplotlib, from the ``plot`` extra).

One call evaluates ``f`` on the whole grid once, with ``order`` nested DualArrays (one fresh tag per
order, the newest outermost): ``f(x + ε₁ + ε₂ + ε₃)`` carries f, f′, f″ and f‴ in its ε-coefficients.
matplotlib is imported inside :func:`plot` only, so ``import dualarray`` never needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._core import DualArray, new_tag

__all__ = ["derivatives", "plot"]

_MAX_ORDER = 3
_PRIMES = ("", "'", "''", "'''")


def _part(y: Any, tag: int, tangent: bool) -> Any:
    """The value (``tangent=False``) or the ε-coefficient of ``y`` for the perturbation ``tag``.

    Anything that is not a DualArray of that tag (a plain array, a constant) has a zero coefficient.
    """
    if isinstance(y, DualArray) and y.tag == tag:
        return y.tangent if tangent else y.value
    if tangent:
        return np.zeros_like(y.value if isinstance(y, DualArray) else y, dtype=float)
    return y


def _check_elementwise(f: Callable[[Any], Any], x: np.ndarray, f0: np.ndarray, f1: np.ndarray | None) -> None:
    """Refuse an ``f`` that is not elementwise: on a few grid points, ``f`` must give the same values as on
    the whole grid, and its Jacobian there (one batched pass) must be diagonal and equal to the f' drawn."""
    from .transforms import value_and_jacobian

    idx = np.unique(np.linspace(0, x.size - 1, min(x.size, 5)).round().astype(int))
    xs = x[idx]
    why = "dualarray.plot needs an elementwise f (f(x)[i] may depend on x[i] only, like sin(x) * exp(-x**2)): "
    with np.errstate(all="ignore"):
        try:
            value, jac = value_and_jacobian(f)(xs)
        except (TypeError, NotImplementedError):
            raise
        except Exception as exc:
            raise ValueError(f"{why}it fails on {xs.size} of the grid points ({type(exc).__name__}: {exc})") from exc
        jac = np.asarray(jac)
        if jac.shape != xs.shape * 2:
            raise ValueError(f"{why}on {xs.size} grid points it returns shape {np.shape(value)}")
        value = np.broadcast_to(np.asarray(value), xs.shape)
        off = jac[~np.eye(xs.size, dtype=bool)]
        mixes = bool(np.any(np.isfinite(off) & (off != 0)))
        scale = float(np.abs(f0[np.isfinite(f0)]).max(initial=0.0))
        same = np.allclose(value, f0[idx], rtol=1e-6, atol=1e-12 * scale, equal_nan=True)
        if f1 is not None and same and not mixes:
            dscale = float(np.abs(f1[np.isfinite(f1)]).max(initial=0.0))
            same = np.allclose(np.diagonal(jac), f1[idx], rtol=1e-6, atol=1e-12 * dscale, equal_nan=True)
    if mixes:
        raise ValueError(f"{why}here f(x)[i] depends on other grid points (a sum, cumsum, mean, sort, ... "
                         "over the grid)")
    if not same:
        raise ValueError(f"{why}here f on a few grid points differs from f on the whole grid (it uses a "
                         "sum, mean, len(x), ... of the grid)")


def derivatives(f: Callable[[Any], Any], x: Any, order: int = 1, *, check: bool = True) -> list[np.ndarray]:
    r"""Values ``[f(x), f'(x), ..., f⁽ⁿ⁾(x)]`` of an elementwise ``f`` on the grid ``x``, in one vectorized pass.

    ``f`` must act elementwise: ``f(x)`` must have the grid's shape (or be a constant). With
    ``check=True`` one more evaluation of ``f``, on at most 5 grid points, makes sure of it (same
    values, diagonal Jacobian): ``sum(x)`` or ``cumsum(x)`` raise ``ValueError`` instead of giving wrong
    derivatives.

    Parameters
    ----------
    f : callable
        An elementwise function written with NumPy operations.
    x : array_like
        The grid.
    order : int, default 1
        The highest derivative, 1 to 3.
    check : bool, default True
        Verify that ``f`` acts elementwise.

    Returns
    -------
    list of ndarray
        ``order + 1`` arrays shaped like ``x``.

    See Also
    --------
    plot : Draws them.

    Notes
    -----
    The input is :math:`x + \varepsilon_1 + \dots + \varepsilon_n` with one fresh tag per order
    (:math:`\varepsilon_i^2 = 0`); the k-th derivative is the coefficient of
    :math:`\varepsilon_1 \cdots \varepsilon_k`, by the symmetry of mixed partials.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray.plotting import derivatives
    >>> f, df, d2f = derivatives(np.exp, np.array([0.0, 1.0]), order=2)
    >>> bool(np.allclose(d2f, np.exp([0.0, 1.0])))
    True
    """
    if not isinstance(order, int | np.integer) or not 0 <= order <= _MAX_ORDER:
        raise ValueError(f"order must be an integer from 0 to {_MAX_ORDER}, got {order!r}")
    x = np.asarray(x, dtype=float)
    tags = [new_tag() for _ in range(order)]  # increasing: tags[-1] is the outermost
    arg: Any = x
    for tag in tags:
        arg = DualArray(arg, 1.0, tag=tag)
    y = f(arg)
    if isinstance(y, tuple | list):
        raise ValueError(f"f must return one array of the grid's shape {x.shape}, got a {type(y).__name__}")
    if isinstance(y, DualArray) and np.shape(y) != x.shape:
        raise ValueError(f"f(x) has shape {np.shape(y)} but the grid has shape {x.shape}: an elementwise f "
                         "is needed (f(x)[i] may depend on x[i] only), not a sum, mean, norm, ...")
    out = []
    for k in range(order + 1):
        # take the tangent on the k outermost levels and the value on the others
        part = y
        for level, tag in enumerate(reversed(tags)):
            part = _part(part, tag, tangent=level < k)
        if isinstance(part, DualArray):  # a tag we did not create: f mixed in an outer perturbation
            raise TypeError("f returned a DualArray of a perturbation that derivatives() did not create")
        part = np.asarray(part)
        try:
            out.append(np.broadcast_to(part, x.shape).copy())
        except ValueError:
            raise ValueError(f"f(x) has shape {part.shape} but the grid has shape {x.shape}: an elementwise "
                             "f is needed") from None
    if check and order and isinstance(y, DualArray) and x.size > 1:
        _check_elementwise(f, x, out[0], out[1])
    return out


def _robust_ylim(ax: Any, y: np.ndarray) -> None:
    """Clip the y-range to the 2nd-98th percentiles (widened) when a few points near a pole dwarf it."""
    y = np.ravel(y)
    y = y[np.isfinite(y)]
    if y.size < 10:
        return
    lo, hi = np.percentile(y, [2, 98])
    span = hi - lo
    if span > 0 and (y.max() - y.min()) > 4 * span:
        ax.set_ylim(lo - 0.25 * span, hi + 0.25 * span)


def plot(
    f: Callable[[Any], Any],
    x: Any,
    order: int = 1,
    ax: Any = None,
    *,
    label: str = "f",
    **kwargs: Any,
) -> Any:
    """Plot ``f`` and its derivatives up to ``order`` over the 1-D grid ``x`` and return the Axes.

    ``f`` must be elementwise (``f(x)[i]`` depends on ``x[i]`` only), written with NumPy operations:
    every derivative comes from one vectorized evaluation of ``f`` on nested DualArrays. Anything else
    (``sum(x)``, ``cumsum(x)``, ``x - x.mean()``) raises ``ValueError`` instead of drawing a wrong
    derivative. Where f is NaN (outside its domain) no derivative is drawn.

    Parameters
    ----------
    f : callable
        An elementwise function.
    x : array_like
        A 1-D grid.
    order : int, default 1
        The highest derivative, 1 to 3.
    ax : matplotlib.axes.Axes or sequence of Axes, optional
        Where to draw; a new figure when None. A sequence of ``order + 1`` Axes
        (``fig.subplots(order + 1, sharex=True)``) gives each derivative its own panel and y-scale,
        clipped to robust percentiles when a pole would flatten the rest.
    label : str, default "f"
        The base name of the lines ``f``, ``f'``, ``f''``, ``f'''``; a legend is drawn.
    **kwargs
        Passed to every ``ax.plot`` call.

    Returns
    -------
    matplotlib.axes.Axes or sequence of Axes
        ``ax`` (the new Axes when it was None).

    See Also
    --------
    derivatives : The values without drawing.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> import dualarray
    >>> ax = dualarray.plot(np.sin, np.linspace(0, 6, 200), order=2)
    >>> [line.get_label() for line in ax.get_lines()]
    ['f', "f'", "f''"]
    """
    if not isinstance(order, int | np.integer) or not 1 <= order <= _MAX_ORDER:
        raise ValueError(f"order must be 1, 2 or 3, got {order!r}")
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be a 1-D grid, got shape {x.shape}")
    panels = isinstance(ax, list | tuple | np.ndarray)
    if panels and len(ax) != order + 1:
        raise ValueError(f"ax: expected one Axes per derivative ({order + 1}), got {len(ax)}")
    if ax is None:  # pyplot only when we make the figure: a given Axes works with any backend
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:
            raise ImportError(
                "dualarray.plot needs matplotlib: pip install dualarray[plot]  (or: pip install matplotlib)"
            ) from exc
    ys = derivatives(f, x, order)  # before making a figure, so an error leaves no empty figure behind
    undefined = np.isnan(ys[0])
    ys = [ys[0], *(np.where(undefined, np.nan, y) for y in ys[1:])]
    if ax is None:
        _, ax = plt.subplots()
    if not panels:
        for k, y in enumerate(ys):
            ax.plot(x, y, label=f"{label}{_PRIMES[k]}", **kwargs)
        ax.set_xlabel("x")
        ax.legend()
        return ax
    axes = list(np.ravel(ax))
    for k, (a, y) in enumerate(zip(axes, ys, strict=True)):
        a.plot(x, y, label=f"{label}{_PRIMES[k]}", **{"color": f"C{k}", **kwargs})
        _robust_ylim(a, y)
        a.legend(loc="best")
    axes[-1].set_xlabel("x")
    return ax
