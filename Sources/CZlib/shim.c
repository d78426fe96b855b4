#include "CZlib.h"
#include <zlib.h>

size_t czlib_bound(size_t length) {
    return (size_t)compressBound((uLong)length);
}

int czlib_compress(unsigned char *destination, size_t *destination_length,
                   const unsigned char *source, size_t source_length, int level) {
    uLongf written = (uLongf)*destination_length;
    int status = compress2(destination, &written, source, (uLong)source_length, level);
    *destination_length = (size_t)written;
    return status;
}

int czlib_uncompress(unsigned char *destination, size_t *destination_length,
                     const unsigned char *source, size_t source_length) {
    uLongf written = (uLongf)*destination_length;
    uLong read = (uLong)source_length;
    int status = uncompress2(destination, &written, source, &read);
    *destination_length = (size_t)written;
    if (status == Z_OK && read != (uLong)source_length) return Z_DATA_ERROR;
    return status;
}
