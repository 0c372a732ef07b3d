/* Shared by the C helper loops of the kback_core families. */
#ifndef KB_SIMD_H
#define KB_SIMD_H

/* One copy per x86-64 level (AVX-512, AVX2 + FMA, baseline SSE2), picked at
   load time.  Needs GCC >= 11 for the level names and glibc for the ifunc
   that picks; elsewhere the loops build once for the baseline. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 && defined(__x86_64__) && \
    defined(__linux__) && defined(__GLIBC__)
#define KB_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define KB_CLONES
#endif

/* No aliasing between the buffers of a loop, so the compiler vectorises it;
   the spelling that GCC, Clang and MSVC all accept. */
#define KB_RESTRICT __restrict

#endif
