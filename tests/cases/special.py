"""Rows for the scipy.special ufunc rules (dualarray/rules/special.py).

Each row draws its arguments from the function's natural domain; orders, degrees and discrete
parameters are constants (in a lambda, or as an argument left out of ``diff``).
Two shape groups per arity keep the run short; both contain a length-3 axis (k = 3 directions).
"""

from __future__ import annotations

import scipy.special as sc
import scipy.special._ufuncs as _u

from . import Case, uniform

U = [((3,),), ((2, 3),)]
B = [((3,), (3,)), ((2, 3), (3,))]
T = [((3,), (3,), (3,)), ((2, 3), (3,), (2, 1))]
Q = [((3,), (3,), (3,), (3,)), ((2, 3), (3,), (2, 1), (1, 3))]
R = ("float64", "float32")
D = ("float64",)
C = ("float64", "float32", "complex128")
CD = ("float64", "complex128")

POS = uniform(0.5, 3.0)
BESSEL_X = uniform(0.5, 5.0)
PROB = uniform(0.1, 0.9)
M = uniform(0.1, 0.9)
UNIT = uniform(-0.9, 0.9)
REAL = uniform(-2.0, 2.0)
DFN = uniform(2.0, 6.0)
DFD = uniform(3.0, 8.0)


def _nonzero(rng, shape):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.3, 3.0, size=shape)


def _last(func, *constants):
    """``func(*constants, x)``: only the last argument varies."""
    return lambda x: func(*constants, x)


def _lin(name, func, domains, shapes=U, dtypes=R, **kw):
    return Case(f"special_{name}", func, domains, shapes, dtypes, **kw)


