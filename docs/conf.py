"""Sphinx configuration of the dualarray documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (warnings are errors);
doctests of the pages: ``python -m sphinx -b doctest docs docs/_build/doctest``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import dualarray  # noqa: E402

project = "dualarray"
author = "the dualarray developers"
copyright = "the dualarray developers"  # noqa: A001 (Sphinx's name)
release = version = dualarray.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax served from _static: the site works without network
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "generated_pages",  # docs/_ext: coverage table, benchmark tables and figures, dualarray.scipy table
]

exclude_patterns = ["_build", "generated", "parts", "**.ipynb_checkpoints", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5", "sg_execution_times.rst"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
nitpicky = False
suppress_warnings: list[str] = []

# ---------------------------------------------------------------- MyST (Markdown pages and CHANGELOG.md)
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# ---------------------------------------------------------------- autodoc, autosummary, numpydoc
autosummary_generate = True
templates_path = ["_templates"]  # classes without member tables: their Attributes sections say it
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc's Parameters section states the types
numpydoc_show_class_members = False  # DualArray's ndarray surface (sum, reshape, ...) is NumPy's, documented there
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# Every check numpydoc has, on every documented object, except:
#   GL01  the summary starts on the line of the opening quotes (the house style, PEP 257's).
#   SA01  "See Also" is given where a neighbour helps; not every constant or marker has one.
#   ES01  an extended summary is not required: a one-line marker (ZERO, PLAIN) says all there is.
#   SS05  the summary of a transform names its result ("Jacobian ..."), not an infinitive verb.
numpydoc_validation_checks = {"all", "GL01", "SA01", "ES01", "SS05"}
numpydoc_validation_exclude = {r"\.__init__$"}

# ---------------------------------------------------------------- doctest of the pages
doctest_global_setup = """
import numpy as np
import dualarray as da
from dualarray import DualArray
import matplotlib
matplotlib.use("Agg")
try:
    import dask
    import dask.array as dask_array
except ImportError:
    dask = dask_array = None
"""
doctest_test_doctest_blocks = "default"

# ---------------------------------------------------------------- theme (no external assets)
html_theme = "pydata_sphinx_theme"
html_title = f"dualarray {release}"
html_static_path = ["_static"]
html_css_files = ["dualarray.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": [],
    "secondary_sidebar_items": ["page-toc"],
    "use_edit_page_button": False,
}
html_favicon = "_static/favicon.svg"  # else the browser asks for /favicon.ico (a 404)
html_context = {"default_mode": "auto"}  # the theme logs an error for an empty default mode
html_sidebars = {"changelog": [], "coverage": [], "benchmarks": []}
html_show_sourcelink = False
html_copy_source = False


# ---------------------------------------------------------------- the gallery: every script in examples/
# docs/_ext/gallery_support.py gives each example small sizes and ``-o`` (reset_argv), and collects the
# PNG it wrote (the scripts draw on a matplotlib Figure, not through pyplot).
_executed = r"^(?!.*dask_sensitivity)" if importlib.util.find_spec("dask") is None else ""

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": _executed + r".*\.py$",  # run every example (dask's only with dask installed)
    "reset_argv": "gallery_support.reset_argv",
    "image_scrapers": ("gallery_support.png_scraper", "matplotlib"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "show_signature": False,
    "show_memory": False,
    "min_reported_time": 0,
    "backreferences_dir": None,
    "plot_gallery": "True",
}
