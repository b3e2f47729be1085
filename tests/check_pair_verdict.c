/*
 * check_cmsha's rules (nms/nagios/pair_verdict.c) on made-up views of a
 * pair, including the cases the lab cannot easily make: a failed server, a
 * switch-over in progress, an alias in conflict on the active server, a
 * standby whose interface is down, views that disagree, the same role twice.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "pair_view.h"

#include <check.h>
#include <string.h>

static struct server_view view[2];
static struct verdict v;
static char text[VERDICT_TEXT_MAX];

/* A healthy pair: a active primary, b standby secondary, one alias, one
 * required component each. */
static void healthy(void)
{
	int i;

	memset(view, 0, sizeof view);
	for (i = 0; i < 2; i++) {
		struct server_view *s = &view[i];

		s->agent = i ? "b" : "a";
		s->answered = 1;
		s->role = i ? ROLE_SECONDARY : ROLE_PRIMARY;
		s->oper_state = i ? STATE_STANDBY : STATE_ACTIVE;
		s->peer_oper_state = i ? STATE_ACTIVE : STATE_STANDBY;
		s->mode = MODE_SOFTWARE;
		s->peer_reachable = TRUTH_TRUE;
		s->n_aliases = 1;
		s->aliases[0] = (struct pair_alias){ 1, i ? ALIAS_ABSENT : ALIAS_PRESENT };
		s->n_components = 1;
		s->components[0] = (struct pair_component){ 1, "db", COMPONENT_REQUIRED, COMPONENT_UP };
	}
}

static void judge(void)
{
	pair_verdict(view, MODE_SOFTWARE, &v);
	verdict_text(view, MODE_SOFTWARE, &v, text, sizeof text);
}

START_TEST(healthy_is_ok)
{
	healthy();
	judge();
	ck_assert_int_eq(v.status, PLUGIN_OK);
	ck_assert_str_eq(text, "a active, b standby, mode software");
	view[0].oper_state = STATE_STANDBY, view[1].oper_state = STATE_ACTIVE;
	view[0].peer_oper_state = STATE_ACTIVE, view[1].peer_oper_state = STATE_STANDBY;
	view[0].aliases[0].state = ALIAS_ABSENT, view[1].aliases[0].state = ALIAS_PRESENT;
	judge();
	ck_assert_int_eq(v.status, PLUGIN_OK);
	ck_assert_str_eq(text, "b active, a standby, mode software");
}
END_TEST

START_TEST(a_failed_server_is_critical)
{
	healthy();
	view[1].oper_state = STATE_FAILED;
	view[0].peer_oper_state = STATE_FAILED;
	judge();
	ck_assert_int_eq(v.status, PLUGIN_CRITICAL);
	ck_assert_str_eq(text, "b failed");
}
END_TEST

START_TEST(a_switchover_in_progress_is_a_warning)
{
	healthy();
	view[0].oper_state = STATE_SWITCHING;
	view[1].peer_oper_state = STATE_SWITCHING;
	judge();
	ck_assert_int_eq(v.status, PLUGIN_WARNING);
	ck_assert_str_eq(text, "switch-over in progress on a");
}
END_TEST

START_TEST(an_alias_conflict_on_the_active_is_critical)
{
	healthy();
	view[0].aliases[0].state = ALIAS_CONFLICT;
	judge();
	ck_assert_int_eq(v.status, PLUGIN_CRITICAL);
	ck_assert_str_eq(text, "active a: alias 1 in conflict");
}
END_TEST

START_TEST(a_standby_with_its_interface_down_is_not_ready)
{
	healthy();
	view[1].aliases[0].state = ALIAS_IF_DOWN;
	judge();
	ck_assert_int_eq(v.status, PLUGIN_WARNING);
	ck_assert_str_eq(text, "standby b not ready: alias 1 interfaceDown");
}
END_TEST

START_TEST(views_that_disagree_are_a_warning)
{
	healthy();
	view[1].peer_oper_state = STATE_UNKNOWN;
	judge();
	ck_assert_int_eq(v.status, PLUGIN_WARNING);
	ck_assert_str_eq(text, "b sees its peer unknown but a is active");
}
END_TEST

START_TEST(the_same_role_twice_is_a_warning)
{
	healthy();
	view[1].role = ROLE_PRIMARY;
	judge();
	ck_assert_int_eq(v.status, PLUGIN_WARNING);
	ck_assert_str_eq(text, "a and b are both configured primary");
}
END_TEST

START_TEST(reasons_come_worst_first)
{
	healthy();
	view[0].peer_reachable = TRUTH_FALSE;         /* WARNING */
	view[0].components[0].state = COMPONENT_DOWN; /* CRITICAL */
	judge();
	ck_assert_int_eq(v.status, PLUGIN_CRITICAL);
	ck_assert_str_eq(text, "active a: required component db down; a finds its peer unreachable");
}
END_TEST

START_TEST(a_silent_agent_is_unknown_and_nothing_else_is_judged)
{
	healthy();
	view[1].answered = 0;
	strcpy(view[1].error, "no answer");
	view[0].oper_state = STATE_FAILED;
	judge();
	ck_assert_int_eq(v.status, PLUGIN_UNKNOWN);
	ck_assert_str_eq(text, "b: no answer");
}
END_TEST

START_TEST(an_unknown_standby_component_is_not_ready_an_optional_one_does_not_count)
{
	healthy();
	view[1].components[0].state = COMPONENT_UNKNOWN;
	view[1].n_components = 2;
	view[1].components[1] = (struct pair_component){ 2, "report", COMPONENT_NOT_REQUIRED,
							 COMPONENT_DOWN };
	judge();
	ck_assert_int_eq(v.status, PLUGIN_WARNING);
	ck_assert_str_eq(text, "standby b not ready: required component db unknown");
}
END_TEST

START_TEST(perfdata_is_labelled_by_role)
{
	char perf[VERDICT_TEXT_MAX];

	healthy();
	view[0].peer_rtt_us = 412, view[1].switchover_count = 3, view[1].last_duration_ms = 14;
	pair_perfdata(view, perf, sizeof perf);
	ck_assert_str_eq(perf,
			 "primary_peer_rtt=412us;;;0 primary_peer_probe_failures=0c;;;0 "
			 "primary_switchovers=0c;;;0 primary_last_switchover_duration=0ms;;;0 "
			 "secondary_peer_rtt=0us;;;0 secondary_peer_probe_failures=0c;;;0 "
			 "secondary_switchovers=3c;;;0 secondary_last_switchover_duration=14ms;;;0");
	view[1].role = ROLE_PRIMARY;
	pair_perfdata(view, perf, sizeof perf);
	ck_assert(strncmp(perf, "agent1_peer_rtt=412us", 21) == 0);
	ck_assert(strstr(perf, " agent2_switchovers=3c") != NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pair_verdict");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, healthy_is_ok);
	tcase_add_test(tc, a_failed_server_is_critical);
	tcase_add_test(tc, a_switchover_in_progress_is_a_warning);
	tcase_add_test(tc, an_alias_conflict_on_the_active_is_critical);
	tcase_add_test(tc, a_standby_with_its_interface_down_is_not_ready);
	tcase_add_test(tc, views_that_disagree_are_a_warning);
	tcase_add_test(tc, the_same_role_twice_is_a_warning);
	tcase_add_test(tc, reasons_come_worst_first);
	tcase_add_test(tc, a_silent_agent_is_unknown_and_nothing_else_is_judged);
	tcase_add_test(tc, an_unknown_standby_component_is_not_ready_an_optional_one_does_not_count);
	tcase_add_test(tc, perfdata_is_labelled_by_role);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
