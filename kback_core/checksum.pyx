# cython: language_level=3, boundscheck=False, wraparound=False
"""CRC-32C (Castagnoli), the checksum of TFRecord and TensorBoard event files.

With SSE4.2 (checked at run time) the CPU's crc32 instruction does 8 bytes a
step; elsewhere a byte-wise table does one.
"""
from libc.stdint cimport uint32_t

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>

    static uint32_t kb_crc_table[256];

    static void kb_crc_init(void) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;  /* reflected Castagnoli */
            kb_crc_table[i] = c;
        }
    }

    static uint32_t kb_crc32c_table(uint32_t crc, const unsigned char *p, size_t n) {
        while (n--)
            crc = kb_crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    #if defined(__GNUC__) && defined(__x86_64__)
    __attribute__((target("sse4.2")))
    static uint32_t kb_crc32c_sse42(uint32_t crc, const unsigned char *p, size_t n) {
        uint64_t c = crc;
        for (; n >= 8; p += 8, n -= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            c = __builtin_ia32_crc32di(c, v);
        }
        crc = (uint32_t)c;
        while (n--)
            crc = __builtin_ia32_crc32qi(crc, *p++);
        return crc;
    }
    static int kb_has_sse42(void) { return __builtin_cpu_supports("sse4.2"); }
    #else
    static uint32_t kb_crc32c_sse42(uint32_t crc, const unsigned char *p, size_t n) {
        return kb_crc32c_table(crc, p, n);
    }
    static int kb_has_sse42(void) { return 0; }
    #endif
    """
    void kb_crc_init() noexcept nogil
    uint32_t kb_crc32c_table(uint32_t crc, const unsigned char *p, size_t n) noexcept nogil
    uint32_t kb_crc32c_sse42(uint32_t crc, const unsigned char *p, size_t n) noexcept nogil
    int kb_has_sse42() noexcept nogil

kb_crc_init()
cdef bint _hardware = kb_has_sse42()

# Below this many bytes, releasing the GIL costs more than it frees.
DEF NOGIL_FROM = 1 << 16


def crc32c(data, bint hardware=True):
    """CRC-32C of a bytes-like object (bytes, bytearray, memoryview of bytes):
    crc32c(b'123456789') == 0xE3069283. hardware=False takes the table path
    even where the CPU has SSE4.2 (for the tests)."""
    cdef const unsigned char[::1] view
    try:
        view = data
    except (TypeError, ValueError, BufferError) as e:
        raise TypeError(f'crc32c: expected a contiguous bytes-like object, got '
                        f'{type(data).__name__}') from e
    cdef size_t n = view.shape[0]
    cdef uint32_t crc = 0xFFFFFFFF
    cdef bint fast = hardware and _hardware
    if n == 0:
        return 0
    if n < NOGIL_FROM:
        crc = kb_crc32c_sse42(crc, &view[0], n) if fast else kb_crc32c_table(crc, &view[0], n)
    else:
        with nogil:
            crc = kb_crc32c_sse42(crc, &view[0], n) if fast \
                else kb_crc32c_table(crc, &view[0], n)
    return crc ^ 0xFFFFFFFF


def uses_hardware():
    """Whether crc32c runs on the CPU's SSE4.2 crc32 instruction."""
    return bool(_hardware)
