/*
 * 'exec "COMMAND" [timeout MS]': up when the command exits with status 0
 * within MS, down otherwise.  fork + execve (see component_argv.c for the
 * words), the child in a process group of its own with stdin, stdout and
 * stderr on /dev/null and no other fd of cmshad's.  Its exit is seen through
 * a pidfd in the monitor's epoll set, then reaped with waitpid(WNOHANG): no
 * SIGCHLD handler, no blocking wait in the loop.  Where pidfd_open() is
 * missing (Linux < 5.3, valgrind, some seccomp filters) a timer polls
 * waitpid(WNOHANG) instead.  At the timeout the group gets SIGKILL and the
 * check stays busy until the command can be reaped.
 */
#include "autoconfig.h"
#include "components_private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* At stop only: how long a killed command may take to die before init gets it. */
#define STOP_REAP_MS 1000
/* Without a pidfd: how often to ask whether the command has exited. */
#define EXIT_POLL_MS 10

extern char **environ;

static int pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

int (*cmsha_exec_pidfd_open)(pid_t pid) = pidfd_open_compat;

static void close_from(int first, long max_fd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0)
		return;
#endif
	for (long fd = first; fd < max_fd; fd++)
		close((int)fd);
}

/* In the child, between fork() and execve(): async-signal-safe calls only. */
static _Noreturn void child(const char *path, char *const argv[], int null_fd, long max_fd)
{
	struct sigaction dfl;
	sigset_t none;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* cmshad ignores SIGPIPE, and an ignored signal stays ignored across execve. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGPIPE, &dfl, NULL);
	if (dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0)
		_exit(127);
	close_from(3, max_fd);
	execve(path, argv, environ);
	_exit(127);
}

static pid_t spawn(const char *path, char *const argv[])
{
	long max_fd = sysconf(_SC_OPEN_MAX);
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC), saved;
	pid_t pid;

	if (null_fd < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		child(path, argv, null_fd, max_fd > 0 ? max_fd : 1024);
	saved = errno;
	/* As the child does: the group exists before anyone may kill it. */
	if (pid > 0)
		setpgid(pid, pid);
	close(null_fd);
	errno = saved;
	return pid;
}

static void exec_fail(struct cmsha_check *c, const char *what, int error)
{
	char why[CMSHA_CHECK_WHY_LEN];

	snprintf(why, sizeof(why), "%s: %s: %s", c->argv[0], what, strerror(error));
	cmsha_check_done(c, CMSHA_COMPONENT_DOWN, why);
}

static void kill_group(struct cmsha_check *c)
{
	if (kill(-c->pid, SIGKILL) != 0)
		kill(c->pid, SIGKILL);
}

static void exec_ready(struct cmsha_check *c);

static void on_exit_poll(void *arg)
{
	struct cmsha_check *c = arg;

	c->exit_poll = 0;           /* one-shot: it is gone */
	exec_ready(c);
}

/* The fallback of the pidfd: false if no timer can be armed. */
static bool poll_for_exit(struct cmsha_check *c)
{
	const struct cmsha_component_env *env = &c->mon->env;

	c->exit_poll = env->timer_add(env->ctx, EXIT_POLL_MS, on_exit_poll, c);
	return c->exit_poll != 0;
}

static void stop_exit_poll(struct cmsha_check *c)
{
	const struct cmsha_component_env *env = &c->mon->env;

	if (c->exit_poll)
		env->timer_cancel(env->ctx, c->exit_poll);
	c->exit_poll = 0;
}

/* A pidfd in the epoll set, else the polling timer; false if neither. */
static bool await_exit(struct cmsha_check *c)
{
	int pidfd = cmsha_exec_pidfd_open(c->pid);

	if (pidfd >= 0 && cmsha_check_watch(c, pidfd, EPOLLIN))
		return true;
	if (pidfd >= 0)
		close(pidfd);
	return poll_for_exit(c);
}

