"""The DualArray container: a value, a tangent (one or many directions) and a tag.

The container is thin on purpose: operators come from NumPy's ``NDArrayOperatorsMixin`` and land in
``__array_ufunc__``; NumPy functions land in ``__array_function__``; both are dictionary look-ups
into the rule tables of :mod:`dualarray._registry`. Everything that would drop a tangent raises.
"""

from __future__ import annotations

import itertools
import operator
import os
import sys
import weakref
from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from . import _directions as dirs
from ._registry import FUNCTIONS, NON_DIFFERENTIABLE, UFUNC_DISPATCH, UNSUPPORTED, qualified_name

DEFAULT_TAG = 0
CONSTANT_TAG = -1
"""The tag of constants made by the array-API namespace (``xp.asarray``, ``xp.zeros``, results of
operations on constants): DualArrays that carry no derivative, are read as their plain values by every
rule (so they never nest under a fresh tag), and take the tag of a differentiated item written into them."""
ARRAY_API_MODE = False
"""Set inside ``dualarray.array_api.scipy_array_api()``: plain results of DualArray operations
(comparisons, ``isnan``, ``argmax``, ...) come back as constants, so array-API code sees one array type."""
_tags = itertools.count(1)

REVERSE_TAGS: set[int] = set()
"""Tags of the reverse-mode passes under way: their tangents are recorded linear maps (``_linear.Lin``),
so the zero storage they materialize is a symbolic zero that can be written into, not ``np.zeros``."""
PATTERN_CONSTANTS: dict[int, Any] | None = None
"""While a sparsity pattern is detected: the plain arrays operations were given (by id), whose zeros
are structural (see :mod:`dualarray._pattern`); None otherwise."""
PATTERN_READS: list[str] | None = None
"""While a sparsity pattern is detected: the functions that read the input's values into plain results
(comparisons, argsort, nonzero, ...), which can make the pattern depend on x; None otherwise."""


def note_read(func: Any) -> None:
    """Record that ``func`` computed a plain result from traced values (sparsity detection only)."""
    if PATTERN_READS is not None:
        PATTERN_READS.append(qualified_name(func))


_FAST_CALL: dict[Any, Any] = {}
"""ufunc -> handler for the common case of ``ufunc(*inputs)`` (filled by rules/ufuncs.py); a handler
returns None when its case does not apply, and the generic dispatch runs."""


def new_tag() -> int:
    """A fresh perturbation tag, newer than every tag made before it.

    Transforms give each call its own tag, so nested derivatives never confuse their perturbations;
    when tags mix, the newest one is outermost.

    Returns
    -------
    int
        The tag, for ``DualArray(..., tag=...)``.

    See Also
    --------
    DualArray : Takes the tag.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import DualArray, new_tag
    >>> inner, outer = new_tag(), new_tag()
    >>> x = DualArray(DualArray(0.7, 1.0, tag=inner), 1.0, tag=outer)
    >>> y = x * np.sin(x)
    >>> bool(np.isclose(y.tangent.tangent, 2 * np.cos(0.7) - 0.7 * np.sin(0.7)))   # (x sin x)''
    True
    """
    return next(_tags)


_ASARRAY_ADVICE = (
    "Use .value for the primal values (and .tangent for the derivative); build arrays of DualArrays "
    "with np.stack or np.concatenate; allocate work arrays with np.zeros_like(x) or np.empty_like(x), "
    "not np.zeros(n)."
)


def _tangent_dtype(value_dtype: np.dtype, tangent: Any = None) -> np.dtype:
    """Tangent dtype for a value: the value's inexact dtype, float64 for integers and bools."""
    base = value_dtype if np.issubdtype(value_dtype, np.inexact) else np.dtype(np.float64)
    if tangent is not None and np.iscomplexobj(tangent) and not np.issubdtype(base, np.complexfloating):
        return np.result_type(base, np.complex64)
    return base


def sparse_deferral(obj: Any, frame: Any) -> np.ndarray | None:
    """What ``obj.__array__`` gives SciPy's sparse matmul (``A @ x``, ``A.dot(x)``; ``frame`` its caller).

    A 0-d object array holding ``obj``: SciPy then returns ``NotImplemented``, so Python calls
    ``obj.__rmatmul__(A)``, which has a rule (rules/sparse_matrices.py). Any other caller: None.
    """
    if frame.f_code.co_name != "_matmul_dispatch" or not frame.f_globals.get("__name__", "").startswith(
            "scipy.sparse"):
        return None
    holder = np.empty((), dtype=object)
    holder[()] = obj
    return holder


def _value_backend(t: type) -> bool:
    """An array type that DualArrays hold as values and tangents (dask): beside a DualArray it is a
    constant of the computation, not a type to defer to."""
    module = t.__module__
    return module.startswith("dask.") or module == "dask"


def whole_along(x: Any, axes: Any) -> Any:
    """``x`` with ``axes`` in one chunk each when it is a dask array (dask's FFTs and gufuncs need that;
    rechunking is lazy), else ``x`` itself."""
    if not _value_backend(type(x)):
        return x
    return x.rechunk({a % x.ndim: -1 for a in axes})


def maybe_any(mask: Any) -> bool:
    """``np.any(mask)`` as a bool, for a rule that takes a cheaper form when no element needs masking; True for
    a lazy (dask) mask, which is not computed to find out (the masked form is lazy too)."""
    return True if _value_backend(type(mask)) else bool(np.any(mask))


def _holds_dask(args: Any) -> bool:
    """Whether a DualArray among ``args`` (or in a list/tuple there) holds a dask value."""
    for a in args:
        if isinstance(a, list | tuple):
            if _holds_dask(a):
                return True
        elif isinstance(a, DualArray) and _value_backend(type(a.value)):
            return True
    return False


