/*
 * The switch-over engine's verdicts: which command may run in which state,
 * and what a refusal records; then whole takeover, forceTakeover and
 * switchAway sequences against a fake kernel (aliases, probe, announcements),
 * a fake peer and the fake loop's timers: the order probe -> release -> add
 * -> announce, the rollback of a failed add, the give-back, the
 * announcements' count, the wait for netlink as an event, and jobs whose
 * timers cannot be armed.  (tests/check_takeover.c runs the takeover
 * against the real kernel in a private network namespace.)
 */
#include "autoconfig.h"
#include "autofailover_sources.h"
#include "check_run.h"
#include "fake_loop.h"
#include "switchover.h"
#include "switchover_private.h"     /* a switchAway job, made by hand */
#include "history_dir.h"

#include <errno.h>
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct cmsha_config cfg;
static struct cmsha_ha ha;
static struct cmsha_history history;
static struct cmsha_switchover sw;
static bool peer_up;
static int finished_calls;
static struct cmsha_history_entry last_finished;
static char reason[256];

static bool fake_peer_reachable(void *ctx) { (void)ctx; return peer_up; }
static void fake_finished(void *ctx, const struct cmsha_history_entry *e)
{
	(void)ctx;
	finished_calls++;
	last_finished = *e;
}

/*
 * The fake kernel: which aliases it holds, and what the engine asked of it
 * and of the peer, in order ("probe; peer release; add 0; announce 0").
 */
static char asked[1024];
static bool kernel_holds[4];
static int refused_add = -1;            /* this alias' add fails */
static bool events_lag;                 /* netlink shows changes only at netlink_event() */
static int answered_target = -1;        /* the probe hears a third station for it */
static const uint8_t third_mac[CMSHA_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0x33 };
struct cmsha_probe { size_t n_targets; };       /* the fake's own */
static struct cmsha_probe the_probe;

static void note_asked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note_asked(const char *fmt, ...)
{
	size_t used = strlen(asked);
	va_list ap;

	if (used)
		used += (size_t)snprintf(asked + used, sizeof(asked) - used, "; ");
	va_start(ap, fmt);
	vsnprintf(asked + used, sizeof(asked) - used, fmt, ap);
	va_end(ap);
}

static size_t alias_index(const struct cmsha_alias_conf *a)
{
	ck_assert(a >= cfg.aliases && a < cfg.aliases + cfg.n_aliases);
	return (size_t)(a - cfg.aliases);
}

static bool fake_alias_add(struct cmsha_alias_ctl *ctl, const struct cmsha_alias_conf *a,
			   char *err, size_t errlen)
{
	size_t i = alias_index(a);

	(void)ctl;
	note_asked("add %zu", i);
	if ((int)i == refused_add) {
		snprintf(err, errlen, "cannot add alias %zu: refused", i);
		return false;
	}
	kernel_holds[i] = true;
	return true;
}

static bool fake_alias_del(struct cmsha_alias_ctl *ctl, const struct cmsha_alias_conf *a,
			   char *err, size_t errlen)
{
	size_t i = alias_index(a);

	(void)ctl, (void)err, (void)errlen;
	note_asked("del %zu", i);
	kernel_holds[i] = false;
	return true;
}

static bool fake_announce(const struct cmsha_alias_conf *a, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	note_asked("announce %zu", alias_index(a));
	return true;
}

static struct cmsha_probe *fake_probe_start(const struct cmsha_alias_conf *targets, size_t n,
					    char *err, size_t errlen)
{
	(void)targets, (void)err, (void)errlen;
	note_asked("probe %zu", n);
	the_probe.n_targets = n;
	return &the_probe;
}

static bool fake_probe_send_round(struct cmsha_probe *p, char *err, size_t errlen)
{
	(void)p, (void)err, (void)errlen;
	note_asked("round");
	return true;
}

static void fake_probe_take_queued(struct cmsha_probe *p) { (void)p; }

static size_t fake_probe_answers(const struct cmsha_probe *p, size_t target,
				 uint8_t (*macs)[CMSHA_MAC_LEN], size_t max)
{
	ck_assert_ptr_eq(p, &the_probe);
	ck_assert_uint_lt(target, p->n_targets);
	if ((int)target != answered_target || max == 0)
		return 0;
	memcpy(macs[0], third_mac, CMSHA_MAC_LEN);
	return 1;
}

static bool fake_probe_contended(const struct cmsha_probe *p, size_t target)
{
	(void)p, (void)target;
	return false;
}

static void fake_probe_free(struct cmsha_probe *p)
{
	ck_assert_ptr_eq(p, &the_probe);
	the_probe.n_targets = 0;
}

static const struct cmsha_switchover_kernel fake_kernel = {
	fake_alias_add, fake_alias_del, fake_announce, fake_probe_start, fake_probe_send_round,
	fake_probe_take_queued, fake_probe_answers, fake_probe_contended, fake_probe_free
};

/* cmshad's netlink watch: the kernel's aliases, into the engine's cmsha_ha. */
static void show_the_kernel(void)
{
	for (size_t i = 0; i < cfg.n_aliases; i++)
		ha.aliases[i].state = kernel_holds[i] ? CMSHA_ALIAS_PRESENT : CMSHA_ALIAS_ABSENT;
}

static bool refresh_tells_engine;       /* as cmshad's: the events taken reach kernel_changed */
static int refresh_calls;

static void fake_refresh(void *ctx)
{
	(void)ctx;
	refresh_calls++;
	if (!events_lag)
		show_the_kernel();
	if (refresh_tells_engine)
		cmsha_switchover_kernel_changed(&sw);
}

/* The lagging events come: cmshad's loop refreshes, then tells the engine. */
static void netlink_event(void)
{
	show_the_kernel();
	cmsha_switchover_kernel_changed(&sw);
}

/* The peer's agent: each request waits for the test's answer. */
static struct { enum cmsha_command cmd; cmsha_peer_done done; void *arg; } peer_asked[4];
static int n_peer_asked;

static bool fake_peer_command(void *ctx, enum cmsha_command cmd, unsigned timeout_ms,
			      cmsha_peer_done done, void *arg)
{
	(void)ctx, (void)timeout_ms;
	ck_assert_int_lt(n_peer_asked, 4);
	note_asked("peer %s", cmsha_command_name(cmd));
	peer_asked[n_peer_asked].cmd = cmd;
	peer_asked[n_peer_asked].done = done;
	peer_asked[n_peer_asked++].arg = arg;
	return true;
}

/* The engine's step lines: all of them ("...\n"), and the last one's command and text. */
static char steps[4096], last_step[256];
static enum cmsha_command last_step_cmd;

static void fake_step(void *ctx, enum cmsha_command cmd, double elapsed_ms, const char *what)
{
	size_t used = strlen(steps);

	(void)ctx, (void)elapsed_ms;
	last_step_cmd = cmd;
	snprintf(last_step, sizeof(last_step), "%s", what);
	snprintf(steps + used, sizeof(steps) - used, "%s\n", what);
}

static const struct cmsha_switchover_env env = {
	.timer_add = fake_timer_add, .timer_cancel = fake_timer_cancel,
	.timer_add_us = fake_timer_add_us,
	.peer_reachable = fake_peer_reachable, .peer_command = fake_peer_command,
	.finished = fake_finished, .refresh = fake_refresh, .step = fake_step,
	.kernel = &fake_kernel,
};

