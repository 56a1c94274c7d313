// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
// Hardware path: x86-64 SSE4.2 `crc32` (three interleaved streams hide its 3-cycle latency) or the
// ARMv8 CRC extension. Portable path: slicing-by-8 tables built once on first use.
#include "CPlexusCRC32C.h"
#include <string.h>
#include <pthread.h>

#define POLY 0x82F63B78u

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_tables(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ POLY : (c >> 1);
        table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = table[0][n];
        for (int s = 1; s < 8; s++) {
            c = table[0][c & 0xff] ^ (c >> 8);
            table[s][n] = c;
        }
    }
}

static uint32_t portable(uint32_t crc, const uint8_t *p, size_t n) {
    pthread_once(&table_once, build_tables);
    while (n && ((uintptr_t)p & 7)) {
        crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= crc; // little-endian hosts only reach here with the low word first
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
              table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
              table[1][(w >> 48) & 0xff] ^ table[0][(w >> 56) & 0xff];
        p += 8;
        n -= 8;
    }
    while (n--) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

uint32_t plexus_crc32c_update_portable(uint32_t crc, const void *data, size_t length) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return ~portable(~crc, (const uint8_t *)data, length);
#else
    pthread_once(&table_once, build_tables);
    const uint8_t *p = data;
    uint32_t c = ~crc;
    while (length--) c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
#endif
}

#if defined(__x86_64__)
#include <nmmintrin.h>

// Multiplies a CRC by x^(8*len) mod P, i.e. "shifts" it over `len` zero bytes, using the tables.
// Used to combine the three interleaved streams.
static uint32_t shift_table[2][4][256];
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;

static uint32_t gf2_times(const uint32_t *mat, uint32_t vec) {
    uint32_t sum = 0;
    while (vec) {
        if (vec & 1) sum ^= *mat;
        vec >>= 1;
        mat++;
    }
    return sum;
}

static void gf2_square(uint32_t *square, const uint32_t *mat) {
    for (int n = 0; n < 32; n++) square[n] = gf2_times(mat, mat[n]);
}

// Builds the operator matrix that advances a raw CRC register over `len` zero bytes
// (`len` must be a power of two).
static void zeros_op(uint32_t *op, size_t len) {
    uint32_t a[32], b[32];
    a[0] = POLY; // operator for one zero bit
    uint32_t row = 1;
    for (int n = 1; n < 32; n++) { a[n] = row; row <<= 1; }
    gf2_square(b, a); // 2 bits
    gf2_square(a, b); // 4 bits
    gf2_square(b, a); // 8 bits = 1 byte
    uint32_t *cur = b, *other = a;
    while (len > 1) {
        gf2_square(other, cur);
        uint32_t *t = cur; cur = other; other = t;
        len >>= 1;
    }
    memcpy(op, cur, sizeof(a));
}

static void zeros_table(uint32_t tbl[4][256], size_t len) {
    uint32_t op[32];
    zeros_op(op, len);
    for (uint32_t n = 0; n < 256; n++) {
        tbl[0][n] = gf2_times(op, n);
        tbl[1][n] = gf2_times(op, n << 8);
        tbl[2][n] = gf2_times(op, n << 16);
        tbl[3][n] = gf2_times(op, n << 24);
    }
}

static inline uint32_t shift_crc(uint32_t tbl[4][256], uint32_t crc) {
    return tbl[0][crc & 0xff] ^ tbl[1][(crc >> 8) & 0xff] ^ tbl[2][(crc >> 16) & 0xff] ^ tbl[3][crc >> 24];
}

#define LONG_BLOCK 8192
#define SHORT_BLOCK 256

static void build_shift_tables(void) {
    zeros_table(shift_table[0], LONG_BLOCK);
    zeros_table(shift_table[1], SHORT_BLOCK);
}

__attribute__((target("sse4.2")))
static uint32_t hw(uint32_t crc, const uint8_t *p, size_t n) {
    pthread_once(&shift_once, build_shift_tables);
    uint64_t c0 = crc;
    while (n && ((uintptr_t)p & 7)) { c0 = _mm_crc32_u8((uint32_t)c0, *p++); n--; }
    // Three streams over consecutive blocks of `blk` bytes, then combine.
    for (int level = 0; level < 2; level++) {
        size_t blk = level == 0 ? LONG_BLOCK : SHORT_BLOCK;
        while (n >= 3 * blk) {
            uint64_t c1 = 0, c2 = 0;
            const uint8_t *end = p + blk;
            do {
                uint64_t a, b, d;
                memcpy(&a, p, 8); memcpy(&b, p + blk, 8); memcpy(&d, p + 2 * blk, 8);
                c0 = _mm_crc32_u64(c0, a);
                c1 = _mm_crc32_u64(c1, b);
                c2 = _mm_crc32_u64(c2, d);
                p += 8;
            } while (p < end);
            c0 = shift_crc(shift_table[level], (uint32_t)c0) ^ c1;
            c0 = shift_crc(shift_table[level], (uint32_t)c0) ^ c2;
            p += 2 * blk;
            n -= 3 * blk;
        }
    }
    while (n >= 8) { uint64_t a; memcpy(&a, p, 8); c0 = _mm_crc32_u64(c0, a); p += 8; n -= 8; }
    while (n) { c0 = _mm_crc32_u8((uint32_t)c0, *p++); n--; }
    return (uint32_t)c0;
}

static int hw_available = -1;

int plexus_crc32c_hardware_available(void) {
    if (hw_available < 0) {
        __builtin_cpu_init();
        hw_available = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    }
    return hw_available;
}

uint32_t plexus_crc32c_update(uint32_t crc, const void *data, size_t length) {
    if (plexus_crc32c_hardware_available()) return ~hw(~crc, (const uint8_t *)data, length);
    return plexus_crc32c_update_portable(crc, data, length);
}

#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>

int plexus_crc32c_hardware_available(void) { return 1; }

uint32_t plexus_crc32c_update(uint32_t crc, const void *data, size_t length) {
    const uint8_t *p = data;
    uint32_t c = ~crc;
    while (length && ((uintptr_t)p & 7)) { c = __crc32cb(c, *p++); length--; }
    while (length >= 8) { uint64_t a; memcpy(&a, p, 8); c = __crc32cd(c, a); p += 8; length -= 8; }
    while (length--) c = __crc32cb(c, *p++);
    return ~c;
}

#else
int plexus_crc32c_hardware_available(void) { return 0; }

uint32_t plexus_crc32c_update(uint32_t crc, const void *data, size_t length) {
    return plexus_crc32c_update_portable(crc, data, length);
}
#endif
