/* SPDX-License-Identifier: MIT */
/* A strict JSON syntax check (RFC 8259 grammar), so tests can tell that a program's output parses. */
#ifndef VOCANA_TESTS_CLI_JSON_CHECK_H
#define VOCANA_TESTS_CLI_JSON_CHECK_H

#include <stdbool.h>

/* Whether s is exactly one JSON value (surrounding whitespace allowed). */
bool json_is_valid(const char *s);

#endif
