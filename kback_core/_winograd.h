/* The Winograd tile transforms of kback_core/winograd.pyx: vectorised over
   the channels (NHWC: each of a tile's 16 values is a run of channels in
   memory) or over a tile row of one channel (NCHW), one clone per instruction
   set (_simd.h).  Included from Cython modules, after Python.h. */
#ifndef KB_WINOGRAD_H
#define KB_WINOGRAD_H

#include <Python.h>
#include "_simd.h"

/* The 16 input rows of an NHWC tile may alias one another (the zero row of
   the padding), never the output: GCC is told so (ivdep) to vectorise. */
#if defined(__GNUC__) && !defined(__clang__)
#define KB_IVDEP _Pragma("GCC ivdep")
#else
#define KB_IVDEP
#endif
/* v[k * vs + c] = (B^T d B)[k] for c < C, d[k] the tile's 16 rows of
   channels (row-major 4x4).  B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]. */
#define KB_WINO_IN(NAME, T) \
KB_CLONES static void NAME(Py_ssize_t C, const T* const* d, T* KB_RESTRICT v, \
                           Py_ssize_t vs) { \
    KB_IVDEP \
    for (Py_ssize_t c = 0; c < C; c++) { \
        T t[16]; \
        for (int j = 0; j < 4; j++) { \
            const T d0 = d[j][c], d1 = d[4 + j][c], d2 = d[8 + j][c], d3 = d[12 + j][c]; \
            t[j] = d0 - d2; t[4 + j] = d1 + d2; t[8 + j] = d2 - d1; t[12 + j] = d1 - d3; \
        } \
        for (int i = 0; i < 4; i++) { \
            const T a0 = t[4 * i], a1 = t[4 * i + 1], a2 = t[4 * i + 2], a3 = t[4 * i + 3]; \
            v[(4 * i) * vs + c] = a0 - a2; \
            v[(4 * i + 1) * vs + c] = a1 + a2; \
            v[(4 * i + 2) * vs + c] = a2 - a1; \
            v[(4 * i + 3) * vs + c] = a1 - a3; \
        } \
    } \
}
/* y[a][o] = (A^T m A)[a] (+ bias[o]) for the 2x2 outputs a, o < O, m[k] at
   m + k * ms.  A^T = [1 1 1 0; 0 1 -1 -1]. */
#define KB_WINO_OUT_LOOP(T, BIAS) \
    KB_IVDEP \
    for (Py_ssize_t o = 0; o < O; o++) { \
        T t[8]; \
        for (int j = 0; j < 4; j++) { \
            const T m0 = m[j * ms + o], m1 = m[(4 + j) * ms + o]; \
            const T m2 = m[(8 + j) * ms + o], m3 = m[(12 + j) * ms + o]; \
            t[j] = m0 + m1 + m2; t[4 + j] = m1 - m2 - m3; \
        } \
        const T b = BIAS; \
        y0[o] = t[0] + t[1] + t[2] + b; \
        y1[o] = t[1] - t[2] - t[3] + b; \
        y2[o] = t[4] + t[5] + t[6] + b; \
        y3[o] = t[5] - t[6] - t[7] + b; \
    }
/* Two loops, not `bias ? bias[o] : 0` in one: GCC made that a masked load
   from NULL, which AMD cores replay in microcode (two thirds of the
   transform's time). */
#define KB_WINO_OUT(NAME, T) \
KB_CLONES static void NAME(Py_ssize_t O, const T* KB_RESTRICT m, Py_ssize_t ms, \
                           const T* KB_RESTRICT bias, T* y0, T* y1, T* y2, T* y3) { \
    if (bias) { KB_WINO_OUT_LOOP(T, bias[o]) } \
    else { KB_WINO_OUT_LOOP(T, (T)0) } \
}
/* NCHW, a run of nt tiles along one tile row of one channel: v[k * vs + t]
   = (B^T d B)[k] of the 4x4 window of rows d0..d3 starting at column 2t. */
