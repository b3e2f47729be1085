/*
 * cmshad's start-up rules (src/start_claim.c): which peer edges page, which
 * one decides the start-up claim, and the claim's decision and its run
 * against the switch-over engine (its fake loop; no kernel is touched, the
 * refused claims change nothing).
 */
#include "autoconfig.h"
#include "check_run.h"
#include "fake_loop.h"
#include "start_claim.h"

#include <check.h>
#include <string.h>

static struct cmsha_config cfg;
static struct cmsha_ha ha;
static struct cmsha_history history;
static struct cmsha_switchover sw;
static struct cmsha_peer_status peer;
static struct cmsha_history_entry last_finished;
static int finished_calls;

static bool fake_peer_reachable(void *ctx) { (void)ctx; return peer.reachable; }
static void fake_refresh(void *ctx) { (void)ctx; }

static void fake_finished(void *ctx, const struct cmsha_history_entry *e)
{
	(void)ctx;
	finished_calls++;
	last_finished = *e;
}

static void fake_step(void *ctx, enum cmsha_command cmd, double elapsed_ms, const char *what)
{
	(void)ctx, (void)cmd, (void)elapsed_ms, (void)what;
}

static const struct cmsha_switchover_env env = {
	.timer_add = fake_timer_add, .timer_cancel = fake_timer_cancel,
	.peer_reachable = fake_peer_reachable, .refresh = fake_refresh,
	.finished = fake_finished, .step = fake_step, .kernel = &cmsha_switchover_kernel_real,
};

/* A standby primary in software mode holding nothing; its peer reachable and standby. */
static void setup(void)
{
	char err[256];

	cmsha_config_init(&cfg);
	ck_assert(cmsha_config_apply(&cfg, "role", "primary", err, sizeof(err)));
	ck_assert(cmsha_config_apply(&cfg, "alias", "10.77.0.10/24 dev eth0", err, sizeof(err)));
	ck_assert(cmsha_config_apply(&cfg, "peer", "10.77.0.12", err, sizeof(err)));
	ck_assert(cmsha_ha_init(&ha, &cfg, &(struct timespec){ 1, 0 }));
	ha.mode = CMSHA_MODE_SOFTWARE;
	ha.oper = CMSHA_OPER_STANDBY;
	ck_assert(cmsha_history_open(&history, 10, NULL, err, sizeof(err)));
	fake_loop_reset();
	cmsha_switchover_init(&sw, &cfg, &ha, &history, NULL, &env);
	peer = (struct cmsha_peer_status){ .reachable = true, .oper_state = CMSHA_OPER_STANDBY };
	finished_calls = 0;
}

static void teardown(void)
{
	cmsha_switchover_shutdown(&sw);
	cmsha_history_close(&history);
	cmsha_ha_free(&ha);
	cmsha_config_free(&cfg);
}

START_TEST(a_standby_primary_whose_peer_is_not_active_claims)
{
	ck_assert_int_eq(cmsha_start_claim_decide(&sw, &peer), CMSHA_CLAIM_TAKEOVER);
	peer = (struct cmsha_peer_status){ .reachable = false, .oper_state = CMSHA_OPER_ACTIVE };
	ck_assert_int_eq(cmsha_start_claim_decide(&sw, &peer), CMSHA_CLAIM_TAKEOVER);
}
END_TEST

START_TEST(an_active_peer_keeps_the_primary_standby)
{
	peer.oper_state = CMSHA_OPER_ACTIVE;
	ck_assert_int_eq(cmsha_start_claim_decide(&sw, &peer), CMSHA_CLAIM_PEER_ACTIVE);
	cmsha_start_claim_act(&sw, CMSHA_CLAIM_PEER_ACTIVE);
	ck_assert_int_eq(finished_calls, 0);
	ck_assert_ptr_null(sw.job);
}
END_TEST

START_TEST(a_secondary_or_an_active_primary_claims_nothing)
{
	ha.oper = CMSHA_OPER_ACTIVE;
	ck_assert_int_eq(cmsha_start_claim_decide(&sw, &peer), CMSHA_CLAIM_NONE);
	ha.oper = CMSHA_OPER_STANDBY;
	cfg.role = CMSHA_ROLE_SECONDARY;
	ck_assert_int_eq(cmsha_start_claim_decide(&sw, &peer), CMSHA_CLAIM_NONE);
	cmsha_start_claim_act(&sw, CMSHA_CLAIM_NONE);
	ck_assert_int_eq(finished_calls, 0);
}
END_TEST