/* A standby server in software mode: its cmsha_ha shows what the fake kernel holds. */
static void ha_standby(void)
{
	ck_assert(cmsha_ha_init(&ha, &cfg, &(struct timespec){ 1, 0 }));
	ha.mode = CMSHA_MODE_SOFTWARE;
	ha.oper = CMSHA_OPER_STANDBY;
	show_the_kernel();
}

static void setup(void)
{
	char err[256];

	cmsha_config_init(&cfg);
	ck_assert(cmsha_config_apply(&cfg, "alias", "10.77.0.10/24 dev eth0", err, sizeof(err)));
	ck_assert(cmsha_config_apply(&cfg, "peer", "10.77.0.12", err, sizeof(err)));
	memset(kernel_holds, 0, sizeof(kernel_holds));
	ha_standby();
	ck_assert(cmsha_history_open(&history, 10, NULL, err, sizeof(err)));
	cmsha_switchover_init(&sw, &cfg, &ha, &history, NULL, &env);
	peer_up = true;
	finished_calls = n_peer_asked = 0;
	fake_loop_reset();
	asked[0] = steps[0] = last_step[0] = '\0';
	refused_add = answered_target = -1;
	events_lag = refresh_tells_engine = false;
}

static void teardown(void)
{
	cmsha_switchover_shutdown(&sw);
	cmsha_history_close(&history);
	cmsha_ha_free(&ha);
	cmsha_config_free(&cfg);
}

static enum cmsha_verdict check_cmd(enum cmsha_command cmd, enum cmsha_initiator by)
{
	return cmsha_switchover_check(&sw, cmd, by, reason, sizeof(reason));
}

/*
 * An active server in its switchAway, waiting for the peer's release: no
 * alias configured, so the release needs no kernel (the rule is the same).
 */
static size_t aliases_configured;

static void start_switch_away(void)
{
	aliases_configured = cfg.n_aliases;
	cfg.n_aliases = 0;
	ha.oper = CMSHA_OPER_ACTIVE;
	sw.job = calloc(1, sizeof(*sw.job));
	ck_assert_ptr_nonnull(sw.job);
	sw.job->cmd = CMSHA_CMD_SWITCH_AWAY;
	sw.job->by = CMSHA_BY_SNMP;
	clock_gettime(CLOCK_MONOTONIC, &sw.job->started_mono);
}

static const struct cmsha_history_entry *row(size_t back)
{
	return &history.ring[(history.oldest + history.count - 1 - back) % history.capacity];
}

/* The release in a switchAway by `by`: its two rows, the release's and the switchAway's. */
static void release_during_switch_away(enum cmsha_initiator by, enum cmsha_result switch_away)
{
	start_switch_away();
	ck_assert_int_eq(check_cmd(CMSHA_CMD_RELEASE, by), CMSHA_VERDICT_ACCEPT);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, by));
	cfg.n_aliases = aliases_configured;
	ck_assert_ptr_null(sw.job);
	ck_assert_uint_eq(history.count, 2);
	ck_assert_int_eq(row(1)->command, CMSHA_CMD_RELEASE);
	ck_assert_int_eq(row(1)->initiator, by);
	ck_assert_int_eq(row(1)->result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_int_eq(row(0)->command, CMSHA_CMD_SWITCH_AWAY);
	ck_assert_int_eq(row(0)->result, switch_away);
}

START_TEST(the_peers_release_completes_a_switch_away)
{
	release_during_switch_away(CMSHA_BY_PEER, CMSHA_RESULT_SUCCEEDED);
	ck_assert_uint_eq(history.switchover_count, 1);         /* the switchAway alone */
}
END_TEST

START_TEST(a_managers_release_cancels_a_switch_away)
{
	release_during_switch_away(CMSHA_BY_SNMP, CMSHA_RESULT_FAILED);
	ck_assert_ptr_nonnull(strstr(row(0)->reason, "cancelled by a manager's release"));
	ck_assert_int_eq(sw.status, CMSHA_STATUS_FAILED);
	ck_assert_uint_eq(history.switchover_count, 1);         /* the manager's release */
}
END_TEST

START_TEST(a_peer_request_id_is_carried_out_once)
{
	bool ok = false;

	ck_assert(!cmsha_switchover_peer_request_seen(&sw, 0, &ok));
	ck_assert(!cmsha_switchover_peer_request_seen(&sw, 77, &ok));
	cmsha_switchover_peer_request_done(&sw, 77, true);
	cmsha_switchover_peer_request_done(&sw, 78, false);
	ck_assert(cmsha_switchover_peer_request_seen(&sw, 77, &ok) && ok);
	ck_assert(cmsha_switchover_peer_request_seen(&sw, 78, &ok) && !ok);
	ck_assert(!cmsha_switchover_peer_request_seen(&sw, 0, &ok));   /* never an id */
	for (uint32_t id = 100; id < 100 + CMSHA_PEER_REQUESTS_KEPT; id++)
		cmsha_switchover_peer_request_done(&sw, id, true);
	ck_assert(!cmsha_switchover_peer_request_seen(&sw, 77, &ok));  /* the oldest go */
	ck_assert(cmsha_switchover_peer_request_seen(&sw, 100, &ok));
}
END_TEST

/* A retransmission across a restart: the id is found in the history's rows. */
START_TEST(a_peer_request_id_survives_a_restart_in_the_history)
{
	bool ok = false;

	cmsha_switchover_set_request_id(&sw, 91);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_PEER));
	cmsha_switchover_peer_request_done(&sw, 91, true);
	cmsha_switchover_shutdown(&sw);                          /* restart */
	cmsha_switchover_init(&sw, &cfg, &ha, &history, NULL, &env);
	ck_assert(cmsha_switchover_peer_request_seen(&sw, 91, &ok) && ok);
	ck_assert(!cmsha_switchover_peer_request_seen(&sw, 92, &ok));
}
END_TEST

START_TEST(a_peer_requests_row_keeps_its_id)
{
	cmsha_switchover_set_request_id(&sw, 77);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_PEER));
	ck_assert_uint_eq(row(0)->request_id, 77);
	ck_assert_int_eq(row(0)->initiator, CMSHA_BY_PEER);
	cmsha_switchover_set_request_id(&sw, 78);
	cmsha_switchover_refuse(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_PEER, "busy");
	ck_assert_uint_eq(row(0)->request_id, 78);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_SNMP));
	ck_assert_uint_eq(row(0)->request_id, 0);       /* a manager's: no id */
}
END_TEST

