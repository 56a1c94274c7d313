#ifndef PLEXUS_SYSTEM_H
#define PLEXUS_SYSTEM_H

/// Creates an anonymous file that lives in memory only (Linux memfd_create with MFD_CLOEXEC); returns the
/// descriptor, or -1 with errno set.
int plexus_memfd_create(const char *name);

#endif
