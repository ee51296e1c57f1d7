"""The command line: tour, plot, check; exit codes and one-line errors."""

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from dualarray import cli
from dualarray.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"

USER_MODULE = '''
import numpy as np

def good(x):
    return np.cumsum(np.sin(x) * x[0]) / (1 + x ** 2)

def scalar(x):
    return np.sum(np.exp(-x) * x)

def drops(x):
    y = np.zeros(len(x))     # plain work array: the derivative cannot be written into it
    y[:] = np.sin(x)
    return y

def wrong(x):
    return np.sin(getattr(x, "value", x))   # silently uses the value: derivative zero

def broken(x):
    raise RuntimeError("boom")

def spectrum(x):
    return np.fft.fft(x)          # complex output

def unit_circle(x):
    return np.abs(np.exp(1j * x))  # Jacobian exactly 0: finite differences are pure rounding noise

def single(x):
    return np.exp(x.astype(np.float32))

def oscillating(x):
    return np.sin(1e4 * x)        # the default finite-difference step is 15 periods wide

def too_fast(x):
    return np.sin(1e12 * x)       # no finite-difference step resolves it

def cancelling(x):
    return (x + 1e8) - 1e8        # f is x, computed with rounding noise of 1e-8: finite differences suffer

def pair(x):
    return np.sin(x), np.sum(x ** 2)

def loop_into_zeros(x):
    out = np.zeros(len(x))   # the commonest mistake: out[i] = ... into a plain float array
    for i in range(len(x)):
        out[i] = x[i] ** 2
    return out

not_callable = 3
'''


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "cli_user_mod.py").write_text(USER_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("cli_user_mod", None)
    return tmp_path / "cli_user_mod.py"


def _one_line_error(err):
    lines = [line for line in err.strip().splitlines() if line]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("dualarray: error:")
    return lines[0]


# ---------------------------------------------------------------- tour
def test_tour_prints_the_classics_and_writes_the_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "tour.png"
    assert main(["-o", str(path)]) == 0
    out = capsys.readouterr().out
    for expected in ("value 9.61", "derivative 6.2", "value 8 ", "derivative 12 ", "derivative 20.08553692",
                     "derivative -0.0625", "-0.416147", "AD gradient", "finite differences", str(path)):
        assert expected in out, expected
    assert path.read_bytes().startswith(PNG)


def test_tour_without_matplotlib_says_how_to_get_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["tour"]) == 0
    out = capsys.readouterr().out
    assert "pip install dualarray[plot]" in out
    assert "wrote" not in out


def test_tour_no_plot(capsys):
    assert main(["--no-plot"]) == 0
    assert "plot skipped" in capsys.readouterr().out