START_TEST(takeover_from_standby_is_accepted)
{
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
	ck_assert_int_eq(check_cmd(CMSHA_CMD_FORCE_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
}
END_TEST

START_TEST(manual_mode_refuses_all_but_test_and_release)
{
	ha.mode = CMSHA_MODE_MANUAL;
	strcpy(ha.mode_reason, "peer 10.78.0.12 is not in alias subnet 10.77.0.0/24: "
	       "a manual switch-over is required");
	ha.oper = CMSHA_OPER_ACTIVE;
	for (int c = CMSHA_CMD_TAKEOVER; c <= CMSHA_CMD_SWITCH_AWAY; c++) {
		if (c == CMSHA_CMD_RELEASE)
			continue;
		ck_assert_int_eq(check_cmd(c, CMSHA_BY_SNMP), CMSHA_VERDICT_REFUSE);
		ck_assert_str_eq(reason, ha.mode_reason);
	}
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TEST, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
	/* Giving the aliases up stays possible: the peer may need it to recover. */
	ck_assert_int_eq(check_cmd(CMSHA_CMD_RELEASE, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
}
END_TEST

START_TEST(already_true_commands_are_noted)
{
	ck_assert_int_eq(check_cmd(CMSHA_CMD_RELEASE, CMSHA_BY_SNMP), CMSHA_VERDICT_ALREADY_DONE);
	ck_assert_int_eq(check_cmd(CMSHA_CMD_SWITCH_AWAY, CMSHA_BY_SNMP), CMSHA_VERDICT_ALREADY_DONE);
	ha.oper = CMSHA_OPER_ACTIVE;
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_ALREADY_DONE);
	ck_assert_int_eq(check_cmd(CMSHA_CMD_FORCE_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_ALREADY_DONE);
	ck_assert_ptr_nonnull(strstr(reason, "already active"));
}
END_TEST

START_TEST(unreachable_peer_refuses_takeover_and_switch_away)
{
	peer_up = false;
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_REFUSE);
	ck_assert_str_eq(reason, "peer agent 10.77.0.12 is unreachable: use forceTakeover if "
			 "the peer server is down");
	ck_assert_int_eq(check_cmd(CMSHA_CMD_FORCE_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_STARTUP), CMSHA_VERDICT_ACCEPT);
	/* autofailover's takeover does not ask the peer: its probe decides */
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_AUTOMATIC), CMSHA_VERDICT_ACCEPT);
	ha.oper = CMSHA_OPER_ACTIVE;
	ck_assert_int_eq(check_cmd(CMSHA_CMD_SWITCH_AWAY, CMSHA_BY_SNMP), CMSHA_VERDICT_REFUSE);
	ck_assert_ptr_nonnull(strstr(reason, "it cannot take over"));
}
END_TEST

START_TEST(required_component_down_refuses_takeover_only)
{
	char err[256];

	cmsha_ha_free(&ha);
	ck_assert(cmsha_config_apply(&cfg, "component", "cms required pidfile /run/cms.pid",
				     err, sizeof(err)));
	ck_assert(cmsha_config_apply(&cfg, "component", "odbc optional tcp 127.0.0.1:1",
				     err, sizeof(err)));
	ck_assert(cmsha_ha_init(&ha, &cfg, &(struct timespec){ 1, 0 }));
	ha.mode = CMSHA_MODE_SOFTWARE;
	ha.oper = CMSHA_OPER_STANDBY;
	ha.aliases[0].state = CMSHA_ALIAS_ABSENT;
	ha.components[1].state = CMSHA_COMPONENT_DOWN;            /* optional: no matter */
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
	ha.components[0].state = CMSHA_COMPONENT_UNKNOWN;         /* not checked yet */
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
	ha.components[0].state = CMSHA_COMPONENT_DOWN;
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_REFUSE);
	ck_assert_str_eq(reason, "required component cms is down here: this server is not "
			 "fit to take over (forceTakeover overrides)");
	ck_assert_int_eq(check_cmd(CMSHA_CMD_FORCE_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TEST, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
}
END_TEST

START_TEST(automatic_command_records_its_trigger_once)
{
	ck_assert(cmsha_switchover_run_automatic(&sw, CMSHA_CMD_RELEASE, "split brain: x"));
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.initiator, CMSHA_BY_AUTOMATIC);
	ck_assert_str_eq(last_finished.reason, "automatic (split brain: x): already standby: "
			 "this server holds no alias: nothing to do");
	/* the next command, from a NOC, carries no trigger */
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_SNMP));
	ck_assert_int_eq(last_finished.initiator, CMSHA_BY_SNMP);
	ck_assert_ptr_null(strstr(last_finished.reason, "automatic"));
}
END_TEST

/* A fresh history kept in a file of a new temporary directory. */
static void open_history_file(struct history_dir *hd)
{
	char err[256];

	ck_assert_msg(history_dir_make(hd, "check-switchover"), "mkdtemp: %s", strerror(errno));
	cmsha_history_close(&history);
	ck_assert(cmsha_history_open(&history, 10, hd->path, err, sizeof(err)));
}

static size_t rows_on_disk(const char *path)
{
	struct cmsha_history h;
	char err[256];
	size_t n;

	ck_assert_msg(cmsha_history_open(&h, 10, path, err, sizeof(err)), "%s", err);
	n = h.count;
	cmsha_history_close(&h);
	return n;
}

START_TEST(held_records_wait_for_the_flush)
{
	struct history_dir hd;
	const char *path = hd.path;

	open_history_file(&hd);
	cmsha_switchover_hold_records(&sw);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_PEER));
	/* in memory (the MIB shows it) but neither on disk nor announced yet */
	ck_assert_uint_eq(history.count, 1);
	ck_assert_str_eq(sw.last_reason, "already standby: this server holds no alias: "
			 "nothing to do");
	ck_assert_int_eq(finished_calls, 0);
	ck_assert_uint_eq(rows_on_disk(path), 0);
	cmsha_switchover_flush_records(&sw);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.command, CMSHA_CMD_RELEASE);
	ck_assert_uint_eq(rows_on_disk(path), 1);
	ck_assert(!fake_timer_armed(CMSHA_HOLD_RECORDS_MAX_MS));  /* the fallback is cancelled */
	/* no longer held: the next command is recorded at once */
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_SNMP));
	ck_assert_int_eq(finished_calls, 2);
	ck_assert_uint_eq(rows_on_disk(path), 2);
	ck_assert(history_dir_remove(&hd));
}
END_TEST

START_TEST(held_records_are_written_by_the_timer_if_nobody_flushes)
{
	struct history_dir hd;
	const char *path = hd.path;

	open_history_file(&hd);
	cmsha_switchover_hold_records(&sw);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_PEER));
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_PEER));
	ck_assert_int_eq(finished_calls, 0);
	fake_timer_fire(CMSHA_HOLD_RECORDS_MAX_MS);
	ck_assert_int_eq(finished_calls, 2);
	ck_assert_uint_eq(rows_on_disk(path), 2);
	cmsha_switchover_flush_records(&sw);      /* nothing left: nothing twice */
	ck_assert_int_eq(finished_calls, 2);
	ck_assert(history_dir_remove(&hd));
}
END_TEST

/* Held without their timer, records could wait for ever: they are not held. */
START_TEST(records_are_not_held_without_the_timer)
{
	fake_loop_refuse_timers = true;
	cmsha_switchover_hold_records(&sw);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_PEER));
	ck_assert_int_eq(finished_calls, 1);
	ck_assert(!sw.records_held);
}
END_TEST

START_TEST(interface_down_refuses_takeover)
{
	ha.aliases[0].state = CMSHA_ALIAS_INTERFACE_DOWN;
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_REFUSE);
	ck_assert_str_eq(reason, "interface eth0 is down or missing");
	ck_assert_int_eq(check_cmd(CMSHA_CMD_FORCE_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_REFUSE);
}
END_TEST

/* A hold whose checks ran at now, minus ms milliseconds. */
static unsigned reserve_checked_ms_ago(long ms)
{
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	at.tv_sec -= ms / 1000;
	at.tv_nsec -= (ms % 1000) * 1000000L;
	if (at.tv_nsec < 0) {
		at.tv_sec--;
		at.tv_nsec += 1000000000L;
	}
	return cmsha_switchover_reserve(&sw, &at);
}

