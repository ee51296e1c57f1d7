"""dualarray.plot: the plotted lines are f, f', f'', f''' (checked on the line data, Agg backend)."""

import sys

import numpy as np
import pytest

import dualarray
from dualarray.plotting import derivatives

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

X = np.linspace(-2.0, 2.0, 41)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_lines_are_f_and_its_first_two_derivatives():
    ax = dualarray.plot(lambda x: np.sin(x) * np.exp(-(x**2)), X, order=2)
    lines = ax.get_lines()
    assert len(lines) == 3
    s, c, e = np.sin(X), np.cos(X), np.exp(-(X**2))
    f = s * e
    df = (c - 2 * X * s) * e
    d2f = (-s - 2 * s - 4 * X * c + 4 * X**2 * s) * e
    for line, exact in zip(lines, (f, df, d2f), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), X)
        np.testing.assert_allclose(line.get_ydata(), exact, rtol=1e-13, atol=1e-14)
    assert [line.get_label() for line in lines] == ["f", "f'", "f''"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f", "f'", "f''"]


def test_third_order_and_polynomial_exactness():
    ax = dualarray.plot(lambda x: x**4 - 3 * x, X, order=3, label="p")
    ys = [line.get_ydata() for line in ax.get_lines()]
    np.testing.assert_allclose(ys[0], X**4 - 3 * X, rtol=1e-15)
    np.testing.assert_allclose(ys[1], 4 * X**3 - 3, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(ys[2], 12 * X**2, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(ys[3], 24 * X, rtol=1e-14, atol=1e-14)
    assert [line.get_label() for line in ax.get_lines()] == ["p", "p'", "p''", "p'''"]


def test_given_axes_and_line_kwargs():
    fig, ax = plt.subplots()
    out = dualarray.plot(np.exp, X, ax=ax, linewidth=3, linestyle="--")
    assert out is ax
    assert len(ax.get_lines()) == 2
    assert all(line.get_linewidth() == 3 and line.get_linestyle() == "--" for line in ax.get_lines())
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), np.exp(X), rtol=1e-15)


def test_constant_and_linear_functions_give_zero_derivatives():
    f, df, d2f = derivatives(lambda x: 3.0, X, order=2)
    assert f.shape == df.shape == d2f.shape == X.shape
    assert np.all(f == 3.0) and not df.any() and not d2f.any()
    f, df, d2f, d3f = derivatives(lambda x: 2 * x + 1, X, order=3)
    assert np.all(df == 2) and not d2f.any() and not d3f.any()


def test_nested_transform_inside_f_is_not_confused():
    # f(x) = x · d/dy (x y) = x², with a transform (newer tag) inside the plotted function
    def f(x):
        return x * dualarray.derivative(lambda y: x * y)(1.0)

    f0, f1, f2 = derivatives(f, X, order=2)
    np.testing.assert_allclose(f0, X**2, rtol=1e-15)
    np.testing.assert_allclose(f1, 2 * X, rtol=1e-15)
    np.testing.assert_allclose(f2, 2.0, rtol=1e-15)


@pytest.mark.parametrize("order", [0, 4, 1.5, "2"])
def test_bad_order(order):
    with pytest.raises(ValueError, match="order"):
        dualarray.plot(np.sin, X, order=order)


def test_grid_must_be_one_dimensional():
    with pytest.raises(ValueError, match="1-D"):
        dualarray.plot(np.sin, np.ones((3, 3)))


def test_dropped_derivative_raises_with_the_fix():
    def f(x):
        y = np.zeros(len(x))  # a plain work array: writing x into it would drop the derivative
        y[:] = x
        return y

    with pytest.raises(TypeError, match="zeros_like"):
        dualarray.plot(f, X)
    assert not plt.get_fignums()  # no empty figure left behind


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install dualarray\[plot\]"):
        dualarray.plot(np.sin, X)


@pytest.mark.parametrize(
    "f",
    [np.sum, np.cumsum, lambda x: x - x.mean(), lambda x: x * x.size, lambda x: x / np.max(x),
     lambda x: np.sum(x) * np.ones_like(x)],
    ids=["sum", "cumsum", "centred", "size", "normalized", "broadcast-sum"],
)
def test_non_elementwise_f_is_refused(f):
    with pytest.raises(ValueError, match="elementwise"):
        dualarray.plot(f, X)
    assert not plt.get_fignums()


def test_elementwise_check_accepts_piecewise_and_special_functions():
    import scipy.special

    x = np.linspace(0.1, 5, 50)
    for f in (np.abs, lambda x: np.where(x > 1, x**2, 1 - x), scipy.special.gamma, lambda x: np.maximum(x, 2.0)):
        f0, f1 = derivatives(f, x)
        np.testing.assert_array_equal(f0, f(x))


def test_one_panel_per_derivative_with_robust_limits():
    import scipy.special

    x = np.linspace(0.1, 5, 400)
    fig, axes = plt.subplots(4, 1, sharex=True)
    out = dualarray.plot(scipy.special.gamma, x, order=3, ax=axes)
    assert out is axes
    ys = [ax.get_lines()[0].get_ydata() for ax in axes]
    assert all(len(ax.get_lines()) == 1 for ax in axes)
    np.testing.assert_allclose(ys[0], scipy.special.gamma(x), rtol=1e-13)
    np.testing.assert_allclose(ys[1], scipy.special.gamma(x) * scipy.special.digamma(x), rtol=1e-12)
    assert [ax.get_lines()[0].get_label() for ax in axes] == ["f", "f'", "f''", "f'''"]
    lo, hi = axes[3].get_ylim()
    assert ys[3].min() < lo < hi and hi - lo < 0.2 * np.ptp(ys[3])  # the pole at 0 is clipped
    with pytest.raises(ValueError, match="one Axes per derivative"):
        dualarray.plot(np.sin, X, order=2, ax=axes)


def test_derivatives_are_not_drawn_where_f_is_undefined():
    x = np.linspace(-1, 1, 21)
    with np.errstate(all="ignore"):
        ax = dualarray.plot(np.log, x)
    f, df = (line.get_ydata() for line in ax.get_lines())
    assert np.isnan(f[x < 0]).all() and np.isnan(df[x < 0]).all()
    np.testing.assert_allclose(df[x > 0], 1 / x[x > 0], rtol=1e-15)
