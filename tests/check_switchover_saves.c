/*
 * The history's saves wired to the engine (src/switchover_saves.c): the
 * writer's fd in the env's loop, a save failure reported and the engine
 * told either way, a loop that cannot watch the fd leaves the saves in the
 * loop (no thread), and the stop unwatches the fd.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "fake_loop.h"
#include "switchover.h"
#include "history_dir.h"

#include <errno.h>
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cmsha_config cfg;
static struct cmsha_ha ha;
static struct cmsha_history history;
static struct cmsha_switchover sw;
static struct history_dir hd;
static const char *const path = hd.path;
static int watched_fd = -1, unwatched_fd = -1;
static bool refuse_watch, fail_writes;
static cmsha_callback watched_fn;

static bool fake_fd_watch(void *ctx, int fd, cmsha_callback fn, void *arg)
{
	(void)ctx, (void)arg;
	if (refuse_watch)
		return false;
	watched_fd = fd;
	watched_fn = fn;
	return true;
}

static void fake_fd_unwatch(void *ctx, int fd) { (void)ctx; unwatched_fd = fd; }
static void fake_finished(void *ctx, const struct cmsha_history_entry *e) { (void)ctx, (void)e; }

static const struct cmsha_switchover_env env = {
	.timer_add = fake_timer_add, .timer_cancel = fake_timer_cancel,
	.fd_watch = fake_fd_watch, .fd_unwatch = fake_fd_unwatch, .finished = fake_finished,
	.kernel = &cmsha_switchover_kernel_real,
};

static bool write_fails(const char *p, const char *data, size_t len, char *err, size_t errlen)
{
	(void)p, (void)data, (void)len;
	snprintf(err, errlen, "disk full");
	return !fail_writes;
}

static void on_saved(void *arg) { (void)arg; }

static void setup(void)
{
	char err[256];

	ck_assert_msg(history_dir_make(&hd, "check-saves"), "mkdtemp: %s", strerror(errno));
	cmsha_config_init(&cfg);
	ck_assert(cmsha_ha_init(&ha, &cfg, &(struct timespec){ 1, 0 }));
	ck_assert_msg(cmsha_history_open(&history, 10, path, err, sizeof(err)), "%s", err);
	fake_loop_reset();
	cmsha_switchover_init(&sw, &cfg, &ha, &history, NULL, &env);
	watched_fd = unwatched_fd = -1;
	refuse_watch = fail_writes = false;
}

static void teardown(void)
{
	cmsha_switchover_shutdown(&sw);
	cmsha_history_close(&history);         /* its last save is written: then the files go */
	ck_assert_msg(history_dir_remove(&hd), "%s: not empty", hd.dir);
	cmsha_ha_free(&ha);
	cmsha_config_free(&cfg);
}

START_TEST(the_writers_fd_is_watched_and_a_failed_save_reported)
{
	struct cmsha_history_entry e = { .command = CMSHA_CMD_TAKEOVER,
					 .result = CMSHA_RESULT_SUCCEEDED };
	struct pollfd p = { .events = POLLIN };
	char err[256];

	ck_assert_msg(cmsha_switchover_start_saves(&sw, write_fails, on_saved, NULL, err,
						   sizeof(err)), "%s", err);
	ck_assert_int_ge(watched_fd, 0);
	ck_assert_ptr_eq(watched_fn, on_saved);
	fail_writes = true;
	ck_assert(cmsha_history_add(&history, &e, true, err, sizeof(err)));   /* queued */
	p.fd = watched_fd;
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert(!cmsha_switchover_save_ended(&sw, err, sizeof(err)));
	ck_assert_msg(strstr(err, "disk full"), "%s", err);
	ck_assert(cmsha_switchover_stop_saves(&sw));
	ck_assert_int_eq(unwatched_fd, watched_fd);
	ck_assert_int_eq(cmsha_history_writer_fd(&history), -1);
}
END_TEST

START_TEST(a_loop_that_cannot_watch_the_fd_leaves_the_saves_in_the_loop)
{
	char err[256];

	refuse_watch = true;
	ck_assert(!cmsha_switchover_start_saves(&sw, NULL, on_saved, NULL, err, sizeof(err)));
	ck_assert_str_eq(err, "cannot watch the writer's fd");
	ck_assert_int_eq(cmsha_history_writer_fd(&history), -1);       /* no thread */
	ck_assert(cmsha_switchover_stop_saves(&sw));
	ck_assert_int_eq(unwatched_fd, -1);
}
END_TEST

int main(void)
{
	const TTest *const saves[] = {
		the_writers_fd_is_watched_and_a_failed_save_reported,
		a_loop_that_cannot_watch_the_fd_leaves_the_saves_in_the_loop,
	};
	Suite *s = suite_create("switchover_saves");

	cmsha_add_tcase(s, "saves", setup, teardown, saves, CMSHA_N_TESTS(saves));
	return cmsha_run_suite(s);
}