/* The peer channel's one step (src/switchover_serve.c): checked, held, run, its id kept. */
START_TEST(a_served_release_runs_once_and_keeps_its_id)
{
	ck_assert_int_eq(cmsha_switchover_serve_peer(&sw, CMSHA_CMD_RELEASE, 501),
			 CMSHA_SERVED_DONE);
	ck_assert_uint_eq(history.count, 1);
	ck_assert_int_eq(row(0)->command, CMSHA_CMD_RELEASE);
	ck_assert_int_eq(row(0)->initiator, CMSHA_BY_PEER);
	ck_assert_int_eq(row(0)->result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_uint_eq(row(0)->request_id, 501);
	ck_assert(!cmsha_switchover_is_reserved(&sw));          /* the run took the hold */
	ck_assert_int_eq(cmsha_switchover_serve_peer(&sw, CMSHA_CMD_RELEASE, 501),
			 CMSHA_SERVED_SEEN_OK);
	ck_assert_uint_eq(history.count, 1);                    /* not carried out again */
}
END_TEST

START_TEST(a_served_request_the_checks_refuse_changes_nothing)
{
	unsigned token = reserve_checked_ms_ago(0);             /* a manager's SET holds it */
	enum cmsha_oper_state before = ha.oper;

	ck_assert_int_eq(cmsha_switchover_serve_peer(&sw, CMSHA_CMD_RELEASE, 502),
			 CMSHA_SERVED_REFUSED);
	ck_assert_int_eq(ha.oper, before);
	ck_assert_uint_eq(history.count, 1);
	ck_assert_int_eq(row(0)->result, CMSHA_RESULT_REFUSED);
	ck_assert_uint_eq(row(0)->request_id, 502);
	ck_assert(cmsha_switchover_is_reserved(&sw));           /* the manager's hold stays */
	cmsha_switchover_unreserve(&sw, token);
	ck_assert_int_eq(cmsha_switchover_serve_peer(&sw, CMSHA_CMD_RELEASE, 502),
			 CMSHA_SERVED_SEEN_FAILED);                  /* its refusal is its outcome */
	ck_assert_int_eq(ha.oper, before);
}
END_TEST

/*
 * A manager's release through snmpd, carried out in ACTION, may still be
 * undone (another varbind fails): a peer's request on the channel in that
 * gap is refused, and leaves that SET's held records to it.
 */
START_TEST(a_served_request_waits_for_a_set_between_its_phases)
{
	cmsha_switchover_hold_records(&sw);                      /* the SET's ACTION */
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_SNMP));
	ck_assert_int_eq(finished_calls, 0);
	ck_assert_int_eq(cmsha_switchover_serve_peer(&sw, CMSHA_CMD_TAKEOVER, 503),
			 CMSHA_SERVED_REFUSED);
	ck_assert_ptr_nonnull(strstr(row(0)->reason, "between its phases"));
	cmsha_switchover_peer_served(&sw);
	ck_assert_int_eq(finished_calls, 0);                     /* still the SET's to flush */
	cmsha_switchover_flush_records(&sw);                     /* its COMMIT */
	ck_assert_int_eq(finished_calls, 2);
	ck_assert_int_eq(cmsha_switchover_serve_peer(&sw, CMSHA_CMD_RELEASE, 504),
			 CMSHA_SERVED_DONE);
	ck_assert_int_eq(finished_calls, 2);                     /* held until answered */
	cmsha_switchover_peer_served(&sw);
	ck_assert_int_eq(finished_calls, 3);
}
END_TEST

START_TEST(a_held_engine_refuses_everything)
{
	unsigned token = reserve_checked_ms_ago(0);

	for (int c = CMSHA_CMD_TAKEOVER; c <= CMSHA_CMD_TEST; c++) {
		ck_assert_int_eq(check_cmd(c, CMSHA_BY_SNMP), CMSHA_VERDICT_REFUSE);
		ck_assert_ptr_nonnull(strstr(reason, "already in progress"));
	}
	cmsha_switchover_unreserve(&sw, token);
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
}
END_TEST

/* snmpd dropped the session after RESERVE2: no COMMIT, no FREE ever comes. */
START_TEST(a_hold_whose_commit_never_comes_expires)
{
	reserve_checked_ms_ago(CMSHA_STALE_COMMIT_MS / 2);
	ck_assert(cmsha_switchover_is_reserved(&sw));
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_REFUSE);
	reserve_checked_ms_ago(CMSHA_STALE_COMMIT_MS + 50);
	ck_assert(!cmsha_switchover_is_reserved(&sw));
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_ACCEPT);
}
END_TEST

START_TEST(a_late_free_leaves_a_newer_hold)
{
	unsigned expired = reserve_checked_ms_ago(CMSHA_STALE_COMMIT_MS + 50);
	unsigned current = reserve_checked_ms_ago(0);

	ck_assert_uint_ne(expired, current);
	cmsha_switchover_unreserve(&sw, expired);
	ck_assert(cmsha_switchover_is_reserved(&sw));
	ck_assert_int_eq(check_cmd(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP), CMSHA_VERDICT_REFUSE);
	cmsha_switchover_unreserve(&sw, current);
	ck_assert(!cmsha_switchover_is_reserved(&sw));
}
END_TEST

START_TEST(refusal_is_recorded_and_changes_nothing)
{
	enum cmsha_oper_state before = ha.oper;
	cmsha_switchover_refuse(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP, "because");
	ck_assert_int_eq(sw.status, CMSHA_STATUS_REFUSED);
	ck_assert_str_eq(sw.last_reason, "because");
	ck_assert_uint_eq(history.count, 1);
	ck_assert_int_eq(cmsha_history_at(&history, 0)->result, CMSHA_RESULT_REFUSED);
	ck_assert_uint_eq(history.switchover_count, 0);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.command, CMSHA_CMD_TAKEOVER);
	ck_assert_int_eq(ha.oper, before);
}
END_TEST

/* The guard of agent/mib_control.c: a commit more than 1000 ms after its checks. */
START_TEST(a_late_commit_is_stale)
{
	const struct timespec checked = { 100, 900000000 };
	const struct timespec at_limit = { 101, 900000000 };
	const struct timespec just_over = { 101, 900000001 };
	const struct timespec borrow = { 102, 100000000 };     /* 1.2 s, nsec below checked's */

	ck_assert_int_eq(CMSHA_STALE_COMMIT_MS, 1000);
	ck_assert(!cmsha_switchover_commit_stale(&checked, &checked));
	ck_assert(!cmsha_switchover_commit_stale(&checked, &at_limit));
	ck_assert(cmsha_switchover_commit_stale(&checked, &just_over));
	ck_assert(cmsha_switchover_commit_stale(&checked, &borrow));
}
END_TEST

/*
 * Whole commands against the fake kernel and peer.  The probe's timers:
 * preflight 1 x 5 ms, forceprobe 1 x 5 ms; a takeover's release request is
 * due at half the probe (2 ms) while no round trip is measured.
 */
static void add_second_alias(void)
{
	char err[256];

	ck_assert(cmsha_config_apply(&cfg, "alias", "10.77.0.11/24 dev eth0", err, sizeof(err)));
	cmsha_ha_free(&ha);
	ha_standby();
}

static void answer_peer(int n, bool ok)
{
	ck_assert_int_gt(n_peer_asked, n);
	peer_asked[n].done(peer_asked[n].arg, ok, ok ? "" : "refused");
}

/* A NOC's takeover until the peer's release is asked: the probe still listens. */
static void takeover_until_asked(void)
{
	char probe[32];

	snprintf(probe, sizeof(probe), "probe %zu", cfg.n_aliases + 1);  /* and the peer's */
	ck_assert_uint_eq(cfg.preflight_count * cfg.preflight_wait_ms, 5);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	ck_assert_str_eq(asked, probe);
	fake_timer_fire_us(2500);       /* half the probe: no round trip measured yet */
	ck_assert_int_eq(n_peer_asked, 1);
	ck_assert_int_eq(peer_asked[0].cmd, CMSHA_CMD_RELEASE);
}

