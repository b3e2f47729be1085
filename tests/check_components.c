/*
 * Component checks against the real system: pid files, TCP listeners on
 * 127.0.0.1, commands.  The monitor runs in a small event loop of the
 * test's own (timers in an array, fds in poll()), driven until a condition
 * holds or a deadline passes, never by fixed sleeps.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "components_private.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 3000        /* for what must happen */

/* ---- the test's event loop ---------------------------------------------- */

#define MAX_TIMERS  80
#define MAX_WATCHES 4

struct test_timer {
	unsigned id;
	long due_ms;
	cmsha_callback fn;
	void *arg;
};

struct test_watch {
	int fd;
	cmsha_callback fn;
	void *arg;
};

static struct test_timer timers[MAX_TIMERS];
static struct test_watch watches[MAX_WATCHES];
static size_t n_watches;
static unsigned last_timer_id;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static unsigned t_timer_add(void *ctx, unsigned ms, cmsha_callback fn, void *arg)
{
	(void)ctx;
	for (size_t i = 0; i < MAX_TIMERS; i++)
		if (!timers[i].id) {
			timers[i] = (struct test_timer){ ++last_timer_id, now_ms() + ms, fn, arg };
			return timers[i].id;
		}
	return 0;
}

static void t_timer_cancel(void *ctx, unsigned id)
{
	(void)ctx;
	for (size_t i = 0; i < MAX_TIMERS; i++)
		if (timers[i].id == id)
			timers[i].id = 0;
}

static bool t_fd_watch(void *ctx, int fd, cmsha_callback fn, void *arg)
{
	(void)ctx;
	if (n_watches == MAX_WATCHES)
		return false;
	watches[n_watches++] = (struct test_watch){ fd, fn, arg };
	return true;
}

static void t_fd_unwatch(void *ctx, int fd)
{
	(void)ctx;
	for (size_t i = 0; i < n_watches; i++)
		if (watches[i].fd == fd)
			watches[i] = watches[--n_watches];
}

static const struct cmsha_component_env env = {
	t_timer_add, t_timer_cancel, t_fd_watch, t_fd_unwatch, NULL
};

static size_t armed_timers(void)
{
	size_t n = 0;

	for (size_t i = 0; i < MAX_TIMERS; i++)
		n += timers[i].id != 0;
	return n;
}

/* The earliest timer, or NULL. */
static struct test_timer *next_timer(void)
{
	struct test_timer *next = NULL;

	for (size_t i = 0; i < MAX_TIMERS; i++)
		if (timers[i].id && (!next || timers[i].due_ms < next->due_ms))
			next = &timers[i];
	return next;
}

/* One turn: wait for an fd until the next timer (at most until 'until'), run what is due. */
static void loop_once(long until)
{
	struct pollfd p[MAX_WATCHES];
	struct test_timer *t = next_timer();
	long wait = (t && t->due_ms < until ? t->due_ms : until) - now_ms();
	size_t n = n_watches;

	for (size_t i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = watches[i].fd, .events = POLLIN };
	if (poll(p, n, wait > 0 ? (int)wait : 0) > 0)
		for (size_t i = 0; i < n; i++)
			if (p[i].revents)
				watches[i].fn(watches[i].arg);
	while ((t = next_timer()) && t->due_ms <= now_ms()) {
		struct test_timer fired = *t;

		t->id = 0;      /* one-shot */
		fired.fn(fired.arg);
	}
}

/* Run the loop until cond() holds (true) or ms pass (false). */
static bool loop_until(bool (*cond)(void), long ms)
{
	long until = now_ms() + ms;

	while (!cond()) {
		if (now_ms() >= until)
			return false;
		loop_once(until);
	}
	return true;
}

/* ---- the monitor under test ---------------------------------------------- */

#define MAX_CHANGES 16

struct change {
	size_t index;
	enum cmsha_component_state from, to;
	char why[CMSHA_CHECK_WHY_LEN];
};

static struct cmsha_config cfg;
static struct cmsha_component_runtime rt[8];
static struct cmsha_components *mon;
static struct change changes[MAX_CHANGES];
static size_t n_changes;
static char err[256];
static struct timespec started;

