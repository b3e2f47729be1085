/* The switch-over history: ring order, indexes, counters and the file kept across restarts. */
#include "autoconfig.h"
#include "check_run.h"
#include "history.h"
#include "history_writer.h"
#include "history_dir.h"

#include <errno.h>
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static struct history_dir hd;
static const char *const dir = hd.dir, *const path = hd.path;
static char err[256];

static void setup(void)
{
	ck_assert_msg(history_dir_make(&hd, "cmsha-history"), "mkdtemp: %s", strerror(errno));
}

static void teardown(void)
{
	history_dir_remove(&hd);
}

static void add(struct cmsha_history *h, enum cmsha_command c, enum cmsha_result r,
		uint32_t ms, const char *reason, bool counts)
{
	struct cmsha_history_entry e = { .time = { 1700000000, 500000000 }, .command = c,
					 .initiator = CMSHA_BY_SNMP, .result = r,
					 .duration_ms = ms };
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	ck_assert_msg(cmsha_history_add(h, &e, counts, err, sizeof(err)), "%s", err);
}

START_TEST(keeps_the_newest_in_order)
{
	struct cmsha_history h;
	ck_assert(cmsha_history_open(&h, 3, NULL, err, sizeof(err)));
	for (int i = 0; i < 5; i++)
		add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, (uint32_t)i, "ok", true);
	ck_assert_uint_eq(h.count, 3);
	ck_assert_uint_eq(cmsha_history_at(&h, 0)->index, 3);
	ck_assert_uint_eq(cmsha_history_at(&h, 2)->index, 5);
	ck_assert_ptr_null(cmsha_history_at(&h, 3));
	ck_assert_uint_eq(h.switchover_count, 5);
	cmsha_history_close(&h);
}
END_TEST

START_TEST(refusals_are_recorded_but_not_counted)
{
	struct cmsha_history h;
	ck_assert(cmsha_history_open(&h, 10, NULL, err, sizeof(err)));
	add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, 12, "done", true);
	add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_REFUSED, 0, "manual switch-over required", false);
	ck_assert_uint_eq(h.count, 2);
	ck_assert_uint_eq(h.switchover_count, 1);
	ck_assert_uint_eq(h.last_duration_ms, 12);
	ck_assert_int_eq(cmsha_history_at(&h, 1)->result, CMSHA_RESULT_REFUSED);
	cmsha_history_close(&h);
}
END_TEST

START_TEST(survives_a_restart)
{
	struct cmsha_history h;
	ck_assert(cmsha_history_open(&h, 2, path, err, sizeof(err)));
	add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, 7, "first", true);
	add(&h, CMSHA_CMD_SWITCH_AWAY, CMSHA_RESULT_FAILED, 2000, "peer did not\nanswer", false);
	add(&h, CMSHA_CMD_RELEASE, CMSHA_RESULT_SUCCEEDED, 1, "released by peer", true);
	cmsha_history_close(&h);

	ck_assert(cmsha_history_open(&h, 2, path, err, sizeof(err)));
	ck_assert_uint_eq(h.count, 2);
	ck_assert_uint_eq(h.next_index, 4);
	ck_assert_uint_eq(h.switchover_count, 2);
	ck_assert_uint_eq(h.last_duration_ms, 1);
	const struct cmsha_history_entry *e = cmsha_history_at(&h, 0);
	ck_assert_uint_eq(e->index, 2);
	ck_assert_int_eq(e->command, CMSHA_CMD_SWITCH_AWAY);
	ck_assert_int_eq(e->result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(e->reason, "peer did not answer");
	ck_assert_int_eq(e->time.tv_sec, 1700000000);
	ck_assert_int_eq(e->time.tv_nsec, 500000000);
	add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, 3, "", true);
	ck_assert_uint_eq(cmsha_history_at(&h, 1)->index, 4);      /* never reused */
	cmsha_history_close(&h);

	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_ne(access(tmp, F_OK), 0);                      /* renamed away */
}
END_TEST

