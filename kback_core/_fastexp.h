/* Branch-free exp in float and double, so loops over rows vectorise (libm's
   expf is a call per element): x = k ln2 + r, |r| <= ln2/2, Taylor polynomial
   on r, 2^k = 2^k1 * 2^k2 from exponent bits (two factors keep each power
   normal, so overflow gives inf and underflow rounds through the subnormals to
   0); the clamps pass NaN through (comparisons with NaN are false).  Within
   2 ulp (tests/core/test_fast_exp.py).  Include it where
   "no-trapping-math" and "fp-contract=off" are in force, as the loss and
   recurrent kernels do, so every ISA copy rounds the same way. */
#ifndef KB_FASTEXP_H
#define KB_FASTEXP_H
#include <stdint.h>
#include <string.h>

static inline float kb_expf(float x) {
    const float shift = 0x1.8p23f;
    float xc = x > 89.0f ? 89.0f : x;
    xc = xc < -110.0f ? -110.0f : xc;
    float t = xc * 0x1.715476p+0f + shift;
    float kf = t - shift;
    uint32_t tb, sb;
    memcpy(&tb, &t, 4);
    memcpy(&sb, &shift, 4);
    int32_t k = (int32_t)(tb - sb);
    float r = (xc - kf * 0x1.62e4p-1f) - kf * 0x1.7f7d1cp-20f;
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t k1 = k >> 1, k2 = k - k1;
    uint32_t b1 = (uint32_t)(k1 + 127) << 23, b2 = (uint32_t)(k2 + 127) << 23;
    float s1, s2;
    memcpy(&s1, &b1, 4);
    memcpy(&s2, &b2, 4);
    return p * s1 * s2;
}

static inline double kb_exp(double x) {
    const double shift = 0x1.8p52;
    double xc = x > 710.0 ? 710.0 : x;
    xc = xc < -750.0 ? -750.0 : xc;
    double t = xc * 0x1.71547652b82fep+0 + shift;
    double kf = t - shift;
    /* k1 = round(k / 2) in the float domain too: SSE2 has no 64-bit arithmetic shift */
    double t1 = kf * 0.5 + shift;
    uint64_t tb, t1b, sb;
    memcpy(&tb, &t, 8);
    memcpy(&t1b, &t1, 8);
    memcpy(&sb, &shift, 8);
    uint64_t k = tb - sb, k1 = t1b - sb, k2 = k - k1;
    double r = (xc - kf * 0x1.62e42fee00000p-1) - kf * 0x1.a39ef35793c76p-33;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t b1 = (k1 + 1023) << 52, b2 = (k2 + 1023) << 52;
    double s1, s2;
    memcpy(&s1, &b1, 8);
    memcpy(&s2, &b2, 8);
    return p * s1 * s2;
}
#endif
