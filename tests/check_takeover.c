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
#include "announce.h"
#include "packet_tap.h"
#include "switchover.h"

#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#define DEADLINE_MS 2000
#define MAX_TIMERS 8

static struct cmsha_config cfg;
static struct cmsha_ha ha;
static struct cmsha_history history;
static struct cmsha_switchover sw;
static struct cmsha_alias_ctl *ctl;
static struct cmsha_packet_tap *tap;

static struct fake_timer { unsigned id, ms; cmsha_callback fn; void *arg; } timers[MAX_TIMERS];
static unsigned next_timer_id;
static struct { enum cmsha_command cmd; cmsha_peer_done done; void *arg; } asked[4];
static int n_asked, finished_calls;
static struct cmsha_history_entry last_finished;

static unsigned fake_timer_add(void *ctx, unsigned ms, cmsha_callback fn, void *arg)
{
	(void)ctx;
	for (int i = 0; i < MAX_TIMERS; i++)
		if (!timers[i].id) {
			timers[i] = (struct fake_timer){ ++next_timer_id, ms, fn, arg };
			return timers[i].id;
		}
	ck_abort_msg("too many timers");
	return 0;
}

static void fake_timer_cancel(void *ctx, unsigned id)
{
	(void)ctx;
	for (int i = 0; i < MAX_TIMERS; i++)
		if (timers[i].id == id)
			timers[i].id = 0;
}

/* Fire the armed timer of ms milliseconds, as the loop would once they passed. */
static void fire_timer(unsigned ms)
{
	for (int i = 0; i < MAX_TIMERS; i++)
		if (timers[i].id && timers[i].ms == ms) {
			struct fake_timer t = timers[i];

			timers[i].id = 0;
			t.fn(t.arg);
			return;
		}
	ck_abort_msg("no %u ms timer armed", ms);
}

static bool timer_armed(unsigned ms)
{
	for (int i = 0; i < MAX_TIMERS; i++)
		if (timers[i].id && timers[i].ms == ms)
			return true;
	return false;
}

static bool fake_peer_command(void *ctx, enum cmsha_command cmd, unsigned timeout_ms,
			      cmsha_peer_done done, void *arg)
{
	(void)ctx, (void)timeout_ms;
	ck_assert_int_lt(n_asked, 4);
	asked[n_asked].cmd = cmd;
	asked[n_asked].done = done;
	asked[n_asked++].arg = arg;
	return true;
}

static bool yes(void *ctx) { (void)ctx; return true; }
static void nothing(void *ctx) { (void)ctx; }
static bool confirmed(void *ctx, bool held, unsigned max_ms)
{
	(void)ctx, (void)held, (void)max_ms;
	return true;
}
static void on_finished(void *ctx, const struct cmsha_history_entry *e)
{
	(void)ctx;
	finished_calls++;
	last_finished = *e;
}

static const struct cmsha_switchover_env env = {
	.timer_add = fake_timer_add, .timer_cancel = fake_timer_cancel,
	.peer_reachable = yes, .peer_command = fake_peer_command, .refresh = nothing,
	.confirm = confirmed, .finished = on_finished,
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
	cmsha_config_init(&cfg);
	ck_assert(cmsha_config_apply(&cfg, "alias", "10.89.0.10/24 dev cm0", err, sizeof(err)));
	ck_assert(cmsha_config_apply(&cfg, "peer", "10.89.0.12", err, sizeof(err)));
	ck_assert(cmsha_ha_init(&ha, &cfg, &now));
	ha.mode = CMSHA_MODE_SOFTWARE;
	ha.oper = CMSHA_OPER_STANDBY;
	ha.aliases[0].state = CMSHA_ALIAS_ABSENT;
	ck_assert(cmsha_history_open(&history, 10, NULL, err, sizeof(err)));
	cmsha_switchover_init(&sw, &cfg, &ha, &history, ctl, &env);
	memset(timers, 0, sizeof(timers));
	n_asked = finished_calls = 0;
}

