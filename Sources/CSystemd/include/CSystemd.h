#ifndef CSYSTEMD_H
#define CSYSTEMD_H

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

/// Whether the process's stderr is connected to the journal (JOURNAL_STREAM matches).
int csystemd_stderr_is_journal(void);

#endif
