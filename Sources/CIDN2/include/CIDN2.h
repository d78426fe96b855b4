#ifndef CIDN2_H
#define CIDN2_H

#include <stddef.h>

/// libidn2 (Debian's libidn2-0) for internationalised domain names: calls with plain
/// types that write into a caller's buffer, so Swift neither frees libidn2's allocations
/// nor sees its flag enum.

/// Converts the UTF-8 `domain` to its ASCII form (A-labels, `xn--…`) by UTS #46
/// non-transitional processing with NFC input (IDNA 2008 as browsers and MTAs look names
/// up: `ß` stays `ß`, upper case is mapped to lower case). Writes a NUL-terminated result
/// of at most `capacity` bytes. 0 on success, else a negative libidn2 error code
/// (-100 IDN2_TOO_BIG_DOMAIN also when the result does not fit).
int cidn2_to_ascii(const char *domain, char *output, size_t capacity);

/// Converts `domain` (A-labels or UTF-8) to UTF-8 U-labels for display. Same returns.
int cidn2_to_unicode(const char *domain, char *output, size_t capacity);

/// libidn2's English text for an error code (static storage).
const char *cidn2_strerror(int code);

#endif
