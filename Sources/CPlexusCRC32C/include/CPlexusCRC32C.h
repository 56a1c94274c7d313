#ifndef CPLEXUS_CRC32C_H
#define CPLEXUS_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/// Extends a CRC-32C (Castagnoli) with `length` bytes at `data`.
/// `crc` is the running value in its finalized form (0 to start); the result is finalized too,
/// so `plexus_crc32c_update(plexus_crc32c_update(0, a, n), b, m)` equals the CRC of a followed by b.
/// Uses the CPU's CRC32 instruction (SSE4.2 or ARMv8 CRC) when present, else slicing-by-8 tables.
uint32_t plexus_crc32c_update(uint32_t crc, const void *data, size_t length);

/// The same CRC computed with the portable table-driven path only (for tests and benchmarks).
uint32_t plexus_crc32c_update_portable(uint32_t crc, const void *data, size_t length);

/// 1 when `plexus_crc32c_update` uses a hardware instruction on this CPU.
int plexus_crc32c_hardware_available(void);
#endif
