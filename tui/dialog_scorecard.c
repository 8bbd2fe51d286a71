/* The drill's scorecard (core/incident/scorecard.h): how long detection,
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
	int y = 4;
	for (int k = 0; k < EXPECT_N && y < rows - 3; k++, y++) {
		int64_t took;
		enum score_verdict v = scorecard_measure(sc, k, inc->now, &took);
		char took_s[16] = "-", want[16] = "-";
		if (took >= 0)
			timefmt_duration(took, took_s, sizeof took_s);
		if (sc->expect_ms[k] >= 0)
			timefmt_duration(sc->expect_ms[k], want, sizeof want);
		int color = v == SCORE_LATE || v == SCORE_MISSED ? COL_RED : v == SCORE_OK ? COL_GREEN : COL_NONE;
		draw_textf(w, y, 2, 36, A_NORMAL, COL_NONE, "%-14s %-9s %s", expect_names[k], took_s, want);
		draw_text(w, y, 38, cols - 40, score_verdict_name(v), A_BOLD | ui_color(ui, color), color);
	}
	draw_textf(w, y + 1, 2, cols - 4, A_NORMAL, COL_NONE, "runbook steps done: %d   updates: %u on time, %u late%s",
		   sc->steps, sc->updates_on_time, sc->updates_late,
		   scorecard_update_overdue(sc, inc->now) ? ", one overdue" : "");
}

const struct dialog_class dialog_scorecard = {
	.name = "scorecard",
	.draw = scorecard_draw,
	.key = dialog_any_key_closes,
	.rows = 14,
	.cols = 64,
};
