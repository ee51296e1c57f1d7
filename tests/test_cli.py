"""The command line: tour, plot, check; exit codes and one-line errors."""

import os
import shutil
import subprocess
import sys
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