def _without_dask_fallback(func: Any, run: Any) -> Any:
    """``run()``, with dask's convert-to-NumPy fallback for a function it lacks, and any error dask raises
    while building the graph (a keyword it lacks, a chunking it cannot take), turned into one clear error
    naming the function and the backend."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*is not implemented by Dask array", category=FutureWarning)
        try:
            return run()
        except FutureWarning as err:
            raise NotImplementedError(
                f"{qualified_name(func)} on dask arrays: dask has no implementation and would compute the array "
                "and convert it to NumPy, so its derivative is not taken lazily; call it on computed arrays "
                f"(.compute()) or use a dask function (dask.array.map_blocks). ({err})"
            ) from None
        except Exception as err:
            if isinstance(err, DaskBackendError) or not _raised_by_dask(err):
                raise
            raise _backend_error(type(err))(_backend_message(qualified_name(func), err)) from err


def _backend_message(name: str, err: BaseException) -> str:
    return (f"{name} on dask arrays: dask cannot run it as called ({type(err).__name__}: {err}); call it on "
            "computed arrays (.compute()) or use a dask function (dask.array.map_blocks)")


class DaskBackendError(NotImplementedError):
    """A NumPy function that dask cannot run on the DualArray's dask arrays (raised while building the graph).
    Each one is also an instance of the error dask raised, so ``except ValueError`` still catches it."""


def _backend_error(kind: type) -> type:
    """``DaskBackendError`` mixed with dask's own error type (cached per type)."""
    if issubclass(kind, NotImplementedError):
        return DaskBackendError
    found = _BACKEND_ERRORS.get(kind)
    if found is None:
        try:
            found = type(f"Dask{kind.__name__}", (DaskBackendError, kind), {"__module__": __name__})
        except TypeError:  # an exception type that cannot be mixed in (a different C layout)
            found = DaskBackendError
        _BACKEND_ERRORS[kind] = found
    return found


_BACKEND_ERRORS: dict[type, type] = {}


def _raised_by_dask(err: BaseException) -> bool:
    """Whether ``err`` was raised inside dask (a frame of its traceback is in dask), or is a keyword that dask's
    function lacks."""
    tb = err.__traceback__
    while tb is not None:
        if f"{os.sep}dask{os.sep}" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return isinstance(err, TypeError) and "unexpected keyword argument" in str(err)


def _is_foreign(x: Any) -> bool:
    """An array type we do not know (xarray, pint, ...): it gets a chance to handle the operation."""
    return (
        hasattr(x, "__array_ufunc__")
        and not isinstance(x, DualArray | np.ndarray | np.generic)
        and not _value_backend(type(x))  # dask: a constant of the computation
    )


def _operators(ufunc: np.ufunc, name: str) -> tuple[Any, Any]:
    """``__name__``/``__rname__`` that try the fast handler first, then the mixin (same semantics)."""
    forward = getattr(NDArrayOperatorsMixin, f"__{name}__")
    reflected = getattr(NDArrayOperatorsMixin, f"__r{name}__")

    def op(self: DualArray, other: Any) -> Any:
        fast = _FAST_CALL.get(ufunc)
        if fast is not None:
            result = fast(self, other)
            if result is not None:
                return result
        return forward(self, other)

    def rop(self: DualArray, other: Any) -> Any:
        fast = _FAST_CALL.get(ufunc)
        if fast is not None:
            result = fast(other, self)
            if result is not None:
                return result
        return reflected(self, other)

    op.__name__, rop.__name__ = f"__{name}__", f"__r{name}__"
    return op, rop


def _in_place(name: str) -> Any:
    """``__iname__``: the mixin's in-place ufunc call, except that a NumPy-scalar value rebinds.

    ``s = x.sum(); s += x`` makes ``s`` a new array, as NumPy does for its scalars (which are immutable).
    """
    in_place = getattr(NDArrayOperatorsMixin, f"__i{name}__")

    def op(self: DualArray, other: Any) -> Any:
        if isinstance(self.value, np.generic):
            return getattr(self, f"__{name}__")(other)
        return in_place(self, other)

    op.__name__ = f"__i{name}__"
    return op


