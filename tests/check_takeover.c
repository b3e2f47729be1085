/*
 * A takeover's steps in order, with the real probe, packet socket and
 * alias control in a private network namespace, and the event loop and
 * the peer's agent played by the test: the release request goes out beside
 * the probe (not after it), the aliases are added only once both the probe
 * and the peer's release are done, and no packet socket is opened or
 * closed on the way while the namespace's tap is held (as cmshad holds it).
 */
#include "autoconfig.h"
#include "check_run.h"
#include "netns_fixture.h"
#include "fake_loop.h"
#include "announce.h"
#include "history_writer.h"
#include "netwatch.h"
#include "packet_tap.h"
#include "switchover.h"
#include "switchover_private.h"
#include "history_dir.h"

#include <errno.h>
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#define DEADLINE_MS 2000

static struct cmsha_config cfg;
static struct cmsha_ha ha;
static struct cmsha_history history;
static struct cmsha_switchover sw;
static struct cmsha_alias_ctl *ctl;
static struct cmsha_packet_tap *tap;

static struct { enum cmsha_command cmd; cmsha_peer_done done; void *arg; } asked[4];
static int n_asked, finished_calls;
static struct cmsha_history_entry last_finished;

/* The kernel refuses to add (or remove) this alias (linked with --wrap). */
static const struct cmsha_alias_conf *refused_add, *refused_del;
bool __real_cmsha_alias_add(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a,
			    char *err, size_t errlen);
bool __real_cmsha_alias_del(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a,
			    char *err, size_t errlen);

bool __wrap_cmsha_alias_add(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a,
			    char *err, size_t errlen);
bool __wrap_cmsha_alias_add(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a,
			    char *err, size_t errlen)
{
	if (a != refused_add)
		return __real_cmsha_alias_add(c, a, err, errlen);
	snprintf(err, errlen, "cannot add alias %td: refused", a - cfg.aliases);
	return false;
}

bool __wrap_cmsha_alias_del(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a,
			    char *err, size_t errlen);
bool __wrap_cmsha_alias_del(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a,
			    char *err, size_t errlen)
{
	if (a != refused_del)
		return __real_cmsha_alias_del(c, a, err, errlen);
	snprintf(err, errlen, "cannot remove alias %td: refused", a - cfg.aliases);
	return false;
}

static bool peer_unreachable_now;  /* the request cannot even be sent */

static bool fake_peer_command(void *ctx, enum cmsha_command cmd, unsigned timeout_ms,
			      cmsha_peer_done done, void *arg)
{
	(void)ctx, (void)timeout_ms;
	if (peer_unreachable_now)
		return false;
	ck_assert_int_lt(n_asked, 4);
	asked[n_asked].cmd = cmd;
	asked[n_asked].done = done;
	asked[n_asked++].arg = arg;
	return true;
}

static bool yes(void *ctx) { (void)ctx; return true; }

/* The aliases' state as cmshad's netlink watch shows it: what the engine waits for. */
static struct cmsha_netwatch *watch;
static void refresh_from_netlink(void *ctx)
{
	struct cmsha_alias_observation seen;

	(void)ctx;
	cmsha_netwatch_process(watch);
	for (size_t i = 0; i < cfg.n_aliases; i++) {
		cmsha_netwatch_observe(watch, &cfg.aliases[i], &seen);
		ha.aliases[i].state = cmsha_alias_state_of(&seen, false);
	}
}
static void on_finished(void *ctx, const struct cmsha_history_entry *e)
{
	(void)ctx;
	finished_calls++;
	last_finished = *e;
}

static const struct cmsha_switchover_env env = {
	.timer_add = fake_timer_add, .timer_cancel = fake_timer_cancel,
	.timer_add_us = fake_timer_add_us,
	.peer_reachable = yes, .peer_command = fake_peer_command, .refresh = refresh_from_netlink,
	.finished = on_finished, .kernel = &cmsha_switchover_kernel_real,
};

