"""Train a small neural network with SciPy's L-BFGS-B and reverse-mode gradients from dualarray.
=============================================================================================

A multilayer perceptron written in plain NumPy: all weights and biases packed in one flat vector ``w``
(unpacked with slices and ``reshape``), tanh (or softplus) hidden layers and a logistic output. The
loss is the mean cross-entropy, written stably with ``np.logaddexp``, plus an L2 penalty on the
weights. The data are two interleaved moons (noisy half circles) drawn from a seeded generator, with
a held-out test set drawn the same way.

``dualarray.value_and_gradient(loss)`` runs the loss once with recorded tangents and transposes the
record once (reverse mode, the default for a scalar output), so the cost of a gradient does not grow
with the number of parameters (here 10-20 times one plain loss evaluation: per-operation overhead on
small arrays); forward mode (``mode="forward"``) pushes one direction per parameter, so its cost does.
Printed: number of parameters, the reverse gradient checked against the forward one, time per
gradient in both modes and their ratio, the L-BFGS-B run (iterations, evaluations, final loss) and
the training and test accuracy.

    python examples/neural_network.py [--hidden 16,16] [--samples 400] [--activation tanh] [-o out.png]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import minimize

import dualarray


def moons(m, rng, noise=0.2):
    """``m`` points on two interleaved half circles (labels 0 and 1) with Gaussian noise."""
    label = rng.integers(0, 2, m)
    t = rng.uniform(0.0, np.pi, m)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where(label[:, None] == 0, upper, lower) + noise * rng.standard_normal((m, 2))
    return x - np.array([0.5, 0.25]), label.astype(float)  # centred


def layer_shapes(sizes):
    """``[(W1 shape), (b1 shape), (W2 shape), ...]`` for layer widths ``sizes = [2, h1, ..., 1]``."""
    shapes = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        shapes += [(fan_in, fan_out), (fan_out,)]
    return shapes


def unpack(w, shapes):
    """The flat parameter vector as a list of arrays (views of ``w``: slices and reshape)."""
    arrays, start = [], 0
    for shape in shapes:
        stop = start + int(np.prod(shape))
        arrays.append(w[start:stop].reshape(shape))
        start = stop
    return arrays


def softplus(z):
    return np.logaddexp(0.0, z)


ACTIVATIONS = {"tanh": np.tanh, "softplus": softplus}


def logits(w, x, shapes, activation=np.tanh):
    """The network's output before the sigmoid, one number per row of ``x``."""
    params = unpack(w, shapes)
    h = x
    for weight, bias in zip(params[:-2:2], params[1:-2:2], strict=True):
        h = activation(h @ weight + bias)
    return (h @ params[-2] + params[-1])[:, 0]


def make_loss(x, y, shapes, activation=np.tanh, l2=1e-3):
    """Mean cross-entropy of ``sigmoid(logits)`` against labels ``y`` in {0, 1}, plus ``l2/2 ‖W‖²``.

    ``-y log σ(z) - (1 - y) log(1 - σ(z)) = log(1 + eᶻ) - y z``: ``np.logaddexp(0, z)`` never overflows.
    """
    is_weight = np.concatenate([np.full(int(np.prod(s)), len(s) == 2, dtype=float) for s in shapes])

    def loss(w):
        z = logits(w, x, shapes, activation)
        return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * np.sum(is_weight * w * w)

    return loss


def initial_weights(shapes, rng):
    """Glorot-uniform weights, zero biases, as one flat vector."""
    parts = []
    for shape in shapes:
        if len(shape) == 2:
            limit = np.sqrt(6.0 / (shape[0] + shape[1]))
            parts.append(rng.uniform(-limit, limit, shape).ravel())
        else:
            parts.append(np.zeros(shape))
    return np.concatenate(parts)


def seconds_per_call(f, w, repeat=5):
    """Best wall time of ``repeat`` calls (after one warm-up call)."""
    f(w)
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        f(w)
        best = min(best, time.perf_counter() - t0)
    return best


def accuracy(w, x, y, shapes, activation):
    return float(np.mean((logits(w, x, shapes, activation) > 0) == (y == 1)))


