/* The batchable PromQL shape: which queries are of it (and nothing else
 * is), the key that tells which differ in one matcher's value alone, and
 * the batched query, whose regex matches each value literally. */
#include "check.h"
#include "prom_shape.h"

static void reads_the_shape(void)
{
	struct prom_shape s;
	CHECK(prom_shape_read("sum(increase(http_requests_total{job=\"svc1\",code=\"500\"}[{{window}}]))", &s));
	CHECK(s.n_eqs == 2);
	CHECK_STR(s.eqs[0].label, "job");
	CHECK_STR(s.eqs[0].value, "svc1");
	CHECK_STR(s.eqs[1].label, "code");
	CHECK_STR(s.eqs[1].value, "500");
	prom_shape_free(&s);
	/* spaces, single quotes, other matchers, a trailing comma, no metric name */
	CHECK(prom_shape_read(" sum ( rate ( {__name__=\"x\", job='a\\'b', code=~\"5..\", } [ {{window}} ] ) ) ", &s));
	CHECK(s.n_eqs == 2);
	CHECK_STR(s.eqs[1].value, "a'b");
	prom_shape_free(&s);
	CHECK(prom_shape_read("sum(count_over_time(up[{{window}}]))", &s));
	CHECK(s.n_eqs == 0);
	prom_shape_free(&s);
}

static void nothing_else_is(void)
{
	static const char *const not_shape[] = {
		"sum(increase(a{job=\"x\"}[5m]))",                       /* no window placeholder */
		"sum by (code) (increase(a{job=\"x\"}[{{window}}]))",   /* already grouped */
		"sum(increase(a{job=\"x\"}[{{window}}])) or vector(0)", /* more after it */
		"sum(increase(a{job=\"x\"}[{{window}}] offset 1h))",    /* a modifier */
		"sum(increase(a{job=\"x\"}[{{window}}:1m]))",           /* a subquery */
		"max(increase(a{job=\"x\"}[{{window}}]))",
		"sum(irate(a{job=\"x\"}[{{window}}]))",
		"sum(sum by (code) (increase(a{job=\"x\"}[{{window}}])))",
		"sum(increase(a{job=\"x\\n\"}[{{window}}]))",           /* an escape other than \\ \" \' */
		"sum(increase(a{job=\"{{endpoint}}\"}[{{window}}]))",   /* a placeholder in a value */
		"sum(increase(a{job=\"x\"[{{window}}]))",
		"sum(increase({}[{{window}}]))",
		"sum(increase(a{job=`x`}[{{window}}]))",
		"summary(increase(a{job=\"x\"}[{{window}}]))",
		"",
	};
	for (size_t i = 0; i < sizeof not_shape / sizeof not_shape[0]; i++) {
		struct prom_shape s;
		bool is = prom_shape_read(not_shape[i], &s);
		if (is)
			printf("#   read as the shape: %s\n", not_shape[i]);
		CHECK(!is);
		CHECK(s.eqs == NULL && s.text == NULL);
	}
}

static void keys_differ_in_the_value_alone(void)
{
	struct prom_shape a, b, c;
	CHECK(prom_shape_read("sum(increase(r{job=\"svc1\",code=\"500\"}[{{window}}]))", &a));
	CHECK(prom_shape_read("sum(increase(r{job=\"svc22\",code=\"500\"}[{{window}}]))", &b));
	CHECK(prom_shape_read("sum(increase(r{job=\"svc1\",code=\"503\"}[{{window}}]))", &c));
	char *ka = prom_shape_key(&a, 0), *kb = prom_shape_key(&b, 0), *kc = prom_shape_key(&c, 0);
	CHECK_STR(ka, kb);
	CHECK(strcmp(ka, kc) != 0);
	free(ka);
	free(kb);
	free(kc);
	prom_shape_free(&a);
	prom_shape_free(&b);
	prom_shape_free(&c);
}

static void batches_by_the_label(void)
{
	struct prom_shape s;
	CHECK(prom_shape_read("sum(increase(r{job=\"svc1\", code=\"500\"}[{{window}}]))", &s));
	const char *values[] = { "a.b", "a.b", "c|d", "e\"f", "g\\h" };
	char *q = prom_shape_batch(&s, 0, values, 5);
	CHECK_STR(q, "sum by (job) (increase(r{job=~\"a\\\\.b|c\\\\|d|e\\\"f|g\\\\\\\\h\", code=\"500\"}[{{window}}]))");
	free(q);
	prom_shape_free(&s);
}

int main(void)
{
	RUN(reads_the_shape);
	RUN(nothing_else_is);
	RUN(keys_differ_in_the_value_alone);
	RUN(batches_by_the_label);
	return CHECK_EXIT();
}
