/* SPDX-License-Identifier: MIT */
#include "cli_runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *vocana;
static char dir[] = "/tmp/vocana-cli-test-XXXXXX";

int runner_init(const char *vocana_path)
{
	vocana = vocana_path;
	if (access(vocana, X_OK) != 0) {
		fprintf(stderr, "%s: not executable\n", vocana);
		return -1;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

const char *runner_dir(void)
{
	return dir;
}

const char *path_in_dir(const char *name)
{
	static char paths[128][600];
	static unsigned next;
	char *p = paths[next++ % 128];

	snprintf(p, 600, "%s/%s", dir, name);
	return p;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	*n = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size + 1);
		if (buf != NULL) {
			*n = fread(buf, 1, (size_t)size, f);
			buf[*n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

pid_t runner_spawn(const char *const *args, const char *stdin_path, int stdin_fd)
{
	const char *argv[64];
	size_t n = 0;
	pid_t pid;

	argv[n++] = vocana;
	for (; *args != NULL && n < 63; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid != 0)
		return pid;
	/* child */
	if (stdin_fd >= 0) {
		dup2(stdin_fd, STDIN_FILENO);
		close(stdin_fd);
	} else {
		int fd = open(stdin_path != NULL ? stdin_path : "/dev/null", O_RDONLY);
		if (fd < 0)
			_exit(126);
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	/* The program meets signals as it would under a terminal: a shell that runs the test suite
	 * in the background (`scripts/test.sh &`) ignores SIGINT and SIGQUIT, which the child would
	 * inherit, and the tests that send them would wait for nothing. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (freopen(path_in_dir("stdout.bin"), "wb", stdout) == NULL ||
	    freopen(path_in_dir("stderr.txt"), "wb", stderr) == NULL)
		_exit(126);
	execv(vocana, (char *const *)argv);
	_exit(127);
}

int runner_wait(pid_t pid, double timeout_s)
{
	double deadline = now_s() + timeout_s;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0)
			return -1;
		if (now_s() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fprintf(stderr, "vocana timed out after %.0f s\n", timeout_s);
			return -1;
		}
		sleep_ms(2);
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

void runner_collect(struct result *r, int status)
{
	char *err;
	size_t n;

	r->status = status;
	err = read_file(path_in_dir("stderr.txt"), &n);
	snprintf(r->err, sizeof(r->err), "%s", err != NULL ? err : "");
	free(err);
	r->err_lines = 0;
	for (const char *p = r->err; *p != '\0'; p++)
		r->err_lines += *p == '\n';
	if (r->err[0] != '\0' && r->err[strlen(r->err) - 1] != '\n')
		r->err_lines++;
	r->out = read_file(path_in_dir("stdout.bin"), &r->out_len);
	unlink(path_in_dir("stdout.bin"));
	unlink(path_in_dir("stderr.txt"));
}

struct result run_args(const char *stdin_path, const char *const *args)
{
	struct result r;
	pid_t pid = runner_spawn(args, stdin_path, -1);

	memset(&r, 0, sizeof(r));
	runner_collect(&r, pid > 0 ? runner_wait(pid, RUN_TIMEOUT_S) : -1);
	return r;
}

void result_free(struct result *r)
{
	free(r->out);
	r->out = NULL;
}

bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int count_temp_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strstr(e->d_name, ".tmp-") != NULL;
	closedir(d);
	return n;
}

bool contains(const char *haystack, const char *needle)
{
	return haystack != NULL && strstr(haystack, needle) != NULL;
}

void runner_cleanup(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(path_in_dir(e->d_name));
	closedir(d);
	rmdir(dir);
}