/* ... and until the probe is over. */
static void takeover_until_probed(void)
{
	takeover_until_asked();
	fake_timer_fire(5);
	ck_assert_int_eq(finished_calls, 0);            /* the peer's answer decides */
}

START_TEST(a_takeover_probes_has_the_peer_release_then_adds_and_announces)
{
	takeover_until_probed();
	answer_peer(0, true);
	ck_assert_str_eq(asked, "probe 2; peer release; add 0; announce 0");
	ck_assert_ptr_null(sw.job);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.command, CMSHA_CMD_TAKEOVER);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_str_eq(last_finished.reason, "takeover completed; the peer released first");
	ck_assert_int_eq(ha.aliases[0].state, CMSHA_ALIAS_PRESENT);
	ck_assert_uint_eq(history.switchover_count, 1);
}
END_TEST

/* A SET's RESERVE2 as mib_control.c makes it: the hold, then the early probe. */
static unsigned reserve_with_early_probe(enum cmsha_command cmd)
{
	struct timespec now;
	unsigned token;

	clock_gettime(CLOCK_MONOTONIC, &now);
	token = cmsha_switchover_reserve(&sw, &now);
	cmsha_switchover_probe_early(&sw, cmd, CMSHA_VERDICT_ACCEPT);
	return token;
}

/* The probe started at the SET's checks: the takeover adopts it, probes nothing twice. */
START_TEST(a_takeover_adopts_the_probe_started_at_its_checks)
{
	unsigned token = reserve_with_early_probe(CMSHA_CMD_TAKEOVER);

	ck_assert_str_eq(asked, "probe 2");                     /* at RESERVE2 */
	ck_assert(fake_timer_armed(CMSHA_STALE_COMMIT_MS));
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	/* not started again (a slow build may have the release due at once) */
	ck_assert_ptr_null(strstr(asked + 1, "probe"));
	ck_assert(!fake_timer_armed(CMSHA_STALE_COMMIT_MS));
	ck_assert_ptr_nonnull(strstr(steps, "probe started"));
	/* The timers left depend on the (real) time since the probe started:
	 * the release's lead first (half the probe, nothing measured yet), then
	 * the probe's end, never past 5 ms from its first frame. */
	while (n_peer_asked == 0)
		ck_assert_uint_le(fake_timer_fire_shortest_us(), 2500);
	ck_assert_uint_le(fake_timer_fire_shortest_us(), 5000);
	answer_peer(0, true);
	ck_assert_str_eq(asked, "probe 2; peer release; add 0; announce 0");
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
	cmsha_switchover_unreserve(&sw, token);                 /* a late FREE: nothing to drop */
	ck_assert_uint_eq(the_probe.n_targets, 0);
}
END_TEST

/* A SET that fails after its checks (FREE without a run): its probe goes with its hold. */
START_TEST(an_early_probe_goes_with_its_reservation)
{
	unsigned token = reserve_with_early_probe(CMSHA_CMD_FORCE_TAKEOVER);

	ck_assert_uint_eq(the_probe.n_targets, 2);
	cmsha_switchover_unreserve(&sw, token);
	ck_assert_uint_eq(the_probe.n_targets, 0);
	ck_assert_uint_eq(fake_timers_armed(), 0);
	ck_assert_ptr_null(sw.early);
}
END_TEST

/* Neither adopted nor given back (the master dropped the session): gone after the stale limit. */
START_TEST(an_unused_early_probe_goes_at_the_stale_limit)
{
	cmsha_switchover_probe_early(&sw, CMSHA_CMD_TAKEOVER, CMSHA_VERDICT_ACCEPT);
	fake_timer_fire(CMSHA_STALE_COMMIT_MS);
	ck_assert_uint_eq(the_probe.n_targets, 0);
	ck_assert_ptr_null(sw.early);
}
END_TEST

/* Only a command that begins with a probe, and only one its checks accepted. */
START_TEST(an_early_probe_only_for_an_accepted_takeover)
{
	cmsha_switchover_probe_early(&sw, CMSHA_CMD_TAKEOVER, CMSHA_VERDICT_ALREADY_DONE);
	cmsha_switchover_probe_early(&sw, CMSHA_CMD_SWITCH_AWAY, CMSHA_VERDICT_ACCEPT);
	cmsha_switchover_probe_early(&sw, CMSHA_CMD_RELEASE, CMSHA_VERDICT_ACCEPT);
	ck_assert_str_eq(asked, "");
	cmsha_switchover_probe_early(&sw, CMSHA_CMD_TAKEOVER, CMSHA_VERDICT_ACCEPT);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_FORCE_TAKEOVER, CMSHA_BY_SNMP));
	ck_assert_str_eq(asked, "probe 2; probe 2");            /* another command's: its own */
	ck_assert_ptr_null(sw.early);
}
END_TEST

START_TEST(a_takeover_announces_three_times_100_ms_apart)
{
	ck_assert_uint_eq(cfg.announce_count, 3);
	ck_assert_uint_eq(cfg.announce_interval_ms, 100);
	add_second_alias();
	takeover_until_probed();
	answer_peer(0, true);
	ck_assert_str_eq(asked, "probe 3; peer release; add 0; add 1; announce 0; announce 1");
	asked[0] = '\0';
	fake_timer_fire(100);
	ck_assert_str_eq(asked, "announce 0; announce 1");
	fake_timer_fire(100);
	ck_assert_str_eq(asked, "announce 0; announce 1; announce 0; announce 1");
	ck_assert_uint_eq(fake_timers_armed(), 0);      /* three rounds, no more */
}
END_TEST

/* The second add fails: the first is removed again and the peer asked to serve again. */
START_TEST(a_failed_add_rolls_back_and_gives_the_aliases_back)
{
	add_second_alias();
	refused_add = 1;
	takeover_until_probed();
	answer_peer(0, true);
	ck_assert_str_eq(asked, "probe 3; peer release; add 0; add 1; del 0; peer forceTakeover");
	ck_assert(!kernel_holds[0] && !kernel_holds[1]);
	ck_assert_int_eq(finished_calls, 0);            /* the peer's answer says who serves */
	answer_peer(1, true);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "cannot add alias 1: refused; no alias kept here; "
			 "the peer had released and took them back");
	ck_assert_uint_eq(history.switchover_count, 0);
}
END_TEST

START_TEST(a_third_station_after_the_release_gives_the_aliases_back)
{
	takeover_until_asked();
	answered_target = 0;                    /* 10.77.0.10 answers, not by the peer */
	fake_timer_fire(5);
	answer_peer(0, true);
	ck_assert_str_eq(asked, "probe 2; peer release; peer forceTakeover");
	answer_peer(1, false);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "conflict: 10.77.0.10 is answered by "
			 "02:00:00:00:00:33, not by the peer: no alias added here; the peer had "
			 "released and did not take them back (refused): no server holds them");
}
END_TEST

START_TEST(a_third_station_before_the_release_is_due_asks_nothing)
{
	answered_target = 0;
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP));
	fake_timer_fire_us(2500);
	ck_assert_str_eq(asked, "probe 2");
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "conflict: 10.77.0.10 is answered by "
			 "02:00:00:00:00:33, not by the peer: nothing changed");
	ck_assert_uint_eq(fake_timers_armed(), 0);
}
END_TEST

START_TEST(a_forced_takeover_probes_adds_and_announces_without_the_peer)
{
	peer_up = false;
	answered_target = 0;
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_FORCE_TAKEOVER, CMSHA_BY_SNMP));
	fake_timer_fire(cfg.forceprobe_wait_ms);
	ck_assert_str_eq(asked, "probe 2; add 0; announce 0");
	ck_assert_int_eq(n_peer_asked, 0);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_str_eq(last_finished.reason, "forced takeover completed without the peer; taken "
			 "although 10.77.0.10 is answered by 02:00:00:00:00:33");
}
END_TEST