CASES = [
    # ---------------------------------------------------------------- gamma family
    _lin("gamma", sc.gamma, (POS,)),
    _lin("gammaln", sc.gammaln, (POS,)),
    _lin("loggamma", sc.loggamma, (POS,)),
    _lin("rgamma", sc.rgamma, (POS,)),
    _lin("digamma", sc.digamma, (POS,)),
    _lin("psi", sc.psi, (POS,), U[:1], D),
    _lin("gammasgn", sc.gammasgn, (_nonzero,)),
    _lin("round", sc.round, (uniform(-3.0, 3.0),)),
    _lin("beta", sc.beta, (POS, POS), B),
    _lin("betaln", sc.betaln, (POS, POS), B),
    _lin("poch", sc.poch, (POS, POS), B),
    _lin("binom", sc.binom, (uniform(4.0, 7.0), uniform(0.5, 3.0)), B),
    _lin("gammainc", sc.gammainc, (POS, POS), B, diff=(1,)),
    _lin("gammaincc", sc.gammaincc, (POS, POS), B, diff=(1,)),
    _lin("gammaincinv", sc.gammaincinv, (POS, PROB), B, diff=(1,)),
    _lin("gammainccinv", sc.gammainccinv, (POS, PROB), B, diff=(1,)),
    _lin("zeta_hurwitz", lambda q: sc.zeta(2.5, q), (POS,)),
    # ---------------------------------------------------------------- error functions, normal distribution
    _lin("erf", sc.erf, (REAL,), U, C),
    _lin("erfc", sc.erfc, (REAL,), U, C),
    _lin("erfcx", sc.erfcx, (REAL,), U, C),
    _lin("erfi", sc.erfi, (REAL,), U, C),
    _lin("erfinv", sc.erfinv, (UNIT,)),
    _lin("erfcinv", sc.erfcinv, (uniform(0.1, 1.9),)),
    _lin("dawsn", sc.dawsn, (REAL,), U, C),
    _lin("wofz", sc.wofz, (REAL,), U, ("complex128",)),
    _lin("ndtr", sc.ndtr, (REAL,), U, C),
    _lin("log_ndtr", sc.log_ndtr, (REAL,)),
    _lin("ndtri", sc.ndtri, (PROB,)),
    _lin("ndtri_exp", sc.ndtri_exp, (uniform(-3.0, -0.1),)),
    _lin("voigt_profile", sc.voigt_profile, (REAL, POS, POS), T),
    # ---------------------------------------------------------------- logistic, information theory
    _lin("expit", sc.expit, (REAL,)),
    _lin("logit", sc.logit, (PROB,)),
    _lin("log_expit", sc.log_expit, (REAL,)),
    _lin("xlogy", sc.xlogy, (REAL, POS), B),
    _lin("xlog1py", sc.xlog1py, (REAL, POS), B),
    _lin("entr", sc.entr, (POS,)),
    _lin("rel_entr", sc.rel_entr, (POS, POS), B),
    _lin("kl_div", sc.kl_div, (POS, POS), B),
    _lin("huber", sc.huber, (uniform(0.5, 1.5), uniform(-3.0, 3.0)), B),
    _lin("pseudo_huber", sc.pseudo_huber, (POS, REAL), B),
    _lin("boxcox", sc.boxcox, (POS, uniform(-1.5, 1.5)), B),
    _lin("boxcox_lambda0", lambda x: sc.boxcox(x, 0.0), (POS,)),
    _lin("boxcox1p", sc.boxcox1p, (POS, uniform(-1.5, 1.5)), B),
    _lin("inv_boxcox", sc.inv_boxcox, (uniform(-0.5, 0.5), uniform(-1.0, 1.0)), B),
    _lin("inv_boxcox1p", sc.inv_boxcox1p, (uniform(-0.5, 0.5), uniform(-1.0, 1.0)), B),
    _lin("exprel", sc.exprel, (REAL,)),
    _lin("powm1", sc.powm1, (POS, REAL), B),
    _lin("cosm1", sc.cosm1, (REAL,)),
    _lin("expm1", sc.expm1, (REAL,), U, C),
    _lin("log1p", sc.log1p, (POS,)),
    _lin("exp2", sc.exp2, (REAL,)),
    _lin("exp10", sc.exp10, (REAL,)),
    _lin("cbrt", sc.cbrt, (_nonzero,)),
    _lin("sindg", sc.sindg, (uniform(-200.0, 200.0),)),
    _lin("cosdg", sc.cosdg, (uniform(-200.0, 200.0),)),
    _lin("tandg", sc.tandg, (uniform(-60.0, 60.0),)),
    _lin("cotdg", sc.cotdg, (uniform(20.0, 160.0),)),
    _lin("radian", sc.radian, (REAL, REAL, REAL), T),
    _lin("tklmbda", sc.tklmbda, (uniform(-0.6, 0.6), uniform(0.2, 1.5)), B),
    # ---------------------------------------------------------------- Bessel and related
    _lin("j0", sc.j0, (BESSEL_X,)),
    _lin("j1", sc.j1, (BESSEL_X,)),
    _lin("y0", sc.y0, (BESSEL_X,)),
    _lin("y1", sc.y1, (BESSEL_X,)),
    _lin("i0", sc.i0, (REAL,)),
    _lin("i0e", sc.i0e, (_nonzero,)),
    _lin("i1", sc.i1, (REAL,)),
    _lin("i1e", sc.i1e, (_nonzero,)),
    _lin("k0", sc.k0, (BESSEL_X,)),
    _lin("k0e", sc.k0e, (BESSEL_X,)),
    _lin("k1", sc.k1, (BESSEL_X,)),
    _lin("k1e", sc.k1e, (BESSEL_X,)),
    _lin("jv", lambda x: sc.jv(1.5, x), (BESSEL_X,), U, C),
    _lin("jv_order_array", sc.jv, (uniform(0.0, 3.0), BESSEL_X), B, diff=(1,)),
    _lin("jve", lambda x: sc.jve(1.5, x), (BESSEL_X,), U, C),
    _lin("yv", lambda x: sc.yv(0.7, x), (BESSEL_X,), U, C),
    _lin("yve", lambda x: sc.yve(0.7, x), (BESSEL_X,), U, C),
    _lin("iv", lambda x: sc.iv(1.5, x), (REAL,), U, C),
    _lin("ive", lambda x: sc.ive(1.5, x), (_nonzero,), U, C),
    _lin("kv", lambda x: sc.kv(1.5, x), (BESSEL_X,), U, C),
    _lin("kve", lambda x: sc.kve(1.5, x), (BESSEL_X,), U, C),
    _lin("jn", lambda x: sc.jn(2, x), (BESSEL_X,)),
    _lin("yn", lambda x: sc.yn(2, x), (BESSEL_X,)),
    _lin("kn", lambda x: sc.kn(2, x), (BESSEL_X,)),
    _lin("hankel1", lambda z: sc.hankel1(1.5, z), (BESSEL_X,), U, CD),
    _lin("hankel2", lambda z: sc.hankel2(1.5, z), (BESSEL_X,), U, CD),
    _lin("hankel1e", lambda z: sc.hankel1e(1.5, z), (BESSEL_X,), U, CD),
    _lin("hankel2e", lambda z: sc.hankel2e(1.5, z), (BESSEL_X,), U, CD),
    _lin("struve", lambda x: sc.struve(1.5, x), (BESSEL_X,)),
    _lin("modstruve", lambda x: sc.modstruve(1.5, x), (BESSEL_X,)),
    _lin("ber", sc.ber, (BESSEL_X,)),
    _lin("bei", sc.bei, (BESSEL_X,)),
    _lin("ker", sc.ker, (BESSEL_X,)),
    _lin("kei", sc.kei, (BESSEL_X,)),
    _lin("berp", sc.berp, (BESSEL_X,)),
    _lin("beip", sc.beip, (BESSEL_X,)),
    _lin("kerp", sc.kerp, (BESSEL_X,)),
    _lin("keip", sc.keip, (BESSEL_X,)),
    _lin("kelvin", sc.kelvin, (BESSEL_X,)),
    _lin("besselpoly", lambda a: sc.besselpoly(a, 1.5, 2.0), (uniform(0.2, 2.0),)),
    _lin("lpmv", lambda x: sc.lpmv(1, 2.5, x), (UNIT,)),
    _lin("itstruve0", sc.itstruve0, (BESSEL_X,)),
    _lin("it2struve0", sc.it2struve0, (BESSEL_X,)),
    _lin("itmodstruve0", sc.itmodstruve0, (BESSEL_X,)),
    _lin("itj0y0", sc.itj0y0, (BESSEL_X,)),
    _lin("it2j0y0", sc.it2j0y0, (BESSEL_X,)),
    _lin("iti0k0", sc.iti0k0, (BESSEL_X,)),
    _lin("it2i0k0", sc.it2i0k0, (BESSEL_X,)),
    # scipy's itairy is accurate to about 1e-6 only (its differences are the noisy side)
    _lin("itairy", sc.itairy, (uniform(0.2, 2.0),), rtol=1e-4, atol=1e-5),
    _lin("spherical_jn_ufunc", lambda z: _u._spherical_jn(2, z), (BESSEL_X,)),
    _lin("spherical_jn_d_ufunc", lambda z: _u._spherical_jn_d(2, z), (BESSEL_X,)),
    _lin("spherical_yn_ufunc", lambda z: _u._spherical_yn(2, z), (BESSEL_X,)),
    _lin("spherical_yn_d_ufunc", lambda z: _u._spherical_yn_d(2, z), (BESSEL_X,)),
    _lin("spherical_in_ufunc", lambda z: _u._spherical_in(2, z), (BESSEL_X,)),
    _lin("spherical_in_d_ufunc", lambda z: _u._spherical_in_d(2, z), (BESSEL_X,)),
    _lin("spherical_kn_ufunc", lambda z: _u._spherical_kn(2, z), (BESSEL_X,)),
    _lin("spherical_kn_d_ufunc", lambda z: _u._spherical_kn_d(2, z), (BESSEL_X,)),
    # ---------------------------------------------------------------- integrals and others
    _lin("expi", sc.expi, (_nonzero,), U, C),
    _lin("exp1", sc.exp1, (POS,), U, C),
    _lin("expn", lambda x: sc.expn(2, x), (POS,)),
    _lin("expn_0", lambda x: sc.expn(0, x), (POS,)),
    _lin("sici", sc.sici, (POS,), U, C),
    _lin("shichi", sc.shichi, (POS,), U, C),
    _lin("fresnel", sc.fresnel, (REAL,), U, C),
    # float32 modfresnel and mathieu functions return NaN in scipy 1.17: float64 rows only
    _lin("modfresnelp", sc.modfresnelp, (POS,), U, D),
    _lin("modfresnelm", sc.modfresnelm, (POS,), U, D),
    _lin("airy", sc.airy, (uniform(-3.0, 3.0),), U, C),
    _lin("airye", sc.airye, (POS,)),
    _lin("ellipk", sc.ellipk, (M,)),
    _lin("ellipkm1", sc.ellipkm1, (M,)),
    _lin("ellipe", sc.ellipe, (M,)),
    _lin("ellipkinc", sc.ellipkinc, (uniform(-1.5, 1.5), M), B),
    _lin("ellipeinc", sc.ellipeinc, (uniform(-1.5, 1.5), M), B),
    _lin("ellipj", sc.ellipj, (REAL, M), B),
    _lin("elliprf", sc.elliprf, (POS, POS, POS), T),
    _lin("elliprd", sc.elliprd, (POS, POS, POS), T),
    _lin("elliprg", sc.elliprg, (POS, POS, POS), T),
    _lin("elliprc", sc.elliprc, (POS, POS), B),
    _lin("elliprj", sc.elliprj, (POS, POS, POS, POS), Q),
    _lin("spence", sc.spence, (POS,), U, C),
    _lin("owens_t", sc.owens_t, (REAL, REAL), B),
    _lin("agm", sc.agm, (POS, POS), B),
    _lin("betainc", sc.betainc, (POS, POS, PROB), T, diff=(2,)),
    _lin("betaincc", sc.betaincc, (POS, POS, PROB), T, diff=(2,)),
    _lin("betaincinv", sc.betaincinv, (POS, POS, PROB), T, diff=(2,)),
    _lin("betainccinv", sc.betainccinv, (POS, POS, PROB), T, diff=(2,)),
    _lin("hyp0f1", sc.hyp0f1, (uniform(1.0, 3.0), REAL), B, diff=(1,)),
    _lin("hyp1f1", sc.hyp1f1, (POS, POS, REAL), T, diff=(2,)),
    _lin("hyp1f1_complex", lambda z: sc.hyp1f1(0.5, 1.5, z), (REAL,), U, ("complex128",)),
    _lin("hyp2f1", sc.hyp2f1, (POS, POS, uniform(2.0, 3.0), UNIT), Q, diff=(3,)),
    _lin("hyperu", sc.hyperu, (POS, POS, POS), T, diff=(2,)),
    _lin("wright_bessel", sc.wright_bessel, (uniform(0.1, 1.0), POS, POS), T, diff=(2,)),
    _lin("log_wright_bessel", sc.log_wright_bessel, (uniform(0.1, 1.0), POS, POS), T, diff=(2,)),
    _lin("wrightomega", sc.wrightomega, (REAL,), U, C),
    _lin("lambertw", sc.lambertw, (POS,), U, D),
    # ---------------------------------------------------------------- distribution functions and inverses
    # float32 picks the float loop, which warns about a non-integer n: float64 rows
    _lin("bdtr", lambda p: sc.bdtr(3, 10, p), (PROB,), U, D),
    _lin("bdtrc", lambda p: sc.bdtrc(3, 10, p), (PROB,), U, D),
    _lin("bdtri", lambda y: sc.bdtri(3, 10, y), (PROB,), U, D),
    _lin("nbdtr", lambda p: sc.nbdtr(3, 5, p), (PROB,)),
    _lin("nbdtrc", lambda p: sc.nbdtrc(3, 5, p), (PROB,)),
    _lin("nbdtri", lambda y: sc.nbdtri(3, 5, y), (PROB,)),
    _lin("pdtr", lambda m: sc.pdtr(3, m), (POS,)),
    _lin("pdtrc", lambda m: sc.pdtrc(3, m), (POS,)),
    _lin("pdtri", lambda y: sc.pdtri(3, y), (PROB,)),
    _lin("chdtr", sc.chdtr, (uniform(1.0, 5.0), POS), B, diff=(1,)),
    _lin("chdtrc", sc.chdtrc, (uniform(1.0, 5.0), POS), B, diff=(1,)),
    _lin("chdtri", sc.chdtri, (uniform(1.0, 5.0), PROB), B, diff=(1,)),
    _lin("chndtr", sc.chndtr, (POS, uniform(1.0, 5.0), POS), T, diff=(0, 2)),
    _lin("chndtrix", sc.chndtrix, (PROB, uniform(1.0, 5.0), POS), T, diff=(0, 2)),
    _lin("chndtrinc", sc.chndtrinc, (uniform(3.0, 6.0), uniform(1.0, 2.0), uniform(0.05, 0.2)), T,
         diff=(0, 2)),
    _lin("fdtr", sc.fdtr, (uniform(2.0, 6.0), uniform(3.0, 8.0), POS), T, diff=(2,)),
    _lin("fdtrc", sc.fdtrc, (uniform(2.0, 6.0), uniform(3.0, 8.0), POS), T, diff=(2,)),
    _lin("fdtri", sc.fdtri, (uniform(2.0, 6.0), uniform(3.0, 8.0), PROB), T, diff=(2,)),
    _lin("gdtr", sc.gdtr, (POS, uniform(1.0, 3.0), POS), T, diff=(0, 2)),
    _lin("gdtrc", sc.gdtrc, (POS, uniform(1.0, 3.0), POS), T, diff=(0, 2)),
    _lin("gdtria", sc.gdtria, (PROB, uniform(1.0, 3.0), POS), T, diff=(0, 2)),
    _lin("gdtrix", sc.gdtrix, (POS, uniform(1.0, 3.0), PROB), T, diff=(0, 2)),
    _lin("stdtr", sc.stdtr, (uniform(2.0, 8.0), REAL), B, diff=(1,)),
    _lin("stdtrit", sc.stdtrit, (uniform(2.0, 8.0), PROB), B, diff=(1,)),
    _lin("nrdtrimn", sc.nrdtrimn, (PROB, POS, REAL), T),
    _lin("nrdtrisd", sc.nrdtrisd, (uniform(-1.0, 0.0), uniform(0.6, 0.9), POS), T),
    # second derivatives of the noncentral t/F and Kolmogorov-Smirnov functions are not in scipy.special
    _lin("nctdtr", sc.nctdtr, (uniform(2.0, 8.0), POS, REAL), T, diff=(2,), order2=False),
    _lin("nctdtrit", sc.nctdtrit, (uniform(2.0, 8.0), POS, PROB), T, diff=(2,), order2=False),
    _lin("ncfdtr", sc.ncfdtr, (DFN, DFD, POS, POS), Q, diff=(3,), order2=False),
    _lin("ncfdtri", sc.ncfdtri, (DFN, DFD, POS, PROB), Q, diff=(3,), order2=False),
    _lin("kolmogorov", sc.kolmogorov, (POS,), order2=False),
    _lin("kolmogi", sc.kolmogi, (PROB,), order2=False),
    _lin("smirnov", lambda d: sc.smirnov(5, d), (PROB,), order2=False),
    _lin("smirnovi", lambda p: sc.smirnovi(5, p), (PROB,), order2=False),
    # ---------------------------------------------------------------- orthogonal polynomials (constant n)
    _lin("eval_legendre", lambda x: sc.eval_legendre(3, x), (UNIT,)),
    _lin("eval_legendre_float_degree", lambda x: sc.eval_legendre(2.5, x), (UNIT,)),
    _lin("eval_chebyt", lambda x: sc.eval_chebyt(4, x), (UNIT,)),
    _lin("eval_chebyu", lambda x: sc.eval_chebyu(4, x), (UNIT,)),
    _lin("eval_chebyc", lambda x: sc.eval_chebyc(4, x), (uniform(-1.8, 1.8),)),
    _lin("eval_chebys", lambda x: sc.eval_chebys(4, x), (uniform(-1.8, 1.8),)),
    _lin("eval_gegenbauer", lambda x: sc.eval_gegenbauer(3, 0.7, x), (UNIT,)),
    _lin("eval_jacobi", lambda x: sc.eval_jacobi(3, 0.5, 1.2, x), (UNIT,)),
    _lin("eval_laguerre", lambda x: sc.eval_laguerre(4, x), (POS,)),
    _lin("eval_genlaguerre", lambda x: sc.eval_genlaguerre(3, 0.5, x), (POS,)),
    _lin("eval_hermite", lambda x: sc.eval_hermite(3, x), (REAL,)),
    _lin("eval_hermitenorm", lambda x: sc.eval_hermitenorm(3, x), (REAL,)),
    _lin("eval_sh_legendre", lambda x: sc.eval_sh_legendre(3, x), (PROB,)),
    _lin("eval_sh_chebyt", lambda x: sc.eval_sh_chebyt(3, x), (PROB,)),
    _lin("eval_sh_chebyu", lambda x: sc.eval_sh_chebyu(3, x), (PROB,)),
    _lin("eval_sh_jacobi", lambda x: sc.eval_sh_jacobi(3, 2.5, 1.2, x), (PROB,)),
    # ---------------------------------------------------------------- ODE-defined pairs (value, derivative)
    _lin("pbdv", lambda x: sc.pbdv(1.3, x), (REAL,)),
    _lin("pbvv", lambda x: sc.pbvv(1.3, x), (REAL,)),
    _lin("pbwa", lambda x: sc.pbwa(1.3, x), (REAL,)),
    _lin("mathieu_cem", lambda x: sc.mathieu_cem(2, 1.5, x), (uniform(-90.0, 90.0),), U, D),
    _lin("mathieu_sem", lambda x: sc.mathieu_sem(2, 1.5, x), (uniform(-90.0, 90.0),), U, D),
    _lin("mathieu_modcem1", lambda x: sc.mathieu_modcem1(2, 1.5, x), (uniform(0.2, 1.5),), U, D),
    _lin("mathieu_modcem2", lambda x: sc.mathieu_modcem2(2, 1.5, x), (uniform(0.2, 1.5),), U, D),
    _lin("mathieu_modsem1", lambda x: sc.mathieu_modsem1(2, 1.5, x), (uniform(0.2, 1.5),), U, D),
    _lin("mathieu_modsem2", lambda x: sc.mathieu_modsem2(2, 1.5, x), (uniform(0.2, 1.5),), U, D),
    # spheroidal wave functions: float64 only (scipy's float32 loops hang); the radial rows stay at x >= 2
    # where scipy's obl_rad2 derivative output agrees with its values
    *(
        _lin(name, _last(getattr(sc, name), 1, 2, 1.5), (dom,), U, D)
        for name, dom in (
            ("pro_ang1", UNIT), ("obl_ang1", UNIT), ("pro_rad1", uniform(2.0, 3.5)),
            ("pro_rad2", uniform(2.0, 3.5)), ("obl_rad1", uniform(2.0, 3.5)), ("obl_rad2", uniform(2.0, 3.5)),
        )
    ),
    *(
        _lin(name, _last(getattr(sc, name), 1, 2, 1.5, cv), (dom,), U, D)
        for name, cv, dom in (
            ("pro_ang1_cv", sc.pro_cv(1, 2, 1.5), UNIT), ("obl_ang1_cv", sc.obl_cv(1, 2, 1.5), UNIT),
            ("pro_rad1_cv", sc.pro_cv(1, 2, 1.5), uniform(2.0, 3.5)),
            ("pro_rad2_cv", sc.pro_cv(1, 2, 1.5), uniform(2.0, 3.5)),
            ("obl_rad1_cv", sc.obl_cv(1, 2, 1.5), uniform(2.0, 3.5)),
            ("obl_rad2_cv", sc.obl_cv(1, 2, 1.5), uniform(2.0, 3.5)),
        )
    ),
]
