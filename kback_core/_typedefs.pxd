# cython: language_level=3
"""Types shared by every kback_core family (cimport only; no module)."""

# The two dtypes every kernel serves: one specialisation each.
ctypedef fused floating:
    float
    double