START_TEST(a_forced_takeover_whose_add_fails_keeps_nothing)
{
	add_second_alias();
	refused_add = 1;
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_FORCE_TAKEOVER, CMSHA_BY_SNMP));
	fake_timer_fire(cfg.forceprobe_wait_ms);
	ck_assert_str_eq(asked, "probe 3; add 0; add 1; del 0");
	ck_assert_int_eq(n_peer_asked, 0);              /* nobody released: nothing to give back */
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "cannot add alias 1: refused; no alias kept here");
}
END_TEST

/* This server holds its alias and announces it, as after a takeover. */
static void hold_the_alias(void)
{
	kernel_holds[0] = true;
	show_the_kernel();
	ha.oper = CMSHA_OPER_ACTIVE;
	cmsha_switchover_announce(&sw);
	ck_assert_str_eq(asked, "announce 0");
	asked[0] = '\0';
}

/*
 * A release served on the peer channel is answered on the kernel's ACKs:
 * its events (the MIB's alias states, the log's lines) are read once the
 * answer is out, and its records follow them.
 */
START_TEST(a_served_release_reads_the_events_once_answered)
{
	hold_the_alias();
	refresh_calls = 0;
	ck_assert_int_eq(cmsha_switchover_serve_peer(&sw, CMSHA_CMD_RELEASE, 505),
			 CMSHA_SERVED_DONE);
	ck_assert_str_eq(asked, "del 0");
	ck_assert_int_eq(refresh_calls, 0);
	ck_assert_int_eq(ha.aliases[0].state, CMSHA_ALIAS_PRESENT);    /* not read yet */
	ck_assert_int_eq(finished_calls, 0);
	cmsha_switchover_peer_served(&sw);                              /* the answer is out */
	ck_assert_int_eq(refresh_calls, 1);
	ck_assert_int_eq(ha.aliases[0].state, CMSHA_ALIAS_ABSENT);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
}
END_TEST

START_TEST(a_switch_away_ends_with_the_peers_release)
{
	hold_the_alias();
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_SWITCH_AWAY, CMSHA_BY_SNMP));
	ck_assert_str_eq(asked, "peer takeover");
	answer_peer(0, true);
	ck_assert(sw.job && sw.job->timer);             /* the deadline for the peer's request */
	cmsha_switchover_set_request_id(&sw, 9);
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_RELEASE, CMSHA_BY_PEER));
	ck_assert_str_eq(asked, "peer takeover; del 0");
	ck_assert_ptr_null(sw.job);
	ck_assert_uint_eq(fake_timers_armed(), 0);      /* no deadline, no announcement left */
	ck_assert_int_eq(finished_calls, 2);
	ck_assert_int_eq(row(1)->command, CMSHA_CMD_RELEASE);
	ck_assert_uint_eq(row(1)->request_id, 9);
	ck_assert_int_eq(row(0)->command, CMSHA_CMD_SWITCH_AWAY);
	ck_assert_int_eq(row(0)->result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_str_eq(row(0)->reason, "the peer took over and this server released");
	ck_assert_int_eq(ha.aliases[0].state, CMSHA_ALIAS_ABSENT);
}
END_TEST

START_TEST(a_switch_away_the_peer_refuses_changes_nothing)
{
	hold_the_alias();
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_SWITCH_AWAY, CMSHA_BY_SNMP));
	answer_peer(0, false);
	ck_assert_str_eq(asked, "peer takeover");
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "the peer refused to take over (refused): "
			 "nothing changed");
	ck_assert(kernel_holds[0]);
}
END_TEST

/* The aliases are added; netlink has not shown them yet. */
static void takeover_added_unseen(void)
{
	cfg.announce_interval_ms = 30;          /* not the confirmation's 100 ms */
	events_lag = true;
	takeover_until_probed();
	answer_peer(0, true);
	ck_assert_str_eq(asked, "probe 2; peer release; add 0; announce 0");
}

START_TEST(a_takeover_waits_for_netlink_without_blocking)
{
	takeover_added_unseen();
	ck_assert_int_eq(finished_calls, 0);            /* back in the loop, still running */
	ck_assert_ptr_nonnull(sw.job);
	ck_assert(fake_timer_armed(CMSHA_CONFIRM_MAX_MS));
	netlink_event();
	ck_assert_ptr_null(sw.job);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_ptr_nonnull(strstr(last_step, "succeeded"));
	ck_assert(!fake_timer_armed(CMSHA_CONFIRM_MAX_MS));
	ck_assert(fake_timer_armed(30));                /* the announcements go on */
}
END_TEST

START_TEST(a_takeover_whose_events_do_not_come_ends_at_the_deadline)
{
	takeover_added_unseen();
	cmsha_switchover_kernel_changed(&sw);           /* other changes: not yet */
	ck_assert_int_eq(finished_calls, 0);
	fake_timer_fire(CMSHA_CONFIRM_MAX_MS);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_str_eq(last_finished.reason, "takeover completed; the peer released first");
	netlink_event();                                /* late: nothing twice */
	ck_assert_int_eq(finished_calls, 1);
}
END_TEST

/* Nothing to wait with: the aliases are added all the same, and the job ends. */
START_TEST(a_takeover_that_cannot_time_its_wait_for_netlink_ends)
{
	events_lag = true;
	takeover_until_probed();
	fake_loop_refuse_timers = true;
	answer_peer(0, true);
	ck_assert_ptr_null(sw.job);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_msg(strstr(steps, "netlink has not confirmed yet (cannot arm the wait's timer)"),
		      "%s", steps);
}
END_TEST

/* Issue 15: a repeat whose timer cannot be armed ends the repeats, and says so. */
START_TEST(announcements_without_their_timer_stop_and_say_so)
{
	takeover_until_probed();
	answer_peer(0, true);
	ck_assert_ptr_null(sw.job);
	fake_loop_refuse_timers = true;
	fake_timer_fire(100);
	ck_assert_str_eq(asked, "probe 2; peer release; add 0; announce 0; announce 0");
	ck_assert_int_eq(last_step_cmd, CMSHA_CMD_TAKEOVER);
	ck_assert_str_eq(last_step, "announce: cannot arm the timer of the repeats: 1 of 3 "
			 "announcement(s) not sent");
	ck_assert_uint_eq(fake_timers_armed(), 0);
}
END_TEST

/* The same within the job: its log says so, and it ends all the same. */
START_TEST(a_takeover_whose_announcements_cannot_repeat_still_ends)
{
	takeover_until_probed();
	fake_loop_refuse_timers = true;
	answer_peer(0, true);
	ck_assert_ptr_null(sw.job);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_str_eq(asked, "probe 2; peer release; add 0; announce 0");
	ck_assert_msg(strstr(steps, "aliases added\nannounce: cannot arm the timer of the repeats: "
			     "2 of 3 announcement(s) not sent\nannounced\n"), "%s", steps);
	ck_assert_uint_eq(fake_timers_armed(), 0);
}
END_TEST

/*
 * Manual mode, no alias: a switchAway watches the peer move the dns names.
 * The names' server is on loopback, where nobody answers.
 */
static bool fake_fd_watch(void *ctx, int fd, cmsha_callback fn, void *arg)
{
	(void)ctx, (void)fd, (void)fn, (void)arg;
	return true;
}
static void fake_fd_unwatch(void *ctx, int fd) { (void)ctx, (void)fd; }

