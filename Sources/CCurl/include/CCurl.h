#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

/// Typed forwards to libcurl's variadic calls, which Swift cannot call directly.
CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_read_function(CURL *handle, curl_read_callback callback);
CURLcode ccurl_easy_setopt_write_function(CURL *handle, curl_write_callback callback);
CURLcode ccurl_easy_setopt_debug_function(CURL *handle, curl_debug_callback callback);
CURLcode ccurl_easy_setopt_sockopt_function(CURL *handle, curl_sockopt_callback callback);
CURLcode ccurl_easy_setopt_prereq_function(CURL *handle, curl_prereq_callback callback);

/// CURLOPT_MAIL_RCPT_ALLOWFAILS (spelt CURLOPT_MAIL_RCPT_ALLLOWFAILS before libcurl 8.2).
CURLcode ccurl_easy_setopt_mail_rcpt_allowfails(CURL *handle, long value);

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value);
CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode ccurl_easy_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value);

#endif
