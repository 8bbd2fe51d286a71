/* Private to the config's readers (core/readers/config*.c): the sections'
 * tables, their defaults, the names of the types, and who may hold which
 * auth. */
#ifndef CMDR_CONFIG_LIVE_IMPL_H
#define CMDR_CONFIG_LIVE_IMPL_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "config_check.h"

#define AZUREML_API_VERSION "2025-12-01"
#define ARM_URL "https://management.azure.com"
#define LOG_ANALYTICS_URL "https://api.loganalytics.io"
#define APP_INSIGHTS_URL "https://api.applicationinsights.io"
#define AZURE_AUTHORITY "https://login.microsoftonline.com"
#define AZURE_IMDS "http://169.254.169.254"
#define SECRET_MAX_BYTES (64 * 1024)

/* The names the file spells each type with, in enum order. */
extern const char *const source_type_name[];
extern const char *const auth_type_name[];
extern const char *const target_type_name[];
enum { N_SOURCE_TYPES = 4, N_AUTH_TYPES = 7, N_TARGET_TYPES = 3 };

#define AUTH_AZURE (BIT(AUTH_AZURE_CLI) | BIT(AUTH_CLIENT_CREDENTIALS) | BIT(AUTH_MANAGED_IDENTITY))

/* What holds an auth object: the types it may have, and the resource an
 * Azure token is for there. */
struct auth_owner {
	unsigned types;
	const char *what; /* "prometheus sources"; NULL: its own type is unknown */
	const char *audience;
};
extern const struct auth_owner owner_unknown, owner_source[N_SOURCE_TYPES], owner_azureml;

/* Reads an "auth" object for its owner; a type the owner may not have is
 * reported once, at "type", and the keys are then not judged by it. */
void config_read_auth(struct config_check *c, const cJSON *v, struct config_auth *a, const struct auth_owner *owner);
extern const struct config_table config_auth_table;

/* A problem when an earlier element of the array holds element's name
 * (each element's first field is its name, c->index its index). */
void config_check_unique_name(struct config_check *c, const void *element, size_t size, const char *what,
			      const char *section);

/* The sections: config_sources.c, config_slos.c, config_endpoints.c,
 * config_notify.c. */
extern const struct config_table config_source_table, config_slo_table, config_canary_table,
	config_endpoint_table, config_notify_table;

#endif