static const struct cmsha_loop names_loop = {
	fake_timer_add, fake_timer_cancel, fake_fd_watch, fake_fd_unwatch, NULL
};
static struct cmsha_dns_names names;
static char key_path[] = "/tmp/check-switchover-key-XXXXXX";

/* The parent's (an unchecked fixture): removed even when the test fails. */
static void make_key_file(void)
{
	int fd = mkstemp(key_path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f || fputs("key \"cmsha-test\" {\n\talgorithm hmac-sha256;\n\tsecret "
			"\"CkmGxTc0lg1eu8W0p367XiJfDs88PeWPP7uuqE9vwPU=\";\n};\n", f) < 0 ||
	    fclose(f) != 0) {
		perror(key_path);
		exit(1);
	}
}

static void remove_key_file(void)
{
	unlink(key_path);
}

static void use_names_only(void)
{
	char err[256], line[256];

	cmsha_ha_free(&ha);
	cmsha_config_free(&cfg);
	cmsha_config_init(&cfg);
	snprintf(line, sizeof(line), "www.cms.test address 10.78.0.10 peeraddress 10.77.0.10 "
		 "server 127.0.0.1#9 key %s", key_path);
	ck_assert_msg(cmsha_config_apply(&cfg, "dns", line, err, sizeof(err)), "%s", err);
	ck_assert(cmsha_config_apply(&cfg, "peer", "10.77.0.12", err, sizeof(err)));
	ck_assert(cmsha_ha_init(&ha, &cfg, &(struct timespec){ 1, 0 }));
	ha.mode = CMSHA_MODE_MANUAL;
	ha.oper = CMSHA_OPER_ACTIVE;
	ck_assert(cmsha_dns_names_init(&names, &cfg, &names_loop));
	sw.names = &names;
}

/* Issue 15: without the timer of its next look at the names, the job would never end. */
START_TEST(a_switch_away_that_cannot_watch_the_names_ends)
{
	use_names_only();
	ck_assert(cmsha_switchover_run(&sw, CMSHA_CMD_SWITCH_AWAY, CMSHA_BY_SNMP));
	ck_assert_str_eq(asked, "peer takeover");
	fake_loop_refuse_timers = true;
	answer_peer(0, true);
	ck_assert_ptr_null(sw.job);
	ck_assert_int_eq(last_finished.command, CMSHA_CMD_SWITCH_AWAY);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_FAILED);
	ck_assert_str_eq(last_finished.reason, "cannot arm the timer to watch the dns names: the "
			 "peer accepted the takeover and may still move them");
	cmsha_dns_names_free(&names);
}
END_TEST

/* A reload's wait for netlink (issue 14): an event, like the takeover's, never a poll. */
static int settled_calls;
static bool settled_shown;

static void on_settled(void *arg, bool shown)
{
	ck_assert_ptr_eq(arg, &sw);
	settled_calls++;
	settled_shown = shown;
}

/* A reload added the alias on an active server; netlink has not shown it yet. */
static void reload_added_unseen(void)
{
	events_lag = true;
	kernel_holds[0] = true;
	settled_calls = 0;
	cmsha_switchover_settle(&sw, true, on_settled, &sw);
}

START_TEST(a_reloads_wait_for_netlink_returns_to_the_loop)
{
	reload_added_unseen();
	ck_assert_int_eq(settled_calls, 0);             /* back in the loop, still waiting */
	ck_assert(cmsha_switchover_settling(&sw));
	ck_assert(fake_timer_armed(CMSHA_CONFIRM_MAX_MS));
	ck_assert(!cmsha_switchover_busy(&sw));         /* it holds no command back */
	netlink_event();
	ck_assert_int_eq(settled_calls, 1);
	ck_assert(settled_shown);
	ck_assert(!cmsha_switchover_settling(&sw));
	ck_assert(!fake_timer_armed(CMSHA_CONFIRM_MAX_MS));
	netlink_event();                                /* later events: nothing twice */
	ck_assert_int_eq(settled_calls, 1);
}
END_TEST

START_TEST(a_reloads_wait_ends_at_once_when_netlink_shows_the_aliases)
{
	settled_calls = 0;
	kernel_holds[0] = true;
	cmsha_switchover_settle(&sw, true, on_settled, &sw);
	ck_assert_int_eq(settled_calls, 1);
	ck_assert(settled_shown);
	ck_assert_int_eq(fake_timers_armed(), 0);
	/* a standby server's reload waits for no alias to be held */
	kernel_holds[0] = false;
	cmsha_switchover_settle(&sw, false, on_settled, &sw);
	ck_assert_int_eq(settled_calls, 2);
	ck_assert(settled_shown);
}
END_TEST

START_TEST(a_reloads_wait_whose_events_do_not_come_ends_at_the_deadline)
{
	reload_added_unseen();
	cmsha_switchover_kernel_changed(&sw);           /* other changes: not yet */
	ck_assert_int_eq(settled_calls, 0);
	fake_timer_fire(CMSHA_CONFIRM_MAX_MS);
	ck_assert_int_eq(settled_calls, 1);
	ck_assert(!settled_shown);
	netlink_event();
	ck_assert_int_eq(settled_calls, 1);
}
END_TEST

START_TEST(a_reloads_wait_without_its_timer_ends_at_once)
{
	fake_loop_refuse_timers = true;
	reload_added_unseen();
	ck_assert_int_eq(settled_calls, 1);
	ck_assert(!settled_shown);
	ck_assert(!cmsha_switchover_settling(&sw));
}
END_TEST

START_TEST(a_shutdown_ends_a_reloads_wait_without_its_callback)
{
	reload_added_unseen();
	cmsha_switchover_shutdown(&sw);
	ck_assert_int_eq(fake_timers_armed(), 0);
	ck_assert(!cmsha_switchover_settling(&sw));
	netlink_event();
	ck_assert_int_eq(settled_calls, 0);
}
END_TEST

/* The reload's end frees its probe's job from within the netlink event: nothing touches it after. */
static void end_the_reload(void *arg, bool shown)
{
	on_settled(arg, shown);
	cmsha_switchover_reload_end(&sw);
}

static void reload_probed(void *arg, const char *conflict) { (void)arg, (void)conflict; }

START_TEST(a_reloads_end_within_the_netlink_event_frees_its_job_safely)
{
	ck_assert(cmsha_switchover_reload_probe(&sw, cfg.aliases, 1, reload_probed, NULL));
	ck_assert_int_eq(cmsha_switchover_running(&sw), CMSHA_CMD_RELOAD);
	events_lag = true;
	kernel_holds[0] = true;
	settled_calls = 0;
	cmsha_switchover_settle(&sw, true, end_the_reload, &sw);
	ck_assert_int_eq(settled_calls, 0);
	netlink_event();
	ck_assert_int_eq(settled_calls, 1);
	ck_assert_ptr_null(sw.job);
}
END_TEST

/* cmshad's refresh takes the queued events and tells the engine: the wait ends once. */
START_TEST(a_reloads_wait_ended_by_its_own_refresh_ends_once)
{
	refresh_tells_engine = true;
	kernel_holds[0] = true;
	settled_calls = 0;
	cmsha_switchover_settle(&sw, true, on_settled, &sw);
	ck_assert_int_eq(settled_calls, 1);
	ck_assert(settled_shown);
	ck_assert_int_eq(fake_timers_armed(), 0);
}
END_TEST

/* ---- autofailover's env, core side (src/autofailover_sources.c) ---- */

