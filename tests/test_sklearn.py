"""scikit-learn's array-API code through dualarray.array_api (optional: ``pip install ".[sklearn]"``)."""

from __future__ import annotations

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
pytest.importorskip("array_api_compat")  # scikit-learn's array-API dispatch needs it

from sklearn.decomposition import PCA  # noqa: E402
from sklearn.metrics.pairwise import rbf_kernel  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import dualarray as da  # noqa: E402

X = np.random.default_rng(7).normal(size=(6, 3))
CASES = {
    "rbf_kernel": lambda x: rbf_kernel(x, gamma=0.5),
    "StandardScaler": lambda x: StandardScaler().fit_transform(x),
    "PCA": lambda x: PCA(n_components=2, svd_solver="full").fit(x).transform(x),
}


def _central(f, x, h=1e-6):
    steps = np.eye(x.size).reshape(-1, *x.shape)
    return np.stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in steps], axis=-1)


@pytest.mark.parametrize("name", list(CASES))
def test_sklearn_through_the_namespace(name):
    f = CASES[name]
    with da.scipy_array_api(), sklearn.config_context(array_api_dispatch=True):
        jac = da.jacobian(f)(X)
        value = f(da.DualArray(X))
        fd = _central(f, X)
    np.testing.assert_allclose(np.asarray(value.value), f(X), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(jac.reshape(fd.shape), fd, rtol=1e-6, atol=1e-7 * np.abs(fd).max())
