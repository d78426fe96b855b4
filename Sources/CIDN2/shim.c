#include "CIDN2.h"
#include <idn2.h>
#include <string.h>

static int copy_out(int status, char *result, char *output, size_t capacity) {
    if (status != IDN2_OK) return status;
    size_t length = strlen(result);
    if (length + 1 > capacity) {
        idn2_free(result);
        return IDN2_TOO_BIG_DOMAIN;
    }
    memcpy(output, result, length + 1);
    idn2_free(result);
    return IDN2_OK;
}

int cidn2_to_ascii(const char *domain, char *output, size_t capacity) {
    char *result = NULL;
    int status = idn2_to_ascii_8z(domain, &result, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    return copy_out(status, result, output, capacity);
}

int cidn2_to_unicode(const char *domain, char *output, size_t capacity) {
    char *result = NULL;
    int status = idn2_to_unicode_8z8z(domain, &result, 0);
    return copy_out(status, result, output, capacity);
}

const char *cidn2_strerror(int code) { return idn2_strerror(code); }