static void on_change(void *arg, size_t index, enum cmsha_component_state from,
		      enum cmsha_component_state to, const char *why)
{
	(void)arg;
	if (n_changes == MAX_CHANGES)
		return;
	changes[n_changes] = (struct change){ index, from, to, "" };
	snprintf(changes[n_changes++].why, CMSHA_CHECK_WHY_LEN, "%s", why);
}

static const struct cmsha_component_observer observer = { on_change, NULL };

static void setup(void)
{
	cmsha_config_init(&cfg);
	memset(timers, 0, sizeof(timers));
	n_watches = 0;
	n_changes = 0;
	mon = NULL;
	clock_gettime(CLOCK_REALTIME, &started);
	for (size_t i = 0; i < 8; i++)
		rt[i] = (struct cmsha_component_runtime){ CMSHA_COMPONENT_UNKNOWN, started };
}

static void teardown(void)
{
	cmsha_components_stop(mon);
	cmsha_config_free(&cfg);
}

/* A 'component' line's arguments, printf-style. */
static void component(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void component(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ck_assert_msg(cmsha_config_apply(&cfg, "component", line, err, sizeof(err)), "%s", err);
}

static void start(void)
{
	mon = cmsha_components_start(&cfg, rt, &env, &observer, err, sizeof(err));
	ck_assert_msg(mon != NULL, "%s", err);
}

static bool all_known(void)
{
	for (size_t i = 0; i < cfg.n_components; i++)
		if (rt[i].state == CMSHA_COMPONENT_UNKNOWN)
			return false;
	return true;
}

/* Start, wait for every first result, expect these states in order. */
static void expect_states(const enum cmsha_component_state *want)
{
	start();
	ck_assert_msg(loop_until(all_known, DEADLINE_MS), "no result in time");
	for (size_t i = 0; i < cfg.n_components; i++)
		ck_assert_msg(rt[i].state == want[i], "component %zu (%s): %s, not %s", i,
			      cfg.components[i].name, cmsha_component_state_name(rt[i].state),
			      cmsha_component_state_name(want[i]));
}

/* The observer's note about component i, last one. */
static const char *why_of(size_t index)
{
	for (size_t i = n_changes; i-- > 0;)
		if (changes[i].index == index)
			return changes[i].why;
	return "";
}

/* No child left: none running and none waiting to be reaped (WNOWAIT reaps nothing). */
static bool no_children(void)
{
	siginfo_t info;

	return waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
}

#define UP      CMSHA_COMPONENT_UP
#define DOWN    CMSHA_COMPONENT_DOWN
#define UNKNOWN CMSHA_COMPONENT_UNKNOWN

static bool first_up(void) { return rt[0].state == UP; }
static bool first_down(void) { return rt[0].state == DOWN; }

/* ---- pidfile ---------------------------------------------------------------- */

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void pid_dir_setup(void)
{
	setup();
	snprintf(dir, sizeof(dir), "/tmp/check_components.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void pid_dir_teardown(void)
{
	const char *names[] = { "live", "dead", "garbage", "trailing", "zero", "empty", "big" };
	char path[128];

	teardown();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* A pid that was just used and is gone (reaped). */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	return pid;
}

START_TEST(pidfile_states)
{
	char text[32];
	static const enum cmsha_component_state want[] = { UP, DOWN, DOWN, DOWN, DOWN, DOWN,
							   DOWN, DOWN };

	snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	write_file("live", text);
	snprintf(text, sizeof(text), "%ld\n", (long)dead_pid());
	write_file("dead", text);
	write_file("garbage", "cms is running\n");
	write_file("trailing", "12x\n");
	write_file("zero", "0\n");
	write_file("empty", "");
	write_file("big", "1                                          \n");
	component("live required pidfile %s/live", dir);
	component("dead required pidfile %s/dead", dir);
	component("garbage required pidfile %s/garbage", dir);
	component("trailing required pidfile %s/trailing", dir);
	component("zero required pidfile %s/zero", dir);
	component("empty required pidfile %s/empty", dir);
	component("big required pidfile %s/big", dir);
	component("missing required pidfile %s/missing", dir);
	expect_states(want);
	ck_assert_ptr_nonnull(strstr(why_of(0), "is running"));
	ck_assert_ptr_nonnull(strstr(why_of(1), "is not running"));
	ck_assert_ptr_nonnull(strstr(why_of(2), "holds no process id"));
	ck_assert_ptr_nonnull(strstr(why_of(6), "not a small regular file"));
	ck_assert_ptr_nonnull(strstr(why_of(7), "No such file or directory"));
}
END_TEST

START_TEST(state_change_is_timed_and_observed)
{
	char text[32];

	cfg.probe_interval_ms = 50;
	snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	write_file("live", text);
	component("cms required pidfile %s/live", dir);
	start();
	ck_assert_int_eq(rt[0].state, UNKNOWN);     /* nothing runs before the loop does */
	ck_assert(loop_until(all_known, DEADLINE_MS));
	ck_assert_int_eq(rt[0].state, UP);
	ck_assert(rt[0].last_change.tv_sec > started.tv_sec ||
		  (rt[0].last_change.tv_sec == started.tv_sec &&
		   rt[0].last_change.tv_nsec >= started.tv_nsec));
	ck_assert_uint_eq(n_changes, 1);
	ck_assert_int_eq(changes[0].from, UNKNOWN);
	ck_assert_int_eq(changes[0].to, UP);
	/* The next rounds see the pid file go bad, and good again. */
	write_file("live", "garbage");
	ck_assert(loop_until(first_down, DEADLINE_MS));
	write_file("live", text);
	ck_assert(loop_until(first_up, DEADLINE_MS));
	ck_assert_uint_eq(n_changes, 3);
	ck_assert_int_eq(changes[1].from, UP);
	ck_assert_int_eq(changes[1].to, DOWN);
	ck_assert_int_eq(changes[2].from, DOWN);
	ck_assert_int_eq(changes[2].to, UP);
}
END_TEST

/* ---- tcp ---------------------------------------------------------------------- */

static int tcp_socket(struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(*a);

	*a = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)a, sizeof(*a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)a, &len), 0);
	return fd;
}

