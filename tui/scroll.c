/* Rows that may not fit their window, as the scrolling dialogs show
 * them: which row shows first, and the keys that move it. */
#include "ui.h"

void scroll_clamp(size_t *first, size_t n, int vis)
{
	size_t max = n > (size_t)vis ? n - (size_t)vis : 0;
	if (*first > max)
		*first = max;
}

int scroll_key(size_t *first, size_t n, int vis, int key, bool wide)
{
	/* Only what does not fit scrolls: else the keys are the caller's
	 * (a dialog closes on them, as its title says any key does). */
	if (n <= (size_t)vis)
		return 0;
	bool down = wide ? key == 'j' : key == KEY_DOWN || key == KEY_NPAGE;
	bool up = wide ? key == 'k' : key == KEY_UP || key == KEY_PPAGE;
	if (!down && !up)
		return 0;
	/* a page, less a row that stays in view */
	size_t page = vis > 2 ? (size_t)vis - 1 : 1;
	size_t by = !wide && (key == KEY_NPAGE || key == KEY_PPAGE) ? page : 1;
	if (down)
		*first += by;
	else
		*first = *first > by ? *first - by : 0;
	return UI_HANDLED | UI_REDRAW;
}