def main(hidden=(16, 16), samples: int = 400, activation: str = "tanh", l2: float = 1e-3,
         maxiter: int = 2000, seed: int = 0, output: str | None = None, verbose: bool = True) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    act = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    x_train, y_train = moons(samples, rng)
    x_test, y_test = moons(samples, rng)  # held out: the same distribution, fresh draws
    shapes = layer_shapes([2, *hidden, 1])
    w0 = initial_weights(shapes, rng)
    loss = make_loss(x_train, y_train, shapes, act, l2)
    out(f"two moons, {samples} training + {samples} test points; MLP 2-{'-'.join(map(str, hidden))}-1 "
        f"({activation}), {w0.size} parameters")

    reverse = dualarray.value_and_gradient(loss)  # mode="auto": reverse for a scalar loss
    forward = dualarray.value_and_gradient(loss, mode="forward")
    (f_rev, g_rev), (f_fwd, g_fwd) = reverse(w0), forward(w0)
    assert f_rev == loss(w0) and f_fwd == loss(w0)
    np.testing.assert_allclose(g_rev, g_fwd, rtol=1e-10, atol=1e-14)
    grad_err = float(np.abs(g_rev - g_fwd).max() / np.abs(g_fwd).max())
    out(f"  gradient at w0: reverse vs forward mode, max relative difference {grad_err:.1e}")

    t_loss = seconds_per_call(loss, w0)
    t_rev = seconds_per_call(reverse, w0)
    t_fwd = seconds_per_call(forward, w0)
    out(f"  time per gradient: reverse {t_rev * 1e3:.2f} ms ({t_rev / t_loss:.1f}x the loss), "
        f"forward {t_fwd * 1e3:.2f} ms ({t_fwd / t_loss:.0f}x the loss); forward / reverse = "
        f"{t_fwd / t_rev:.1f}")

    in_gradient = [0.0]  # wall time spent in the loss and its gradient, the rest is L-BFGS-B itself

    def timed(w):
        t0 = time.perf_counter()
        value_grad = reverse(w)
        in_gradient[0] += time.perf_counter() - t0
        return value_grad

    t0 = time.perf_counter()
    res = minimize(timed, w0, jac=True, method="L-BFGS-B", options={"maxiter": maxiter})
    seconds = time.perf_counter() - t0
    train_acc = accuracy(res.x, x_train, y_train, shapes, act)
    test_acc = accuracy(res.x, x_test, y_test, shapes, act)
    out(f"  L-BFGS-B: {res.nit} iterations, {res.nfev} loss+gradient evaluations, {seconds:.2f} s "
        f"({in_gradient[0]:.2f} s of it in loss + gradient); loss {loss(w0):.4f} -> {res.fun:.4f}")
    out(f"    {res.message}")
    out(f"  accuracy: training {train_acc:.1%}, test {test_acc:.1%}")

    results = {
        "n_params": w0.size, "grad_err": grad_err, "t_loss": t_loss, "t_reverse": t_rev, "t_forward": t_fwd,
        "ratio": t_fwd / t_rev, "res": res, "loss0": loss(w0), "train_acc": train_acc, "test_acc": test_acc,
        "seconds": seconds, "gradient_seconds": in_gradient[0],
        "shapes": shapes, "data": (x_train, y_train, x_test, y_test),
    }
    if output:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6, 5))
        ax = fig.subplots()
        everything = np.concatenate([x_train, x_test])
        lo, hi = everything.min(axis=0) - 0.5, everything.max(axis=0) + 0.5
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
        z = logits(res.x, np.stack([gx.ravel(), gy.ravel()], axis=1), shapes, act).reshape(gx.shape)
        probability = 0.5 * (1.0 + np.tanh(0.5 * z))  # the sigmoid, without overflow
        ax.contourf(gx, gy, probability, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.3)
        ax.contour(gx, gy, z, levels=[0.0], colors="k", linewidths=1.5)
        for xs, ys, marker, kind in ((x_train, y_train, "o", "train"), (x_test, y_test, "x", "test")):
            for cls, color in ((0, "tab:blue"), (1, "tab:red")):
                pts = xs[ys == cls]
                ax.scatter(pts[:, 0], pts[:, 1], color=color, marker=marker, s=10, linewidths=0.8,
                           label=f"{kind}, class {cls}")
        ax.set_title(f"MLP 2-{'-'.join(map(str, hidden))}-1: train {train_acc:.1%}, test {test_acc:.1%}")
        ax.legend(loc="lower left", fontsize="small")
        fig.tight_layout()
        fig.savefig(output, dpi=110)
        results["figure"] = fig
        out(f"  wrote {output}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--hidden", default="16,16",
                        help="hidden layer widths, comma separated (default 16,16)")
    parser.add_argument("--samples", type=int, default=400, help="training points, and as many test points "
                        "(default 400)")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default="tanh",
                        help="hidden layer activation (default tanh)")
    parser.add_argument("-o", "--output", help="write a PNG of the decision boundary (needs matplotlib)")
    args = parser.parse_args()
    main(tuple(int(h) for h in args.hidden.split(",")), args.samples, args.activation, output=args.output)
