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
import scipy.sparse as sp

from .transforms import hessian, hvp, jacobian, value_and_gradient, value_and_jacobian

__all__ = ["curve_fit", "least_squares", "minimize", "newton", "root"]

_GRADIENT_FREE = {"nelder-mead", "powell", "cobyla", "cobyqa"}
_FULL_HESSIAN = {"dogleg", "trust-exact"}  # need the matrix itself
_HESSIAN_PRODUCT = {"newton-cg", "trust-ncg", "trust-krylov", "trust-constr"}  # hessp is enough
_ROOT_WITH_JACOBIAN = {"hybr", "lm"}


def minimize(
    fun: Callable[..., Any], x0: Any, args: tuple = (), method: str | Callable | None = None,
    jac: Any = None, hess: Any = None, hessp: Any = None, sparsity: Any = None, **kwargs: Any,
) -> _sp.OptimizeResult:
    """SciPy's ``minimize`` with the gradient, and the Hessian where the method uses one, by AD.

    * gradient-based methods (every method except Nelder-Mead, Powell, COBYLA, COBYQA) get
      ``fun=value_and_gradient(fun), jac=True``: value and gradient from one pass;
    * dogleg and trust-exact get ``hess=hessian(fun)``;
    * Newton-CG, trust-ncg, trust-krylov and trust-constr get ``hessp=hvp(fun)`` (no Hessian is formed).

    Parameters
    ----------
    fun : callable
        The objective ``fun(x, *args)``, real scalar, written with NumPy operations.
    x0 : array_like
        The starting point.
    args : tuple, default ()
        Extra arguments of ``fun`` (and of its derivatives).
    method : str or callable, optional
        SciPy's method; None is SciPy's default.
    jac, hess, hessp : callable, optional
        A derivative you pass yourself is used unchanged.
    sparsity : {None, "auto"} or array_like or scipy.sparse matrix, optional
        With trust-constr, ``hess=hessian(fun, sparsity=...)``: the Hessian as a ``csr_array`` from a
        star colouring, which trust-constr keeps sparse (other methods reject ``sparsity=``).
    **kwargs
        Every other keyword goes to SciPy unchanged.

    Returns
    -------
    scipy.optimize.OptimizeResult
        SciPy's result.

    See Also
    --------
    dualarray.value_and_gradient, dualarray.hessian, dualarray.hvp : The filled-in derivatives.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import optimize
    >>> rosen = lambda x: np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    >>> res = optimize.minimize(rosen, np.zeros(4), method="trust-exact")
    >>> bool(res.success and np.allclose(res.x, 1.0, atol=1e-3))
    True
    """
    name = method.lower() if isinstance(method, str) else None
    if sparsity is not None:
        if hess is not None or hessp is not None:
            raise ValueError("minimize: give either hess=/hessp= or sparsity=, not both")
        if name != "trust-constr":
            raise ValueError(f"minimize: sparsity= gives a sparse Hessian, which only trust-constr accepts "
                             f"(method={method!r})")
    objective = fun
    if jac is True:  # the user's fun already returns (value, gradient)
        objective = lambda x, *a: fun(x, *a)[0]  # noqa: E731
    if jac is None and name not in _GRADIENT_FREE and not callable(method):
        fun, jac = value_and_gradient(fun), True
    if sparsity is not None:
        hess = hessian(objective, sparsity=sparsity)
    elif hess is None and hessp is None:
        if name in _FULL_HESSIAN:
            hess = hessian(objective)
        elif name in _HESSIAN_PRODUCT:
            hessp = hvp(objective)
    return _sp.minimize(fun, x0, args=args, method=method, jac=jac, hess=hess, hessp=hessp, **kwargs)


