"""The gallery's hooks: example arguments (small sizes, ``-o`` for a figure) and a scraper for that PNG.

Referenced by name from ``sphinx_gallery_conf`` so the configuration stays picklable.
"""

from __future__ import annotations

import shutil
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
EXAMPLES = DOCS.parent / "examples"
FIGURES = DOCS / "_build" / "gallery-figures"

# The scripts' defaults are their showcase sizes; these keep the gallery build fast (seconds each).
GALLERY_ARGS = {
    "hamiltonian_monte_carlo": ["--samples", "500"],
    "lagrangian_pendulum": ["--t-end", "3"],
    "dask_sensitivity": ["--n", "4000000", "--chunk", "500000"],
    "physics_forces": ["--steps", "1000"],
}


def writes_figure(stem: str) -> bool:
    """Whether the example takes ``-o/--output`` (a PNG of what it computed)."""
    return '"--output"' in (EXAMPLES / f"{stem}.py").read_text()


def reset_argv(gallery_conf, script_vars) -> list[str]:
    """``sys.argv[1:]`` for one example run by the gallery."""
    stem = Path(script_vars["src_file"]).stem
    args = list(GALLERY_ARGS.get(stem, []))
    if writes_figure(stem):
        FIGURES.mkdir(parents=True, exist_ok=True)
        args += ["-o", str(FIGURES / f"{stem}.png")]
    return args


def png_scraper(block, block_vars, gallery_conf) -> str:
    """Move the PNG the example wrote with ``-o`` into the gallery's images and return its reST."""
    from sphinx_gallery.scrapers import figure_rst

    written = FIGURES / f"{Path(block_vars['src_file']).stem}.png"
    paths = []
    if written.exists():
        target = next(block_vars["image_path_iterator"])
        shutil.move(str(written), target)
        paths.append(target)
    return figure_rst(paths, gallery_conf["src_dir"])