static void setup(void)
{
	char err[256];
	struct timespec now = { 1, 0 };

	netns_enter_private();
	netns_add_veth("cm0", "cm0p");
	netns_set_link_up("cm0", true);
	netns_wait_link_running("cm0", true, DEADLINE_MS);
	ck_assert_msg((tap = cmsha_packet_tap_get(err, sizeof(err))) != NULL, "%s", err);
	ck_assert_msg((ctl = cmsha_alias_ctl_open(err, sizeof(err))) != NULL, "%s", err);
	ck_assert_msg((watch = cmsha_netwatch_open(NULL, NULL, err, sizeof(err))) != NULL, "%s",
		      err);
	cmsha_config_init(&cfg);
	ck_assert(cmsha_config_apply(&cfg, "alias", "10.89.0.10/24 dev cm0", err, sizeof(err)));
	ck_assert(cmsha_config_apply(&cfg, "peer", "10.89.0.12", err, sizeof(err)));
	ck_assert(cmsha_ha_init(&ha, &cfg, &now));
	ha.mode = CMSHA_MODE_SOFTWARE;
	ha.oper = CMSHA_OPER_STANDBY;
	ha.aliases[0].state = CMSHA_ALIAS_ABSENT;
	ck_assert(cmsha_history_open(&history, 10, NULL, err, sizeof(err)));
	cmsha_switchover_init(&sw, &cfg, &ha, &history, ctl, &env);
	fake_loop_reset();
	n_asked = finished_calls = 0;
	peer_unreachable_now = false;
	refused_add = refused_del = NULL;
}

static void teardown(void)
{
	cmsha_switchover_shutdown(&sw);
	cmsha_history_close(&history);
	cmsha_ha_free(&ha);
	cmsha_config_free(&cfg);
	cmsha_alias_ctl_close(ctl);
	cmsha_netwatch_close(watch);
	cmsha_packet_tap_put(tap);
}

static bool alias_added(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip -o addr show dev cm0 | grep -q ' 10.89.0.10/24 '");
	return system(cmd) == 0;
}

/* This server holds its alias, as after a takeover. */
static void hold_the_alias(void)
{
	char err[256];

	ck_assert_msg(cmsha_alias_add(ctl, &cfg.aliases[0], err, sizeof(err)), "%s", err);
	ha.oper = CMSHA_OPER_ACTIVE;
	ck_assert(alias_added());
}

static void answer_release(bool ok)
{
	ck_assert_int_ge(n_asked, 1);
	ck_assert_int_eq(asked[0].cmd, CMSHA_CMD_RELEASE);
	asked[0].done(asked[0].arg, ok, ok ? "" : "refused");
}

/* The request when the probe has waited half its time (no round trip known yet). */
static void run_until_asked(void)
{
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	ck_assert_int_eq(n_asked, 0);
	fake_timer_fire_us(cfg.preflight_wait_ms * 500UL);
}

START_TEST(the_release_goes_out_with_the_probe)
{
	run_until_asked();
	/* the probe still waits for answers, and the peer is already asked */
	ck_assert(fake_timer_armed(cfg.preflight_wait_ms));
	ck_assert_int_eq(n_asked, 1);
	ck_assert_int_eq(asked[0].cmd, CMSHA_CMD_RELEASE);
	ck_assert(!alias_added());
	/* the probe ends first: nothing is added while the peer may still hold them */
	fake_timer_fire(cfg.preflight_wait_ms);
	ck_assert(!alias_added());
	ck_assert_int_eq(finished_calls, 0);
	answer_release(true);
	ck_assert(alias_added());
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
}
END_TEST

START_TEST(a_release_confirmed_before_the_probe_ends_waits_for_it)
{
	run_until_asked();
	answer_release(true);
	ck_assert(!alias_added());              /* a third station may still answer */
	ck_assert_int_eq(finished_calls, 0);
	fake_timer_fire(cfg.preflight_wait_ms);
	ck_assert(alias_added());
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
	ck_assert(sw.release_rtt_ms > 0);       /* measured, for the next one */
}
END_TEST

START_TEST(a_refused_release_changes_nothing)
{
	run_until_asked();
	answer_release(false);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert(!fake_timer_armed(cfg.preflight_wait_ms));        /* the probe is gone too */
	ck_assert(!alias_added());
}
END_TEST