class DualArray(NDArrayOperatorsMixin):
    """An array value with tangents: ``value + ε·tangent`` with ``ε² = 0``.

    NumPy's ufuncs (NEP 13), functions (NEP 18), operators, indexing and the ``ndarray`` surface
    (``shape``, ``T``, ``sum``, ``reshape``, ...) act on the value exactly as on a plain array and
    carry the tangent by the chain rule. Conversions that would drop a tangent (``np.asarray``,
    ``float`` of a non-zero tangent) raise ``TypeError``.

    Parameters
    ----------
    value : array_like
        The value (a DualArray for nested derivatives). The result of every operation has exactly the
        value NumPy computes for the plain arrays: same shape, dtype and broadcasting.
    tangent : array_like, optional
        The derivative direction, broadcast to ``value``'s shape (``1.0`` is fine); integer values get a
        float64 tangent. Without one the derivative is a *symbolic zero*: nothing is allocated or
        computed for it.
    batched : bool, default False
        ``tangent.shape == (k, *value.shape)`` carries k directions in one pass; ``.tangent`` then has
        shape ``(k, *result.shape)``.
    tag : int, optional
        The perturbation's tag (default ``DEFAULT_TAG``); see :func:`new_tag`.

    Attributes
    ----------
    value : ndarray
        The value.
    tangent : ndarray
        The tangent, shaped like the value (``(k, *value.shape)`` when batched).
    tag : int
        The perturbation's tag: when tags mix, the newest is outermost.

    See Also
    --------
    derivative, jvp, jacobian : The transforms, which build DualArrays for you.

    Notes
    -----
    With :math:`\\varepsilon^2 = 0`, :math:`f(a + b\\varepsilon) = f(a) + f'(a)\\,b\\,\\varepsilon`; for
    arrays the tangent of :math:`f(x + v\\varepsilon)` is the Jacobian-vector product :math:`J_f(x)\\,v`.

    Examples
    --------
    >>> import numpy as np
    >>> from dualarray import DualArray
    >>> x = DualArray(3.0, 1.0)
    >>> np.exp(x).tangent  # d/dx exp(x) at 3
    np.float64(20.085536923187668)
    >>> y = DualArray(np.ones(2), np.eye(2), batched=True) * np.array([2.0, 5.0])
    >>> y.tangent          # two directions: the Jacobian's rows
    array([[2., 0.],
           [0., 5.]])
    """

    __slots__ = ("value", "_tangent", "_ndir", "_batched", "tag", "_links", "__weakref__")
    __array_priority__ = 100

    value: Any
    tag: int

    # the hot binary operators skip the mixin's extra layer (foreign operands still go through it)
    __add__, __radd__ = _operators(np.add, "add")
    __sub__, __rsub__ = _operators(np.subtract, "sub")
    __mul__, __rmul__ = _operators(np.multiply, "mul")
    __truediv__, __rtruediv__ = _operators(np.divide, "truediv")
    __pow__, __rpow__ = _operators(np.power, "pow")

    def __init__(self, value: Any, tangent: Any = None, *, batched: bool = False, tag: int | None = None):
        if (
            type(value) is np.ndarray and type(tangent) is np.ndarray and not batched
            and (tag is None or type(tag) is int)
            and tangent.dtype is value.dtype and value.dtype.kind == "f" and tangent.shape == value.shape
            and value.flags.c_contiguous and (tangent.ndim or tangent != 0)
        ):
            # the common seed DualArray(x, v): what the general path below gives, without its checks
            self.value = value
            self.tag = DEFAULT_TAG if tag is None else tag
            self._links = None
            self._batched = False
            self._tangent = tangent[None].copy()  # never aliased: in-place updates must not reach the caller
            self._ndir = 1
            return
        if tag is None:
            tag = DEFAULT_TAG
        if not (hasattr(value, "__array_function__") and not isinstance(value, np.generic)):
            value = np.asarray(value)
        for part, what in ((value, "value"), (tangent, "tangent")):
            if isinstance(part, DualArray) and part.tag >= tag:
                raise ValueError(
                    f"the {what} is a DualArray with tag {part.tag}; the outer DualArray needs a newer tag "
                    "(pass tag=dualarray.new_tag())"
                )
        self.value = value
        self.tag = tag
        self._links = None
        self._batched = bool(batched)
        if tangent is None:
            if batched:
                raise ValueError("batched=True needs tangents of shape (k, *value.shape)")
            self._tangent = None
            self._ndir = 1
            return
        if np.ndim(tangent) == 0 and not isinstance(tangent, DualArray) and tangent == 0:
            self._tangent = None
            self._ndir = 1
            return
        t = dirs.from_user(tangent, value, _tangent_dtype(np.dtype(value.dtype), tangent), batched)
        self._tangent = t
        self._ndir = dirs.count(t)

    @classmethod
    def _new(cls, value: Any, tangent: Any, ndir: int, batched: bool, tag: int) -> DualArray:
        """Fast constructor for rules: no validation, ``tangent`` already in internal layout."""
        self = object.__new__(cls)
        self.value = value
        self._tangent = tangent
        self._ndir = ndir
        self._batched = batched
        self.tag = tag
        self._links = None
        return self

    # ------------------------------------------------------------------ tangent access
    @property
    def tangent(self) -> Any:
        """The derivative: shape ``value.shape``, or ``(k, *value.shape)`` when batched."""
        t = self._tangent
        if t is None:
            t = dirs.zeros(self._ndir, self.value, self.tangent_dtype)
        return dirs.to_user(t, self._batched)

    @property
    def tangent_dtype(self) -> np.dtype:
        t = self._tangent
        return t.dtype if t is not None else _tangent_dtype(np.dtype(self.dtype))

    @property
    def ndir(self) -> int:
        """Number of directions k carried (1 unless batched)."""
        return self._ndir

    @property
    def batched(self) -> bool:
        return self._batched

    def _writable_tangent(self) -> Any:
        """Materialize the tangent before a view of it is taken or it is written.

        A symbolic zero becomes zeros (nested zeros for a nested value), a read-only broadcast a copy.
        """
        t = self._tangent
        if t is None:
            t = _zero_storage(self.tag, self._ndir, self.value, self.tangent_dtype)
            self._tangent = t
        elif isinstance(t, np.ndarray) and not t.flags.writeable:
            t = dirs.copy_like(t, self.value)
            self._tangent = t
        return t

    def _take_directions(self, item: DualArray, where: str) -> None:
        """Before ``item`` (same tag) is written into this array: a constant takes the item's directions."""
        if item._ndir != self._ndir and item._tangent is not None:
            if self._tangent is not None or self._batched:
                raise ValueError(
                    f"{where}cannot write a DualArray with {item._ndir} directions into one with {self._ndir}"
                )
            self._ndir, self._batched = item._ndir, item._batched

    def _viewable_tangent(self) -> Any:
        """The tangent to take a view of, for a view of the value.

        As :meth:`_writable_tangent`, except that a read-only tangent of a read-only value (a view such as
        ``diagonal()`` or ``broadcast_to``) is kept: copying it would detach the view from its parent's
        tangent, and no write can go through it (NumPy refuses the value's write first).
        """
        t = self._tangent
        if isinstance(t, np.ndarray) and not t.flags.writeable:
            value = strip_all(self.value)
            if isinstance(value, np.ndarray) and not value.flags.writeable:
                return t
        return self._writable_tangent()

    def _adopt(self, item: DualArray) -> None:
        """A namespace constant takes ``item``'s tag (its tangent a zero) before ``item`` is written into it."""
        if self._links and any(r() is not None for r in self._links):
            raise TypeError(
                "cannot write a DualArray that carries a derivative into an array-API constant that shares memory "
                "with another (a view of it, or the array it is a view of): the other would not see the "
                "derivative. Write into an array without views, or allocate it with xp.zeros_like(x)"
            )
        if isinstance(self.value, np.ndarray) and not self.value.flags.writeable:
            return  # NumPy refuses the write itself
        self.tag, self._ndir, self._batched, self._tangent = item.tag, item._ndir, item._batched, None

    def _share(self, view: DualArray) -> DualArray:
        """Record (weakly) that ``view`` shares memory with this array, for :func:`_lift_storage`."""
        links = self._links
        if links is None:
            links = self._links = []
        elif len(links) >= 16:
            links[:] = [r for r in links if r() is not None]
        links.append(weakref.ref(view))
        view._links = [weakref.ref(self)]
        return view

    def _shares_memory_with_a_live_array(self) -> bool:
        return any(r() is not None for r in self._links or ())

    # ------------------------------------------------------------------ ndarray-like surface
    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def ndim(self) -> int:
        return self.value.ndim

    @property
    def size(self) -> int:
        return self.value.size

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    @property
    def T(self) -> DualArray:
        return np.transpose(self)

    @property
    def mT(self) -> DualArray:
        return np.swapaxes(self, -1, -2)

    @property
    def real(self) -> DualArray:
        return np.real(self)

    @property
    def imag(self) -> DualArray:
        return np.imag(self)

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def copy(self, order: str = "K") -> DualArray:
        return np.copy(self, order=order)

    def astype(self, dtype: Any, copy: bool = True) -> DualArray:
        """Cast the value; the tangent follows (to the new float dtype, zero for integer targets)."""
        value = self.value.astype(dtype, copy=copy)
        if not np.issubdtype(np.dtype(dtype), np.inexact) or self._tangent is None:
            return DualArray._new(value, None, self._ndir, self._batched, self.tag)
        tdtype = _tangent_dtype(np.dtype(dtype))
        t = self._tangent
        if not np.issubdtype(tdtype, np.complexfloating) and np.iscomplexobj(t):
            t = np.real(t)
        return DualArray._new(value, t.astype(tdtype, copy=copy), self._ndir, self._batched, self.tag)

    def reshape(self, *shape: Any, order: str = "C") -> DualArray:
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return np.reshape(self, shape, order=order)

    def transpose(self, *axes: Any) -> DualArray:
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], tuple | list)):
            axes = axes[0]
        return np.transpose(self, axes or None)

    def swapaxes(self, axis1: int, axis2: int) -> DualArray:
        return np.swapaxes(self, axis1, axis2)

    def ravel(self, order: str = "C") -> DualArray:
        return np.ravel(self, order=order)

    def flatten(self, order: str = "C") -> DualArray:
        return np.ravel(self, order=order).copy()

    def squeeze(self, axis: Any = None) -> DualArray:
        return np.squeeze(self, axis=axis)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue, where=True):
        return np.sum(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial, where=where)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
        return np.mean(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=where)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue, where=True):
        return np.prod(self, axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial, where=where)

    def max(self, axis=None, out=None, keepdims=False, initial=np._NoValue, where=True):
        return np.max(self, axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)

    def min(self, axis=None, out=None, keepdims=False, initial=np._NoValue, where=True):
        return np.min(self, axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)

    def cumsum(self, axis=None, dtype=None, out=None):
        return np.cumsum(self, axis=axis, dtype=dtype, out=out)

    def cumprod(self, axis=None, dtype=None, out=None):
        return np.cumprod(self, axis=axis, dtype=dtype, out=out)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
        return np.var(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kwargs)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
        return np.std(self, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kwargs)

    def ptp(self, axis=None, out=None, keepdims=False):
        return np.ptp(self, axis=axis, out=out, keepdims=keepdims)

    def argmax(self, axis=None, out=None, *, keepdims=False):
        note_read(np.argmax)
        return np.argmax(self.value, axis=axis, out=out, keepdims=keepdims)

    def argmin(self, axis=None, out=None, *, keepdims=False):
        note_read(np.argmin)
        return np.argmin(self.value, axis=axis, out=out, keepdims=keepdims)

    def argsort(self, axis=-1, kind=None, order=None, *, stable=None):
        note_read(np.argsort)
        return np.argsort(self.value, axis=axis, kind=kind, order=order, stable=stable)

    def nonzero(self):
        note_read(np.nonzero)
        return np.nonzero(self.value)

    def any(self, *args, **kwargs):
        return np.any(self.value, *args, **kwargs)

    def all(self, *args, **kwargs):
        return np.all(self.value, *args, **kwargs)

    def sort(self, axis=-1, kind=None, order=None, *, stable=None) -> None:
        """Sort in place (the tangents move with their values)."""
        self[...] = np.sort(self, axis=axis, kind=kind, order=order, stable=stable)

    def __round__(self, ndigits: int | None = None) -> DualArray:
        return np.round(self, decimals=ndigits or 0)

    def round(self, decimals=0, out=None):
        return np.round(self, decimals=decimals, out=out)

    def trace(self, offset=0, axis1=0, axis2=1, dtype=None, out=None):
        return np.trace(self, offset=offset, axis1=axis1, axis2=axis2, dtype=dtype, out=out)

    def diagonal(self, offset=0, axis1=0, axis2=1):
        return np.diagonal(self, offset=offset, axis1=axis1, axis2=axis2)

    def take(self, indices, axis=None, out=None, mode="raise"):
        return np.take(self, indices, axis=axis, out=out, mode=mode)

    def repeat(self, repeats, axis=None):
        return np.repeat(self, repeats, axis=axis)

    def compress(self, condition, axis=None, out=None):
        return np.compress(condition, self, axis=axis, out=out)

    def choose(self, choices, out=None, mode="raise"):
        """``np.choose`` with this array as the (constant, integer) index array."""
        return np.choose(self.value, choices, out=out, mode=mode)

    def searchsorted(self, v, side="left", sorter=None):
        return np.searchsorted(self.value, strip(v), side=side, sorter=sorter)

    def argpartition(self, kth, axis=-1, kind="introselect", order=None):
        return np.argpartition(self.value, kth, axis=axis, kind=kind, order=order)

    def partition(self, kth, axis=-1, kind="introselect", order=None) -> None:
        """Partition in place (the tangents move with their values)."""
        self[...] = np.partition(self, kth, axis=axis, kind=kind, order=order)

    def fill(self, value: Any) -> None:
        self[...] = value

    def put(self, indices, values, mode="raise") -> None:
        np.put(self, indices, values, mode=mode)

    def view(self, dtype: Any = None, type: Any = None) -> DualArray:
        """A view sharing value and tangent; reinterpreting the bits (another dtype or type) is refused."""
        if type is not None or (dtype is not None and np.dtype(dtype) != self.dtype):
            what = f"type {type.__name__}" if type is not None else f"dtype {np.dtype(dtype)}"
            raise TypeError(
                f"DualArray.view({what}) would reinterpret the values and drop the derivative. Use .astype() "
                "to convert values, or x.value.view(...) if you only need the values."
            )
        return np.reshape(self, self.shape)

    def resize(self, *new_shape: Any, refcheck: bool = True) -> None:
        """In-place resize as ``ndarray.resize``: the flat values (and tangents) kept, new entries zero."""
        if len(new_shape) == 1 and isinstance(new_shape[0], tuple | list):
            new_shape = tuple(new_shape[0])
        if refcheck and self._shares_memory_with_a_live_array():
            raise ValueError("cannot resize a DualArray that shares memory with another (a view or its base); "
                             "use np.resize(x, shape) for a resized copy, or pass refcheck=False")
        grown = np.zeros_like(self, shape=new_shape)
        n = min(self.size, grown.size)
        if n:
            np.ravel(grown)[:n] = np.ravel(self)[:n]
        self.value, self._tangent = grown.value, grown._tangent

    @property
    def flat(self) -> _FlatIterator:
        """``x.flat``: row-major element access; reads and writes carry tangents."""
        return _FlatIterator(self)

    @flat.setter
    def flat(self, values: Any) -> None:
        _FlatIterator(self)[...] = values

    def dot(self, other: Any, out: Any = None) -> DualArray:
        return np.dot(self, other, out=out)

    def clip(self, min: Any = None, max: Any = None, out: Any = None, **kwargs: Any) -> DualArray:
        return np.clip(self, min, max, out=out, **kwargs)

    def conj(self) -> DualArray:
        return np.conjugate(self)

    conjugate = conj

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index: Any) -> DualArray:
        index = _plain_index(index)
        value = self.value[index]
        if self.tag == CONSTANT_TAG:
            view = constant(value if isinstance(value, np.ndarray) else np.asarray(value))
            return self._share(view) if isinstance(value, np.ndarray) and np.shares_memory(value, self.value) else view
        if _is_basic(index):
            # basic indexing of an ndarray gives a view whenever it gives an array (else a NumPy scalar)
            if isinstance(strip_all(self.value), np.ndarray) and isinstance(strip_all(value), np.ndarray):
                # A view: give the parent a real tangent so writes through the view reach it.
                t = self._viewable_tangent()
                key = dirs.key(index)
                t = t[key] if type(t) is np.ndarray else dirs.view(t, lambda t: t[key])
                return self._share(DualArray._new(value, t, self._ndir, self._batched, self.tag))
        if self._tangent is None:
            return DualArray._new(value, None, self._ndir, self._batched, self.tag)
        return DualArray._new(value, dirs.getitem(self._tangent, index), self._ndir, self._batched, self.tag)

    def __setitem__(self, index: Any, item: Any) -> None:
        index = _plain_index(index)
        if isinstance(item, DualArray) and item.tag == CONSTANT_TAG:
            item = item.value  # a constant is written as its plain value
        elif isinstance(item, DualArray) and item.tag > self.tag and self.tag == CONSTANT_TAG:
            self._adopt(item)
        if isinstance(item, DualArray) and item.tag > self.tag:
            raise TypeError(
                f"cannot write a DualArray with tag {item.tag} into one with the older tag {self.tag}: "
                "its derivative would be lost. Build the result from the newer array instead "
                "(for example with np.zeros_like(x) of the differentiated input)."
            )
        if isinstance(self.value, np.generic):
            self.value = np.array(self.value)  # a NumPy scalar result: in-place updates rebind like NumPy's
        if isinstance(item, DualArray) and item.tag == self.tag:
            self._take_directions(item, "")
            item_value, item_tangent = item.value, item._tangent
            if not np.issubdtype(np.dtype(self.dtype), np.inexact) and np.issubdtype(np.dtype(item.dtype), np.inexact):
                item_tangent = None  # cast to integers: piecewise constant, like astype(int)
        else:
            item_value, item_tangent = item, None
        if isinstance(item_value, DualArray) and not isinstance(self.value, DualArray):
            self.value = _lift_storage(self, self.value, item_value)
        self.value[index] = item_value
        if item_tangent is None:
            if self._tangent is not None:
                self._writable_tangent()[dirs.key(index)] = 0
            return
        t = self._writable_tangent()
        if isinstance(item_tangent, DualArray) and not isinstance(t, DualArray):
            t = self._tangent = _lift_storage(self, t, item_tangent)
        t[dirs.key(index)] = dirs.subspace(item_tangent, np.shape(self.value[index]), index)

    # ------------------------------------------------------------------ conversions that refuse
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        deferral = sparse_deferral(self, sys._getframe(1))
        if deferral is not None:
            return deferral
        if self.tag == CONSTANT_TAG or (np.dtype(self.dtype).kind in "biu"
                                        and isinstance(self.value, np.ndarray | np.generic)):
            # constants and integers/booleans carry no derivative: they convert losslessly
            return np.asarray(self.value, dtype=dtype, copy=copy) if copy is not None else np.asarray(self.value,
                                                                                                        dtype=dtype)
        raise TypeError(
            "a DualArray was converted to a plain ndarray (np.asarray, np.array, or writing it into a "
            "plain array), which would drop its derivative. " + _ASARRAY_ADVICE
        )

    def _scalar_refused(self, what: str) -> TypeError:
        return TypeError(
            f"{what}(DualArray) would drop the derivative. Keep the computation in NumPy operations, "
            f"or use {what}(x.value) if you only need the value."
        )

    # ------------------------------------------------------------------ the array API standard
    def __array_namespace__(self, *, api_version: str | None = None) -> Any:
        """``dualarray.array_api``: the standard's namespace, every function carrying derivatives."""
        from . import array_api

        if api_version is not None and api_version not in array_api.API_VERSIONS:
            raise ValueError(f"dualarray.array_api supports the array API versions {array_api.API_VERSIONS}, "
                             f"not {api_version!r}")
        return array_api

    @property
    def device(self) -> str:
        return "cpu"

    def __dlpack__(self, **kwargs: Any) -> Any:
        raise TypeError(
            "DualArray does not export DLPack: a DLPack buffer holds values only and cannot carry the tangent, "
            "so the derivative would be lost. Pass the DualArray itself, or x.value for the values alone"
        )

    def to_device(self, device: Any, /, *, stream: Any = None) -> DualArray:
        if device != "cpu":
            raise ValueError(f"DualArrays live on the CPU only, not on {device!r}")
        return self

    def _lossless_value(self, what: str) -> Any:
        """The value, for a conversion that drops nothing: an integer or bool dtype (no derivative), or a
        tangent that is zero (symbolic, or all zeros in every direction). Anything else raises.

        The array API standard requires ``float()``/``int()``/``complex()``/``operator.index()`` of 0-d
        arrays, and SciPy's array-API code uses them for control flow; a traced (reverse-mode) tangent
        cannot be inspected, so it counts as nonzero. Nested values convert only if they are lossless too.
        """
        if np.dtype(self.dtype).kind in "biu":
            return self.value
        t = self._tangent
        if t is None or (isinstance(t, np.ndarray) and not t.any()):
            return self.value
        raise self._scalar_refused(what)

    def __float__(self) -> float:
        return float(self._lossless_value("float"))

    def __int__(self) -> int:
        return int(self._lossless_value("int"))

    def __complex__(self) -> complex:
        return complex(self._lossless_value("complex"))

    def __index__(self) -> int:
        if np.dtype(self.dtype).kind not in "biu":
            raise TypeError(f"only integer arrays can be used as an index; this DualArray is {self.dtype}")
        return operator.index(self.value)

    def item(self, *args: Any) -> Any:
        raise TypeError(
            "DualArray.item() would drop the derivative. Use x.value.item() for the value, or keep x as "
            "a 0-d DualArray (x[()] or x.reshape(()))."
        )

    def tolist(self) -> Any:
        raise TypeError("DualArray.tolist() would drop the derivative. Use x.value.tolist() for the values.")

    def __bool__(self) -> bool:
        return bool(self.value)

    # ------------------------------------------------------------------ protocols
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "__call__" and not kwargs:
            fast = _FAST_CALL.get(ufunc)
            if fast is not None:
                result = fast(*inputs)
                if result is not None:
                    return result
        for x in inputs:
            if _is_foreign(x):
                return NotImplemented
        out = kwargs.get("out", ())
        for x in out:
            if _is_foreign(x):
                return NotImplemented
        if _constants_only((*inputs, *out)):
            result = getattr(ufunc, method)(*strip(inputs), **strip(kwargs))
            return kwargs["out"][0] if out and ufunc.nout == 1 else (out if out else lift_constants(result))
        try:
            result = UFUNC_DISPATCH[method](ufunc, inputs, kwargs)
        except (TypeError, ValueError, NotImplementedError, AttributeError, IndexError) as err:
            if "dask" not in sys.modules or isinstance(err, DaskBackendError) or not _holds_dask(inputs):
                raise
            name = qualified_name(ufunc) + ("" if method == "__call__" else f".{method}")
            raise _backend_error(type(err))(_backend_message(name, err)) from err
        if ARRAY_API_MODE and type(result) is not DualArray and not out:
            return lift_constants(result)
        return result

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        for t in types:
            if not issubclass(t, DualArray | np.ndarray) and not _value_backend(t):
                return NotImplemented
        if _constants_only_in(args, kwargs):
            result = func(*strip_constants(args), **strip_constants(kwargs))
            return result if kwargs.get("out") is not None else lift_constants(result)
        if ARRAY_API_MODE:
            result = self._dispatch_function(func, args, kwargs)
            return result if type(result) is DualArray or kwargs.get("out") is not None else lift_constants(result)
        if "dask" in sys.modules and _holds_dask(args):
            return _without_dask_fallback(func, lambda: self._dispatch_function(func, args, kwargs))
        return self._dispatch_function(func, args, kwargs)

    @staticmethod
    def _dispatch_function(func: Any, args: Any, kwargs: Any) -> Any:
        impl = FUNCTIONS.get(func)
        if impl is not None:
            if PATTERN_READS is not None:
                note_read(func)  # sort, unique, interp, ... choose indices from values inside their rules
            out = kwargs.get("out")
            if isinstance(out, DualArray) and not _contains_dual((args, [v for k, v in kwargs.items() if k != "out"])):
                # plain inputs, a DualArray buffer: NumPy's result (zero tangent) written into it
                out[...] = func(*args, **{**kwargs, "out": None})
                return out
            return impl(*args, **kwargs)
        if func in NON_DIFFERENTIABLE:
            if PATTERN_READS is not None:
                note_read(func)
            return func(*strip(args), **strip(kwargs))
        raise unsupported_error(func)

    # ------------------------------------------------------------------ representation, pickling
    def __repr__(self) -> str:
        tangent = "0" if self._tangent is None else _format(self.tangent)
        label = "tangents" if self._batched else "tangent"
        tag = "" if self.tag == DEFAULT_TAG else f", tag={self.tag}"
        return f"DualArray({_format(self.value)}, {label}={tangent}{tag})"

    def __copy__(self) -> DualArray:
        return DualArray._new(np.copy(self.value), None if self._tangent is None else np.copy(self._tangent),
                              self._ndir, self._batched, self.tag)

    def __deepcopy__(self, memo: dict) -> DualArray:
        import copy

        return DualArray._new(copy.deepcopy(self.value, memo), copy.deepcopy(self._tangent, memo),
                              self._ndir, self._batched, self.tag)

    def __reduce__(self):
        return (DualArray._new, (self.value, self._tangent, self._ndir, self._batched, self.tag))