#define KB_WINO_IN_ROW(NAME, T) \
KB_CLONES static void NAME(Py_ssize_t nt, const T* KB_RESTRICT d0, \
                           const T* KB_RESTRICT d1, const T* KB_RESTRICT d2, \
                           const T* KB_RESTRICT d3, T* KB_RESTRICT v, Py_ssize_t vs) { \
    for (Py_ssize_t t = 0; t < nt; t++) { \
        T u[16]; \
        for (int j = 0; j < 4; j++) { \
            const T a0 = d0[2 * t + j], a1 = d1[2 * t + j]; \
            const T a2 = d2[2 * t + j], a3 = d3[2 * t + j]; \
            u[j] = a0 - a2; u[4 + j] = a1 + a2; u[8 + j] = a2 - a1; u[12 + j] = a1 - a3; \
        } \
        for (int i = 0; i < 4; i++) { \
            v[(4 * i) * vs + t] = u[4 * i] - u[4 * i + 2]; \
            v[(4 * i + 1) * vs + t] = u[4 * i + 1] + u[4 * i + 2]; \
            v[(4 * i + 2) * vs + t] = u[4 * i + 2] - u[4 * i + 1]; \
            v[(4 * i + 3) * vs + t] = u[4 * i + 1] - u[4 * i + 3]; \
        } \
    } \
}
/* NCHW, the same run: rows y0 and y1 (2 nt values each) = A^T m A + bias
   of m[k * ms + t]. */
#define KB_WINO_OUT_ROW(NAME, T) \
KB_CLONES static void NAME(Py_ssize_t nt, const T* KB_RESTRICT m, Py_ssize_t ms, T bias, \
                           T* KB_RESTRICT y0, T* KB_RESTRICT y1) { \
    for (Py_ssize_t t = 0; t < nt; t++) { \
        T u[8]; \
        for (int j = 0; j < 4; j++) { \
            const T m0 = m[j * ms + t], m1 = m[(4 + j) * ms + t]; \
            const T m2 = m[(8 + j) * ms + t], m3 = m[(12 + j) * ms + t]; \
            u[j] = m0 + m1 + m2; u[4 + j] = m1 - m2 - m3; \
        } \
        y0[2 * t] = u[0] + u[1] + u[2] + bias; \
        y0[2 * t + 1] = u[1] - u[2] - u[3] + bias; \
        y1[2 * t] = u[4] + u[5] + u[6] + bias; \
        y1[2 * t + 1] = u[5] - u[6] - u[7] + bias; \
    } \
}
/* The kernel gradient's F(3x3, 2x2) transform G' g G'^T of 2x2 tiles
   [[a, b], [c, d]] of the output gradient, G' = [1 0; 1/2 1/2; 1/2 -1/2;
   0 -1] (F(3x3, 2x2)'s G with its last row negated: so the input
   transform is F(2x2, 3x3)'s, whose last row of B^T is F(3x3, 2x2)'s negated). */
#define KB_WINO_G(T, a, b, c, d, v, vs, i) do { \
    const T h = (T)0.5; \
    const T r[4][2] = {{a, b}, {h * (a + c), h * (b + d)}, {h * (a - c), h * (b - d)}, \
                       {-(c), -(d)}}; \
    for (int q = 0; q < 4; q++) { \
        v[(4 * q) * vs + i] = r[q][0]; \
        v[(4 * q + 1) * vs + i] = h * (r[q][0] + r[q][1]); \
        v[(4 * q + 2) * vs + i] = h * (r[q][0] - r[q][1]); \
        v[(4 * q + 3) * vs + i] = -r[q][1]; \
    } \
} while (0)
/* NHWC: the tile's 4 rows of O channels (row-major 2x2); v[k * vs + o]. */
#define KB_WINO_GRAD(NAME, T) \
KB_CLONES static void NAME(Py_ssize_t O, const T* g0, const T* g1, const T* g2, \
                           const T* g3, T* KB_RESTRICT v, Py_ssize_t vs) { \
    KB_IVDEP \
    for (Py_ssize_t o = 0; o < O; o++) \
        KB_WINO_G(T, g0[o], g1[o], g2[o], g3[o], v, vs, o); \
}
/* NCHW: a run of nt tiles along rows g0 and g1 of one channel; v[k * vs + t]. */
#define KB_WINO_GRAD_ROW(NAME, T) \
KB_CLONES static void NAME(Py_ssize_t nt, const T* KB_RESTRICT g0, \
                           const T* KB_RESTRICT g1, T* KB_RESTRICT v, Py_ssize_t vs) { \
    for (Py_ssize_t t = 0; t < nt; t++) \
        KB_WINO_G(T, g0[2 * t], g0[2 * t + 1], g1[2 * t], g1[2 * t + 1], v, vs, t); \
}
/* The kernel gradient dw[(3 i + j) * ds + e] = (A^T m A)[i][j] for e < E,
   m[k] at m + k * ms.  A^T = [1 1 1 0; 0 1 -1 0; 0 1 1 1]. */