/* With a round trip known, the request leaves so as to land as the probe ends. */
START_TEST(a_measured_round_trip_times_the_request)
{
	cmsha_release_learn_rtt(&sw, 1.3);       /* 1.3 ms before the 5 ms end */
	ck_assert_uint_eq(cfg.preflight_count * cfg.preflight_wait_ms, 5);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	ck_assert_int_eq(n_asked, 0);
	/* to the microsecond: a millisecond timer would send it up to 1 ms early */
	fake_timer_fire_us(3700);
	ck_assert_int_eq(n_asked, 1);
	fake_timer_fire(cfg.preflight_wait_ms);
	answer_release(true);
	ck_assert(alias_added());
}
END_TEST

static bool about(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

/* The lead is the median of the last round trips: one slow answer does not move it. */
START_TEST(one_slow_round_trip_does_not_move_the_lead)
{
	static const double rtts[] = { 1.0, 1.2, 9.0, 1.1, 1.0 };

	cmsha_release_learn_rtt(&sw, 1.0);
	cmsha_release_learn_rtt(&sw, 2.0);
	ck_assert(about(sw.release_rtt_ms, 1.5));       /* an even count: the middle two */
	for (size_t i = 0; i < sizeof(rtts) / sizeof(rtts[0]); i++)
		cmsha_release_learn_rtt(&sw, rtts[i]);
	ck_assert_msg(about(sw.release_rtt_ms, 1.1), "%f", sw.release_rtt_ms);
	/* the ring keeps the last CMSHA_RELEASE_RTTS: the old ones age out */
	for (int i = 0; i < CMSHA_RELEASE_RTTS; i++)
		cmsha_release_learn_rtt(&sw, 2.0);
	ck_assert(about(sw.release_rtt_ms, 2.0));
	cmsha_release_learn_rtt(&sw, 3.0);
	ck_assert(about(sw.release_rtt_ms, 2.0));
}
END_TEST

/* cm0p, the other end of cm0's link, holds the alias too: a third station. */
static void third_station_claims_the_alias(void)
{
	struct cmsha_alias_conf theirs = cfg.aliases[0];
	char err[256];

	netns_change_address("cm0p", "10.89.0.10/32", true);
	snprintf(theirs.ifname, sizeof(theirs.ifname), "cm0p");
	netns_wait_link_running("cm0p", true, DEADLINE_MS);
	ck_assert_msg(cmsha_announce_once(&theirs, err, sizeof(err)), "%s", err);
}

/*
 * Until the probe has taken the third station's answer.  Not merely until
 * the tap is readable: other frames come first now and then (cm0p's IPv6
 * DAD, say), and a timer fired before the answer is in would test nothing.
 */
static void wait_for_the_conflict(void)
{
	struct pollfd p = { .fd = cmsha_packet_tap_fd(tap), .events = POLLIN };
	char conflict[256];

	for (int waited = 0; !cmsha_job_probe_conflict_so_far(&sw, conflict, sizeof(conflict));
	     waited += 10) {
		ck_assert_msg(waited < DEADLINE_MS, "no answer from the third station");
		(void)poll(&p, 1, 10);
	}
}

START_TEST(a_conflict_seen_before_the_request_asks_nothing)
{
	netns_change_address("cm0p", "10.89.0.10/32", true);
	netns_wait_link_running("cm0p", true, DEADLINE_MS);     /* to hear the one probe */
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	wait_for_the_conflict();                /* cm0p's kernel answers the probe */
	fake_timer_fire_us(cfg.preflight_wait_ms * 500UL);
	ck_assert_int_eq(n_asked, 0);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_msg(strstr(last_finished.reason, "is answered by") &&
		      strstr(last_finished.reason, "nothing changed"), "%s", last_finished.reason);
	ck_assert(!alias_added());
}
END_TEST

START_TEST(a_conflict_after_the_release_gives_the_aliases_back)
{
	run_until_asked();
	third_station_claims_the_alias();
	wait_for_the_conflict();
	fake_timer_fire(cfg.preflight_wait_ms);
	ck_assert_int_eq(finished_calls, 0);    /* the release's answer decides */
	answer_release(true);
	ck_assert_int_eq(n_asked, 2);
	ck_assert_int_eq(asked[1].cmd, CMSHA_CMD_FORCE_TAKEOVER);
	ck_assert_int_eq(finished_calls, 0);    /* the peer's answer says who serves */
	asked[1].done(asked[1].arg, true, "");
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_msg(strstr(last_finished.reason, ": no alias added here; the peer had "
			     "released and took them back"), "%s", last_finished.reason);
	ck_assert(!alias_added());
}
END_TEST

START_TEST(a_give_back_the_peer_refuses_says_nobody_serves)
{
	run_until_asked();
	third_station_claims_the_alias();
	wait_for_the_conflict();
	fake_timer_fire(cfg.preflight_wait_ms);
	answer_release(true);
	asked[1].done(asked[1].arg, false, "refused");
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_msg(strstr(last_finished.reason, "did not take them back (refused): no "
			     "server holds them"), "%s", last_finished.reason);
}
END_TEST

START_TEST(a_give_back_that_cannot_be_sent_says_nobody_serves)
{
	run_until_asked();
	third_station_claims_the_alias();
	wait_for_the_conflict();
	answer_release(true);
	peer_unreachable_now = true;
	fake_timer_fire(cfg.preflight_wait_ms);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_msg(strstr(last_finished.reason, "could not be asked to take them back: "
			     "no server holds them"), "%s", last_finished.reason);
}
END_TEST

static void add_second_alias(void)
{
	char err[256];

	cmsha_ha_free(&ha);
	ck_assert(cmsha_config_apply(&cfg, "alias", "10.89.0.11/24 dev cm0", err, sizeof(err)));
	ck_assert(cmsha_ha_init(&ha, &cfg, &(struct timespec){ 1, 0 }));
	ha.mode = CMSHA_MODE_SOFTWARE;
	ha.oper = CMSHA_OPER_STANDBY;
}

/* The second add fails, and so does removing the first again: the reason says both. */
START_TEST(a_failed_undo_of_an_add_is_in_the_reason)
{
	add_second_alias();
	refused_add = &cfg.aliases[1];
	refused_del = &cfg.aliases[0];
	run_until_asked();
	fake_timer_fire(cfg.preflight_wait_ms);
	answer_release(true);
	ck_assert_int_eq(asked[1].cmd, CMSHA_CMD_FORCE_TAKEOVER);
	asked[1].done(asked[1].arg, true, "");
	ck_assert_str_eq(last_finished.reason, "cannot add alias 1: refused; undoing failed "
			 "too: cannot remove alias 0: refused: some aliases stay here; the peer "
			 "had released and took them back");
}
END_TEST

/* A release whose undo fails does not claim the aliases were kept. */
/* A release runs inside a SET: it takes the queued netlink events, it does not wait. */
START_TEST(a_release_does_not_wait_for_netlink)
{
	hold_the_alias();
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_SNMP));
	ck_assert(!alias_added());
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_ptr_null(sw.job);
	ck_assert(!fake_timer_armed(CMSHA_CONFIRM_MAX_MS));
}
END_TEST