for _name in ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and", "xor",
              "or"):
    setattr(DualArray, f"__i{_name}__", _in_place(_name))


class _FlatIterator:
    """What ``DualArray.flat`` returns: ``x.flat[i]``, ``x.flat[i] = v``, ``iter``, ``len`` (row-major)."""

    __slots__ = ("base",)

    def __init__(self, base: DualArray) -> None:
        self.base = base

    def __len__(self) -> int:
        return self.base.size

    def __iter__(self):
        flat = np.ravel(self.base)
        for i in range(flat.shape[0]):
            yield flat[i]

    def _positions(self, index: Any) -> tuple:
        flat = np.arange(self.base.size)[index]
        return np.unravel_index(flat, self.base.shape)

    def __getitem__(self, index: Any) -> DualArray:
        item = np.ravel(self.base)[index]
        return item.copy() if np.ndim(item) else item  # a copy, as ndarray.flat[...] gives

    def __setitem__(self, index: Any, values: Any) -> None:
        positions = self._positions(index)
        count = int(np.size(positions[0])) if positions else 0
        if not count:
            return
        # NumPy's flat assignment repeats the values cyclically to fill the positions
        flat = np.ravel(values) if isinstance(values, DualArray) else np.ravel(np.asarray(values))
        take = np.arange(count) % max(int(np.size(flat)), 1)
        self.base[tuple(np.ravel(p) for p in positions)] = flat[take]


