"""Jacobians on a dask.distributed cluster: a LocalCluster of two worker processes, started and closed here."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import dualarray as da

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def _bratu():
    def bratu(u):  # nested: cloudpickle ships it by value
        h = 1.0 / (u.size + 1)
        p = np.concatenate([np.zeros(1), u, np.zeros(1)])
        return (p[2:] - 2 * u + p[:-2]) / h**2 + np.exp(u)

    return bratu


def test_distributed_jacobian_equals_the_local_one(client):
    bratu, u = _bratu(), np.linspace(0.0, 0.5, 120)
    for chunk in (None, 7, 120):
        np.testing.assert_array_equal(da.jacobian(bratu, scheduler=client, chunk_size=chunk)(u),
                                      da.jacobian(bratu, mode="forward", chunk_size=chunk)(u))

    def two(a, b):
        return np.stack([np.sum(a * b), np.sum(a**2)]), a * b[0]

    a, b = np.arange(3.0), np.array([1.0, 2.0, 3.0])
    ours = da.jacobian(two, argnums=(0, 1), scheduler=client, chunk_size=2)(a, b)
    local = da.jacobian(two, argnums=(0, 1))(a, b)
    for o, e in zip(ours, local, strict=True):
        for oo, ee in zip(o, e, strict=True):
            np.testing.assert_array_equal(oo, ee)


def test_a_worker_restarted_mid_computation(client):
    def slow(u):
        time.sleep(0.15)
        return np.sin(u) * np.sum(u)

    u = np.linspace(0.1, 1.0, 24)
    worker = next(iter(client.scheduler_info()["workers"]))
    restart = threading.Timer(0.3, lambda: client.restart_workers([worker]))
    restart.start()
    try:
        jac = da.jacobian(slow, scheduler=client, chunk_size=1)(u)  # 24 tasks of 0.15 s on two workers
    finally:
        restart.join()
    np.testing.assert_allclose(jac, da.jacobian(lambda v: np.sin(v) * np.sum(v))(u), rtol=1e-14)
    client.wait_for_workers(2, timeout=30)
    assert worker not in client.scheduler_info()["workers"]  # the worker really was replaced


def test_what_the_scheduler_does_not_take(client):
    with pytest.raises(TypeError, match="dask.distributed.Client"):
        da.jacobian(np.sin, scheduler=object())(np.ones(3))
    with pytest.raises(NotImplementedError, match="real inputs"):
        da.jacobian(np.sin, scheduler=client)(np.ones(3) + 1j)


def _arrow():
    def arrow(x):  # a dense first row and column beside a tridiagonal band: rows and columns are coloured
        band = np.concatenate([x[:1], x[:-1]]) * np.cos(x) + np.sin(np.concatenate([x[1:], x[-1:]]))
        return np.concatenate([np.sum(x * x)[None], band[1:] + x[0] ** 2])

    return arrow


def test_sparse_colour_groups_are_the_tasks(client):
    """sparsity= with scheduler=: detection and colouring here, each task a group of colours (and the probe);
    the result is the local sparse Jacobian, for column colourings and for bidirectional ones."""
    modes = set()
    for f, x in ((_bratu(), np.linspace(0.0, 0.5, 200)), (_arrow(), np.linspace(0.1, 1.0, 60))):
        local = da.jacobian(f, sparsity="auto")
        expected = local(x)
        modes.add(local.mode)
        for chunk in (None, 1, 2):
            remote = da.jacobian(f, sparsity="auto", scheduler=client, chunk_size=chunk)
            got = remote(x)
            assert remote.mode == local.mode and remote.ncolors == local.ncolors
            np.testing.assert_allclose(got.toarray(), expected.toarray(), rtol=1e-15, atol=0)
            np.testing.assert_allclose(got.toarray(), da.jacobian(f)(x), rtol=1e-13, atol=1e-13)
        with pytest.raises(ValueError, match="pattern"):  # the probe still checks a pattern that does not hold
            da.jacobian(f, sparsity=np.eye(x.size, dtype=bool), scheduler=client)(x)
    assert modes == {"forward", "forward + reverse"}  # column colours pushed, row colours pulled on the workers
