/* SLOs found from Sloth's and Pyrra's recording rules (slo_rules.h). */
#include "slo_rules.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numeric.h"
#include "xalloc.h"

const char *const slo_rules_kind_name[SLO_RULES_NKINDS] = { "sloth", "pyrra" };

enum { SLOTH_INFO, SLOTH_OBJECTIVE, SLOTH_PERIOD, SLOTH_WINDOWS };
static const char *const sloth_queries[] = {
	[SLOTH_INFO] = "sloth_slo_info{sloth_id!=\"\"}",
	[SLOTH_OBJECTIVE] = "slo:objective:ratio{sloth_id!=\"\"}",
	[SLOTH_PERIOD] = "slo:time_period:days{sloth_id!=\"\"}",
	[SLOTH_WINDOWS] = "count by (__name__, sloth_id, sloth_service, sloth_window) "
			  "({__name__=~\"slo:sli_error:ratio_rate.+\", sloth_id!=\"\"})",
};

enum { PYRRA_OBJECTIVE, PYRRA_WINDOW, PYRRA_AVAILABILITY, PYRRA_BURNRATES };
static const char *const pyrra_queries[] = {
	[PYRRA_OBJECTIVE] = "pyrra_objective{slo!=\"\"}",
	[PYRRA_WINDOW] = "pyrra_window{slo!=\"\"}",
	[PYRRA_AVAILABILITY] = "count by (slo, namespace) (pyrra_availability{slo!=\"\"})",
	[PYRRA_BURNRATES] = "count by (__name__, slo, namespace, service) "
			    "({__name__=~\".+:burnrate.+\", slo!=\"\"})",
};

size_t slo_rules_queries(enum slo_rules_kind kind, const char *const **queries)
{
	*queries = kind == SLO_RULES_SLOTH ? sloth_queries : pyrra_queries;
	return kind == SLO_RULES_SLOTH ? sizeof sloth_queries / sizeof *sloth_queries
				       : sizeof pyrra_queries / sizeof *pyrra_queries;
}

