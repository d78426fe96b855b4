#ifndef CZLIB_H
#define CZLIB_H

#include <stddef.h>

/// zlib (Debian's zlib1g) for stored message bodies and attachments: one-shot calls with
/// plain types, so Swift needs neither zlib's macros nor its z_stream.

/// Compresses `source` into `destination` (capacity `*destination_length`, set to the
/// size written) at `level` (1 fastest … 9 smallest). 0 on success, else a zlib error code
/// (-5: the output did not fit in the capacity).
int czlib_compress(unsigned char *destination, size_t *destination_length,
                   const unsigned char *source, size_t source_length, int level);

/// Decompresses `source` into `destination` (capacity `*destination_length`, set to the
/// size written). 0 on success, else a zlib error code (-3: corrupt data, -5: too small).
int czlib_uncompress(unsigned char *destination, size_t *destination_length,
                     const unsigned char *source, size_t source_length);

#endif
