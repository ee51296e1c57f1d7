"""Polynomials, interpolation and signals."""
