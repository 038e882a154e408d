/* SPDX-License-Identifier: MIT */
/*
 * pw_play_record: a small real-time PipeWire client for the end-to-end tests. It plays a
 * preloaded raw float file into one node and records up to two others in the very same graph
 * cycles, into preloaded buffers (pw-cat and parecord glitch under load, drop partial quanta and
 * lose audio on SIGINT: see the PipeWire testing notes).
 *
 *   pw_play_record -p IN.f32 -P SINK -r OUT.f32 -R SOURCE [-m MON.f32] [-q QUANTUM]
 *                  [-t SECONDS] [-x EXTRA_SAMPLES] [-L] [-c CHANNELS] [-S]
 *   pw_play_record -n SAMPLES -r OUT.f32 -R SOURCE [-q QUANTUM] [-t SECONDS]   (record only)
 *
 *   -p/-P  play IN (f32 at 48 kHz, native endian) into the sink node called SINK
 *   -r/-R  record SOURCE (a node.name) into OUT
 *   -S     SOURCE is a sink: record its monitor (the Vocana Speaker's tests record the null sink
 *          that stands in for the loudspeaker)
 *   -c     CHANNELS on every stream (default 1; files interleaved, streams planar)
 *   -m     also record SINK's monitor into MON (the direct path, for latency baselines)
 *   -q     node.latency QUANTUM/48000 on every stream (the graph runs at the smallest request)
 *   -x     record this many samples beyond the input's length (default 24000)
 *   -t     give up after SECONDS (default 30)
 *   -L     also run the wake-up probe (below) and report it
 *
 * Alignment: nothing is played or recorded until every stream is streaming; then all of them
 * start at the same graph position (the first cycle at or after the one where the last stream
 * came up), so sample 0 of every recording belongs to the cycle that played sample 0 of IN.
 * Prints one line of counters (cycles, position jumps = xruns, empty input buffers; with -p the
 * play stream's delay as pw_stream_get_time() reports it, the latency its peers announce) and
 * exits 0 when both recordings are complete, 1 on error or timeout.
 *
 * The wake-up probe (-L) is the control for those xrun counts: a thread at the highest SCHED_FIFO
 * priority that does nothing but sleep until the next quantum boundary of its own clock and count
 * the wake-ups that came more than one quantum late. Nothing in the graph can be woken sooner than
 * it, so such a wake-up means the platform (kernel, hypervisor) lost that much time; the share of
 * the lateness it spent runnable (schedstat run_delay) tells a busy CPU (runnable, waiting) from
 * a late timer interrupt (not even runnable yet).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>

#define RATE 48000
#define MAX_STREAMS 3
/* Times kept of a stream's xruns and of the probe's late wake-ups, to match them up. */
#define MAX_MARKS 1024

enum role { ROLE_PLAY, ROLE_RECORD, ROLE_MONITOR };

struct app;

struct stream {
	struct app *app;
	enum role role;
	struct pw_stream *st;
	struct spa_hook listener;
	_Atomic(struct spa_io_position *) position;
	atomic_bool streaming;
	float *buf;          /* play: the input; record: the recording (interleaved frames) */
	size_t len;          /* frames in buf (capacity for recordings) */
	size_t pos;          /* data thread: frames done */
	uint32_t channels;
	uint64_t last_pos, last_dur; /* data thread: xrun detection */
	atomic_uint_fast64_t cycles, xruns, empty;
	uint64_t xrun_ns[MAX_MARKS]; /* data thread: graph time (clock.nsec) of the first xruns */
	atomic_uint_fast64_t xrun_marks; /* entries of xrun_ns written (release) */
	atomic_bool done;
};

struct app {
	struct pw_main_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct stream streams[MAX_STREAMS];
	int n_streams;
	atomic_bool go;
	/* Graph position at which every stream starts; UINT64_MAX until chosen. */
	atomic_uint_fast64_t start_pos;
	struct spa_source *timer;
	int exit_code;
	double deadline_s, elapsed_s;
};

