#ifndef CRESOLV_H
#define CRESOLV_H

#include <netdb.h>

/// A DNS TXT query through glibc's resolver (libresolv): `res_ninit` and `res_nquery` on a
/// private `res_state` (thread-safe, no global `_res`), and the answer walked with
/// `ns_initparse`/`ns_parserr`. Swift cannot call these itself: `res_ninit` and friends are
/// macros for `__res_*`, and `ns_msg_count`/`ns_rr_*` are macros over the parsed structures.

/// Asks for the TXT records of `name` (class IN). `server` is an IPv4 address (with `port`),
/// or NULL for the servers in /etc/resolv.conf; every server is asked `attempts` times with
/// `timeout_seconds` to wait for each answer. Returns the answer's length in `answer`, or -1
/// with the resolver's h_errno in `*error` (HOST_NOT_FOUND: no such name; NO_DATA: the name
/// has no TXT record; TRY_AGAIN: no answer or a server failure; NO_RECOVERY: refused,
/// malformed; -2: `server` is not an IPv4 address; -3: the resolver could not start).
int cresolv_query_txt(const char *name, const char *server, int port, int timeout_seconds, int attempts,
                      unsigned char *answer, int size, int *error);

/// How many records the answer section of `answer` holds; -1 when it does not parse.
int cresolv_answer_count(const unsigned char *answer, int length);

/// Record `index` of the answer section: its type, TTL and data. 0 on success, -1 when it
/// does not parse. `*rdata` points into `answer`.
int cresolv_answer_record(const unsigned char *answer, int length, int index, int *type, unsigned int *ttl,
                          const unsigned char **rdata, int *rdlength);

#endif
