"""Rows for ``dualarray.scipy.special``: the scipy.special functions that call ``np.asarray``."""

from __future__ import annotations

from dualarray.scipy import special as S

from . import Case, uniform

F64 = ("float64",)
POSITIVE = uniform(0.6, 3.0)

CASES = [
    Case("sp_polygamma_0", lambda x: S.polygamma(0, x), (POSITIVE,), dtypes=F64),
    Case("sp_polygamma_2", lambda x: S.polygamma(2, x), (POSITIVE,), dtypes=F64, rtol=1e-5),
    Case("sp_multigammaln", lambda a: S.multigammaln(a, 3), (uniform(1.5, 4.0),), dtypes=F64),
    Case("sp_logsumexp", S.logsumexp, ("real",), dtypes=F64),
    Case("sp_logsumexp_axis_b", lambda a, b: S.logsumexp(a, axis=1, b=b, keepdims=True), ("real", POSITIVE),
         [((3, 4), (3, 4)), ((3, 4), (1, 4))], F64),
    Case("sp_softmax", lambda x: S.softmax(x, axis=-1), ("real",), [((3, 4),), ((5,),)], F64),
    Case("sp_log_softmax", lambda x: S.log_softmax(x, axis=0), ("real",), [((3, 4),)], F64),
    Case("sp_spherical_jn", lambda z: S.spherical_jn(2, z), (POSITIVE,), dtypes=F64),
    Case("sp_spherical_yn_d", lambda z: S.spherical_yn(1, z, True), (POSITIVE,), dtypes=F64, rtol=1e-5),
    Case("sp_spherical_in", lambda z: S.spherical_in(3, z), (POSITIVE,), dtypes=F64),
    Case("sp_spherical_kn_d", lambda z: S.spherical_kn(0, z, True), (POSITIVE,), dtypes=F64, rtol=1e-5),
]