def root(
    fun: Callable[..., Any], x0: Any, args: tuple = (), method: str = "hybr", jac: Any = None,
    sparsity: Any = None, **kwargs: Any,
) -> _sp.OptimizeResult:
    """SciPy's ``root`` with ``jac=jacobian(fun)`` for the methods that use it (hybr, lm).

    The Jacobian is a separate callable (not ``jac=True``): MINPACK evaluates the residual at many
    trial points and the Jacobian only at some of them.

    Parameters
    ----------
    fun : callable
        The residual ``fun(x, *args)``, shaped like ``x``.
    x0 : array_like
        The starting point.
    args : tuple, default ()
        Extra arguments of ``fun``.
    method : str, default "hybr"
        SciPy's method (``"newton"`` with ``sparsity=``).
    jac : callable, optional
        A Jacobian you pass yourself is used unchanged.
    sparsity : {None, "auto"} or array_like or scipy.sparse matrix, optional
        Solve with the sparse Newton method of :func:`newton` instead (SciPy's root methods take only
        dense Jacobians); ``options`` (``xtol``, ``ftol``, ``maxiter``, ``maxfev``) and ``tol`` are honoured.
    **kwargs
        Every other keyword goes to SciPy unchanged.

    Returns
    -------
    scipy.optimize.OptimizeResult
        SciPy's result (or :func:`newton`'s).

    See Also
    --------
    newton : The sparse Newton method.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import optimize
    >>> sol = optimize.root(lambda x: x ** 3 - np.array([1.0, 8.0]), np.ones(2))
    >>> sol.x
    array([1., 2.])
    """
    if sparsity is not None:
        if not (isinstance(method, str) and method.lower() in ("hybr", "newton")):
            raise ValueError(f"root: sparsity= solves with a sparse Newton method; SciPy's {method!r} takes only "
                             "dense Jacobians (drop sparsity= to use it)")
        if jac is not None:
            raise ValueError("root: give either jac= or sparsity=, not both")
        options = dict(kwargs.pop("options", None) or {})
        tol = kwargs.pop("tol", None)
        if kwargs:
            raise TypeError(f"root with sparsity=: unexpected keywords {sorted(kwargs)}")
        if tol is not None:
            options.setdefault("ftol", tol)
        return newton(fun, x0, args=args, sparsity=sparsity, **options)
    if jac is None and isinstance(method, str) and method.lower() in _ROOT_WITH_JACOBIAN:
        jac = jacobian(fun)
    return _sp.root(fun, x0, args=args, method=method, jac=jac, **kwargs)


def newton(
    fun: Callable[..., Any], x0: Any, args: tuple = (), sparsity: Any = "auto", xtol: float = 1e-12,
    ftol: float = 1e-10, maxiter: int = 50, maxfev: int | None = None,
) -> _sp.OptimizeResult:
    r"""Newton's method for ``fun(x) = 0`` with a sparse AD Jacobian and a sparse direct solver.

    Each iteration evaluates ``F`` and ``J = jacobian(fun, sparsity=...)`` in one compressed pass,
    solves ``J d = -F`` with SuperLU (``scipy.sparse.linalg.splu``: a direct solver, robust for the
    non-symmetric, indefinite Jacobians of discretized PDEs, where an iterative solver would need a
    preconditioner chosen per problem) and backtracks on ``½‖F‖²`` (Armijo, halving the step).

    Parameters
    ----------
    fun : callable
        The residual ``fun(x, *args)``, shaped like ``x``.
    x0 : array_like
        The starting point.
    args : tuple, default ()
        Extra arguments of ``fun``.
    sparsity : "auto" or array_like or scipy.sparse matrix, default "auto"
        The Jacobian's pattern, detected by default.
    xtol : float, default 1e-12
        Stop when the step is below ``xtol·(1 + ‖x‖∞)``.
    ftol : float, default 1e-10
        Stop when ``‖F‖∞ ≤ ftol``.
    maxiter : int, default 50
        Newton iterations at most.
    maxfev : int, optional
        Residual evaluations at most.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``fun``, ``jac``, ``success``, ``status``, ``message``, ``nit``, ``nfev``, ``njev``.

    See Also
    --------
    root : SciPy's root finders.

    Notes
    -----
    The step :math:`d_k = -J(x_k)^{-1} F(x_k)` is accepted at the first
    :math:`t \in \{1, \tfrac12, \tfrac14, \dots\}` with
    :math:`\phi(x_k + t d_k) \le (1 - 2 c t)\, \phi(x_k)`, :math:`\phi = \tfrac12 \lVert F \rVert^2`.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import optimize
    >>> res = optimize.newton(lambda u: u ** 3 + 2 * u - np.roll(u, 1) - 1.0, np.zeros(50))
    >>> bool(res.success), bool(np.allclose(res.x ** 3 + res.x, 1.0))     # the solution: u³ + u = 1
    (True, True)
    """
    from scipy.sparse.linalg import splu

    x = np.array(x0, dtype=float, copy=True)
    shape = x.shape
    vj = value_and_jacobian(lambda z, *a: fun(z.reshape(shape), *a), sparsity=sparsity)
    maxfev = maxfev if maxfev is not None else 100 * (maxiter + 1)
    nit = 0
    status, message = 2, "the maximum number of iterations was reached"
    f, j = vj(x.ravel(), *args)
    f = np.ravel(f)
    nfev = njev = 1
    while True:
        if np.max(np.abs(f), initial=0.0) <= ftol:
            status, message = 1, "the residual is below ftol"
            break
        if nit >= maxiter:
            break
        try:
            d = splu(sp.csc_array(j)).solve(-f)
        except RuntimeError as err:  # an exactly singular factor
            status, message = 4, f"the Jacobian is singular ({err})"
            break
        phi = 0.5 * float(f @ f)
        step = 1.0
        while True:
            trial = x.ravel() + step * d
            ft = np.ravel(fun(trial.reshape(shape), *args))
            nfev += 1
            if np.all(np.isfinite(ft)) and 0.5 * float(ft @ ft) <= (1 - 1e-4 * step) * phi:
                break
            step *= 0.5
            if step < 1e-10 or nfev >= maxfev:
                break
        nit += 1
        if step < 1e-10 or nfev >= maxfev:
            status, message = 3, "the line search failed to decrease the residual"
            break
        moved = step * np.max(np.abs(d), initial=0.0)
        x = trial.reshape(shape)
        f = ft
        if moved <= xtol * (1 + np.max(np.abs(x), initial=0.0)):
            status, message = 0, "the step is below xtol"
            break
        if np.max(np.abs(f), initial=0.0) <= ftol:
            continue  # converged: no Jacobian needed
        f, j = vj(x.ravel(), *args)
        f = np.ravel(f)
        njev += 1
    return _sp.OptimizeResult(x=x, fun=f, jac=j, success=status in (0, 1), status=status, message=message,
                              nit=nit, nfev=nfev, njev=njev)