struct probe {
	pthread_t thread;
	bool running, realtime;
	atomic_bool stop;
	int64_t period_ns;
	/* Written by the probe thread, read after it is joined. */
	uint64_t wakeups, late, max_late_ns, late_ns, late_runnable_ns;
	/* Wake-ups more than half a quantum late: how many, and when (the due time). */
	uint64_t half_late, half_late_ns[MAX_MARKS];
};

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Nanoseconds this thread has spent runnable but not running (second field of schedstat). */
static int64_t run_delay_ns(int fd)
{
	char text[96];
	ssize_t n = fd < 0 ? -1 : pread(fd, text, sizeof(text) - 1, 0);
	unsigned long long run, delay;

	if (n <= 0)
		return 0;
	text[n] = '\0';
	return sscanf(text, "%llu %llu", &run, &delay) == 2 ? (int64_t)delay : 0;
}

static void *probe_main(void *data)
{
	struct probe *p = data;
	int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	int64_t next = now_ns() + p->period_ns;

	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		struct timespec t = { .tv_sec = next / 1000000000, .tv_nsec = next % 1000000000 };
		int64_t delay0 = run_delay_ns(fd), late;

		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
		late = now_ns() - next;
		p->wakeups++;
		if (late > p->period_ns) {
			p->late++;
			p->late_ns += (uint64_t)late;
			p->late_runnable_ns += (uint64_t)(run_delay_ns(fd) - delay0);
		}
		if (late > p->period_ns / 2 && p->half_late++ < MAX_MARKS)
			p->half_late_ns[p->half_late - 1] = (uint64_t)next;
		if (late > 0 && (uint64_t)late > p->max_late_ns)
			p->max_late_ns = (uint64_t)late;
		next += p->period_ns;
		if (next < now_ns()) /* skip the boundaries already missed */
			next = now_ns() + p->period_ns;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void probe_start(struct probe *p, long quantum)
{
	pthread_attr_t attr;
	struct sched_param sp = { .sched_priority = sched_get_priority_max(SCHED_FIFO) };

	p->period_ns = (int64_t)quantum * 1000000000 / RATE;
	atomic_init(&p->stop, false);
	/* Real-time if allowed (root, RLIMIT_RTPRIO), else a normal thread: reported as rt=0. */
	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &sp);
	p->realtime = pthread_create(&p->thread, &attr, probe_main, p) == 0;
	p->running = p->realtime || pthread_create(&p->thread, NULL, probe_main, p) == 0;
	pthread_attr_destroy(&attr);
}

/* How many of stream S's recorded xruns came within 4 quanta after the due time of a probe
 * wake-up that was more than half a quantum late (the driver's timer was as late as the probe's,
 * and its catch-up cycles run back to back). */
static uint64_t xruns_near_late_wakeups(const struct probe *p, struct stream *s)
{
	uint64_t n = atomic_load_explicit(&s->xrun_marks, memory_order_acquire), near = 0;
	uint64_t n_late = p->half_late < MAX_MARKS ? p->half_late : MAX_MARKS;

	for (uint64_t i = 0; i < n; i++)
		for (uint64_t j = 0; j < n_late; j++)
			if (s->xrun_ns[i] + (uint64_t)p->period_ns >= p->half_late_ns[j] &&
			    s->xrun_ns[i] <= p->half_late_ns[j] + 4 * (uint64_t)p->period_ns) {
				near++;
				break;
			}
	return near;
}

/* Prints the probe's counters and, for each stream, how many of its xruns (of the first
 * MAX_MARKS) followed a late wake-up; "window" is the share of the run those windows cover,
 * i.e. the share expected by chance. */
