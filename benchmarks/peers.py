"""The peers: JAX, PyTorch and HIPS autograd, each skipped cleanly when it is not installed.

Each loader returns None when the library is missing, else an object whose ``w1`` ... ``w6`` methods
build the timed entries of a workload: ``Entry(tool, fn, out)``, where ``fn()`` runs the computation
(blocking until the result is ready) and ``out(result)`` converts it to NumPy for the answer check.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from . import workloads as wl


class Entry(NamedTuple):
    tool: str
    fn: Callable[[], Any]
    out: Callable[[Any], Any]


def _tuple_out(convert: Callable[[Any], np.ndarray]) -> Callable[[Any], Any]:
    return lambda r: tuple(convert(p) for p in r) if isinstance(r, tuple) else convert(r)


def _primal_out(convert: Callable[[Any], np.ndarray]) -> Callable[[Any], Any]:
    """A primal-only entry: its value is checked, its (missing) tangent is not."""
    return lambda r: (convert(r), None)


PRIMAL_OF = {
    "JAX jvp (eager)": "JAX primal (eager)",
    "JAX jit(jvp)": "JAX jit primal",
    "torch.func.jvp": "torch primal",
    "torch.autograd.forward_ad": "torch primal",
}
"""The peer's own primal for each W1/W2 entry (its sin, cos, ... are not NumPy's)."""


# ---------------------------------------------------------------- JAX
class Jax:
    name = "jax"

    def __init__(self) -> None:
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        self.jax, self.jnp = jax, jnp
        self.version = jax.__version__
        self.out = _tuple_out(np.asarray)

    def _ready(self, f: Callable[..., Any]) -> Callable[..., Any]:
        block = self.jax.block_until_ready
        return lambda *a: block(f(*a))

    def w1(self, x: np.ndarray, v: np.ndarray) -> list[Entry]:
        jax, jnp = self.jax, self.jnp
        xj, vj = jnp.asarray(x), jnp.asarray(v)

        def f(z: Any) -> Any:
            return wl.chain(z, jnp)

        def jvp(z: Any, w: Any) -> Any:
            return jax.jvp(f, (z,), (w,))

        eager, jitted = self._ready(jvp), self._ready(jax.jit(jvp))
        primal, jit_primal = self._ready(f), self._ready(jax.jit(f))
        return [
            Entry("JAX primal (eager)", lambda: primal(xj), _primal_out(np.asarray)),
            Entry("JAX jvp (eager)", lambda: eager(xj, vj), self.out),
            Entry("JAX jit primal", lambda: jit_primal(xj), _primal_out(np.asarray)),
            Entry("JAX jit(jvp)", lambda: jitted(xj, vj), self.out),
        ]

    w2 = w1

    def w3(self, u: np.ndarray) -> list[Entry]:
        jax, jnp = self.jax, self.jnp
        uj = jnp.asarray(u)

        def f(z: Any) -> Any:
            return wl.bratu(z, jnp)

        eager, jitted = self._ready(jax.jacfwd(f)), self._ready(jax.jit(jax.jacfwd(f)))
        return [
            Entry("JAX jacfwd (eager)", lambda: eager(uj), self.out),
            Entry("JAX jit(jacfwd)", lambda: jitted(uj), self.out),
        ]

    def _rosen(self, z: Any) -> Any:
        return wl.rosen(z, self.jnp)

    def w4(self, x: np.ndarray) -> list[Entry]:
        jax, jnp = self.jax, self.jnp
        xj = jnp.asarray(x)
        grad, jit_grad = self._ready(jax.grad(self._rosen)), self._ready(jax.jit(jax.grad(self._rosen)))
        jit_fwd = self._ready(jax.jit(jax.jacfwd(self._rosen)))
        return [
            Entry("JAX grad (eager, reverse)", lambda: grad(xj), self.out),
            Entry("JAX jit(grad) (reverse)", lambda: jit_grad(xj), self.out),
            Entry("JAX jit(jacfwd) (forward)", lambda: jit_fwd(xj), self.out),
        ]

    def _hvp(self, z: Any, w: Any) -> Any:
        return self.jax.jvp(self.jax.grad(self._rosen), (z,), (w,))[1]

    def w5_hessian(self, x: np.ndarray) -> list[Entry]:
        jax, jnp = self.jax, self.jnp
        xj = jnp.asarray(x)
        hess, jit_hess = self._ready(jax.hessian(self._rosen)), self._ready(jax.jit(jax.hessian(self._rosen)))
        return [
            Entry("JAX hessian (eager)", lambda: hess(xj), self.out),
            Entry("JAX jit(hessian)", lambda: jit_hess(xj), self.out),
        ]

    def w5_hvp(self, x: np.ndarray, v: np.ndarray) -> list[Entry]:
        jax, jnp = self.jax, self.jnp
        xj, vj = jnp.asarray(x), jnp.asarray(v)
        hvp, jit_hvp = self._ready(self._hvp), self._ready(jax.jit(self._hvp))
        return [
            Entry("JAX jvp(grad) (eager)", lambda: hvp(xj, vj), self.out),
            Entry("JAX jit(jvp(grad))", lambda: jit_hvp(xj, vj), self.out),
        ]

    def w6(self) -> dict[str, Callable[..., Any]]:
        """jit-compiled gradient and Hessian for scipy.optimize.minimize (NumPy in, NumPy out)."""
        jax = self.jax
        g, h = jax.jit(jax.grad(self._rosen)), jax.jit(jax.hessian(self._rosen))
        return {"jac": lambda z: np.asarray(g(z)), "hess": lambda z: np.asarray(h(z))}


# ---------------------------------------------------------------- PyTorch
class Torch:
    name = "torch"

    def __init__(self) -> None:
        import torch
        import torch.autograd.forward_ad as fwad
        import torch.func

        torch.set_num_threads(1)
        self.torch, self.fwad = torch, fwad
        self.version = torch.__version__
        self.out = _tuple_out(lambda t: t.detach().numpy())

    def _f(self, z: Any) -> Any:
        return wl.chain(z, self.torch)

    def w1(self, x: np.ndarray, v: np.ndarray) -> list[Entry]:
        torch, fwad = self.torch, self.fwad
        xt, vt = torch.from_numpy(x), torch.from_numpy(v)

        def forward_ad() -> Any:
            with fwad.dual_level():
                y = self._f(fwad.make_dual(xt, vt))
                p = fwad.unpack_dual(y)
                return p.primal, p.tangent

        return [
            Entry("torch primal", lambda: self._f(xt), _primal_out(lambda t: t.numpy())),
            Entry("torch.func.jvp", lambda: torch.func.jvp(self._f, (xt,), (vt,)), self.out),
            Entry("torch.autograd.forward_ad", forward_ad, self.out),
        ]

    w2 = w1

    def w3(self, u: np.ndarray) -> list[Entry]:
        torch = self.torch
        ut = torch.from_numpy(u)
        jac = torch.func.jacfwd(lambda z: wl.bratu(z, torch))
        return [Entry("torch.func.jacfwd", lambda: jac(ut), self.out)]

    def _rosen(self, z: Any) -> Any:
        return wl.rosen(z, self.torch)

    def w4(self, x: np.ndarray) -> list[Entry]:
        torch = self.torch
        xt = torch.from_numpy(x)
        grad, fwd = torch.func.grad(self._rosen), torch.func.jacfwd(self._rosen)

        def backward() -> Any:
            z = xt.clone().requires_grad_(True)
            self._rosen(z).backward()
            return z.grad

        return [
            Entry("torch.func.grad (reverse)", lambda: grad(xt), self.out),
            Entry("torch .backward() (reverse)", backward, self.out),
            Entry("torch.func.jacfwd (forward)", lambda: fwd(xt), self.out),
        ]

    def w5_hessian(self, x: np.ndarray) -> list[Entry]:
        hess = self.torch.func.hessian(self._rosen)
        xt = self.torch.from_numpy(x)
        return [Entry("torch.func.hessian", lambda: hess(xt), self.out)]

    def w5_hvp(self, x: np.ndarray, v: np.ndarray) -> list[Entry]:
        torch = self.torch
        xt, vt = torch.from_numpy(x), torch.from_numpy(v)
        grad = torch.func.grad(self._rosen)
        return [Entry("torch.func.jvp(grad)", lambda: torch.func.jvp(grad, (xt,), (vt,))[1], self.out)]


# ---------------------------------------------------------------- HIPS autograd
class Autograd:
    name = "autograd"

    def __init__(self) -> None:
        import autograd
        import autograd.numpy as anp

        self.autograd, self.anp = autograd, anp
        self.version = getattr(autograd, "__version__", None) or _dist_version("autograd")
        self.out = _tuple_out(np.asarray)

    def w1(self, x: np.ndarray, v: np.ndarray) -> list[Entry]:
        make_jvp = self.autograd.make_jvp
        anp = self.anp
        return [Entry("autograd make_jvp", lambda: make_jvp(lambda z: wl.chain(z, anp))(x)(v), self.out)]

    w2 = w1

    def w3(self, u: np.ndarray) -> list[Entry]:
        jac = self.autograd.jacobian(lambda z: wl.bratu(z, self.anp))
        return [Entry("autograd jacobian (reverse)", lambda: jac(u), self.out)]

    def _rosen(self, z: Any) -> Any:
        return wl.rosen(z, self.anp)

    def w4(self, x: np.ndarray) -> list[Entry]:
        grad = self.autograd.grad(self._rosen)
        return [Entry("autograd grad (reverse)", lambda: grad(x), self.out)]

    def w5_hessian(self, x: np.ndarray) -> list[Entry]:
        hess = self.autograd.hessian(self._rosen)
        return [Entry("autograd hessian", lambda: hess(x), self.out)]

    def w5_hvp(self, x: np.ndarray, v: np.ndarray) -> list[Entry]:
        hvp = self.autograd.hessian_vector_product(self._rosen)
        return [Entry("autograd hessian_vector_product", lambda: hvp(x, v), self.out)]


def _dist_version(name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return None


def load(enabled: bool = True) -> tuple[list[Any], dict[str, str]]:
    """The installed peers, and for each missing one the reason it was skipped."""
    peers, skipped = [], {}
    if not enabled:
        return peers, {"jax": "--no-peers", "torch": "--no-peers", "autograd": "--no-peers"}
    for cls, module in ((Jax, "jax"), (Torch, "torch"), (Autograd, "autograd")):
        if importlib.util.find_spec(module) is None:
            skipped[cls.name] = "not installed"
            continue
        try:
            peers.append(cls())
        except Exception as exc:  # a broken install is reported, not fatal
            skipped[cls.name] = f"failed to load: {type(exc).__name__}: {exc}"
    return peers, skipped
