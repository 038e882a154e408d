/* SPDX-License-Identifier: MIT */
/*
 * The service's persistent settings: a small "key = value" file (see docs/microphone.md and
 * docs/speaker.md).
 *
 *   # comment
 *   strength = 80        # 0..100, as 'vocana set strength'
 *   enabled = true       # false = bypass, as 'vocana disable'
 *   input = NODE_NAME    # the device to denoise, as the app's 'set input'; default: follow the
 *                        # default source (also written as "input = default")
 *   mic = on             # publish the Vocana Microphone ('vocana enable|disable mic')
 *   speaker = off        # publish the Vocana Speaker ('vocana enable|disable speaker')
 *   speaker.strength = 100          # 0..100, as 'vocana set speaker.strength'
 *   speaker.output = NODE_NAME      # the sink it plays into; default: the default sink
 *
 * Blank lines and '#' comments are allowed; keys the service does not know are skipped (so a newer
 * file still loads). A bad line (a known key with a bad value, no '=', too long, a NUL byte) is
 * skipped and reported, naming the line: every other line still applies (issue #13, item 5).
 * Saving writes a temporary file next to the target, fsyncs it and renames it over
 * (io/safe_output.h), so a crash leaves either the old or the new file, never half of one; a
 * symlinked vocana.conf is written through (the link stays, its target gets the new text). Only
 * regular files are read: a FIFO, device or socket in its place is refused at once, never
 * waited on (item 4), and never replaced.
 */
#ifndef VOCANA_SERVICE_CONFIG_H
#define VOCANA_SERVICE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define SERVICE_CONFIG_MAX_BYTES 65536 /* a settings file is a few lines; anything bigger is not ours */
#define SERVICE_CONFIG_MODE 0600       /* one user's settings: private, whatever the umask says */

#define SERVICE_CONFIG_INPUT_MAX 256 /* bytes of a node name, NUL included */

struct service_config {
	int strength;  /* 0..100 */
	bool enabled;  /* false = bypass */
	char input[SERVICE_CONFIG_INPUT_MAX]; /* node.name to capture; "" = the default source */
	bool mic;      /* the Vocana Microphone is published (default on) */
	bool speaker;  /* the Vocana Speaker is published (default off) */
	int speaker_strength; /* 0..100 */
	char speaker_output[SERVICE_CONFIG_INPUT_MAX]; /* sink to play into; "" = the default sink */
};

void service_config_defaults(struct service_config *c);

/* Parse text (len bytes, need not be NUL-terminated) over the values already in c: every good line
 * applies. Returns 0, or -EINVAL when some line was bad (skipped), with a one-line reason for the
 * first ("line 3: strength must be a whole number 0..100 (and 1 more bad line)") in err. */
int service_config_parse(const char *text, size_t len, struct service_config *c, char *err,
			 size_t err_size);

/* Load path over the values in c: 0, -ENOENT if there is no file (c untouched), -EINVAL (err says
 * why: not a regular file, c untouched; or bad lines, the good ones applied), -EFBIG, or another
 * negative errno from reading. */
int service_config_load(const char *path, struct service_config *c, char *err, size_t err_size);

/* The file's text for c, NUL-terminated; returns its length or -ENOSPC. */
int service_config_format(const struct service_config *c, char *buf, size_t size);

/* Write c to path atomically, creating the directory (0700) if needed. An existing file keeps every
 * other line (comments, other settings such as the performance targets of targets.h, unknown keys):
 * only the lines of the settings above change value, missing ones are appended (input and
 * speaker.output only when one is chosen, the speaker's keys only once the speaker is on). The
 * text is checked to read back as c before it is written (a saved value is never silently lost
 * to a line the service cannot read; the values are appended again if need be). 0 or a negative
 * errno (an existing file that cannot be read is left alone). */
int service_config_save(const char *path, const struct service_config *c);

/* The same; msg gets one line: why it failed, or, on success, a warning about lines of the file
 * that are kept but ignored ("" when there are none). */
int service_config_store(const char *path, const struct service_config *c, char *msg,
			 size_t msg_size);

/* ---- The line tokenizer shared by every reader of the settings file (these settings, the
 * performance targets in targets.c) ---------------------------------------------------------- */

/* One "key = value" line: key and value trimmed, the value ends before any '#' comment. */
struct config_kv {
	const char *key, *key_end;
	const char *value, *value_end;
	unsigned line_no; /* 1-based */
};

/* Called for each key/value line; 0 to go on, or a negative errno (with err filled) to stop. */
typedef int (*config_kv_fn)(const struct config_kv *kv, void *ctx, char *err, size_t err_size);

/* Split one line [b, e) (no '\n'): 1 and *kv filled for a key/value line, 0 for a blank or
 * comment-only line, -EINVAL for anything else (no '='). kv->line_no is left to the caller. */
int config_split_line(const char *b, const char *e, struct config_kv *kv);

/* Call fn for each key/value line of text (len bytes); blank and comment lines are skipped. A line
 * longer than 512 bytes, with a NUL byte or without '=', or one fn refuses (returning < 0 with a
 * reason in its err), is skipped and the scan goes on: then -EINVAL, err naming the first bad line
 * and counting the others. 0 when every line was good. */
int config_for_each_kv(const char *text, size_t len, config_kv_fn fn, void *ctx, char *err,
		       size_t err_size);

/* Whether the key is exactly word. */
bool config_key_is(const struct config_kv *kv, const char *word);

/* Read a whole settings file (a regular file of at most SERVICE_CONFIG_MAX_BYTES) into a new
 * buffer (*text, free() it; not NUL-terminated). 0, -ENOENT, -EINVAL / -EFBIG (err says why) or
 * another negative errno. */
int config_read_file(const char *path, char **text, size_t *len, char *err, size_t err_size);

#endif /* VOCANA_SERVICE_CONFIG_H */