#define KB_WINO_KOUT(NAME, T) \
KB_CLONES static void NAME(Py_ssize_t E, const T* KB_RESTRICT m, Py_ssize_t ms, \
                           T* KB_RESTRICT dw, Py_ssize_t ds) { \
    for (Py_ssize_t e = 0; e < E; e++) { \
        T t[3][4]; \
        for (int j = 0; j < 4; j++) { \
            const T m0 = m[j * ms + e], m1 = m[(4 + j) * ms + e]; \
            const T m2 = m[(8 + j) * ms + e], m3 = m[(12 + j) * ms + e]; \
            t[0][j] = m0 + m1 + m2; t[1][j] = m1 - m2; t[2][j] = m1 + m2 + m3; \
        } \
        for (int i = 0; i < 3; i++) { \
            dw[(3 * i) * ds + e] = t[i][0] + t[i][1] + t[i][2]; \
            dw[(3 * i + 1) * ds + e] = t[i][1] - t[i][2]; \
            dw[(3 * i + 2) * ds + e] = t[i][1] + t[i][2] + t[i][3]; \
        } \
    } \
}
/* u[k * us + e] = (G g G^T)[k] for e < E, g[(3 i + j) * gs + e] (turned
   180 degrees with rotate).  G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]. */
#define KB_WINO_KIN(NAME, T) \
KB_CLONES static void NAME(Py_ssize_t E, const T* KB_RESTRICT g, Py_ssize_t gs, \
                           int rotate, T* KB_RESTRICT u, Py_ssize_t us) { \
    const T h = (T)0.5; \
    for (Py_ssize_t e = 0; e < E; e++) { \
        T k[3][3], t[4][3]; \
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) \
            k[i][j] = g[(rotate ? 8 - 3 * i - j : 3 * i + j) * gs + e]; \
        for (int j = 0; j < 3; j++) { \
            t[0][j] = k[0][j]; \
            t[1][j] = h * (k[0][j] + k[1][j] + k[2][j]); \
            t[2][j] = h * (k[0][j] - k[1][j] + k[2][j]); \
            t[3][j] = k[2][j]; \
        } \
        for (int i = 0; i < 4; i++) { \
            u[(4 * i) * us + e] = t[i][0]; \
            u[(4 * i + 1) * us + e] = h * (t[i][0] + t[i][1] + t[i][2]); \
            u[(4 * i + 2) * us + e] = h * (t[i][0] - t[i][1] + t[i][2]); \
            u[(4 * i + 3) * us + e] = t[i][2]; \
        } \
    } \
}
KB_WINO_KIN(kb_wino_kin_f, float)
KB_WINO_KIN(kb_wino_kin_d, double)
KB_WINO_KOUT(kb_wino_kout_f, float)
KB_WINO_KOUT(kb_wino_kout_d, double)
KB_WINO_GRAD(kb_wino_grad_f, float)
KB_WINO_GRAD(kb_wino_grad_d, double)
KB_WINO_GRAD_ROW(kb_wino_grad_row_f, float)
KB_WINO_GRAD_ROW(kb_wino_grad_row_d, double)
KB_WINO_IN_ROW(kb_wino_in_row_f, float)
KB_WINO_IN_ROW(kb_wino_in_row_d, double)
KB_WINO_OUT_ROW(kb_wino_out_row_f, float)
KB_WINO_OUT_ROW(kb_wino_out_row_d, double)
KB_WINO_IN(kb_wino_in_f, float)
KB_WINO_IN(kb_wino_in_d, double)
KB_WINO_OUT(kb_wino_out_f, float)
KB_WINO_OUT(kb_wino_out_d, double)

#endif
