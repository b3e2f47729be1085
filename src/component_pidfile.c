/*
 * 'pidfile PATH': up when the file holds the process id of a live process.
 * The check is one small read and kill(pid, 0): it reports at once.
 */
#include "autoconfig.h"
#include "components_private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longer than any "pid\n" a daemon writes: more is not a pid file. */
#define PIDFILE_MAX 32

/* A decimal pid, blanks around it allowed, nothing else. */
static bool parse_pid(const char *text, pid_t *pid)
{
	char *end;
	long v;

	while (*text == ' ' || *text == '\t')
		text++;
	if (*text < '0' || *text > '9')
		return false;
	errno = 0;
	v = strtol(text, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (errno || *end || v < 1 || v > INT_MAX)
		return false;
	*pid = (pid_t)v;
	return true;
}

/*
 * O_NONBLOCK: a FIFO put at the path must not hang the loop in open() or
 * read(); anything but a regular file is refused anyway.
 */
static bool read_pid(const char *path, pid_t *pid, char *why, size_t len)
{
	char buf[PIDFILE_MAX + 1];
	struct stat st;
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		snprintf(why, len, "pid file %s: %s", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || n > PIDFILE_MAX) {
		snprintf(why, len, "pid file %s is not a small regular file", path);
		return false;
	}
	buf[n] = '\0';
	if (!parse_pid(buf, pid)) {
		snprintf(why, len, "pid file %s holds no process id", path);
		return false;
	}
	return true;
}

static bool pidfile_prepare(struct cmsha_check *c, char *err, size_t errlen)
{
	(void)c;
	(void)err;
	(void)errlen;
	return true;                /* the config parser checked the path */
}

static void pidfile_run(struct cmsha_check *c)
{
	char why[CMSHA_CHECK_WHY_LEN];
	pid_t pid;

	if (!read_pid(c->conf->target, &pid, why, sizeof(why))) {
		cmsha_check_done(c, CMSHA_COMPONENT_DOWN, why);
		return;
	}
	/* EPERM: the process exists but belongs to a user we may not signal. */
	if (kill(pid, 0) == 0 || errno == EPERM) {
		snprintf(why, sizeof(why), "process %ld (pid file %s) is running", (long)pid,
			 c->conf->target);
		cmsha_check_done(c, CMSHA_COMPONENT_UP, why);
	} else {
		snprintf(why, sizeof(why), "process %ld (pid file %s) is not running", (long)pid,
			 c->conf->target);
		cmsha_check_done(c, CMSHA_COMPONENT_DOWN, why);
	}
}

/* Never in progress: nothing to wait for, expire or release. */
static void pidfile_idle(struct cmsha_check *c)
{
	cmsha_check_end(c);
}

const struct cmsha_check_ops cmsha_pidfile_check_ops = {
	pidfile_prepare, pidfile_run, pidfile_idle, pidfile_idle, pidfile_idle
};
