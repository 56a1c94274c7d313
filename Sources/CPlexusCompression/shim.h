// Debian's compression libraries (zlib1g-dev, liblz4-dev, libzstd-dev, libsnappy-dev).
#include <zlib.h>
#include <lz4frame.h>
#include <zstd.h>
#include <snappy-c.h>