def least_squares(fun: Callable[..., Any], x0: Any, jac: Any = None, sparsity: Any = None,
                  **kwargs: Any) -> _sp.OptimizeResult:
    """SciPy's ``least_squares`` with ``jac=jacobian(fun)`` unless ``jac`` is given.

    ``args=`` and ``kwargs=`` reach both the residual and its Jacobian, as in SciPy.

    Parameters
    ----------
    fun : callable
        The residuals ``fun(x, *args, **kwargs)``.
    x0 : array_like
        The starting point.
    jac : callable or str, optional
        A Jacobian you pass yourself is used unchanged.
    sparsity : {None, "auto"} or array_like or scipy.sparse matrix, optional
        Fills ``jac=jacobian(fun, sparsity=...)``, a ``csr_array`` per call, and sets
        ``tr_solver="lsmr"`` (the trust-region solver SciPy uses with sparse Jacobians) unless given.
    **kwargs
        Every other keyword goes to SciPy unchanged.

    Returns
    -------
    scipy.optimize.OptimizeResult
        SciPy's result.

    See Also
    --------
    curve_fit : The model-fitting face.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import optimize
    >>> t = np.linspace(0, 1, 20)
    >>> res = optimize.least_squares(lambda p: p[0] * np.exp(-p[1] * t) - 2 * np.exp(-3 * t), np.ones(2))
    >>> np.round(res.x, 6)
    array([2., 3.])
    """
    if sparsity is not None:
        if jac is not None:
            raise ValueError("least_squares: give either jac= or sparsity=, not both")
        if kwargs.get("method") == "lm":
            raise ValueError("least_squares: method='lm' takes only dense Jacobians; use 'trf' or 'dogbox' with "
                             "sparsity=")
        kwargs.setdefault("tr_solver", "lsmr")
        jac = jacobian(fun, sparsity=sparsity)
    elif jac is None:
        jac = jacobian(fun)
    return _sp.least_squares(fun, x0, jac=jac, **kwargs)


def curve_fit(f: Callable[..., Any], xdata: Any, ydata: Any, p0: Any = None, jac: Any = None, **kwargs: Any):
    """SciPy's ``curve_fit`` with ``jac(x, *params)`` (shape ``(len(ydata), n_params)``) by AD.

    The model ``f(x, *params)`` is differentiated in all of its parameters in one pass.

    Parameters
    ----------
    f : callable
        The model ``f(xdata, *params)``.
    xdata, ydata : array_like
        The data.
    p0 : array_like
        The initial parameters; required when ``jac`` is filled in (their number is taken from it).
    jac : callable, optional
        A Jacobian you pass yourself is used unchanged.
    **kwargs
        Every other keyword goes to SciPy unchanged.

    Returns
    -------
    popt : ndarray
        SciPy's optimal parameters.
    pcov : ndarray
        Their estimated covariance.

    See Also
    --------
    least_squares : The residual face.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import optimize
    >>> x = np.linspace(0, 2, 30)
    >>> popt, _ = optimize.curve_fit(lambda x, a, k: a * np.exp(-k * x), x, 3 * np.exp(-0.5 * x), p0=[1.0, 1.0])
    >>> np.round(popt, 6)
    array([3. , 0.5])
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
