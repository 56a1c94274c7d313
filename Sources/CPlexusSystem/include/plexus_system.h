#ifndef PLEXUS_SYSTEM_H
#define PLEXUS_SYSTEM_H

/// Creates an anonymous file that lives in memory only (Linux memfd_create with MFD_CLOEXEC); returns the
/// descriptor, or -1 with errno set.
int plexus_memfd_create(const char *name);

/// Writes the dirty pages of `[offset, offset + count)` of `fd` to the device and waits for them
/// (sync_file_range with WAIT_BEFORE | WRITE | WAIT_AFTER): no metadata, no cache flush, and the pages stay
/// cached. Returns 0, or -1 with errno set.
int plexus_write_range(int fd, long long offset, long long count);

#endif
