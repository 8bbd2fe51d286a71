/* The drill's scorecard (core/scorecard.h): how long detection,
 * acknowledgement, the decision, the rollback and its verification took
 * from the onset, against what the scenario expects. It opens by itself
 * when the drill reaches its end; S opens it at any time. */
#include <stdio.h>

#include "timefmt.h"
#include "ui.h"

static void scorecard_draw(struct ui *ui, WINDOW *w, int rows, int cols)
{
	const struct incident *inc = ui->inc;
	const struct scorecard *sc = &inc->scorecard;
	draw_box(ui, w, rows, cols, "Drill scorecard (any key closes)");
	char onset[16];
	timefmt_hms(sc->onset_ms, onset, sizeof onset);
	draw_textf(w, 1, 2, cols - 4, A_NORMAL, COL_NONE, "from the onset at %s", onset);
	draw_text(w, 3, 2, cols - 4, "measure        took      expected", A_BOLD, COL_NONE);
	cJSON *card = scorecard_json(sc, inc->now);
	const cJSON *m;
	int y = 4;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(card, "measures"))
	{
		if (y >= rows - 3)
			break;
		char took[16] = "-", want[16] = "-";
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "took_s");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(m, "expected_s");
		if (cJSON_IsNumber(t))
			timefmt_duration((int64_t)(t->valuedouble * 1000), took, sizeof took);
		if (cJSON_IsNumber(e))
			timefmt_duration((int64_t)(e->valuedouble * 1000), want, sizeof want);
		const char *verdict = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "verdict"));
		int color = verdict && (verdict[0] == 'l' || verdict[0] == 'm') ? COL_RED
			    : verdict && verdict[0] == 'o'			   ? COL_GREEN
										   : COL_NONE;
		draw_textf(w, y, 2, 36, A_NORMAL, COL_NONE, "%-14s %-9s %s",
			   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "name")), took, want);
		draw_text(w, y, 38, cols - 40, verdict ? verdict : "", A_BOLD | ui_color(ui, color), color);
		y++;
	}
	draw_textf(w, y + 1, 2, cols - 4, A_NORMAL, COL_NONE, "runbook steps done: %d   updates: %u on time, %u late%s",
		   sc->steps, sc->updates_on_time, sc->updates_late,
		   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(card, "updates"),
									 "overdue"))
			   ? ", one overdue"
			   : "");
	cJSON_Delete(card);
}

static int scorecard_key(struct ui *ui, int key, bool wide)
{
	(void)key;
	(void)wide;
	ui->dialog = NULL;
	return UI_HANDLED | UI_REDRAW;
}

const struct dialog_class dialog_scorecard = {
	.name = "scorecard",
	.draw = scorecard_draw,
	.key = scorecard_key,
	.rows = 14,
	.cols = 64,
};