START_TEST(a_failed_undo_of_a_release_is_in_the_reason)
{
	char err[256];

	add_second_alias();
	hold_the_alias();
	ck_assert(cmsha_alias_add(ctl, &cfg.aliases[1], err, sizeof(err)));
	refused_del = &cfg.aliases[1];
	refused_add = &cfg.aliases[0];
	ck_assert(!cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_SNMP));
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "cannot remove alias 1: refused; undoing failed "
			 "too: cannot add alias 0: refused: some aliases are gone");
}
END_TEST

/* No packet socket opened or closed, no filter attached: kernel waits in the window. */
START_TEST(a_takeover_leaves_the_packet_socket_alone)
{
	struct cmsha_packet_socket_counts before, after;

	cmsha_packet_socket_counts(&before);
	run_until_asked();
	fake_timer_fire(cfg.preflight_wait_ms);
	answer_release(true);
	ck_assert(alias_added());               /* probed, added and announced */
	cmsha_packet_socket_counts(&after);
	ck_assert_uint_eq(after.opened, before.opened);
	ck_assert_uint_eq(after.closed, before.closed);
	ck_assert_uint_eq(after.filters, before.filters);
}
END_TEST

/* agent/mib_control.c's phases: ACTION holds the records and releases, UNDO, FREE. */
static void release_then_undo(void)
{
	cmsha_switchover_hold_records(&sw);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_SNMP));
	ck_assert(!alias_added());
	cmsha_switchover_undo_release(&sw);
	cmsha_switchover_flush_records(&sw);
}