/* A listener on 127.0.0.1, an ephemeral port. */
static int listener(int backlog, unsigned *port)
{
	struct sockaddr_in a;
	int fd = tcp_socket(&a);

	ck_assert_int_eq(listen(fd, backlog), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A connection to port, established (waited for, with a deadline). */
static int connected(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int error = 0;
	socklen_t len = sizeof(error);

	ck_assert_int_ge(fd, 0);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		ck_assert_int_eq(errno, EINPROGRESS);
	ck_assert_int_eq(poll(&p, 1, DEADLINE_MS), 1);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len), 0);
	ck_assert_int_eq(error, 0);
	return fd;
}

START_TEST(tcp_listener_up_closed_port_down)
{
	static const enum cmsha_component_state want[] = { UP, DOWN, UP };
	struct sockaddr_in bound;
	unsigned port;
	int lfd = listener(8, &port);
	int closed = tcp_socket(&bound);     /* bound, so nobody takes it, but not listening */

	component("odbc optional tcp 127.0.0.1:%u", port);
	component("vv optional tcp 127.0.0.1:%u", ntohs(bound.sin_port));
	component("bracketed optional tcp [127.0.0.1]:%u", port);
	expect_states(want);
	ck_assert_ptr_nonnull(strstr(why_of(0), "connected to 127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(why_of(1), "Connection refused"));
	/* The connection was closed again: what the listener accepts reads EOF. */
	for (int i = 0; i < 2; i++) {
		int conn = accept(lfd, NULL, NULL);
		char c;

		ck_assert_int_ge(conn, 0);
		ck_assert_int_eq(read(conn, &c, 1), 0);
		close(conn);
	}
	close(closed);
	close(lfd);
}
END_TEST

/*
 * No answer: a listener whose accept queue is full drops new SYNs (Linux),
 * so the connect neither succeeds nor fails: down at min(interval, 1000 ms).
 */
START_TEST(tcp_no_answer_is_down_at_the_interval)
{
	static const enum cmsha_component_state want[] = { DOWN };
	unsigned port;
	int lfd = listener(1, &port);
	int filler1 = connected(port), filler2 = connected(port);
	long t0 = now_ms(), elapsed;

	cfg.probe_interval_ms = 200;
	component("odbc optional tcp 127.0.0.1:%u", port);
	expect_states(want);
	elapsed = now_ms() - t0;
	ck_assert_msg(elapsed >= 150 && elapsed < 1000, "down after %ld ms", elapsed);
	ck_assert_msg(strstr(why_of(0), "no answer within 200 ms"), "%s", why_of(0));
	close(filler1);
	close(filler2);
	close(lfd);
}
END_TEST

/* ---- exec --------------------------------------------------------------------- */

START_TEST(exec_exit_status)
{
	static const enum cmsha_component_state want[] = { UP, DOWN, DOWN, DOWN, UP, UP, DOWN };

	component("true optional exec \"/bin/true\" timeout 2000");
	component("false optional exec \"/bin/false\" timeout 2000");
	component("missing optional exec \"no-such-program-cmsha --x\" timeout 2000");
	component("three optional exec \"sh -c 'exit 3'\" timeout 2000");
	component("test optional exec \"sh -c test 2 -gt 1\" timeout 2000");
	component("quoted optional exec \"/bin/sh -c \\\"exit 0\\\"\" timeout 2000");
	component("args optional exec \"test 1 = '1'\" timeout 2000");  /* no shell: ''1'' is not 1 */
	expect_states(want);
	ck_assert_msg(strstr(why_of(1), "exit status 1"), "%s", why_of(1));
	ck_assert_msg(strstr(why_of(2), "not found"), "%s", why_of(2));
	ck_assert_msg(strstr(why_of(3), "exit status 3"), "%s", why_of(3));
	ck_assert_msg(loop_until(no_children, DEADLINE_MS), "a child was not reaped");
}
END_TEST

START_TEST(exec_timeout_kills_and_reaps)
{
	static const enum cmsha_component_state want[] = { DOWN };
	long t0 = now_ms(), elapsed;

	component("hang optional exec \"sleep 10\" timeout 200");
	expect_states(want);
	elapsed = now_ms() - t0;
	ck_assert_msg(elapsed >= 150 && elapsed < 1000, "down after %ld ms", elapsed);
	ck_assert_msg(strstr(why_of(0), "no exit within 200 ms"), "%s", why_of(0));
	ck_assert_msg(loop_until(no_children, DEADLINE_MS), "the killed command was not reaped");
}
END_TEST

/* Inherited SIG_IGN for SIGCHLD would let the kernel reap the command: its status lost. */
START_TEST(exec_with_sigchld_ignored)
{
	static const enum cmsha_component_state want[] = { UP };
	struct sigaction ign = { .sa_handler = SIG_IGN }, now;

	sigemptyset(&ign.sa_mask);
	ck_assert_int_eq(sigaction(SIGCHLD, &ign, NULL), 0);
	component("true optional exec \"/bin/true\" timeout 2000");
	expect_states(want);
	ck_assert_int_eq(sigaction(SIGCHLD, NULL, &now), 0);
	ck_assert(now.sa_handler == SIG_DFL);
	ck_assert_msg(loop_until(no_children, DEADLINE_MS), "a child was not reaped");
}
END_TEST

static bool second_up(void) { return rt[1].state == UP; }
static bool second_down(void) { return rt[1].state == DOWN; }

/* A command that hangs holds up nothing else: the loop is never blocked. */
START_TEST(hung_command_does_not_stall_other_checks)
{
	unsigned port;
	int lfd = listener(8, &port);
	long t0;

	cfg.probe_interval_ms = 100;
	component("hang optional exec \"/bin/sleep 30\" timeout 20000");
	component("odbc optional tcp 127.0.0.1:%u", port);
	start();
	ck_assert(loop_until(second_up, DEADLINE_MS));
	close(lfd);             /* later rounds go on while the command hangs */
	ck_assert(loop_until(second_down, DEADLINE_MS));
	ck_assert_int_eq(rt[0].state, UNKNOWN);
	ck_assert(!no_children());
	/* Stopping kills the command and reaps it, promptly. */
	t0 = now_ms();
	cmsha_components_stop(mon);
	mon = NULL;
	ck_assert_msg(now_ms() - t0 < 1500, "stop took %ld ms", now_ms() - t0);
	ck_assert(no_children());
	ck_assert_uint_eq(armed_timers(), 0);
	ck_assert_uint_eq(n_watches, 0);
}
END_TEST

/* ---- the words of a command ----------------------------------------------------- */

static void expect_argv(const char *command, const char *const *want)
{
	char **argv = cmsha_exec_argv(command, err, sizeof(err));
	size_t i;

	ck_assert_msg(argv != NULL, "%s: %s", command, err);
	for (i = 0; want[i]; i++) {
		ck_assert_ptr_nonnull(argv[i]);
		ck_assert_str_eq(argv[i], want[i]);
	}
	ck_assert_ptr_null(argv[i]);
	free(argv);
}

START_TEST(command_words)
{
	expect_argv("/usr/bin/vv-check --quick", (const char *[]){ "/usr/bin/vv-check", "--quick", NULL });
	expect_argv("  check \"two words\"  x ", (const char *[]){ "check", "two words", "x", NULL });
	/* No shell: its syntax is just words. */
	expect_argv("pgrep cms; rm -rf /tmp/x",
		    (const char *[]){ "pgrep", "cms;", "rm", "-rf", "/tmp/x", NULL });
	expect_argv("sh -c pgrep -x cms >/dev/null",
		    (const char *[]){ "sh", "-c", "pgrep -x cms >/dev/null", NULL });
	expect_argv("/bin/sh -c 'pgrep -x cms'",
		    (const char *[]){ "/bin/sh", "-c", "pgrep -x cms", NULL });
	expect_argv("sh -c \"a\" && \"b\"", (const char *[]){ "sh", "-c", "\"a\" && \"b\"", NULL });
	expect_argv("shx -c y", (const char *[]){ "shx", "-c", "y", NULL });
	expect_argv("sh -cx y", (const char *[]){ "sh", "-cx", "y", NULL });
	ck_assert_ptr_null(cmsha_exec_argv("sh -c  ", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "needs a script"));
	ck_assert_ptr_null(cmsha_exec_argv("   ", err, sizeof(err)));
	ck_assert_ptr_null(cmsha_exec_argv("a \"b", err, sizeof(err)));
}
END_TEST

START_TEST(a_bad_command_stops_the_start)
{
	component("good optional exec \"/bin/true\"");
	component("bad optional exec \"sh -c \"");
	mon = cmsha_components_start(&cfg, rt, &env, &observer, err, sizeof(err));
	ck_assert_ptr_null(mon);
	ck_assert_str_eq(err, "component bad: exec check: 'sh -c' needs a script after it");
	ck_assert_uint_eq(armed_timers(), 0);
	ck_assert_uint_eq(n_watches, 0);
}
END_TEST

START_TEST(no_components_no_timer)
{
	start();
	ck_assert_uint_eq(armed_timers(), 0);
	ck_assert_uint_eq(n_watches, 0);
}
END_TEST

/* Where pidfd_open() is missing, a timer polls for the exit: the same results. */
static int (*real_pidfd_open)(pid_t pid);

static int no_pidfd_open(pid_t pid)
{
	(void)pid;
	errno = ENOSYS;
	return -1;
}

static void no_pidfd_setup(void)
{
	setup();
	real_pidfd_open = cmsha_exec_pidfd_open;
	cmsha_exec_pidfd_open = no_pidfd_open;
}

static void no_pidfd_teardown(void)
{
	teardown();
	cmsha_exec_pidfd_open = real_pidfd_open;
}

static Suite *components_suite(void)
{
	Suite *s = suite_create("components");
	TCase *pid = tcase_create("pidfile"), *tc = tcase_create("tcp and exec");
	TCase *np = tcase_create("exec without pidfd");

	tcase_add_checked_fixture(pid, pid_dir_setup, pid_dir_teardown);
	tcase_add_test(pid, pidfile_states);
	tcase_add_test(pid, state_change_is_timed_and_observed);
	suite_add_tcase(s, pid);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tcp_listener_up_closed_port_down);
	tcase_add_test(tc, tcp_no_answer_is_down_at_the_interval);
	tcase_add_test(tc, exec_exit_status);
	tcase_add_test(tc, exec_timeout_kills_and_reaps);
	tcase_add_test(tc, exec_with_sigchld_ignored);
	tcase_add_test(tc, hung_command_does_not_stall_other_checks);
	tcase_add_test(tc, command_words);
	tcase_add_test(tc, a_bad_command_stops_the_start);
	tcase_add_test(tc, no_components_no_timer);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(np, no_pidfd_setup, no_pidfd_teardown);
	tcase_add_test(np, exec_exit_status);
	tcase_add_test(np, exec_timeout_kills_and_reaps);
	tcase_add_test(np, hung_command_does_not_stall_other_checks);
	suite_add_tcase(s, np);
	return s;
}

int main(void)
{
	return cmsha_run_suite(components_suite());
}