static void probe_stop(struct probe *p, struct app *a, double seconds)
{
	if (!p->running)
		return;
	atomic_store_explicit(&p->stop, true, memory_order_relaxed);
	pthread_join(p->thread, NULL);
	fprintf(stderr, " [probe rt=%d wakeups=%llu late=%llu half_late=%llu max_late_us=%llu"
		" late_ms=%.1f runnable_ms=%.1f window=%.1f%%", (int)p->realtime,
		(unsigned long long)p->wakeups, (unsigned long long)p->late,
		(unsigned long long)p->half_late, (unsigned long long)(p->max_late_ns / 1000),
		(double)p->late_ns / 1e6, (double)p->late_runnable_ns / 1e6,
		seconds > 0 ? 100.0 * (double)p->half_late * 5 * (double)p->period_ns / 1e9 /
		seconds : 0.0);
	for (int i = 0; i < a->n_streams; i++)
		fprintf(stderr, " %s_xruns_after_late=%llu",
			a->streams[i].role == ROLE_PLAY ? "play" :
			a->streams[i].role == ROLE_RECORD ? "rec" : "mon",
			(unsigned long long)xruns_near_late_wakeups(p, &a->streams[i]));
	fprintf(stderr, "]");
}

static int read_f32(const char *path, float **out, size_t *n)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (f == NULL)
		return -errno;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -EIO;
	}
	*n = (size_t)size / sizeof(float);
	*out = calloc(*n ? *n : 1, sizeof(float));
	if (*out == NULL || fread(*out, sizeof(float), *n, f) != *n) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

static int write_f32(const char *path, const float *x, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -errno;
	if (fwrite(x, sizeof(float), n, f) != n) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) == 0 ? 0 : -errno;
}

/* Has the common start position been reached in this cycle? Chooses it on first call after go. */
static bool started(struct stream *s, const struct spa_io_position *pos)
{
	uint64_t start = atomic_load(&s->app->start_pos);

	if (!atomic_load(&s->app->go) || pos == NULL)
		return false;
	if (start == UINT64_MAX) {
		uint64_t want = pos->clock.position + pos->clock.duration; /* the next cycle */

		if (!atomic_compare_exchange_strong(&s->app->start_pos, &start, want))
			want = start;
		start = want;
	}
	return pos->clock.position >= start;
}

static void track_xruns(struct stream *s, const struct spa_io_position *pos)
{
	if (pos == NULL)
		return;
	if (s->last_dur && pos->clock.position != s->last_pos + s->last_dur) {
		uint64_t n = atomic_fetch_add(&s->xruns, 1);

		if (n < MAX_MARKS) {
			s->xrun_ns[n] = pos->clock.nsec;
			atomic_store_explicit(&s->xrun_marks, n + 1, memory_order_release);
		}
	}
	s->last_pos = pos->clock.position;
	s->last_dur = pos->clock.duration;
}