START_TEST(a_release_undone_by_its_set_is_recorded_as_failed)
{
	hold_the_alias();
	release_then_undo();
	ck_assert(alias_added());
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.command, CMSHA_CMD_RELEASE);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "undone: the SET failed on another varbind; "
			 "the aliases were restored");
	ck_assert_int_eq(cmsha_history_at(&history, history.count - 1)->result,
			 CMSHA_RESULT_FAILED);
	ck_assert_uint_eq(history.switchover_count, 0);
	ck_assert_int_eq(sw.status, CMSHA_STATUS_FAILED);
}
END_TEST

START_TEST(a_release_undone_says_when_the_aliases_could_not_be_restored)
{
	hold_the_alias();
	cmsha_switchover_hold_records(&sw);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_SNMP));
	ck_assert_int_eq(system("ip link del cm0"), 0);       /* nowhere to put it back */
	cmsha_switchover_undo_release(&sw);
	cmsha_switchover_flush_records(&sw);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_msg(strstr(last_finished.reason, "could not be restored: "), "%s",
		      last_finished.reason);
	ck_assert_uint_eq(history.switchover_count, 0);
}
END_TEST

/* "already standby": nothing was taken off, so UNDO must add nothing either. */
START_TEST(undoing_a_release_with_nothing_to_do_adds_nothing)
{
	release_then_undo();
	ck_assert(!alias_added());
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
}
END_TEST

START_TEST(a_probe_whose_timer_cannot_be_armed_ends_the_takeover)
{
	fake_loop_refuse_timers = true;
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	ck_assert_ptr_null(sw.job);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "cannot arm the probe's timer: nothing changed");
	ck_assert_int_eq(n_asked, 0);
	ck_assert(!alias_added());
}
END_TEST

START_TEST(a_probe_round_without_its_timer_gives_the_aliases_back)
{
	cfg.preflight_count = 3;                /* rounds of 4 ms; the request at 6 ms */
	cfg.preflight_wait_ms = 4;
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	fake_timer_fire(6);
	answer_release(true);
	fake_loop_refuse_timers = true;
	fake_timer_fire(4);                          /* the next round's timer is refused */
	ck_assert_int_eq(n_asked, 2);
	ck_assert_int_eq(asked[1].cmd, CMSHA_CMD_FORCE_TAKEOVER);
	asked[1].done(asked[1].arg, true, "");
	ck_assert_ptr_null(sw.job);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "cannot arm the probe's timer: no alias added "
			 "here; the peer had released and took them back");
	ck_assert(!alias_added());
}
END_TEST

START_TEST(a_switch_away_without_its_deadline_ends)
{
	hold_the_alias();
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_SWITCH_AWAY, CMSHA_BY_SNMP));
	ck_assert_int_eq(n_asked, 1);
	ck_assert_int_eq(asked[0].cmd, CMSHA_CMD_TAKEOVER);
	fake_loop_refuse_timers = true;
	asked[0].done(asked[0].arg, true, "");
	ck_assert_ptr_null(sw.job);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_msg(strstr(last_finished.reason, "cannot arm the deadline"), "%s",
		      last_finished.reason);
	ck_assert(alias_added());
}
END_TEST

/*
 * A history file whose disk hangs: each save waits until the test closes
 * the gate's write end.
 */
static int gate[2] = { -1, -1 };
static struct history_dir hd;

/*
 * The directory is the parent's (an unchecked fixture): a test that fails
 * ends its forked process at once, and the parent still removes it.
 */
