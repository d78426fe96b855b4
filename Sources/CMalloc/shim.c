#include "CMalloc.h"
#include <limits.h>
#include <malloc.h>

int cmalloc_keep_freed_heap(size_t bytes) {
    return mallopt(M_TRIM_THRESHOLD, bytes > INT_MAX ? INT_MAX : (int)bytes);
}
