/* SPDX-License-Identifier: MIT */
/*
 * The terminal and signals of `vocana monitor`'s live view: keys without Enter or echo
 * (non-canonical input, so 'q' quits), the alternate screen with a hidden cursor, and a clean
 * restore on every way out ('q', Ctrl-C, SIGTERM, SIGHUP, or exit()).
 *
 * Signals are blocked outside monitor_wait(), which waits in ppoll() with them unblocked: a
 * signal can never slip in between "check the flags" and "sleep" (no lost wake-up).
 */
#ifndef VOCANA_CLI_MONITOR_TERM_H
#define VOCANA_CLI_MONITOR_TERM_H

#include <stdbool.h>
#include <stddef.h>

/* The sequences the view writes on entry and on restore (tests look for the latter). */
#define MONITOR_TERM_ENTER "\x1b[?1049h\x1b[?25l\x1b[2J"
#define MONITOR_TERM_RESTORE "\x1b[?25h\x1b[?1049l"

/* Install the handlers for SIGINT, SIGTERM, SIGHUP (quit) and SIGWINCH (resize) and block them.
 * Returns 0 or a negative errno. */
int monitor_signals_install(void);

/* The signal that asked us to quit (0: none yet). */
int monitor_quit_signal(void);

/* True once per terminal resize (the flag is cleared by reading it). */
bool monitor_take_resize(void);

/* Put the terminal in live-view mode: out_fd gets MONITOR_TERM_ENTER; in_fd, when it is a
 * terminal, is switched to non-canonical input without echo (signals from keys still work).
 * Returns 0 or a negative errno. Registers an atexit() restore. */
int monitor_term_enter(int in_fd, int out_fd);

/* Undo monitor_term_enter (idempotent). */
void monitor_term_restore(void);

/* The terminal's size (80x24 when it cannot be read). */
void monitor_term_size(int fd, int *cols, int *rows);

/*
 * Sleep up to timeout_ms (or until a signal arrives). With key_fd >= 0, also wake for input on
 * it and return the first key read ('\0' for none); EOF on key_fd sets *key_fd = -1 so it is not
 * watched again (a closed stdin must not spin).
 */
char monitor_wait(int *key_fd, int timeout_ms);

#endif /* VOCANA_CLI_MONITOR_TERM_H */