# ---------------------------------------------------------------- plot
def test_plot_command_writes_the_figure(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "out.png"
    argv = ["plot", "sin(x) * exp(-x**2)", "--x", "-3:3:400", "--order", "2", "-o", str(path)]
    assert main(argv) == 0
    assert path.read_bytes().startswith(PNG)
    assert str(path) in capsys.readouterr().out


def test_plot_expression_starting_with_minus_and_scipy_special(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "neg.png"
    assert main(["plot", "-x**2 + erf(x) + np.tanh(x)", "--x=-1:1:50", "-o", str(path)]) == 0
    assert path.exists()


def test_expression_values_and_namespace():
    ns = cli.expression_namespace()
    x = np.linspace(-1, 1, 7)
    f = cli.compile_expression("sin(x) * exp(-x**2) + gamma(x + 3) + np.linalg.norm(x) + pi", ns)
    import scipy.special

    expected = np.sin(x) * np.exp(-(x**2)) + scipy.special.gamma(x + 3) + np.linalg.norm(x) + np.pi
    np.testing.assert_array_equal(f(x), expected)
    for name in ("load", "save", "fromfile", "open", "eval", "exec", "__import__", "print"):
        assert name not in ns
    assert not hasattr(ns["np"], "load")


@pytest.mark.parametrize(
    "expr, message",
    [
        ("__import__('os')", "not allowed"),
        ("x.__class__", "not allowed"),
        ("().__class__.__base__", "not allowed"),
        ("np._core", "not allowed"),
        ("open('/etc/passwd')", "unknown name 'open'"),
        ("sin(x", "cannot parse"),
        ("lambda: 1", "not allowed"),
        ("np.load('a')", "has no attribute"),
    ],
)
def test_bad_expressions_print_one_line(expr, message, capsys, tmp_path):
    assert main(["plot", expr, "-o", str(tmp_path / "never.png")]) == 3
    line = _one_line_error(capsys.readouterr().err)
    assert message in line
    assert not (tmp_path / "never.png").exists()


def test_traceback_flag_shows_the_traceback(capsys, tmp_path):
    assert main(["plot", "sin(x", "--traceback", "-o", str(tmp_path / "n.png")]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "cannot parse" in err


def test_plot_of_an_operation_that_drops_the_derivative_exits_2(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    assert main(["plot", "array(x.tolist())", "-o", str(tmp_path / "n.png")]) == 2
    assert "tolist" in _one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("expr", ["sum(x)", "cumsum(x)", "x - mean(x)", "x * size(x)", "np.linalg.norm(x) * x"])
def test_plot_refuses_non_elementwise_expressions(expr, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    assert main(["plot", expr, "-o", str(tmp_path / "n.png")]) == 3
    assert "elementwise" in _one_line_error(capsys.readouterr().err)
    assert not (tmp_path / "n.png").exists()


def test_plot_help_says_elementwise(capsys):
    assert main(["plot", "--help"]) == 0
    assert "elementwise" in capsys.readouterr().out


def _capture_figures(monkeypatch):
    from matplotlib.figure import Figure

    figures = []
    save = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (figures.append(self), save(self, *a, **k)))
    return figures


def test_plot_outside_the_domain_is_silent(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    figures = _capture_figures(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["plot", "log(x)", "--x", "-1:1", "-o", str(tmp_path / "log.png")]) == 0
    assert capsys.readouterr().err == ""
    (fig,) = figures
    lo, hi = fig.axes[0].get_xlim()
    assert lo < -1 and hi > 1  # the gap where log is undefined is shown, not cropped away
    f, df = (ax.get_lines()[0].get_ydata() for ax in fig.axes)
    x = np.linspace(-1, 1, 400)
    assert np.isnan(f[x < 0]).all() and np.isnan(df[x < 0]).all() and np.isfinite(df[x > 0]).all()


def test_plot_loop_into_zeros_gets_the_hint(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")

    def loop_into_zeros(x):
        out = np.zeros(len(x))
        for i in range(len(x)):
            out[i] = x[i] ** 2
        return out

    monkeypatch.setattr(cli, "compile_expression", lambda expr, ns: loop_into_zeros)
    assert main(["plot", "x**2", "-o", str(tmp_path / "n.png")]) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert "caused by TypeError: float(DualArray)" in line and "np.zeros_like(x) (not np.zeros(n))" in line


def test_plot_one_panel_per_derivative(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import scipy.special

    figures = _capture_figures(monkeypatch)
    assert main(["plot", "gamma(x)", "--x", "0.1:5", "--order", "3", "-o", str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "g.png").read_bytes().startswith(PNG)
    (fig,) = figures
    assert len(fig.axes) == 4 and all(len(ax.get_lines()) == 1 for ax in fig.axes)
    x = np.linspace(0.1, 5, 400)
    f, d3 = fig.axes[0].get_lines()[0].get_ydata(), fig.axes[3].get_lines()[0].get_ydata()
    np.testing.assert_allclose(f, scipy.special.gamma(x), rtol=1e-13)
    # each derivative has its own y-scale: f is not squashed by the third derivative (-5e4 near 0.1)
    assert fig.axes[0].get_ylim()[1] < 100 and d3.min() < -1e4
    assert fig.axes[3].get_ylim()[0] > d3.min()  # the pole is clipped, the rest stays readable


@pytest.mark.parametrize("grid", ["1:2:1", "a:b", "3", "1:2:3:4"])
def test_bad_grid(grid, capsys):
    assert main(["plot", "x", "--x", grid]) == 3
    assert "--x" in _one_line_error(capsys.readouterr().err)


def test_parse_grid():
    np.testing.assert_array_equal(cli.parse_grid("-3:3:7"), np.linspace(-3, 3, 7))
    assert cli.parse_grid("0:1").size == 400


# ---------------------------------------------------------------- check
def test_check_good_function(user_module, capsys):
    assert main(["check", "cli_user_mod:good", "--shape", "6"]) == 0
    out = capsys.readouterr().out
    assert "identical to the plain NumPy result" in out
    assert "max relative error" in out and "central differences" in out and "ms" in out
    assert "OK" in out


def test_check_scalar_function_matrix_input_and_file_path(user_module, capsys):
    assert main(["check", f"{user_module}:scalar", "--shape", "3,4"]) == 0
    out = capsys.readouterr().out
    assert "shape (3, 4)" in out and "OK" in out


def test_check_explicit_point_with_negative_numbers(user_module, capsys):
    assert main(["check", "cli_user_mod:good", "--x", "-1,2,3"]) == 0
    assert "x = -1,2,3" in capsys.readouterr().out


def test_check_unsupported_operation_exits_2_with_the_error_text(user_module, capsys):
    assert main(["check", "cli_user_mod:drops", "--shape", "4"]) == 2
    out = capsys.readouterr().out
    assert "UNSUPPORTED" in out and "np.zeros_like" in out


def test_check_wrong_derivative_exits_1(user_module, capsys):
    assert main(["check", "cli_user_mod:wrong", "--shape", "4"]) == 1
    assert "DISAGREES" in capsys.readouterr().out


@pytest.mark.parametrize(
    "spec, message",
    [
        ("no_such_module_xyz:f", "no module named 'no_such_module_xyz'"),
        ("cli_user_mod:missing", "has no attribute 'missing'"),
        ("cli_user_mod:not_callable", "not callable"),
        ("cli_user_mod:broken", "failed on a plain NumPy input: RuntimeError: boom"),
        ("cli_user_mod", "expected module:function"),
        ("/no/such/file.py:f", "no such file"),
    ],
)
def test_check_input_errors_print_one_line(spec, message, user_module, capsys):
    assert main(["check", spec]) == 3
    assert message in _one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("name", ["spectrum", "unit_circle", "single", "oscillating", "cancelling", "pair"])
def test_check_has_no_false_alarms(name, user_module, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning from the finite differences
        assert main(["check", f"cli_user_mod:{name}", "--shape", "4"]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "DISAGREES" not in out
    assert "max relative error" in out and "max absolute error" in out and "floor" in out


def test_check_float32_tolerance_follows_the_dtype(user_module, capsys):
    assert main(["check", "cli_user_mod:single", "--shape", "3"]) == 0
    assert "tolerance 0.00035" in capsys.readouterr().out


def test_check_tuple_output_checks_each_output(user_module, capsys):
    assert main(["check", "cli_user_mod:pair", "--shape", "3"]) == 0
    out = capsys.readouterr().out
    assert "output shapes (3,), ()" in out
    assert "Jacobian[0]: shape (3, 3)" in out and "Jacobian[1]: shape (3,)" in out


def test_check_unreliable_finite_differences_do_not_blame_ad(user_module, capsys):
    assert main(["check", "cli_user_mod:too_fast", "--shape", "3"]) == cli.EXIT_INCONCLUSIVE == 4
    out = capsys.readouterr().out
    assert "INCONCLUSIVE" in out and "finite differences are unreliable" in out
    assert "DISAGREES" not in out


def test_check_disagreement_names_an_entry(user_module, capsys):
    assert main(["check", "cli_user_mod:wrong", "--x", "0.5,1"]) == 1
    out = capsys.readouterr().out
    assert "2 of 4 entries of Jacobian differ" in out and "AD 0, finite differences 0.87758" in out


def test_check_explains_the_np_zeros_mistake(user_module, capsys):
    assert main(["check", "cli_user_mod:loop_into_zeros", "--shape", "3"]) == 2
    out = capsys.readouterr().out
    assert "setting an array element with a sequence" in out
    assert "caused by TypeError: float(DualArray) would drop the derivative" in out
    assert "allocate work arrays with np.zeros_like(x) (not np.zeros(n))" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--shape", "0"], "--shape needs positive sizes"),
        (["--shape", "3,0"], "--shape needs positive sizes"),
        (["--shape", "-2"], "--shape needs positive sizes"),
        (["--rtol", "-1"], "--rtol must be a positive number"),
        (["--rtol", "0"], "--rtol must be a positive number"),
        (["--x", ","], "--x needs at least one number"),
        (["--repeat", "0"], "--repeat must be at least 1"),
    ],
)
def test_check_bad_options_are_one_line(argv, message, user_module, capsys):
    assert main(["check", "cli_user_mod:good", *argv]) == 3
    assert message in _one_line_error(capsys.readouterr().err)


def test_unknown_command_names_the_commands(capsys):
    assert main(["frob"]) == 3
    line = _one_line_error(capsys.readouterr().err)
    assert "unknown command 'frob'" in line and "tour, plot, check" in line


def test_finite_differences_richardson():
    x = np.array([0.3, 1.2, 2.0])
    fd = cli.FiniteDifferences(lambda z: np.sin(1e4 * z), x, np.finfo(float).eps, 1e-6)
    np.testing.assert_allclose(fd.jac[0], np.diag(1e4 * np.cos(1e4 * x)), rtol=1e-7, atol=1e-6)
    assert not fd.unreliable[0].any()
    fd = cli.FiniteDifferences(lambda z: (np.sin(1e12 * z), z), x, np.finfo(float).eps, 1e-6)
    assert fd.rough == [True, False] and fd.unreliable[0].all() and not fd.unreliable[1].any()
    np.testing.assert_allclose(fd.jac[1], np.eye(3), atol=1e-10)


def test_central_differences_complex_and_tuple():
    x = np.array([0.3, 1.2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jac = cli.central_differences(lambda z: np.exp(1j * z), x)
    np.testing.assert_allclose(jac, np.diag(1j * np.exp(1j * x)), atol=1e-9)
    j0, j1 = cli.central_differences(lambda z: (z**2, np.sum(z)), x)
    np.testing.assert_allclose(j0, np.diag(2 * x), atol=1e-9)
    np.testing.assert_allclose(j1, [1.0, 1.0], atol=1e-9)


def test_central_differences():
    x = np.array([[0.3, 1.2], [2.0, -0.5]])
    jac = cli.central_differences(lambda z: np.sin(z).sum(axis=0), x)
    exact = np.zeros((2, 2, 2))
    exact[0, :, 0] = np.cos(x[:, 0])
    exact[1, :, 1] = np.cos(x[:, 1])
    np.testing.assert_allclose(jac, exact, atol=1e-9)


# ---------------------------------------------------------------- entry points
def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    assert "tour" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert "dualarray" in capsys.readouterr().out


def test_unknown_option_is_one_line(capsys):
    assert main(["plot", "x", "--bogus"]) == 3
    _one_line_error(capsys.readouterr().err)


def test_python_dash_m(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "dualarray", "--no-plot"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "derivative 6.2" in done.stdout


def test_console_script_when_installed(tmp_path):
    script = shutil.which("dualarray")
    if script is None:
        pytest.skip("the dualarray console script is not installed (pip install -e .)")
    done = subprocess.run([script, "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("dualarray")
