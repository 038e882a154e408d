/* SPDX-License-Identifier: MIT */
/*
 * Whole numbers from outside (control-socket requests, settings, graph properties), parsed with a
 * range check. Why not sscanf("%d") or atoi(): on overflow they are undefined behaviour, and glibc
 * wraps, so "set strength 4294967346" used to arrive as 50 (issue #13, item 7).
 */
#ifndef VOCANA_SERVICE_NUMBER_H
#define VOCANA_SERVICE_NUMBER_H

/*
 * The whole string s as a decimal number in [min, max]: an optional '-' and digits only (no
 * spaces, no '+', nothing after). 0 and *out set, or -EINVAL (not such a number) or -ERANGE (a
 * number outside [min, max], however long).
 */
int number_parse(const char *s, long min, long max, long *out);

/* The same over [b, e) (not NUL-terminated). */
int number_parse_span(const char *b, const char *e, long min, long max, long *out);

#endif /* VOCANA_SERVICE_NUMBER_H */