static void on_process(void *data)
{
	struct stream *s = data;
	struct spa_io_position *pos = atomic_load(&s->position);
	struct pw_buffer *b = pw_stream_dequeue_buffer(s->st);
	struct spa_data *d;
	bool run;

	if (b == NULL)
		return;
	d = &b->buffer->datas[0];
	track_xruns(s, pos);
	atomic_fetch_add(&s->cycles, 1);
	run = started(s, pos);
	if (b->buffer->n_datas < s->channels) {
		pw_stream_queue_buffer(s->st, b);
		return;
	}
	if (s->role == ROLE_PLAY) {
		uint32_t cap = d->maxsize / sizeof(float);
		uint32_t n = b->requested ? (uint32_t)b->requested :
					    (pos ? (uint32_t)pos->clock.duration : cap);
		size_t from = s->pos;

		if (n > cap)
			n = cap;
		for (uint32_t c = 0; c < s->channels; c++) {
			struct spa_data *dc = &b->buffer->datas[c];
			float *dst = dc->data;
			size_t p = from;

			for (uint32_t i = 0; i < n; i++, p += run)
				dst[i] = (run && p < s->len) ? s->buf[p * s->channels + c] : 0.0f;
			dc->chunk->offset = 0;
			dc->chunk->stride = sizeof(float);
			dc->chunk->size = n * sizeof(float);
		}
		if (run)
			s->pos = from + n < s->len ? from + n : s->len;
		if (run && s->pos >= s->len)
			atomic_store(&s->done, true);
	} else if (d->data != NULL && d->chunk != NULL) {
		uint32_t n = UINT32_MAX;
		size_t from = s->pos;

		for (uint32_t c = 0; c < s->channels; c++) {
			struct spa_data *dc = &b->buffer->datas[c];
			uint32_t off, size, k;

			if (dc->data == NULL || dc->chunk == NULL) {
				n = 0;
				break;
			}
			off = dc->chunk->offset < dc->maxsize ? dc->chunk->offset : dc->maxsize;
			size = dc->chunk->size < dc->maxsize - off ? dc->chunk->size : dc->maxsize - off;
			k = size / sizeof(float);
			n = k < n ? k : n;
		}
		if (n == 0)
			atomic_fetch_add(&s->empty, 1);
		for (uint32_t c = 0; c < s->channels && run; c++) {
			struct spa_data *dc = &b->buffer->datas[c];
			uint32_t off = dc->chunk->offset < dc->maxsize ? dc->chunk->offset : dc->maxsize;
			const float *src = SPA_PTROFF(dc->data, off, const float);
			size_t p = from;

			for (uint32_t i = 0; i < n && p < s->len; i++, p++)
				s->buf[p * s->channels + c] = src[i];
		}
		if (run)
			s->pos = from + n < s->len ? from + n : s->len;
		if (s->pos >= s->len)
			atomic_store(&s->done, true);
	}
	pw_stream_queue_buffer(s->st, b);
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct stream *s = data;

	if (id == SPA_IO_Position)
		atomic_store(&s->position, area);
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
			     const char *error)
{
	struct stream *s = data;
	struct app *a = s->app;
	bool all = true;

	if (state == PW_STREAM_STATE_ERROR) {
		fprintf(stderr, "pw_play_record: stream error: %s\n", error ? error : "?");
		a->exit_code = 1;
		pw_main_loop_quit(a->loop);
		return;
	}
	atomic_store(&s->streaming, state == PW_STREAM_STATE_STREAMING);
	for (int i = 0; i < a->n_streams; i++)
		all = all && atomic_load(&a->streams[i].streaming);
	if (all)
		atomic_store(&a->go, true);
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.io_changed = on_io_changed,
	.process = on_process,
};

static int add_stream(struct app *a, enum role role, const char *target, const char *latency,
		      uint32_t channels, bool record_monitor)
{
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	static const uint32_t stereo[] = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR };
	struct spa_audio_info_raw info = {
		.format = SPA_AUDIO_FORMAT_F32P, .channels = channels, .rate = RATE,
		.position = { SPA_AUDIO_CHANNEL_MONO },
	};
	const struct spa_pod *params[1];
	struct stream *s = &a->streams[a->n_streams];
	struct pw_properties *props;
	static const char *names[] = { "vocana-test-play", "vocana-test-record",
				       "vocana-test-monitor" };

	props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
				  PW_KEY_MEDIA_CATEGORY, role == ROLE_PLAY ? "Playback" : "Capture",
				  PW_KEY_NODE_NAME, names[role],
				  PW_KEY_TARGET_OBJECT, target,
				  PW_KEY_NODE_LATENCY, latency,
				  PW_KEY_NODE_DONT_RECONNECT, "true",
				  NULL);
	if (role == ROLE_MONITOR || (role == ROLE_RECORD && record_monitor))
		pw_properties_set(props, "stream.capture.sink", "true");
	/* Mono, stereo, or unpositioned channels beyond that. */
	for (uint32_t c = 0; channels > 1 && c < channels && c < SPA_AUDIO_MAX_CHANNELS; c++)
		info.position[c] = c < 2 && channels == 2 ? stereo[c] : SPA_AUDIO_CHANNEL_AUX0 + c;
	s->app = a;
	s->role = role;
	s->channels = channels;
	s->st = pw_stream_new(a->core, names[role], props);
	if (s->st == NULL)
		return -errno;
	pw_stream_add_listener(s->st, &s->listener, &stream_events, s);
	params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
	a->n_streams++;
	return pw_stream_connect(s->st, role == ROLE_PLAY ? PW_DIRECTION_OUTPUT : PW_DIRECTION_INPUT,
				 PW_ID_ANY,
				 PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
				 PW_STREAM_FLAG_RT_PROCESS,
				 params, 1);
}