START_TEST(autofailover_facts_are_the_engines)
{
	struct cmsha_af_facts f;
	struct timespec checked;

	cfg.autofailover = true;
	cfg.holddown_ms = 7777;
	cmsha_af_facts_of(&sw, 1234, &f);
	ck_assert(f.enabled && !f.running && !f.reserved && !f.names_only);
	ck_assert_int_eq(f.role, cfg.role);
	ck_assert_int_eq(f.oper, CMSHA_OPER_STANDBY);
	ck_assert_int_eq(f.mode, CMSHA_MODE_SOFTWARE);
	ck_assert_int_eq(f.took_over_ds, 1234);
	ck_assert_uint_eq(f.holddown_ms, 7777);
	ck_assert_ptr_null(f.required_down);
	ck_assert_str_eq(f.peer_name, "10.77.0.12");
	ck_assert(!f.peer.reachable && f.peer.oper == 0);       /* the agent's to fill */
	ha.oper = CMSHA_OPER_ACTIVE;
	ha.oper_last_change = (struct timespec){ 42, 0 };
	cfg.n_aliases = 0;
	clock_gettime(CLOCK_MONOTONIC, &checked);
	cmsha_switchover_reserve(&sw, &checked);
	ck_assert(cmsha_switchover_is_reserved(&sw));
	cmsha_af_facts_of(&sw, 0, &f);
	ck_assert_int_eq(f.oper, CMSHA_OPER_ACTIVE);
	ck_assert_int_eq(f.oper_changed.tv_sec, 42);
	ck_assert(f.names_only);
	ck_assert(f.reserved);
	cfg.n_aliases = 1;
}
END_TEST

/* Its commands are automatic ones: checked, refused and recorded as such. */
START_TEST(autofailover_commands_are_automatic)
{
	peer_up = false;            /* refused to a NOC, not to autofailover (its probe decides) */
	ck_assert_int_eq(cmsha_af_check_automatic(&sw, CMSHA_CMD_TAKEOVER, reason, sizeof(reason)),
			 CMSHA_VERDICT_ACCEPT);
	cmsha_af_refuse_automatic(&sw, CMSHA_CMD_RELEASE, "held back");
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.initiator, CMSHA_BY_AUTOMATIC);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_REFUSED);
	cmsha_af_run_automatic(&sw, CMSHA_CMD_RELEASE, "split brain: x");
	ck_assert_int_eq(finished_calls, 2);
	ck_assert_int_eq(last_finished.initiator, CMSHA_BY_AUTOMATIC);
	ck_assert_ptr_nonnull(strstr(last_finished.reason, "automatic (split brain: x)"));
	kernel_holds[0] = true;     /* handed over: its aliases announced again */
	show_the_kernel();
	ha.oper = CMSHA_OPER_ACTIVE;
	asked[0] = '\0';
	cmsha_af_announce(&sw);
	ck_assert_str_eq(asked, "announce 0");
}
END_TEST

int main(void)
{
	const TTest *const reload_settle[] = {
		a_reloads_wait_for_netlink_returns_to_the_loop,
		a_reloads_wait_ends_at_once_when_netlink_shows_the_aliases,
		a_reloads_wait_whose_events_do_not_come_ends_at_the_deadline,
		a_reloads_wait_without_its_timer_ends_at_once,
		a_shutdown_ends_a_reloads_wait_without_its_callback,
		a_reloads_end_within_the_netlink_event_frees_its_job_safely,
		a_reloads_wait_ended_by_its_own_refresh_ends_once,
	};
	Suite *s = suite_create("switchover");
	TCase *tc = tcase_create("verdicts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, takeover_from_standby_is_accepted);
	tcase_add_test(tc, manual_mode_refuses_all_but_test_and_release);
	tcase_add_test(tc, already_true_commands_are_noted);
	tcase_add_test(tc, unreachable_peer_refuses_takeover_and_switch_away);
	tcase_add_test(tc, interface_down_refuses_takeover);
	tcase_add_test(tc, automatic_command_records_its_trigger_once);
	tcase_add_test(tc, autofailover_facts_are_the_engines);
	tcase_add_test(tc, autofailover_commands_are_automatic);
	tcase_add_test(tc, required_component_down_refuses_takeover_only);
	tcase_add_test(tc, a_held_engine_refuses_everything);
	tcase_add_test(tc, refusal_is_recorded_and_changes_nothing);
	tcase_add_test(tc, a_late_commit_is_stale);
	tcase_add_test(tc, a_hold_whose_commit_never_comes_expires);
	tcase_add_test(tc, a_late_free_leaves_a_newer_hold);
	tcase_add_test(tc, held_records_wait_for_the_flush);
	tcase_add_test(tc, held_records_are_written_by_the_timer_if_nobody_flushes);
	tcase_add_test(tc, records_are_not_held_without_the_timer);
	tcase_add_test(tc, the_peers_release_completes_a_switch_away);
	tcase_add_test(tc, a_managers_release_cancels_a_switch_away);
	tcase_add_test(tc, a_peer_request_id_is_carried_out_once);
	tcase_add_test(tc, a_peer_request_id_survives_a_restart_in_the_history);
	tcase_add_test(tc, a_peer_requests_row_keeps_its_id);
	tcase_add_test(tc, a_served_release_runs_once_and_keeps_its_id);
	tcase_add_test(tc, a_served_request_the_checks_refuse_changes_nothing);
	tcase_add_test(tc, a_served_request_waits_for_a_set_between_its_phases);
	suite_add_tcase(s, tc);
	tc = tcase_create("sequences");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, make_key_file, remove_key_file);
	tcase_add_test(tc, a_takeover_probes_has_the_peer_release_then_adds_and_announces);
	tcase_add_test(tc, a_takeover_adopts_the_probe_started_at_its_checks);
	tcase_add_test(tc, an_early_probe_goes_with_its_reservation);
	tcase_add_test(tc, an_unused_early_probe_goes_at_the_stale_limit);
	tcase_add_test(tc, an_early_probe_only_for_an_accepted_takeover);
	tcase_add_test(tc, a_takeover_announces_three_times_100_ms_apart);
	tcase_add_test(tc, a_failed_add_rolls_back_and_gives_the_aliases_back);
	tcase_add_test(tc, a_third_station_after_the_release_gives_the_aliases_back);
	tcase_add_test(tc, a_third_station_before_the_release_is_due_asks_nothing);
	tcase_add_test(tc, a_forced_takeover_probes_adds_and_announces_without_the_peer);
	tcase_add_test(tc, a_forced_takeover_whose_add_fails_keeps_nothing);
	tcase_add_test(tc, a_switch_away_ends_with_the_peers_release);
	tcase_add_test(tc, a_served_release_reads_the_events_once_answered);
	tcase_add_test(tc, a_switch_away_the_peer_refuses_changes_nothing);
	tcase_add_test(tc, a_takeover_waits_for_netlink_without_blocking);
	tcase_add_test(tc, a_takeover_whose_events_do_not_come_ends_at_the_deadline);
	tcase_add_test(tc, a_takeover_that_cannot_time_its_wait_for_netlink_ends);
	tcase_add_test(tc, announcements_without_their_timer_stop_and_say_so);
	tcase_add_test(tc, a_takeover_whose_announcements_cannot_repeat_still_ends);
	tcase_add_test(tc, a_switch_away_that_cannot_watch_the_names_ends);
	suite_add_tcase(s, tc);
	cmsha_add_tcase(s, "reload settle", setup, teardown, reload_settle,
			CMSHA_N_TESTS(reload_settle));
	return cmsha_run_suite(s);
}