def _format(a: Any) -> str:
    """Compact text of a value or tangent for ``repr``: ``9.61``, ``[1., 2.]``."""
    if isinstance(a, DualArray) or not isinstance(a, np.ndarray | np.generic):
        return repr(a)
    if np.ndim(a) == 0:
        return repr(a[()].item()) if isinstance(a, np.ndarray) else repr(a.item())
    return np.array2string(a, separator=", ")


def unsupported_error(func: Any) -> Exception:
    """The error for a NumPy callable with no rule: names it and says what to do instead."""
    name = qualified_name(func)
    if func in UNSUPPORTED:
        register = ""
        if isinstance(func, np.ufunc):
            how = "register_ufunc(f, *partials" if func.nout == 1 else "register_ufunc_jvp(f, jvp"
            register = (f" If you know its derivative, register it: dualarray.{how}, replace=True) with "
                        f"f = {name} (see README, 'Your own rules').")
        return NotImplementedError(
            f"{name} is not supported for DualArray inputs: {UNSUPPORTED[func]}. "
            f"Pass .value if you do not need its derivative.{register}"
        )
    register = "dualarray.register_ufunc" if isinstance(func, np.ufunc) else "@dualarray.implements"
    return TypeError(
        f"{name} has no derivative rule for DualArray inputs, and dualarray never falls back to plain "
        f"NumPy (that would silently drop the derivative). Pass .value if you do not need its derivative, "
        f"rewrite it with operations that have rules, or register one with {register}({name})."
    )