static void make_history_dir(void)
{
	if (!history_dir_make(&hd, "check-takeover")) {
		perror(hd.dir);
		exit(1);
	}
}

static void remove_history_dir(void)
{
	if (!history_dir_remove(&hd))
		perror(hd.dir);
}

static bool hung_write(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	char byte;

	while (read(gate[0], &byte, 1) > 0)
		;
	return cmsha_history_write_file(path, data, len, err, errlen);
}

static void open_hung_history(void)
{
	char err[256];

	ck_assert_int_eq(pipe(gate), 0);
	history_dir_clear(&hd);
	cmsha_history_close(&history);
	ck_assert(cmsha_history_open(&history, 10, hd.path, err, sizeof(err)));
	ck_assert_msg(cmsha_history_start_writer(&history, hung_write, err, sizeof(err)), "%s", err);
}

static void close_hung_history(void)
{
	close(gate[1]);                 /* the disk answers: the writer can stop */
	cmsha_history_close(&history);
	close(gate[0]);
	history_dir_clear(&hd);
}

START_TEST(a_forced_takeover_that_cannot_time_its_note_ends)
{
	open_hung_history();
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_FORCE_TAKEOVER, CMSHA_BY_SNMP));
	fake_loop_refuse_timers = true;
	fake_timer_fire(cfg.forceprobe_wait_ms);     /* probed; the note is not on disk */
	ck_assert_ptr_null(sw.job);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "cannot arm the pending note's deadline: "
			 "nothing changed");
	ck_assert(!alias_added());
	close_hung_history();
}
END_TEST

START_TEST(a_takeover_that_cannot_time_its_note_asks_nothing)
{
	open_hung_history();
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	fake_loop_refuse_timers = true;
	fake_timer_fire_us(cfg.preflight_wait_ms * 500UL);  /* the release is due; the note is not on disk */
	ck_assert_ptr_null(sw.job);
	ck_assert_int_eq(n_asked, 0);
	ck_assert_str_eq(last_finished.reason, "cannot arm the pending note's deadline: "
			 "nothing changed");
	ck_assert(!alias_added());
	close_hung_history();
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("takeover");
	TCase *tc = tcase_create("order");

	netns_require_or_skip(argv[0]);
	(void)argc;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, make_history_dir, remove_history_dir);
	tcase_add_test(tc, the_release_goes_out_with_the_probe);
	tcase_add_test(tc, a_release_confirmed_before_the_probe_ends_waits_for_it);
	tcase_add_test(tc, a_refused_release_changes_nothing);
	tcase_add_test(tc, a_measured_round_trip_times_the_request);
	tcase_add_test(tc, one_slow_round_trip_does_not_move_the_lead);
	tcase_add_test(tc, a_conflict_seen_before_the_request_asks_nothing);
	tcase_add_test(tc, a_conflict_after_the_release_gives_the_aliases_back);
	tcase_add_test(tc, a_takeover_leaves_the_packet_socket_alone);
	tcase_add_test(tc, a_release_undone_by_its_set_is_recorded_as_failed);
	tcase_add_test(tc, a_release_undone_says_when_the_aliases_could_not_be_restored);
	tcase_add_test(tc, undoing_a_release_with_nothing_to_do_adds_nothing);
	tcase_add_test(tc, a_probe_whose_timer_cannot_be_armed_ends_the_takeover);
	tcase_add_test(tc, a_probe_round_without_its_timer_gives_the_aliases_back);
	tcase_add_test(tc, a_switch_away_without_its_deadline_ends);
	tcase_add_test(tc, a_forced_takeover_that_cannot_time_its_note_ends);
	tcase_add_test(tc, a_give_back_the_peer_refuses_says_nobody_serves);
	tcase_add_test(tc, a_give_back_that_cannot_be_sent_says_nobody_serves);
	tcase_add_test(tc, a_failed_undo_of_an_add_is_in_the_reason);
	tcase_add_test(tc, a_failed_undo_of_a_release_is_in_the_reason);
	tcase_add_test(tc, a_release_does_not_wait_for_netlink);
	tcase_add_test(tc, a_takeover_that_cannot_time_its_note_asks_nothing);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
