/* Times are int64 milliseconds since the Unix epoch, UTC, everywhere in core.
 * This module formats them and parses the forms used by scenarios and the
 * CLI: ISO 8601 UTC, HH:MM:SS on a given day, and durations like "90s". */
#ifndef CMDR_TIMEFMT_H
#define CMDR_TIMEFMT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_PER_S 1000LL
#define MS_PER_MIN (60 * MS_PER_S)
#define MS_PER_HOUR (60 * MS_PER_MIN)
#define MS_PER_DAY (24 * MS_PER_HOUR)

/* "2024-09-13T17:14:03.000Z" (needs 25 bytes). */
void timefmt_iso(int64_t ms, char *buf, size_t size);
/* "17:14:03" (needs 9 bytes). */
void timefmt_hms(int64_t ms, char *buf, size_t size);
/* Compact duration: "43m", "3d", "12h05m", "45s" (needs 16 bytes). */
void timefmt_duration(int64_t ms, char *buf, size_t size);

/* Parses "YYYY-MM-DDTHH:MM:SS[.mmm]Z" (or +00:00). */
bool timefmt_parse_iso(const char *s, int64_t *out);
/* Parses a time for a scenario or --until: ISO, "HH:MM:SS" or "HH:MM" on the
 * UTC day of day_ms, or a signed offset from base_ms ("+5m", "-30d"). */
bool timefmt_parse_at(const char *s, int64_t base_ms, int64_t *out);
/* Parses "250ms", "60s", "5m", "6h", "30d" (one number, one unit). */
bool timefmt_parse_duration(const char *s, int64_t *out);

#endif