def strip(obj: Any) -> Any:
    """Replace the outermost DualArrays in ``obj`` (and in its lists/tuples/dicts) by their values."""
    if isinstance(obj, DualArray):
        return obj.value
    if isinstance(obj, tuple | list):
        return type(obj)(strip(o) for o in obj)
    if isinstance(obj, dict):
        return {k: strip(v) for k, v in obj.items()}
    return obj


def _contains_dual(obj: Any) -> bool:
    if isinstance(obj, DualArray):
        return True
    if isinstance(obj, tuple | list):
        return any(_contains_dual(o) for o in obj)
    return False


def constant(value: Any) -> DualArray:
    """A namespace constant holding ``value`` (see :data:`CONSTANT_TAG`)."""
    return DualArray._new(value, None, 1, False, CONSTANT_TAG)


def lift_constants(result: Any) -> Any:
    """Plain arrays and NumPy scalars in ``result`` (and its tuples, lists) as namespace constants."""
    if isinstance(result, DualArray):
        return result
    if type(result) is np.ndarray:
        return constant(result)
    if isinstance(result, np.generic):
        return constant(np.asarray(result))
    if isinstance(result, tuple):
        items = [lift_constants(r) for r in result]
        return type(result)(*items) if hasattr(result, "_fields") else tuple(items)
    if isinstance(result, list):
        return [lift_constants(r) for r in result]
    return result


