#include "CSystemd.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int csystemd_stderr_is_journal(void) {
    const char *stream = getenv("JOURNAL_STREAM");
    if (stream == NULL) return 0;
    unsigned long long dev = 0, ino = 0;
    if (sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return 0;
    struct stat st;
    if (fstat(2, &st) != 0) return 0;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}
