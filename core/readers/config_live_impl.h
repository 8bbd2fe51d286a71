/* Private to the live sections' readers (core/readers/config_*.c):
 * defaults, the names of the types, who may hold which auth, and what
 * one file calls in another. */
#ifndef CMDR_CONFIG_LIVE_IMPL_H
#define CMDR_CONFIG_LIVE_IMPL_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "config_check.h"

#define SOURCE_TIMEOUT_MS (10 * MS_PER_S)
#define SOURCE_REFRESH_MS (30 * MS_PER_S)
#define SOURCE_MIN_REFRESH_MS MS_PER_S
#define SOURCE_MAX_BYTES (8L << 20)
#define SLO_PERIOD_MS (30 * MS_PER_DAY)
#define CANARY_WINDOW_MS (60 * MS_PER_S)
#define TARGET_TIMEOUT_MS (10 * MS_PER_S)
#define AZUREML_OPERATION_TIMEOUT_MS (10 * MS_PER_MIN)
#define AZUREML_API_VERSION "2025-12-01"
#define ARM_URL "https://management.azure.com"
#define LOG_ANALYTICS_URL "https://api.loganalytics.io"
#define APP_INSIGHTS_URL "https://api.applicationinsights.io"
#define AZURE_AUTHORITY "https://login.microsoftonline.com"
#define AZURE_IMDS "http://169.254.169.254"
#define SECRET_MAX_BYTES (64 * 1024)

#define BIT(x) (1u << (x))

/* The names the file spells each type with, in enum order. */
extern const char *const source_type_name[];
extern const char *const auth_type_name[];
extern const char *const target_type_name[];
enum { N_SOURCE_TYPES = 3, N_AUTH_TYPES = 7, N_TARGET_TYPES = 3 };

#define AUTH_AZURE (BIT(AUTH_AZURE_CLI) | BIT(AUTH_CLIENT_CREDENTIALS) | BIT(AUTH_MANAGED_IDENTITY))


/* What holds an auth object: the types it may have, and the resource an
 * Azure token is for there. */
struct auth_owner {
	unsigned types;
	const char *what; /* "prometheus sources"; NULL: its own type is unknown */
	const char *audience;
};
extern const struct auth_owner owner_unknown, owner_source[N_SOURCE_TYPES], owner_azureml;

/* config_live.c */
void config_free_argv(char **argv, size_t n);
bool config_has(const cJSON *obj, const char *key);
bool config_key_is(const char *a, const char *b);
bool config_key_fits(struct config_check *c, int type, unsigned key_mask, const char *const *names, int n,
		     const char *what);
int config_lookup(const cJSON *v, const char *const *names, int n);
void config_missing(struct config_check *c, const char *key, const char *expected);
void config_name_list(const char *const *names, int n, unsigned mask, bool quoted, const char *last, char *buf,
		      size_t size);
int config_peek_type(const cJSON *obj, const char *const *names, int n);
/* A problem at key of the object being read. */
void config_problem_at(struct config_check *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void config_quote(const char *s, char *buf, size_t size);
void config_read_auth(struct config_check *c, const cJSON *v, struct config_auth *a, const struct auth_owner *owner);
void config_want_argv(struct config_check *c, const cJSON *v, char ***out, size_t *n);
void config_want_count(struct config_check *c, const cJSON *v, int *out);
/* config_slos.c */
char *config_want_unique_name(struct config_check *c, const cJSON *v, const char *what, const char *section,
			      const char *(*name_at)(const struct config *, size_t), const struct config *cfg,
			      size_t n);

#endif