/* A takeover a restart cut short is completed on any server, unless a command came first. */
START_TEST(a_takeover_cut_short_is_recovered_unless_a_command_came_first)
{
	history.pending = CMSHA_CMD_TAKEOVER;
	cfg.role = CMSHA_ROLE_SECONDARY;
	peer.oper_state = CMSHA_OPER_ACTIVE;
	ck_assert_int_eq(cmsha_start_claim_decide(&sw, &peer), CMSHA_CLAIM_RECOVER);
	sw.status = CMSHA_STATUS_SUCCEEDED;
	ck_assert_int_eq(cmsha_start_claim_decide(&sw, &peer), CMSHA_CLAIM_COMMAND_RAN);
	history.pending = 0;
}
END_TEST

/* The engine's checks still rule: a claim in manual mode is refused, by startup, with a row. */
START_TEST(a_claim_the_engine_refuses_leaves_a_refused_row)
{
	ha.mode = CMSHA_MODE_MANUAL;
	cmsha_start_claim_act(&sw, cmsha_start_claim_decide(&sw, &peer));
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_finished.command, CMSHA_CMD_TAKEOVER);
	ck_assert_int_eq(last_finished.initiator, CMSHA_BY_STARTUP);
	ck_assert_int_eq(last_finished.result, CMSHA_RESULT_REFUSED);
	ck_assert_int_eq(sw.status, CMSHA_STATUS_REFUSED);
	ck_assert_ptr_null(sw.job);
}
END_TEST

/* The log lines say what start-up decided; only a recovery is a warning. */
START_TEST(each_decision_has_its_log_line)
{
	char text[CMSHA_HISTORY_REASON_LEN];

	ck_assert(!cmsha_start_claim_text(&sw, CMSHA_CLAIM_PEER_ACTIVE, text, sizeof(text)));
	ck_assert_str_eq(text, "start-up: the peer is active; the primary stays standby");
	history.pending = CMSHA_CMD_TAKEOVER;
	ck_assert(cmsha_start_claim_text(&sw, CMSHA_CLAIM_RECOVER, text, sizeof(text)));
	ck_assert_str_eq(text, "start-up: a takeover was cut short by a restart; completing it "
			 "if the aliases are free");
	history.pending = 0;
	sw.status = CMSHA_STATUS_REFUSED;
	ck_assert(!cmsha_start_claim_text(&sw, CMSHA_CLAIM_COMMAND_RAN, text, sizeof(text)));
	ck_assert_str_eq(text, "start-up: a command has run since the start (last: refused); "
			 "no start-up claim");
	ck_assert(!cmsha_start_claim_text(&sw, CMSHA_CLAIM_TAKEOVER, text, sizeof(text)));
	ck_assert_str_eq(text, "");
	ck_assert(!cmsha_start_claim_text(&sw, CMSHA_CLAIM_NONE, text, sizeof(text)));
	ck_assert_str_eq(text, "");
}
END_TEST

START_TEST(only_the_first_edge_claims)
{
	struct cmsha_peer_edges e = { 0 };

	ck_assert(cmsha_peer_edge(&e, true).claim);
	ck_assert(!cmsha_peer_edge(&e, false).claim);
	ck_assert(!cmsha_peer_edge(&e, true).claim);
	e = (struct cmsha_peer_edges){ 0 };
	ck_assert(cmsha_peer_edge(&e, false).claim);
}
END_TEST

START_TEST(reachable_again_pages_only_after_unreachable)
{
	struct cmsha_peer_edges e = { 0 };
	struct cmsha_peer_edge_acts first = cmsha_peer_edge(&e, true);

	ck_assert(!first.notify);                       /* the first verdict, reachable */
	ck_assert(cmsha_peer_edge(&e, false).notify);   /* unreachable always pages */
	ck_assert(cmsha_peer_edge(&e, false).notify);
	ck_assert(cmsha_peer_edge(&e, true).notify);    /* reachable again */
	ck_assert(!cmsha_peer_edge(&e, true).notify);
}
END_TEST

int main(void)
{
	const TTest *const claim[] = {
		a_standby_primary_whose_peer_is_not_active_claims,
		an_active_peer_keeps_the_primary_standby, a_secondary_or_an_active_primary_claims_nothing,
		a_takeover_cut_short_is_recovered_unless_a_command_came_first,
		a_claim_the_engine_refuses_leaves_a_refused_row, each_decision_has_its_log_line,
	};
	const TTest *const edges[] = {
		only_the_first_edge_claims, reachable_again_pages_only_after_unreachable,
	};
	Suite *s = suite_create("start_claim");

	cmsha_add_tcase(s, "claim", setup, teardown, claim, CMSHA_N_TESTS(claim));
	cmsha_add_tcase(s, "edges", NULL, NULL, edges, CMSHA_N_TESTS(edges));
	return cmsha_run_suite(s);
}
