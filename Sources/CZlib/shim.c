#include "CZlib.h"
#include <zlib.h>

/* compress2() with a 4,096-entry hash table (memLevel 5) instead of zlib's default
   32,768: every call clears the table, which for a 5 KB body cost more than compressing
   it; bodies and most attachments are far smaller than the 32 KB window anyway. */
int czlib_compress(unsigned char *destination, size_t *destination_length,
                   const unsigned char *source, size_t source_length, int level) {
    z_stream stream = {0};
    int status = deflateInit2(&stream, level, Z_DEFLATED, MAX_WBITS, 5, Z_DEFAULT_STRATEGY);
    if (status != Z_OK) return status;
    stream.next_in = (Bytef *)source;
    stream.avail_in = (uInt)source_length;
    stream.next_out = destination;
    stream.avail_out = (uInt)*destination_length;
    status = deflate(&stream, Z_FINISH);
    *destination_length = (size_t)stream.total_out;
    deflateEnd(&stream);
    return status == Z_STREAM_END ? Z_OK : (status == Z_OK ? Z_BUF_ERROR : status);
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