/* The SLOs are kept in (kind, name) order: where one is or would go. */
static size_t position(const struct slo_rules *r, enum slo_rules_kind kind, const char *name)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct slo_rules_slo *s = &r->slos[mid];
		if (s->kind < kind || (s->kind == kind && strcmp(s->name, name) < 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct slo_rules_slo *slo_rules_find(const struct slo_rules *r, enum slo_rules_kind kind, const char *name)
{
	size_t i = position(r, kind, name);
	return i < r->n && r->slos[i].kind == kind && strcmp(r->slos[i].name, name) == 0 ? &r->slos[i] : NULL;
}

/* The pointer lasts until the next get. */
static struct slo_rules_slo *get(struct slo_rules *r, enum slo_rules_kind kind, const char *name)
{
	size_t i = position(r, kind, name);
	if (i < r->n && r->slos[i].kind == kind && strcmp(r->slos[i].name, name) == 0)
		return &r->slos[i];
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->slos = xrealloc(r->slos, r->cap * sizeof *r->slos);
	}
	memmove(&r->slos[i + 1], &r->slos[i], (r->n - i) * sizeof *r->slos);
	r->n++;
	r->slos[i] = (struct slo_rules_slo){ .kind = kind, .name = xstrdup(name), .objective = NAN };
	return &r->slos[i];
}

static void set_string(char **at, const char *v)
{
	if (!*at && v && *v)
		*at = xstrdup(v);
}

__attribute__((format(printf, 2, 3))) static void set_skip(struct slo_rules_slo *s, const char *fmt, ...)
{
	if (s->skip)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	s->skip = xstrdup(buf);
}

/* The value of a series of an instant query, NaN when it has none. */
static double value_of(const struct prom_series *ps)
{
	return ps->n_points && isfinite(ps->v[ps->n_points - 1]) ? ps->v[ps->n_points - 1] : NAN;
}

/* A count by query's value: how many series were counted. */
static int series_count(double v)
{
	return !isfinite(v) || v < 1 ? 1 : v > 1e6 ? 1000000 : (int)v;
}

/* A metric name as Prometheus allows it: [a-zA-Z_:][a-zA-Z0-9_:]*. The
 * live feed writes names into a regex, which these need no escape in. */
static bool metric_name(const char *m)
{
	if (!*m || (*m >= '0' && *m <= '9'))
		return false;
	for (; *m; m++)
		if (!((*m >= 'a' && *m <= 'z') || (*m >= 'A' && *m <= 'Z') || (*m >= '0' && *m <= '9') || *m == '_' ||
		      *m == ':'))
			return false;
	return true;
}

static void add_window(struct slo_rules_slo *s, const char *metric, int64_t ms, int series)
{
	if (!metric_name(metric))
		return;
	for (size_t i = 0; i < s->n_windows; i++) {
		if (s->windows[i].ms == ms) {
			/* Two metrics for one window (or one in two series): ambiguous. */
			s->windows[i].series += series + (strcmp(s->windows[i].metric, metric) != 0);
			return;
		}
	}
	s->windows = xrealloc(s->windows, (s->n_windows + 1) * sizeof *s->windows);
	s->windows[s->n_windows++] = (struct slo_rules_window){ ms, xstrdup(metric), series };
}

/* Pyrra's SLO names are unique within a namespace: the same name in two
 * is not one SLO. */
static void pyrra_namespace(struct slo_rules_slo *s, const char *ns)
{
	if (!ns || !*ns)
		return;
	if (!s->namespace_)
		s->namespace_ = xstrdup(ns);
	else if (strcmp(s->namespace_, ns) != 0)
		set_skip(s, "its name is used in two namespaces (%s and another): not one SLO", s->namespace_);
}

static void take_sloth(struct slo_rules *r, size_t q, const struct prom_series *ps)
{
	const char *id = prom_label(ps, "sloth_id");
	if (!id || !*id)
		return;
	struct slo_rules_slo *s = get(r, SLO_RULES_SLOTH, id);
	set_string(&s->service, prom_label(ps, "sloth_service"));
	double v = value_of(ps);
	switch (q) {
	case SLOTH_INFO: {
		/* The objective as the spec wrote it, in percent: used when
		 * slo:objective:ratio is not there. */
		const char *o = prom_label(ps, "sloth_objective");
		char *end;
		double pct = o ? strtod(o, &end) : NAN;
		if (o && *end == '\0' && end != o && isnan(s->objective) && pct > 0 && pct < 100)
			s->objective = pct / 100;
		break;
	}
	case SLOTH_OBJECTIVE:
		if (isfinite(v))
			s->objective = v;
		break;
	case SLOTH_PERIOD:
		if (isfinite(v) && v >= 1 && v <= 3660)
			s->period_ms = (int64_t)numeric_round(v * 86400000.0);
		break;
	case SLOTH_WINDOWS: {
		const char *name = prom_label(ps, "__name__"), *w = prom_label(ps, "sloth_window");
		int64_t ms;
		const char *suffix = name ? name + strlen("slo:sli_error:ratio_rate") : NULL;
		/* The window is in the name; sloth_window says it too. */
		if (name && strlen(name) > strlen("slo:sli_error:ratio_rate") &&
		    prom_parse_duration(w && *w ? w : suffix, &ms))
			add_window(s, name, ms, series_count(v));
		break;
	}
	}
}

static void take_pyrra(struct slo_rules *r, size_t q, const struct prom_series *ps)
{
	const char *slo = prom_label(ps, "slo");
	if (!slo || !*slo)
		return;
	struct slo_rules_slo *s = get(r, SLO_RULES_PYRRA, slo);
	pyrra_namespace(s, prom_label(ps, "namespace"));
	set_string(&s->service, prom_label(ps, "service"));
	double v = value_of(ps);
	switch (q) {
	case PYRRA_OBJECTIVE:
		if (isfinite(v))
			s->objective = v;
		break;
	case PYRRA_WINDOW:
		if (isfinite(v) && v >= 60 && v <= 3660.0 * 86400)
			s->period_ms = (int64_t)numeric_round(v * 1000);
		break;
	case PYRRA_AVAILABILITY:
		s->period_ratio = true;
		break;
	case PYRRA_BURNRATES: {
		const char *name = prom_label(ps, "__name__"), *at = name ? strstr(name, ":burnrate") : NULL;
		int64_t ms;
		if (at && prom_parse_duration(at + strlen(":burnrate"), &ms))
			add_window(s, name, ms, series_count(v));
		break;
	}
	}
}

void slo_rules_take(struct slo_rules *r, enum slo_rules_kind kind, size_t q, const struct prom_result *res)
{
	for (size_t i = 0; i < res->n_series; i++)
		(kind == SLO_RULES_SLOTH ? take_sloth : take_pyrra)(r, q, &res->series[i]);
}

/* ---- Pyrra's alerts ------------------------------------------------------ */

/* "(14 * (1-0.99))" in an ErrorBudgetBurn expression: factor and objective. */
static bool read_factor(const char *expr, double *factor, double *objective)
{
	for (const char *p = strchr(expr, '('); p; p = strchr(p + 1, '(')) {
		char *end;
		double f = strtod(p + 1, &end);
		if (end == p + 1)
			continue;
		while (*end == ' ')
			end++;
		if (*end++ != '*')
			continue;
		while (*end == ' ')
			end++;
		if (strncmp(end, "(1-", 3) != 0 && strncmp(end, "(1 - ", 5) != 0)
			continue;
		end += end[2] == '-' ? 3 : 5;
		char *stop;
		double o = strtod(end, &stop);
		if (stop == end || *stop != ')')
			continue;
		*factor = f;
		*objective = o;
		return true;
	}
	return false;
}

/* Pyrra's windows for a 28d SLO, by the factor of the alert that uses
 * them as its long window: the SLO's window is long * this. */
static double window_per_long(double factor)
{
	return factor == 14 ? 672 : factor == 7 ? 112 : factor == 2 ? 28 : factor == 1 ? 7 : NAN;
}

static void take_alert(struct slo_rules *r, const cJSON *rule)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(rule, "name");
	const cJSON *query = cJSON_GetObjectItemCaseSensitive(rule, "query");
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(rule, "labels");
	const cJSON *slo = cJSON_GetObjectItemCaseSensitive(labels, "slo");
	const cJSON *lng = cJSON_GetObjectItemCaseSensitive(labels, "long");
	if (!cJSON_IsString(name) || strcmp(name->valuestring, "ErrorBudgetBurn") != 0 || !cJSON_IsString(query) ||
	    !cJSON_IsString(slo))
		return;
	struct slo_rules_slo *s = slo_rules_find(r, SLO_RULES_PYRRA, slo->valuestring);
	double factor, objective;
	if (!s || !read_factor(query->valuestring, &factor, &objective))
		return;
	if (isnan(s->objective) && objective > 0 && objective < 1)
		s->objective = objective;
	int64_t long_ms;
	double per = window_per_long(factor);
	if (!s->period_ms && cJSON_IsString(lng) && prom_parse_duration(lng->valuestring, &long_ms) && !isnan(per)) {
		/* Pyrra rounds each window to the minute: the SLO's window is
		 * a whole number of days. */
		int64_t days = (int64_t)numeric_round((double)long_ms * per / 86400000.0);
		if (days >= 1)
			s->period_ms = days * 86400000;
	}
}