START_TEST(a_pending_takeover_survives_a_restart_until_it_ends)
{
	struct cmsha_history h;
	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert_int_eq(h.pending, 0);
	ck_assert(cmsha_history_set_pending(&h, CMSHA_CMD_TAKEOVER, err, sizeof(err)));
	cmsha_history_close(&h);                          /* kill -9 here */

	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert_int_eq(h.pending, CMSHA_CMD_TAKEOVER);
	add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, 4, "completed", true);
	cmsha_history_close(&h);

	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert_int_eq(h.pending, 0);
	cmsha_history_close(&h);
}
END_TEST

static void stat_of(const char *which, struct stat *st)
{
	char p[160];

	snprintf(p, sizeof(p), "%s%s", path, which);
	ck_assert_int_eq(stat(p, st), 0);
}

static char *file_text(const char *p)
{
	static char buf[4096];
	FILE *f = fopen(p, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * The note a takeover waits for is one small file overwritten in place
 * (one fdatasync), not the history file saved again (write, fsync, rename,
 * directory fsync).
 */
START_TEST(a_pending_note_is_overwritten_in_place_and_the_file_left_alone)
{
	struct cmsha_history h;
	struct stat note1, note2;
	char before[4096];

	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	add(&h, CMSHA_CMD_RELEASE, CMSHA_RESULT_SUCCEEDED, 1, "a row", true);
	snprintf(before, sizeof(before), "%s", file_text(path));
	ck_assert(cmsha_history_set_pending(&h, CMSHA_CMD_TAKEOVER, err, sizeof(err)));
	ck_assert_str_eq(file_text(path), before);
	stat_of(".pending", &note1);
	ck_assert(cmsha_history_set_pending(&h, CMSHA_CMD_SWITCH_AWAY, err, sizeof(err)));
	stat_of(".pending", &note2);
	ck_assert_int_eq(note1.st_ino, note2.st_ino);           /* the same file, not renamed */
	ck_assert_int_eq(note2.st_size, note1.st_size);
	cmsha_history_close(&h);                                 /* kill -9 here */

	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert_int_eq(h.pending, CMSHA_CMD_SWITCH_AWAY);
	cmsha_history_close(&h);
}
END_TEST

/* Once the command's row is in the file, the note is spent: nobody clears it. */
START_TEST(a_note_is_spent_once_its_row_is_saved)
{
	struct cmsha_history h;
	char note[160];

	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert(cmsha_history_set_pending(&h, CMSHA_CMD_TAKEOVER, err, sizeof(err)));
	add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_FAILED, 3, "ended", false);
	cmsha_history_close(&h);
	snprintf(note, sizeof(note), "%s.pending", path);
	ck_assert_ptr_nonnull(strstr(file_text(note), "cmsha-pending 2 1"));   /* still there */

	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert_int_eq(h.pending, 0);
	cmsha_history_close(&h);
}
END_TEST

/* A writer's first note finds its file made at the writer's start. */
START_TEST(the_writer_makes_the_note_file_at_its_start)
{
	struct cmsha_history h;
	struct stat st;

	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert_msg(cmsha_history_start_writer(&h, NULL, err, sizeof(err)), "%s", err);
	stat_of(".pending", &st);
	ck_assert_int_eq(h.pending, 0);
	cmsha_history_close(&h);
	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert_int_eq(h.pending, 0);
	cmsha_history_close(&h);
}
END_TEST

START_TEST(last_takeover_is_found_past_tests_and_refusals)
{
	struct cmsha_history h;
	struct timespec when = { 0, 0 };

	ck_assert(cmsha_history_open(&h, 10, NULL, err, sizeof(err)));
	ck_assert(!cmsha_history_last_takeover(&h, &when));            /* empty */
	add(&h, CMSHA_CMD_FORCE_TAKEOVER, CMSHA_RESULT_SUCCEEDED, 700, "ok", true);
	add(&h, CMSHA_CMD_TEST, CMSHA_RESULT_SUCCEEDED, 1, "test", false);
	add(&h, CMSHA_CMD_RELEASE, CMSHA_RESULT_REFUSED, 0, "no", false);
	add(&h, CMSHA_CMD_SWITCH_AWAY, CMSHA_RESULT_FAILED, 0, "failed", false);
	ck_assert(cmsha_history_last_takeover(&h, &when));
	ck_assert_int_eq(when.tv_sec, 1700000001);                       /* + 700 ms */
	ck_assert_int_eq(when.tv_nsec, 200000000);
	add(&h, CMSHA_CMD_RELEASE, CMSHA_RESULT_SUCCEEDED, 3, "released", true);
	ck_assert(!cmsha_history_last_takeover(&h, &when));              /* gave them up */
	cmsha_history_close(&h);
}
END_TEST

/* A reload's rows are kept and read back, and hide no takeover. */
START_TEST(reload_rows_survive_and_hide_no_takeover)
{
	struct cmsha_history h;
	struct cmsha_history_entry e = { .time = { 1700000100, 0 }, .command = CMSHA_CMD_RELOAD,
					 .initiator = CMSHA_BY_CONFIG,
					 .result = CMSHA_RESULT_SUCCEEDED, .duration_ms = 9 };
	struct timespec when;

	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, 4, "taken", true);
	snprintf(e.reason, sizeof(e.reason), "reload: alias 10.77.0.30/24 dev eth0 added");
	ck_assert(cmsha_history_add(&h, &e, false, err, sizeof(err)));
	ck_assert_uint_eq(h.last_duration_ms, 4);
	ck_assert(cmsha_history_last_takeover(&h, &when));
	cmsha_history_close(&h);
	ck_assert_msg(cmsha_history_open(&h, 5, path, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(h.count, 2);
	ck_assert_int_eq(cmsha_history_at(&h, 1)->command, CMSHA_CMD_RELOAD);
	ck_assert_int_eq(cmsha_history_at(&h, 1)->initiator, CMSHA_BY_CONFIG);
	ck_assert_str_eq(cmsha_command_name(CMSHA_CMD_RELOAD), "reload");
	ck_assert_str_eq(cmsha_initiator_name(CMSHA_BY_CONFIG), "config");
	cmsha_history_close(&h);
}
END_TEST

/* Smaller: the newest rows stay, and the file says so; larger: room for more. */
START_TEST(resize_keeps_the_newest_and_rewrites_the_file)
{
	struct cmsha_history h;

	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	for (int i = 0; i < 7; i++)                 /* the ring wrapped: rows 3..7 */
		add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, (uint32_t)i, "ok", true);
	ck_assert_msg(cmsha_history_resize(&h, 2, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(h.count, 2);
	ck_assert_uint_eq(cmsha_history_at(&h, 0)->index, 6);
	ck_assert_uint_eq(cmsha_history_at(&h, 1)->index, 7);
	cmsha_history_close(&h);
	ck_assert(cmsha_history_open(&h, 10, path, err, sizeof(err)));
	ck_assert_uint_eq(h.count, 2);                  /* the file was rewritten */
	ck_assert_msg(cmsha_history_resize(&h, 4, err, sizeof(err)), "%s", err);
	for (int i = 0; i < 3; i++)
		add(&h, CMSHA_CMD_RELEASE, CMSHA_RESULT_SUCCEEDED, 1, "ok", true);
	ck_assert_uint_eq(h.count, 4);
	ck_assert_uint_eq(cmsha_history_at(&h, 0)->index, 7);
	ck_assert_uint_eq(cmsha_history_at(&h, 3)->index, 10);
	cmsha_history_close(&h);
}
END_TEST

START_TEST(corrupt_file_is_reported)
{
	struct cmsha_history h;
	FILE *f = fopen(path, "w");
	fputs("cmsha-history 1 5 1 3\n4 1700000000 0 9 1 1 3 bad command\n", f);
	fclose(f);
	ck_assert(!cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "line 2: malformed entry"));
	cmsha_history_close(&h);
}
END_TEST

/* A peer request's id survives a restart; a file of an older cmshad has none. */
START_TEST(the_peers_request_id_is_kept)
{
	struct cmsha_history h;
	struct cmsha_history_entry e = { .command = CMSHA_CMD_RELEASE,
					 .initiator = CMSHA_BY_PEER, .result = CMSHA_RESULT_SUCCEEDED };
	FILE *f;

	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	snprintf(e.reason, sizeof(e.reason), "aliases released to the peer");
	e.request_id = 4000000001u;
	ck_assert_msg(cmsha_history_add(&h, &e, false, err, sizeof(err)), "%s", err);
	cmsha_history_close(&h);
	ck_assert_msg(cmsha_history_open(&h, 5, path, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(cmsha_history_at(&h, 0)->request_id, 4000000001u);
	ck_assert_str_eq(cmsha_history_at(&h, 0)->reason, "aliases released to the peer");
	cmsha_history_close(&h);

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("cmsha-history 1 2 0 0 0\n1 1700000000 0 3 2 1 3 42 is no id here\n", f);
	fclose(f);
	ck_assert_msg(cmsha_history_open(&h, 5, path, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(cmsha_history_at(&h, 0)->request_id, 0);
	ck_assert_str_eq(cmsha_history_at(&h, 0)->reason, "42 is no id here");
	cmsha_history_close(&h);
}
END_TEST

/*
 * fsync() as the library sees it (this definition wins over libc's for the
 * statically linked core): it notes a sync of the test's directory, and
 * whether the history file had its new name by then.
 */
static struct { bool seen, file_in_place; } dir_sync;

int fsync(int fd)
{
	struct stat fd_st, dir_st;

	if (fstat(fd, &fd_st) == 0 && S_ISDIR(fd_st.st_mode) && stat(dir, &dir_st) == 0 &&
	    fd_st.st_ino == dir_st.st_ino && fd_st.st_dev == dir_st.st_dev) {
		dir_sync.seen = true;
		dir_sync.file_in_place = access(path, F_OK) == 0;
	}
	return (int)syscall(SYS_fsync, fd);
}

/* A power loss after the save must not bring back the old file. */
START_TEST(a_save_syncs_the_directory_after_the_rename)
{
	const char text[] = "cmsha-history 1 1 0 0 0\n";

	dir_sync.seen = dir_sync.file_in_place = false;
	ck_assert_msg(cmsha_history_write_file(path, text, sizeof(text) - 1, err, sizeof(err)),
		      "%s", err);
	ck_assert(dir_sync.seen);
	ck_assert(dir_sync.file_in_place);
}
END_TEST

static void expect_malformed(const char *text, const char *what)
{
	struct cmsha_history h;
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_msg(!cmsha_history_open(&h, 5, path, err, sizeof(err)), "accepted: %s", what);
	ck_assert_msg(strstr(err, "line 3: malformed entry"), "%s: %s", what, err);
	cmsha_history_close(&h);
}

/* cmsHaHistoryTable finds a row by its index's distance from the oldest. */
START_TEST(a_file_with_bad_times_or_indexes_is_refused)
{
	expect_malformed("cmsha-history 1 3 0 0 0\n1 1700000000 0 2 1 1 3 ok\n"
			 "2 1700000000 1000000000 2 1 1 3 nsec too large\n", "nsec 1e9");
	expect_malformed("cmsha-history 1 3 0 0 0\n1 1700000000 0 2 1 1 3 ok\n"
			 "2 1700000000 -1 2 1 1 3 negative nsec\n", "nsec -1");
	expect_malformed("cmsha-history 1 5 0 0 0\n1 1700000000 0 2 1 1 3 ok\n"
			 "3 1700000000 0 2 1 1 3 a gap\n", "index gap");
	expect_malformed("cmsha-history 1 5 0 0 0\n2 1700000000 0 2 1 1 3 ok\n"
			 "2 1700000000 0 2 1 1 3 repeated\n", "index repeated");
}
END_TEST

/* The next row must follow the newest (fuzz_history: a saved gap did not load). */
START_TEST(a_file_whose_next_index_skips_rows_is_refused)
{
	struct cmsha_history h;
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs("cmsha-history 1 3 1 10 4\n1 1700000000 0 2 1 1 10 ok\n", f);
	fclose(f);
	ck_assert(!cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "line 1: next index 3 does not follow the newest row's 1"),
		      "%s", err);
	cmsha_history_close(&h);

}
END_TEST

START_TEST(unwritable_path_is_reported)
{
	struct cmsha_history h;
	struct cmsha_history_entry e = { .command = CMSHA_CMD_TAKEOVER, .initiator = CMSHA_BY_SNMP,
					 .result = CMSHA_RESULT_SUCCEEDED };
	char bad[160];
	snprintf(bad, sizeof(bad), "%s/no-such-dir/history", dir);
	ck_assert(cmsha_history_open(&h, 5, bad, err, sizeof(err)));
	ck_assert(!cmsha_history_add(&h, &e, true, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cannot write"));
	ck_assert_uint_eq(h.count, 1);                                /* kept in memory */
	cmsha_history_close(&h);
}
END_TEST

/*
 * The writer thread.  The tests' write function waits for a byte on a pipe
 * before it writes, so a test decides when each save ends.
 */
static int gate[2];
static int writes;

static bool gated_write(const char *p, const char *data, size_t len, char *e, size_t elen)
{
	char byte;

	ck_assert_int_eq(read(gate[0], &byte, 1), 1);
	writes++;               /* read by the test thread only once settled */
	return cmsha_history_write_file(p, data, len, e, elen);
}

static void open_gated(struct cmsha_history *h, const char *file)
{
	ck_assert_int_eq(pipe(gate), 0);
	writes = 0;
	ck_assert(cmsha_history_open(h, 5, file, err, sizeof(err)));
	ck_assert_msg(cmsha_history_start_writer(h, gated_write, err, sizeof(err)), "%s", err);
	ck_assert_int_ge(cmsha_history_writer_fd(h), 0);
}

static void close_gated(struct cmsha_history *h)
{
	cmsha_history_close(h);
	close(gate[0]);
	close(gate[1]);
}

static void let_one_write(void) { ck_assert_int_eq(write(gate[1], "x", 1), 1); }

/* Poll the writer's fd (5 s at most), as the event loop does. */
static bool wait_readable(const struct cmsha_history *h)
{
	struct pollfd p = { .fd = cmsha_history_writer_fd(h), .events = POLLIN };

	return poll(&p, 1, 5000) == 1;
}

static uint32_t pending_on_disk(void)
{
	struct cmsha_history h;
	uint32_t pending;

	ck_assert_msg(cmsha_history_open(&h, 5, path, err, sizeof(err)), "%s", err);
	pending = h.pending;
	cmsha_history_close(&h);
	return pending;
}

START_TEST(a_writer_saves_off_the_callers_thread)
{
	struct cmsha_history h;
	uint64_t ticket;

	open_gated(&h, path);
	ck_assert(cmsha_history_set_pending(&h, CMSHA_CMD_TAKEOVER, err, sizeof(err)));
	ticket = cmsha_history_ticket(&h);
	ck_assert(!cmsha_history_settled(&h, ticket));          /* returned before writing */
	ck_assert_int_ne(access(path, F_OK), 0);
	let_one_write();
	ck_assert(wait_readable(&h));
	ck_assert(cmsha_history_collect(&h, err, sizeof(err)));
	ck_assert(cmsha_history_settled(&h, ticket));
	ck_assert_int_eq(pending_on_disk(), CMSHA_CMD_TAKEOVER);
	cmsha_history_stop_writer(&h);
	close_gated(&h);
}
END_TEST

START_TEST(a_writer_writes_only_the_newest_of_waiting_saves)
{
	struct cmsha_history h;

	open_gated(&h, path);
	add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, 1, "first", true);
	/* The thread has taken the first save (it waits in gated_write) or not:
	 * either way the saves below end as one write of the newest text, and
	 * one of the note (its own file): three writes at most, not five. */
	add(&h, CMSHA_CMD_RELEASE, CMSHA_RESULT_SUCCEEDED, 1, "second", true);
	add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, 1, "third", true);
	ck_assert(cmsha_history_set_pending(&h, CMSHA_CMD_SWITCH_AWAY, err, sizeof(err)));
	let_one_write();
	let_one_write();
	let_one_write();
	while (!cmsha_history_settled(&h, cmsha_history_ticket(&h)))
		ck_assert(wait_readable(&h) && cmsha_history_collect(&h, err, sizeof(err)));
	ck_assert_int_le(writes, 3);
	ck_assert_int_eq(pending_on_disk(), CMSHA_CMD_SWITCH_AWAY);
	close_gated(&h);
}
END_TEST

START_TEST(a_writer_reports_a_failed_save_through_collect)
{
	struct cmsha_history h;
	char bad[160];

	snprintf(bad, sizeof(bad), "%s/no-such-dir/history", dir);
	open_gated(&h, bad);
	add(&h, CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, 1, "queued", true);
	let_one_write();
	ck_assert(wait_readable(&h));
	ck_assert(!cmsha_history_collect(&h, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cannot write"));
	ck_assert(cmsha_history_settled(&h, cmsha_history_ticket(&h)));  /* ended, failed */
	ck_assert(cmsha_history_collect(&h, err, sizeof(err)));          /* reported once */
	close_gated(&h);
}
END_TEST

/* cmshad saves at start (a start-up claim's note) before its thread runs. */
START_TEST(saves_made_before_the_writer_count_as_settled)
{
	struct cmsha_history h;
	uint64_t ticket;

	ck_assert_int_eq(pipe(gate), 0);
	ck_assert(cmsha_history_open(&h, 5, path, err, sizeof(err)));
	ck_assert(cmsha_history_set_pending(&h, CMSHA_CMD_TAKEOVER, err, sizeof(err)));
	ticket = cmsha_history_ticket(&h);
	ck_assert_msg(cmsha_history_start_writer(&h, gated_write, err, sizeof(err)), "%s", err);
	ck_assert(cmsha_history_settled(&h, ticket));
	ck_assert_int_eq(pending_on_disk(), CMSHA_CMD_TAKEOVER);
	close_gated(&h);
}
END_TEST

START_TEST(closing_writes_the_queued_save_first)
{
	struct cmsha_history h;

	open_gated(&h, path);
	ck_assert(cmsha_history_set_pending(&h, CMSHA_CMD_FORCE_TAKEOVER, err, sizeof(err)));
	let_one_write();
	close_gated(&h);                            /* as cmshad does when it stops */
	ck_assert_int_eq(pending_on_disk(), CMSHA_CMD_FORCE_TAKEOVER);
}
END_TEST

/* A hung disk (the gate never opens) must not keep cmshad from exiting. */
START_TEST(stopping_gives_up_on_a_save_that_does_not_end)
{
	struct cmsha_history h;
	struct timespec t0, t1;
	long ms;

	open_gated(&h, path);
	ck_assert(cmsha_history_set_pending(&h, CMSHA_CMD_TAKEOVER, err, sizeof(err)));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(!cmsha_history_stop_writer(&h));     /* the thread waits in gated_write */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_int_ge(ms, CMSHA_HISTORY_STOP_MAX_MS - 50);
	ck_assert_int_lt(ms, CMSHA_HISTORY_STOP_MAX_MS + 2000);
	ck_assert_ptr_null(h.writer);
	cmsha_history_close(&h);        /* the thread stays blocked until the exit */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("history");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, keeps_the_newest_in_order);
	tcase_add_test(tc, refusals_are_recorded_but_not_counted);
	tcase_add_test(tc, survives_a_restart);
	tcase_add_test(tc, a_pending_takeover_survives_a_restart_until_it_ends);
	tcase_add_test(tc, a_pending_note_is_overwritten_in_place_and_the_file_left_alone);
	tcase_add_test(tc, a_note_is_spent_once_its_row_is_saved);
	tcase_add_test(tc, the_writer_makes_the_note_file_at_its_start);
	tcase_add_test(tc, last_takeover_is_found_past_tests_and_refusals);
	tcase_add_test(tc, reload_rows_survive_and_hide_no_takeover);
	tcase_add_test(tc, resize_keeps_the_newest_and_rewrites_the_file);
	tcase_add_test(tc, corrupt_file_is_reported);
	tcase_add_test(tc, unwritable_path_is_reported);
	tcase_add_test(tc, a_save_syncs_the_directory_after_the_rename);
	tcase_add_test(tc, a_file_with_bad_times_or_indexes_is_refused);
	tcase_add_test(tc, a_file_whose_next_index_skips_rows_is_refused);
	tcase_add_test(tc, a_writer_saves_off_the_callers_thread);
	tcase_add_test(tc, a_writer_writes_only_the_newest_of_waiting_saves);
	tcase_add_test(tc, a_writer_reports_a_failed_save_through_collect);
	tcase_add_test(tc, saves_made_before_the_writer_count_as_settled);
	tcase_add_test(tc, closing_writes_the_queued_save_first);
	tcase_add_test(tc, stopping_gives_up_on_a_save_that_does_not_end);
	tcase_add_test(tc, the_peers_request_id_is_kept);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