def _duals_in(obj: Any) -> list:
    """The DualArrays in ``obj`` and in its tuples, lists and dict values."""
    if isinstance(obj, DualArray):
        return [obj]
    if isinstance(obj, tuple | list):
        return [d for o in obj for d in _duals_in(o)]
    if isinstance(obj, dict):
        return [d for o in obj.values() for d in _duals_in(o)]
    return []


def _constants_only(objs: Any, empty: bool = False) -> bool:
    """Are all DualArrays among ``objs`` constants (at least one of them, unless ``empty``)?"""
    seen = empty
    for x in objs:
        if type(x) is DualArray:
            if x.tag != CONSTANT_TAG:
                return False
            seen = True
    return seen


def _constants_only_in(args: tuple, kwargs: dict) -> bool:
    """:func:`_constants_only` over every DualArray in a call (a differentiated one up front ends it early)."""
    for a in args:
        if type(a) is DualArray and a.tag != CONSTANT_TAG:
            return False
    return _constants_only(_duals_in((args, kwargs)))


def strip_constants(obj: Any) -> Any:
    """``obj`` with every constant replaced by its value (other DualArrays kept)."""
    if isinstance(obj, DualArray):
        return obj.value if obj.tag == CONSTANT_TAG else obj
    if isinstance(obj, tuple | list):
        return type(obj)(strip_constants(o) for o in obj)
    if isinstance(obj, dict):
        return {k: strip_constants(v) for k, v in obj.items()}
    return obj