int slo_rules_take_alerts(struct slo_rules *r, const char *body, size_t len, struct error *err)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "data"), "groups");
	if (!cJSON_IsArray(groups)) {
		cJSON_Delete(root);
		return error_set(err, "the rules answer is not {\"data\": {\"groups\": [...]}}");
	}
	const cJSON *g, *rule;
	cJSON_ArrayForEach(g, groups)
	{
		cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(g, "rules"))
		take_alert(r, rule);
	}
	cJSON_Delete(root);
	return 0;
}

/* ---- finishing ------------------------------------------------------------- */

static const char *window_metric(struct slo_rules_slo *s, int64_t ms)
{
	for (size_t i = 0; i < s->n_windows; i++) {
		if (s->windows[i].ms != ms)
			continue;
		if (s->windows[i].series > 1)
			set_skip(s, "%s gives several series (grouped by labels): cmdr reads one per SLO",
				 s->windows[i].metric);
		return s->windows[i].metric;
	}
	return NULL;
}

static void finish(struct slo_rules_slo *s)
{
	if (!s->service && s->namespace_)
		s->service = xstrdup(s->namespace_);
	if (!s->n_windows)
		set_skip(s, "%s", s->kind == SLO_RULES_SLOTH ? "no slo:sli_error:ratio_rate rules"
							      : "no :burnrate rules");
	if (!(s->objective > 0 && s->objective < 1))
		set_skip(s, "%s", s->kind == SLO_RULES_SLOTH
					  ? "no objective (slo:objective:ratio or sloth_slo_info's sloth_objective)"
					  : "no objective (pyrra_objective or an ErrorBudgetBurn alert)");
	if (!s->period_ms)
		set_skip(s, "%s", s->kind == SLO_RULES_SLOTH ? "no period (slo:time_period:days)"
							      : "no period (pyrra_window or an ErrorBudgetBurn alert)");
	for (int k = 0; k < BURN_NWINDOWS; k++)
		s->metric[k] = window_metric(s, burn_window_ms[k]);
	/* The period's ratio: Sloth records it as a window; Pyrra's generic
	 * rules as availability. */
	s->metric[BURN_NWINDOWS] = s->kind == SLO_RULES_SLOTH ? window_metric(s, s->period_ms)
				   : s->period_ratio	      ? "pyrra_availability"
							      : NULL;
	s->lacks = 0;
	for (int k = 0; k <= BURN_NWINDOWS; k++)
		if (!s->metric[k])
			s->lacks |= 1u << k;
	if (s->metric[0] == NULL)
		set_skip(s, "%s", "no 5m window: its burn cannot be read");
}

void slo_rules_finish(struct slo_rules *r)
{
	for (size_t i = 0; i < r->n; i++)
		finish(&r->slos[i]);
}

void slo_rules_free(struct slo_rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct slo_rules_slo *s = &r->slos[i];
		free(s->name);
		free(s->service);
		free(s->namespace_);
		free(s->skip);
		for (size_t w = 0; w < s->n_windows; w++)
			free(s->windows[w].metric);
		free(s->windows);
	}
	free(r->slos);
	*r = (struct slo_rules){ 0 };
}
