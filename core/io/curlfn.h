/* libcurl, loaded the first time a request needs it (core/io/curlfn.c). The
 * drill console and the commands that never touch the network never load
 * it, nor the 29 libraries it pulls in (TLS, Kerberos, LDAP, SSH ...):
 * half the console's memory. core/io/http.c is its one user. */
#ifndef CMDR_CURLFN_H
#define CMDR_CURLFN_H
#include <curl/curl.h>

#include "error.h"

struct curlfn {
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *m);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned n, int timeout_ms, int *numfds);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	const char *(*multi_strerror)(CURLMcode code);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption option, ...);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *e);
	CURLcode (*easy_setopt)(CURL *e, CURLoption option, ...);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
};

/* The loaded functions, after curlfn_load succeeded. */
extern struct curlfn curlfn;

/* Loads libcurl and initialises it, once; 0, or -1 with err saying what
 * is missing. Later calls answer the same. */
int curlfn_load(struct error *err);

#endif