static void exec_run(struct cmsha_check *c)
{
	char path[PATH_MAX];

	if (!cmsha_exec_path(c->argv[0], path, sizeof(path))) {
		exec_fail(c, "not found in PATH", ENOENT);
		return;
	}
	c->timed_out = false;
	if ((c->pid = spawn(path, c->argv)) < 0) {
		c->pid = 0;
		exec_fail(c, "fork", errno);
		return;
	}
	if (!await_exit(c)) {
		/* Nothing would tell us of its exit: kill it, reap it now (it dies at once). */
		kill_group(c);
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
		exec_fail(c, "cannot wait for its exit", ENOMEM);
		return;
	}
	if (!cmsha_check_deadline(c, c->conf->timeout_ms)) {
		kill_group(c);      /* no timer, no timeout: do not let it run */
		c->timed_out = true;
		cmsha_check_report(c, CMSHA_COMPONENT_DOWN, "no timer for the command's timeout");
	}
}

static void report_status(struct cmsha_check *c, int status)
{
	char why[CMSHA_CHECK_WHY_LEN];

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(why, sizeof(why), "%s: exit status 0", c->argv[0]);
		cmsha_check_done(c, CMSHA_COMPONENT_UP, why);
		return;
	}
	if (WIFEXITED(status))
		snprintf(why, sizeof(why), "%s: exit status %d%s", c->argv[0], WEXITSTATUS(status),
			 WEXITSTATUS(status) == 127 ? " (or it could not be executed)" : "");
	else
		snprintf(why, sizeof(why), "%s: killed by signal %d", c->argv[0],
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	cmsha_check_done(c, CMSHA_COMPONENT_DOWN, why);
}

/* The pidfd is readable (or the polling timer fired): reap the command if it has exited. */
static void exec_ready(struct cmsha_check *c)
{
	int status = 0;
	pid_t r = waitpid(c->pid, &status, WNOHANG);

	if (r == 0) {
		/* Still running; polling goes on (a failing timer leaves the rest to stop). */
		if (c->fd < 0)
			poll_for_exit(c);
		return;
	}
	c->pid = 0;
	stop_exit_poll(c);
	if (c->timed_out)
		cmsha_check_end(c); /* reported when it was killed */
	else if (r < 0)
		exec_fail(c, "waitpid", errno);
	else
		report_status(c, status);
}

static void exec_expired(struct cmsha_check *c)
{
	char why[CMSHA_CHECK_WHY_LEN];

	kill_group(c);
	c->timed_out = true;
	snprintf(why, sizeof(why), "%s: no exit within %u ms: killed", c->argv[0],
		 c->conf->timeout_ms);
	cmsha_check_report(c, CMSHA_COMPONENT_DOWN, why);
}

/*
 * An ignored SIGCHLD (or SA_NOCLDWAIT), inherited from whoever started
 * cmshad, makes the kernel reap children itself: their exit status would be
 * lost.  The default disposition keeps it and, like SIG_IGN, does nothing.
 */
static void keep_exit_statuses(void)
{
	struct sigaction sa;

	if (sigaction(SIGCHLD, NULL, &sa) != 0 ||
	    (sa.sa_handler != SIG_IGN && !(sa.sa_handler == SIG_DFL && (sa.sa_flags & SA_NOCLDWAIT))))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
}

static bool exec_prepare(struct cmsha_check *c, char *err, size_t errlen)
{
	keep_exit_statuses();
	c->argv = cmsha_exec_argv(c->conf->target, err, errlen);
	return c->argv != NULL;
}

/* SIGKILLed: wait for it (bounded) so that no zombie is left behind. */
static void reap_at_stop(pid_t pid, int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	if (pidfd >= 0) {
		poll(&p, 1, STOP_REAP_MS);
		waitpid(pid, NULL, WNOHANG);
		return;
	}
	for (int waited = 0; waitpid(pid, NULL, WNOHANG) == 0 && waited < STOP_REAP_MS;
	     waited += EXIT_POLL_MS)
		poll(NULL, 0, EXIT_POLL_MS);
}

/* At stop: kill a command in progress and give it a moment to be reaped. */
static void exec_release(struct cmsha_check *c)
{
	stop_exit_poll(c);
	if (c->pid > 0) {
		kill_group(c);
		reap_at_stop(c->pid, c->fd);
		c->pid = 0;
	}
	cmsha_check_end(c);
	free(c->argv);
	c->argv = NULL;
}

const struct cmsha_check_ops cmsha_exec_check_ops = {
	exec_prepare, exec_run, exec_ready, exec_expired, exec_release
};
