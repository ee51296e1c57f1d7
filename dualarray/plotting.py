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


def derivatives(f: Callable[[Any], Any], x: Any, order: int = 1) -> list[np.ndarray]:
    """``[f(x), f'(x), ..., f⁽ⁿ⁾(x)]`` for an elementwise ``f`` on the grid ``x``, in one vectorized pass.

    The input is ``x + ε₁ + ... + εₙ`` with one fresh tag per order (the tag made later is the outer
    one); the k-th derivative is the coefficient of ``ε₁⋯εₖ`` (by symmetry of mixed partials).

    >>> import numpy as np
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
    out = []
    for k in range(order + 1):
        # take the tangent on the k outermost levels and the value on the others
        part = y
        for level, tag in enumerate(reversed(tags)):
            part = _part(part, tag, tangent=level < k)
        if isinstance(part, DualArray):  # a tag we did not create: f mixed in an outer perturbation
            raise TypeError("f returned a DualArray of a perturbation that derivatives() did not create")
        out.append(np.broadcast_to(np.asarray(part), x.shape).copy())
    return out


def plot(
    f: Callable[[Any], Any],
    x: Any,
    order: int = 1,
    ax: Any = None,
    *,
    label: str = "f",
    **kwargs: Any,
) -> Any:
    """Plot ``f`` and its derivatives up to ``order`` (1 to 3) over the 1-D grid ``x``; return the Axes.

    ``f`` must be elementwise (``f(x)[i]`` depends on ``x[i]`` only), written with NumPy operations:
    every derivative comes from one vectorized evaluation of ``f`` on nested DualArrays.
    Lines are labelled ``f``, ``f'``, ``f''``, ``f'''`` (``label=`` changes the base name) and a legend
    is drawn; ``kwargs`` go to every ``ax.plot`` call. A new figure is made when ``ax`` is None.

    >>> import numpy as np, dualarray
    >>> ax = dualarray.plot(np.sin, np.linspace(0, 6, 200), order=2)   # doctest: +SKIP
    >>> ax.figure.savefig("sin.png")                                    # doctest: +SKIP
    """
    if not isinstance(order, int | np.integer) or not 1 <= order <= _MAX_ORDER:
        raise ValueError(f"order must be 1, 2 or 3, got {order!r}")
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be a 1-D grid, got shape {x.shape}")
    if ax is None:  # pyplot only when we make the figure: a given Axes works with any backend
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:
            raise ImportError(
                "dualarray.plot needs matplotlib: pip install dualarray[plot]  (or: pip install matplotlib)"
            ) from exc
    ys = derivatives(f, x, order)  # before making a figure, so an error leaves no empty figure behind
    if ax is None:
        _, ax = plt.subplots()
    for k, y in enumerate(ys):
        ax.plot(x, y, label=f"{label}{_PRIMES[k]}", **kwargs)
    ax.set_xlabel("x")
    ax.legend()
    return ax
