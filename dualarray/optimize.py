"""SciPy's solvers with exact derivatives filled in: minimize, root, least_squares, curve_fit.

Each function has SciPy's signature. When the derivative arguments (``jac``, ``hess``, ``hessp``) are
left out, they are filled with dualarray transforms suited to the method; everything else, including
explicitly given derivatives, is passed to SciPy unchanged.

>>> import numpy as np
>>> from dualarray import optimize
>>> res = optimize.minimize(lambda x: np.sum((x - 3.0) ** 2), np.zeros(2), method="BFGS")
>>> np.allclose(res.x, 3.0)
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.optimize as _sp

from .transforms import hessian, hvp, jacobian, value_and_gradient

__all__ = ["curve_fit", "least_squares", "minimize", "root"]

_GRADIENT_FREE = {"nelder-mead", "powell", "cobyla", "cobyqa"}
_FULL_HESSIAN = {"dogleg", "trust-exact"}  # need the matrix itself
_HESSIAN_PRODUCT = {"newton-cg", "trust-ncg", "trust-krylov", "trust-constr"}  # hessp is enough
_ROOT_WITH_JACOBIAN = {"hybr", "lm"}


def minimize(
    fun: Callable[..., Any], x0: Any, args: tuple = (), method: str | Callable | None = None,
    jac: Any = None, hess: Any = None, hessp: Any = None, **kwargs: Any,
) -> _sp.OptimizeResult:
    """``scipy.optimize.minimize`` with the gradient, and the Hessian where the method uses one, by AD.

    * gradient-based methods (every method except Nelder-Mead, Powell, COBYLA, COBYQA) get
      ``fun=value_and_gradient(fun), jac=True``: value and gradient from one pass;
    * dogleg and trust-exact get ``hess=hessian(fun)``;
    * Newton-CG, trust-ncg, trust-krylov and trust-constr get ``hessp=hvp(fun)`` (no Hessian is formed).

    A derivative you pass yourself is used unchanged; ``args`` and all other keywords go to SciPy as is.
    """
    name = method.lower() if isinstance(method, str) else None
    objective = fun
    if jac is True:  # the user's fun already returns (value, gradient)
        objective = lambda x, *a: fun(x, *a)[0]  # noqa: E731
    if jac is None and name not in _GRADIENT_FREE and not callable(method):
        fun, jac = value_and_gradient(fun), True
    if hess is None and hessp is None:
        if name in _FULL_HESSIAN:
            hess = hessian(objective)
        elif name in _HESSIAN_PRODUCT:
            hessp = hvp(objective)
    return _sp.minimize(fun, x0, args=args, method=method, jac=jac, hess=hess, hessp=hessp, **kwargs)


def root(
    fun: Callable[..., Any], x0: Any, args: tuple = (), method: str = "hybr", jac: Any = None, **kwargs: Any
) -> _sp.OptimizeResult:
    """``scipy.optimize.root`` with ``jac=jacobian(fun)`` for the methods that use it (hybr, lm).

    The Jacobian is a separate callable (not ``jac=True``): MINPACK evaluates the residual at many
    trial points and the Jacobian only at some of them.
    """
    if jac is None and isinstance(method, str) and method.lower() in _ROOT_WITH_JACOBIAN:
        jac = jacobian(fun)
    return _sp.root(fun, x0, args=args, method=method, jac=jac, **kwargs)


def least_squares(fun: Callable[..., Any], x0: Any, jac: Any = None, **kwargs: Any) -> _sp.OptimizeResult:
    """``scipy.optimize.least_squares`` with ``jac=jacobian(fun)`` unless ``jac`` is given.

    ``args=`` and ``kwargs=`` reach both the residual and its Jacobian, as in SciPy.
    """
    if jac is None:
        jac = jacobian(fun)
    return _sp.least_squares(fun, x0, jac=jac, **kwargs)


def curve_fit(f: Callable[..., Any], xdata: Any, ydata: Any, p0: Any = None, jac: Any = None, **kwargs: Any):
    """``scipy.optimize.curve_fit`` with ``jac(x, *params)`` (shape ``(len(ydata), n_params)``) by AD.

    The model ``f(x, *params)`` is differentiated in all of its parameters in one pass. ``p0`` is
    required when ``jac`` is filled in (the number of parameters is taken from it).
    """
    if jac is None:
        if p0 is None:
            raise ValueError("dualarray.optimize.curve_fit needs p0 to differentiate the model, or jac=")
        jac = _model_jacobian(f)
    return _sp.curve_fit(f, xdata, ydata, p0=p0, jac=jac, **kwargs)


def _model_jacobian(f: Callable[..., Any]) -> Callable[..., Any]:
    """``jac(x, *params) = ∂f(x, *params)/∂params`` as one matrix, one pass over all parameters."""
    vector_model = jacobian(lambda p, x: f(x, *(p[i] for i in range(p.shape[0]))))

    def jac(x: Any, *params: Any) -> Any:
        return np.reshape(vector_model(np.asarray(params, dtype=float), x), (-1, len(params)))

    return jac
