#include "CResolv.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>

int cresolv_query_txt(const char *name, const char *server, int port, int timeout_seconds, int attempts,
                      unsigned char *answer, int size, int *error) {
    struct __res_state state;
    memset(&state, 0, sizeof state);
    if (res_ninit(&state) != 0) {
        *error = -3;
        return -1;
    }
    if (server != NULL) {
        struct sockaddr_in address;
        memset(&address, 0, sizeof address);
        address.sin_family = AF_INET;
        address.sin_port = htons((unsigned short)port);
        if (inet_pton(AF_INET, server, &address.sin_addr) != 1) {
            res_nclose(&state);
            *error = -2;
            return -1;
        }
        state.nsaddr_list[0] = address;
        state.nscount = 1;
    }
    state.retrans = timeout_seconds;
    state.retry = attempts;
    state.options |= RES_USE_EDNS0;
    int length = res_nquery(&state, name, ns_c_in, ns_t_txt, answer, size);
    *error = length < 0 ? state.res_h_errno : 0;
    res_nclose(&state);
    return length;
}

int cresolv_answer_count(const unsigned char *answer, int length) {
    ns_msg message;
    if (ns_initparse(answer, length, &message) != 0) return -1;
    return ns_msg_count(message, ns_s_an);
}

int cresolv_answer_record(const unsigned char *answer, int length, int index, int *type, unsigned int *ttl,
                          const unsigned char **rdata, int *rdlength) {
    ns_msg message;
    ns_rr record;
    if (ns_initparse(answer, length, &message) != 0) return -1;
    if (ns_parserr(&message, ns_s_an, index, &record) != 0) return -1;
    *type = ns_rr_type(record);
    *ttl = ns_rr_ttl(record);
    *rdata = ns_rr_rdata(record);
    *rdlength = ns_rr_rdlen(record);
    return 0;
}
