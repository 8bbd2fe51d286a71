/* Azure access tokens on the event loop for one configured `auth`: a
 * static bearer token (a secret), `az account get-access-token` run as a
 * child whose pipes the loop watches, or Entra ID's client credentials
 * grant and the IMDS managed identity endpoint over loop_http. A token is
 * cached and fetched again before it expires; callers that ask while a
 * fetch is out wait for that one. Written for sources and targets alike. */
#ifndef CMDR_AZAUTH_H
#define CMDR_AZAUTH_H
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct loop;
struct config_auth;
struct azauth;

/* token: the bearer token, or NULL when the auth is "none" (send no
 * Authorization header); error: NULL, or one line saying why there is no
 * token (never the secret; the caller says what the token was for). Both
 * live until the callback returns. */
typedef void (*azauth_fn)(void *arg, const char *token, const char *error);

/* How the token requests go out; zeroed: the defaults. */
struct azauth_options {
	int64_t timeout_ms; /* per token request; 0: 10 s (az always has 60 s) */
	const char *ca_file; /* NULL: the system's CAs */
	bool insecure;
};

/* An auth for cfg on loop. default_audience is the resource the tokens
 * are for when cfg->audience does not say (aztoken_default_audience).
 * `where` names the config value for messages about the secret
 * ("cmdr.json: $.endpoints[0].target.auth"). A secret is read here, so a
 * missing one is an error at once: NULL with err. cfg must outlive the
 * auth; opt may be NULL. */
struct azauth *azauth_new(const struct config_auth *cfg, const char *default_audience, struct loop *loop,
			  const struct azauth_options *opt, const char *where, struct error *err);

/* Calls done exactly once with a token or an error: at once when a token
 * is cached and fresh (before this returns), else when the fetch ends.
 * Returns a handle for azauth_cancel, 0 when done was already called. */
uint64_t azauth_get(struct azauth *a, azauth_fn done, void *arg);

/* Forgets a waiter: its callback will not be called. */
void azauth_cancel(struct azauth *a, uint64_t handle);

/* Abandons any fetch (kills az) without calling anyone back. */
void azauth_free(struct azauth *a);

#endif