static void teardown(void)
{
	cmsha_switchover_shutdown(&sw);
	cmsha_history_close(&history);
	cmsha_ha_free(&ha);
	cmsha_config_free(&cfg);
	cmsha_alias_ctl_close(ctl);
	cmsha_packet_tap_put(tap);
}

static bool alias_added(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip -o addr show dev cm0 | grep -q ' 10.89.0.10/24 '");
	return system(cmd) == 0;
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
	fire_timer(cfg.preflight_wait_ms / 2);
}

START_TEST(the_release_goes_out_with_the_probe)
{
	run_until_asked();
	/* the probe still waits for answers, and the peer is already asked */
	ck_assert(timer_armed(cfg.preflight_wait_ms));
	ck_assert_int_eq(n_asked, 1);
	ck_assert_int_eq(asked[0].cmd, CMSHA_CMD_RELEASE);
	ck_assert(!alias_added());
	/* the probe ends first: nothing is added while the peer may still hold them */
	fire_timer(cfg.preflight_wait_ms);
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
	fire_timer(cfg.preflight_wait_ms);
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
	ck_assert(!timer_armed(cfg.preflight_wait_ms));        /* the probe is gone too */
	ck_assert(!alias_added());
}
END_TEST

/* With a round trip known, the request leaves so as to land as the probe ends. */
START_TEST(a_measured_round_trip_times_the_request)
{
	sw.release_rtt_ms = 1.0;                 /* 125 %: 1.25 ms before the 5 ms end */
	ck_assert_uint_eq(cfg.preflight_count * cfg.preflight_wait_ms, 5);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	ck_assert_int_eq(n_asked, 0);
	ck_assert(!timer_armed(2));
	fire_timer(3);
	ck_assert_int_eq(n_asked, 1);
	fire_timer(cfg.preflight_wait_ms);
	answer_release(true);
	ck_assert(alias_added());
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

static void wait_for_frames(void)
{
	struct pollfd p = { .fd = cmsha_packet_tap_fd(tap), .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, DEADLINE_MS), 1);
}

START_TEST(a_conflict_seen_before_the_request_asks_nothing)
{
	netns_change_address("cm0p", "10.89.0.10/32", true);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	wait_for_frames();                      /* cm0p's kernel answers the probe */
	fire_timer(cfg.preflight_wait_ms / 2);
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
	wait_for_frames();
	fire_timer(cfg.preflight_wait_ms);
	ck_assert_int_eq(finished_calls, 0);    /* the release's answer decides */
	answer_release(true);
	ck_assert_int_eq(n_asked, 2);
	ck_assert_int_eq(asked[1].cmd, CMSHA_CMD_FORCE_TAKEOVER);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_msg(strstr(last_finished.reason, "asked to take them back"), "%s",
		      last_finished.reason);
	ck_assert(!alias_added());
}
END_TEST

START_TEST(no_packet_socket_is_opened_or_closed_by_a_takeover)
{
	struct cmsha_packet_socket_counts before, after;

	cmsha_packet_socket_counts(&before);
	run_until_asked();
	fire_timer(cfg.preflight_wait_ms);
	answer_release(true);
	ck_assert(alias_added());               /* probed, added and announced */
	cmsha_packet_socket_counts(&after);
	ck_assert_uint_eq(after.opened, before.opened);
	ck_assert_uint_eq(after.closed, before.closed);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("takeover");
	TCase *tc = tcase_create("order");

	netns_require_or_skip(argv[0]);
	(void)argc;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_release_goes_out_with_the_probe);
	tcase_add_test(tc, a_release_confirmed_before_the_probe_ends_waits_for_it);
	tcase_add_test(tc, a_refused_release_changes_nothing);
	tcase_add_test(tc, a_measured_round_trip_times_the_request);
	tcase_add_test(tc, a_conflict_seen_before_the_request_asks_nothing);
	tcase_add_test(tc, a_conflict_after_the_release_gives_the_aliases_back);
	tcase_add_test(tc, no_packet_socket_is_opened_or_closed_by_a_takeover);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
