"""The PyTorch, TensorFlow and autograd tutorial examples, reproduced on plain NumPy with dualarray.
=================================================================================================

Each block names the tutorial line it mirrors; no tape, no ``requires_grad``, no special numpy module:
the functions are ordinary NumPy code and the transforms return plain arrays.

    python examples/autograd_comparison.py [--n 100] [-o exp2x.png]

With ``-o`` it draws the tutorial's plot: y = exp(2x) and dy/dx on ``linspace(0, 1.23, n)``.
"""

from __future__ import annotations

import argparse

import numpy as np

import dualarray


def torch_blitz(x):
    """PyTorch 60-minute blitz: y = x + 2; z = y * y * 3; out = z.mean()."""
    y = x + 2
    z = y * y * 3
    return z.mean()


def main(n: int = 100, verbose: bool = True, output: str | None = None) -> dict:
    out = print if verbose else (lambda *a, **k: None)
    r = {}

    # ---------------------------------------------------------------- PyTorch
    # x = Variable(torch.ones(2, 2), requires_grad=True); ...; out.backward(); print(x.grad)
    x = np.ones((2, 2))
    out("PyTorch blitz: out = mean(3 (x + 2)²) at x = ones(2, 2)")
    out("  y =", (x + 2).tolist(), " z =", (3 * (x + 2) ** 2).tolist(), " out =", torch_blitz(x))
    value, grad = dualarray.value_and_gradient(torch_blitz)(x)
    out("  x.grad =", grad.tolist(), "  (d out/dx = 6 (x + 2) / 4 = 4.5)")
    r["torch_out"], r["torch_grad"] = float(value), grad

    # x = torch.linspace(0.0, 1.0, 100, requires_grad=True); y = torch.exp(2*x)
    # grads = torch.autograd.grad(y, x, torch.ones_like(y))[0]
    x = np.linspace(0.0, 1.0, n)
    dy = dualarray.derivative(lambda x: np.exp(2 * x))(x)
    r["torch_exp"] = (x, dy)
    out(f"PyTorch exp(2x) on linspace(0, 1, {n}): dy/dx[:3] = {dy[:3]}, dy/dx[-1] = {dy[-1]:.10g}"
        f"  (2 e² = {2 * np.exp(2.0):.10g})")

    # ---------------------------------------------------------------- TensorFlow
    # x = tf.Variable(3.0); with tf.GradientTape() as tape: y = x**2; tape.gradient(y, x)
    dy = dualarray.derivative(lambda x: x**2)(3.0)
    out(f"TensorFlow: y = x**2 at x = 3.0: dy_dx = {dy}")
    r["tf_scalar"] = float(dy)

    # x = tf.linspace(0.0, 10.0, 100); tape.watch(x); y = x**2
    x = np.linspace(0.0, 10.0, n)
    dy = dualarray.derivative(lambda x: x**2)(x)
    out(f"TensorFlow: y = x**2 on linspace(0, 10, {n}): dy_dx[:4] = {dy[:4]} ... {dy[-1]:g}")
    r["tf_square"] = (x, dy)

    # x = tf.linspace(0.0, 1.23, 100); tape.watch(x); y = tf.exp(2*x)
    x = np.linspace(0.0, 1.23, n)
    dy = dualarray.derivative(lambda x: np.exp(2 * x))(x)
    out(f"TensorFlow: y = exp(2x) on linspace(0, 1.23, {n}): dy_dx[0] = {dy[0]:g}, dy_dx[-1] = {dy[-1]:.10g}"
        f"  (2 e^2.46 = {2 * np.exp(2.46):.10g})")
    r["tf_exp"] = (x, dy)
    if output:  # sns.lineplot(x, y, label="y = exp(2x)"); sns.lineplot(x, dy_dx, label="dy/dx")
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6, 4))
        ax = fig.subplots()
        ax.plot(x, np.exp(2 * x), label="y = exp(2x)")
        ax.plot(x, dy, label="dy/dx")
        ax.set_xlabel("x")
        ax.set_title(f"exp(2x) on linspace(0, 1.23, {n})")
        ax.legend()
        fig.tight_layout()
        fig.savefig(output, dpi=110)
        r["figure"] = fig
        out(f"  wrote {output}")

    # ---------------------------------------------------------------- HIPS autograd (its README)
    # grad_tanh = grad(tanh); grad_tanh(1.0) vs (tanh(1.0001) - tanh(0.9999)) / 0.0002
    d1 = dualarray.derivative(np.tanh)
    d2 = dualarray.derivative(d1)
    d3 = dualarray.derivative(d2)
    fd = (np.tanh(1.0001) - np.tanh(0.9999)) / 0.0002
    out(f"autograd README: d tanh/dx at 1.0 = {d1(1.0):.10f}, finite difference {fd:.10f}")
    t = np.tanh(1.0)
    exact = (1 - t**2, -2 * t * (1 - t**2), (1 - t**2) * (6 * t**2 - 2))
    out(f"  nested: d²/dx² = {d2(1.0):.10f} (exact {exact[1]:.10f}), d³/dx³ = {d3(1.0):.10f} "
        f"(exact {exact[2]:.10f})")
    r["tanh"] = ((float(d1(1.0)), float(d2(1.0)), float(d3(1.0))), exact, fd)
    return r


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="grid points (default 100)")
    parser.add_argument("-o", "--output", help="write a PNG of exp(2x) and its derivative (needs matplotlib)")
    args = parser.parse_args()
    main(args.n, output=args.output)