def strip_all(obj: Any) -> Any:
    """The plain value under every level of nesting."""
    while isinstance(obj, DualArray):
        obj = obj.value
    return obj


def _lift_storage(target: DualArray, arr: Any, like: DualArray) -> DualArray:
    """``arr`` (target's plain value or tangent) lifted to hold ``like``'s nested derivative.

    The lift allocates new memory for the inner tangent; when ``target`` shares memory with another
    DualArray (a view or a parent of views), that memory would not be shared and the derivative written
    into it would be lost for the other array, so this refuses.
    """
    if target._shares_memory_with_a_live_array():
        raise TypeError(
            "an in-place update writes a second-order (nested) derivative into a view, or into an array with "
            "views, whose storage holds first-order derivatives only; the views would not see it. Work on a "
            "copy (v = y[1:].copy()) or build the result out of place (np.concatenate, np.where, arithmetic)."
        )
    return _lift_like(arr, like)


def _lift_like(arr: Any, like: DualArray) -> DualArray:
    """Wrap a plain array as a constant DualArray of ``like``'s tag (for nested writes)."""
    inner = arr
    if isinstance(like.value, DualArray) and not isinstance(arr, DualArray):
        inner = _lift_like(arr, like.value)
    return DualArray._new(inner, None, like._ndir, like._batched, like.tag)


def _is_basic(index: Any) -> bool:
    """True when ``value[index]`` is a view (ints, slices, Ellipsis, None only)."""
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if i is None or i is Ellipsis or isinstance(i, slice):
            continue
        if isinstance(i, int | np.integer) and not isinstance(i, bool | np.bool_):
            continue
        return False
    return True


def _plain_index(index: Any) -> Any:
    """``index`` with integer and bool DualArrays replaced by their values (they carry no derivative)."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index) if any(isinstance(i, DualArray) for i in index) else index
    if not isinstance(index, DualArray):
        return index
    if np.dtype(index.dtype).kind in "biu":
        return strip_all(index)
    raise TypeError(f"a DualArray of dtype {index.dtype} cannot be used as an index (only integers and "
                    "booleans can, and they carry no derivative)")


class Frame:
    """The outermost perturbation taking part in one operation: its tag and direction count."""

    __slots__ = ("tag", "ndir", "batched")

    def __init__(self, tag: int, ndir: int, batched: bool) -> None:
        self.tag = tag
        self.ndir = ndir
        self.batched = batched

    def wrap(self, value: Any, tangent: Any) -> DualArray:
        """A result DualArray of this frame (``tangent`` in internal layout, None for zero).

        A plain tangent that is not laid out like the value (einsum's optimized contractions, BLAS
        results) is copied into the value's layout, so later views of the result are views of both.
        """
        if type(tangent) is np.ndarray and type(value) is np.ndarray and not dirs.mirrors(tangent, value):
            tangent = dirs.copy_like(tangent, value)
        return DualArray._new(value, tangent, self.ndir, self.batched, self.tag)

    def zeros(self, value: Any) -> Any:
        """A materialized zero tangent for ``value``."""
        return _zero_storage(self.tag, self.ndir, value, _tangent_dtype(np.dtype(value.dtype)))


def _zero_storage(tag: int, k: int, value: Any, dtype: Any) -> Any:
    """Zeros to write tangents into: an array, or a writable symbolic zero in a reverse pass."""
    if tag in REVERSE_TAGS:
        from ._linear import zeros  # local: reverse mode is loaded on first use

        return zeros((k, *np.shape(value)), dtype)
    return dirs.zeros(k, value, dtype)


def split(args: Any, sparse_ok: bool = False) -> tuple[Frame | None, list[Any], list[Any]]:
    """Split ``args`` into (frame, values, tangents) for the newest tag among them.

    DualArrays of the newest tag give their value and tangent; everything else (plain arrays, scalars,
    DualArrays of older tags) is a constant of that frame: its value is itself and its tangent None.
    A scipy.sparse constant raises unless the caller has a rule for it (``sparse_ok``): NumPy would
    make it a 0-d object array and compute nonsense.
    """
    tag = -1
    for a in args:
        if isinstance(a, DualArray) and a.tag > tag:
            tag = a.tag
    if tag < 0:
        return None, [a.value if isinstance(a, DualArray) else a for a in args], [None] * len(args)
    if PATTERN_CONSTANTS is not None:
        for a in args:
            if type(a) is np.ndarray or (hasattr(a, "tocsr") and hasattr(a, "nnz")):
                PATTERN_CONSTANTS[id(a)] = a  # kept alive: ids stay unique while detecting
    values = []
    tangents = []
    ndir = 0
    batched = False
    for a in args:
        if isinstance(a, DualArray) and a.tag == tag:
            values.append(a.value)
            tangents.append(a._tangent)
            if a._tangent is not None or a._batched:
                if not ndir:
                    ndir = a._ndir
                elif ndir != a._ndir:
                    raise ValueError(
                        f"cannot combine DualArrays carrying {ndir} and {a._ndir} directions "
                        "(give every input of one computation the same number of tangents)"
                    )
                batched = batched or a._batched
        elif isinstance(a, DualArray) and a.tag == CONSTANT_TAG:
            values.append(a.value)
            tangents.append(None)
        else:
            if type(a) is not np.ndarray and hasattr(a, "nnz") and hasattr(a, "tocsr") and not sparse_ok:
                raise TypeError(
                    "a scipy.sparse matrix met a DualArray in an operation that has no rule for sparse operands: "
                    "only A @ x and x @ A (matmul with a sparse constant A) are differentiable. Write the "
                    "product as a matmul, or use A.toarray() for elementwise operations"
                )
            values.append(a)
            tangents.append(None)
    return Frame(tag, ndir or 1, batched), values, tangents