static void on_timer(void *data, uint64_t expirations)
{
	struct app *a = data;
	bool all = true;

	a->elapsed_s += 0.01;
	for (int i = 0; i < a->n_streams; i++)
		if (a->streams[i].role != ROLE_PLAY)
			all = all && atomic_load(&a->streams[i].done);
	if (all) {
		pw_main_loop_quit(a->loop);
	} else if (a->elapsed_s > a->deadline_s) {
		fprintf(stderr, "pw_play_record: timed out after %.0f s (go=%d", a->deadline_s,
			(int)atomic_load(&a->go));
		for (int i = 0; i < a->n_streams; i++)
			fprintf(stderr, ", stream %d: streaming=%d cycles=%llu pos=%zu/%zu", i,
				(int)atomic_load(&a->streams[i].streaming),
				(unsigned long long)atomic_load(&a->streams[i].cycles),
				a->streams[i].pos, a->streams[i].len);
		fprintf(stderr, ")\n");
		a->exit_code = 1;
		pw_main_loop_quit(a->loop);
	}
}

int main(int argc, char **argv)
{
	const char *play = NULL, *play_target = NULL, *rec = NULL, *rec_target = NULL,
		   *mon = NULL;
	struct timespec tick = { .tv_nsec = 10000000 };
	long quantum = 256, extra = 24000, record_only = 0, channels = 1;
	bool with_probe = false, record_monitor = false;
	struct probe probe = { 0 };
	char latency[32];
	struct app a = { .deadline_s = 30 };
	float *in = NULL;
	size_t n_in = 0;
	int64_t play_delay = -1;
	int c, res;

	while ((c = getopt(argc, argv, "p:P:r:R:m:q:x:t:n:Lc:S")) != -1) {
		switch (c) {
		case 'n': record_only = strtol(optarg, NULL, 10); break;
		case 'p': play = optarg; break;
		case 'P': play_target = optarg; break;
		case 'r': rec = optarg; break;
		case 'R': rec_target = optarg; break;
		case 'm': mon = optarg; break;
		case 'q': quantum = strtol(optarg, NULL, 10); break;
		case 'x': extra = strtol(optarg, NULL, 10); break;
		case 't': a.deadline_s = strtod(optarg, NULL); break;
		case 'L': with_probe = true; break;
		case 'c': channels = strtol(optarg, NULL, 10); break;
		case 'S': record_monitor = true; break;
		default:
			fprintf(stderr, "usage: see the comment at the top of pw_play_record.c\n");
			return 2;
		}
	}
	if (!rec || !rec_target || quantum < 16 || extra < 0 || channels < 1 || channels > 8 ||
	    (record_only <= 0 && (!play || !play_target)) || (record_only > 0 && (play || mon))) {
		fprintf(stderr, "pw_play_record: need -r and -R, and -p and -P or -n\n");
		return 2;
	}
	if (record_only > 0) {
		n_in = (size_t)record_only;
		extra = 0;
	} else if ((res = read_f32(play, &in, &n_in)) < 0) {
		fprintf(stderr, "pw_play_record: %s: %s\n", play, strerror(-res));
		return 1;
	} else {
		n_in /= (size_t)channels; /* frames */
	}
	snprintf(latency, sizeof(latency), "%ld/%d", quantum, RATE);
	atomic_init(&a.start_pos, UINT64_MAX);
	pw_init(&argc, &argv);
	a.loop = pw_main_loop_new(NULL);
	a.context = pw_context_new(pw_main_loop_get_loop(a.loop),
				   pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
	a.core = a.context ? pw_context_connect(a.context, NULL, 0) : NULL;
	if (a.core == NULL) {
		fprintf(stderr, "pw_play_record: cannot connect to PipeWire: %s\n", strerror(errno));
		return 1;
	}
	/* Recorders first, so they are linked before the first played sample can arrive. */
	res = add_stream(&a, ROLE_RECORD, rec_target, latency, (uint32_t)channels, record_monitor);
	if (res >= 0 && mon)
		res = add_stream(&a, ROLE_MONITOR, play_target, latency, (uint32_t)channels, false);
	if (res >= 0 && play)
		res = add_stream(&a, ROLE_PLAY, play_target, latency, (uint32_t)channels, false);
	if (res < 0) {
		fprintf(stderr, "pw_play_record: cannot connect a stream: %s\n", strerror(-res));
		return 1;
	}
	for (int i = 0; i < a.n_streams; i++) {
		struct stream *s = &a.streams[i];

		if (s->role == ROLE_PLAY) {
			s->buf = in;
			s->len = n_in;
		} else {
			s->len = n_in + (size_t)extra;
			s->buf = calloc(s->len * (size_t)channels, sizeof(float));
			if (s->buf == NULL)
				return 1;
		}
	}
	a.timer = pw_loop_add_timer(pw_main_loop_get_loop(a.loop), on_timer, &a);
	pw_loop_update_timer(pw_main_loop_get_loop(a.loop), a.timer, &tick, &tick, false);
	if (with_probe)
		probe_start(&probe, quantum);
	pw_main_loop_run(a.loop);

	/* What the graph says playing has to wait for (what a video player keeps lip sync by): the
	 * peers' announced latency, in samples. */
	for (int i = 0; i < a.n_streams; i++)
		if (a.streams[i].role == ROLE_PLAY) {
			struct pw_time t = { 0 };

			if (pw_stream_get_time_n(a.streams[i].st, &t, sizeof(t)) == 0)
				play_delay = t.delay;
		}
	for (int i = 0; i < a.n_streams; i++)
		pw_stream_set_active(a.streams[i].st, false);
	fprintf(stderr, "pw_play_record: quantum %ld:", quantum);
	for (int i = 0; i < a.n_streams; i++) {
		struct stream *s = &a.streams[i];

		fprintf(stderr, " [%s cycles=%llu xruns=%llu empty=%llu]",
			s->role == ROLE_PLAY ? "play" : s->role == ROLE_RECORD ? "rec" : "mon",
			(unsigned long long)atomic_load(&s->cycles),
			(unsigned long long)atomic_load(&s->xruns),
			(unsigned long long)atomic_load(&s->empty));
	}
	if (play)
		fprintf(stderr, " [play_delay=%lld]", (long long)play_delay);
	probe_stop(&probe, &a, a.elapsed_s);
	fprintf(stderr, "\n");
	if (a.exit_code == 0)
		for (int i = 0; i < a.n_streams; i++) {
			struct stream *s = &a.streams[i];
			const char *path = s->role == ROLE_RECORD ? rec : mon;

			if (s->role != ROLE_PLAY &&
			    (res = write_f32(path, s->buf, s->len * s->channels)) < 0) {
				fprintf(stderr, "pw_play_record: %s: %s\n", path, strerror(-res));
				a.exit_code = 1;
			}
		}
	for (int i = 0; i < a.n_streams; i++) {
		pw_stream_destroy(a.streams[i].st);
		if (a.streams[i].role != ROLE_PLAY)
			free(a.streams[i].buf);
	}
	free(in);
	pw_loop_destroy_source(pw_main_loop_get_loop(a.loop), a.timer);
	pw_core_disconnect(a.core);
	pw_context_destroy(a.context);
	pw_main_loop_destroy(a.loop);
	pw_deinit();
	return a.exit_code;
}
