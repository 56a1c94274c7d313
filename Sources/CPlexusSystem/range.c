#define _GNU_SOURCE
#include <fcntl.h>

#include "plexus_system.h"

int plexus_write_range(int fd, long long offset, long long count) {
    return sync_file_range(fd, offset, count,
                           SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
}
