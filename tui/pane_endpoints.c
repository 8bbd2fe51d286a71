/* The endpoints pane: each endpoint with its deployments, their traffic
 * split as bars, provisioning state, and the last known-good marked. The
 * selected endpoint is the one `r` rolls back. */
#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "ui.h"

static int state_color(const char *state)
{
	if (strcmp(state, "Succeeded") == 0 || strcmp(state, "UP") == 0)
		return COL_GREEN;
	if (strcmp(state, "Failed") == 0 || strcmp(state, "Canceled") == 0 || strcmp(state, "DOWN") == 0)
		return COL_RED;
	if (strcmp(state, "-") == 0)
		return COL_NONE;
	return COL_WARN;
}

static const struct incident_target *target_of(const struct incident *inc, const char *endpoint)
{
	for (size_t i = 0; i < inc->n_targets; i++)
		if (strcmp(inc->targets[i].endpoint, endpoint) == 0)
			return &inc->targets[i];
	return NULL;
}

static void draw_deployment(struct ui *ui, WINDOW *w, int y, int cols, const struct deployment *d, bool lkg)
{
	char created[32];
	timefmt_iso(d->created_ms, created, sizeof created);
	char name[64];
	draw_text(w, y, 3, 14, fit_name(d->name, 14, name, sizeof name), A_NORMAL, COL_NONE);
	draw_bar(ui, w, y, 18, 20, d->traffic, COL_ACCENT);
	draw_textf(w, y, 39, 5, A_BOLD, COL_NONE, "%3d%%", d->traffic);
	draw_text(w, y, 45, 11, d->state, ui_color(ui, state_color(d->state)), state_color(d->state));
	if (lkg)
		draw_text(w, y, 57, 4, "LKG", A_BOLD | ui_color(ui, COL_GREEN), COL_GREEN);
	/* "created 2024-09-13 17:11"; live targets do not say. */
	created[16] = '\0';
	created[10] = ' ';
	if (d->created_ms)
		draw_textf(w, y, 62, cols - 63, A_DIM, COL_NONE, "%s", created);
}

static void endpoints_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	const char *why;
	draw_title(ui, w, cols, "ENDPOINTS", ui->focus == PANE_ENDPOINTS, "r rollback",
		   actor_may_mutate(&inc->actor, &why));
	if (inc->model.n_endpoints == 0) {
		draw_text(w, 1, 1, cols - 2, "no endpoints in this incident", A_DIM, COL_NONE);
		return;
	}
	if (ui->sel_endpoint >= inc->model.n_endpoints)
		ui->sel_endpoint = 0;
	/* Scrolled so that the selected endpoint is on screen: from the
	 * first endpoint when everything up to it fits, else from it and as
	 * many whole endpoints before it as fit. */
	size_t first = ui->sel_endpoint;
	size_t height = 1 + inc->model.endpoints[first]->n_deployments;
	while (first > 0 && height + 1 + inc->model.endpoints[first - 1]->n_deployments <= (size_t)(rows - 1)) {
		first--;
		height += 1 + inc->model.endpoints[first]->n_deployments;
	}
	int y = 1;
	for (size_t i = first; i < inc->model.n_endpoints && y < rows; i++) {
		const struct endpoint *ep = inc->model.endpoints[i];
		bool sel = i == ui->sel_endpoint;
		const struct action_job *job = incident_job_in_flight(inc, ep->name);
		const struct approval_request *held = NULL;
		for (size_t r = 0; r < inc->n_requests; r++)
			if (inc->requests[r].state == REQUEST_PENDING && strcmp(inc->requests[r].endpoint, ep->name) == 0)
				held = &inc->requests[r];
		const struct incident_target *it = target_of(inc, ep->name);
		/* A long name gives way to what is happening to the endpoint
		 * and to how fresh its reading is. */
		int room = cols - 3 - (it ? 11 + data_state_width(&it->data, inc->now) : 0) -
			   (job || held || (it && *it->data.error) ? 30 : 0);
		char name[256];
		fit_name(ep->name, room > 12 ? room : 12, name, sizeof name);
		int x = draw_textf(w, y, 1, cols - 2, sel ? A_REVERSE | A_BOLD : A_BOLD, COL_NONE, "%s%s",
				   sel ? ">" : " ", name);
		/* Live: the target's name and how fresh its reading is. */
		if (it) {
			int used = draw_data_state(ui, w, y, cols - 1, &it->data, inc->now);
			draw_textf(w, y, cols - 1 - used - 10, 10, A_DIM, COL_NONE, "%9s", it->target->ops->name);
		}
		if (job) {
			draw_textf(w, y, x + 2, cols - x - 3, ui_color(ui, COL_WARN), COL_WARN, "%s in flight, %s",
				   job->kind, action_state_name(job->state));
		} else if (it && *it->data.error) {
			draw_text(w, y, x + 2, cols - x - 24, it->data.error, ui_color(ui, COL_RED), COL_RED);
		} else if (held) {
			char until[16] = "-";
			if (held->expires_ms != INT64_MAX)
				timefmt_hms(held->expires_ms, until, sizeof until);
			draw_textf(w, y, x + 2, cols - x - 3, ui_color(ui, COL_WARN) | A_BOLD, COL_WARN,
				   "%s to %s awaits approval until %s", held->kind,
				   strcmp(held->kind, "set_weight") == 0 ? held->traffic : held->to, until);
		}
		y++;
		/* When they do not all fit, those carrying traffic and the
		 * last known-good come first: the ones a rollback is about. */
		bool cut = (size_t)(rows - y) < ep->n_deployments;
		size_t shown = 0;
		for (int pass = cut ? 0 : 1; pass < 2; pass++) {
			for (size_t k = 0; k < ep->n_deployments && y < rows; k++) {
				const struct deployment *d = ep->deployments[k];
				bool lkg = ep->last_known_good && strcmp(ep->last_known_good, d->name) == 0;
				if (cut && (pass == 0) != (d->traffic > 0 || lkg))
					continue;
				if (cut && y == rows - 1) {
					/* Cut short: say so rather than stop silently. */
					draw_textf(w, y, 3, cols - 4, A_DIM, COL_NONE, "... %zu more deployments",
						   ep->n_deployments - shown);
					y = rows;
					break;
				}
				draw_deployment(ui, w, y++, cols, d, lkg);
				shown++;
			}
		}
	}
}

static int endpoints_key(struct ui *ui, int key)
{
	return keys_move(&ui->sel_endpoint, ui->inc->model.n_endpoints, key);
}

const struct pane_class pane_endpoints = {
	.name = "endpoints",
	.draw = endpoints_draw,
	.key = endpoints_key,
	.min_rows = 3,
};
