/*
 * The peer reachability rule (src/peer_reach.c): rounds of an ICMP echo and
 * an SNMP GET; unreachable after 'failures' failed rounds, reachable after
 * one success; the agent's state unknown after 'failures' rounds without
 * SNMP; cmsHaPeerRtt from ICMP when it answered.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "peer_reach.h"

#include <check.h>

static struct cmsha_peer_reach r;

/* One round: which probes answered (and with what RTT); returns every edge seen. */
static int round_of(bool icmp, bool snmp, enum cmsha_peer_edge *last)
{
	enum cmsha_peer_edge e, seen = cmsha_peer_reach_round_start(&r);
	int edges = seen != CMSHA_PEER_NO_EDGE;

	if (icmp) {
		ck_assert(cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_ICMP, 100, &e));
		ck_assert_int_eq(e, CMSHA_PEER_NO_EDGE);      /* the verdict waits */
	}
	if (snmp) {
		ck_assert(cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_SNMP, 2000, &e));
		if (e != CMSHA_PEER_NO_EDGE)
			edges++, seen = e;
	}
	e = cmsha_peer_reach_round_end(&r);
	if (e != CMSHA_PEER_NO_EDGE)
		edges++, seen = e;
	if (last)
		*last = seen;
	return edges;
}

START_TEST(no_verdict_before_the_first_round)
{
	cmsha_peer_reach_init(&r, 3);
	ck_assert(!r.decided);
	ck_assert(!r.reachable);
	ck_assert(!cmsha_peer_reach_known_unreachable(&r));
	ck_assert(!cmsha_peer_reach_agent_answering(&r));
}
END_TEST

START_TEST(an_snmp_answer_gives_reachable_at_once)
{
	enum cmsha_peer_edge e;

	cmsha_peer_reach_init(&r, 3);
	cmsha_peer_reach_round_start(&r);
	ck_assert(cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_SNMP, 1500, &e));
	ck_assert_int_eq(e, CMSHA_PEER_BECAME_REACHABLE);
	ck_assert_uint_eq(r.rtt_us, 1500);
	ck_assert(cmsha_peer_reach_agent_answering(&r));
	ck_assert_int_eq(cmsha_peer_reach_round_end(&r), CMSHA_PEER_NO_EDGE);
}
END_TEST

START_TEST(an_echo_alone_succeeds_at_the_round_end)
{
	enum cmsha_peer_edge e;

	cmsha_peer_reach_init(&r, 3);
	cmsha_peer_reach_round_start(&r);
	ck_assert(cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_ICMP, 80, &e));
	ck_assert_int_eq(e, CMSHA_PEER_NO_EDGE);
	ck_assert(!r.decided);
	ck_assert_int_eq(cmsha_peer_reach_round_end(&r), CMSHA_PEER_BECAME_REACHABLE);
	ck_assert(r.reachable);
	ck_assert_uint_eq(r.rtt_us, 80);
	ck_assert_uint_eq(r.total_failures, 0);
	ck_assert(!cmsha_peer_reach_agent_answering(&r));       /* its state: unknown */
}
END_TEST

START_TEST(unreachable_after_failures_rounds_then_reachable_after_one)
{
	enum cmsha_peer_edge e;

	cmsha_peer_reach_init(&r, 3);
	ck_assert_int_eq(round_of(true, true, &e), 1);
	ck_assert_int_eq(e, CMSHA_PEER_BECAME_REACHABLE);
	ck_assert_int_eq(round_of(false, false, NULL), 0);
	ck_assert_int_eq(round_of(false, false, NULL), 0);
	ck_assert(!cmsha_peer_reach_known_unreachable(&r));
	ck_assert_int_eq(round_of(false, false, &e), 1);
	ck_assert_int_eq(e, CMSHA_PEER_BECAME_UNREACHABLE);
	ck_assert(cmsha_peer_reach_known_unreachable(&r));
	ck_assert_int_eq(round_of(false, false, NULL), 0);   /* one edge only */
	ck_assert_uint_eq(r.total_failures, 4);
	ck_assert_uint_eq(r.consecutive_failures, 4);
	ck_assert_int_eq(round_of(true, false, &e), 1);        /* the echo alone will do */
	ck_assert_int_eq(e, CMSHA_PEER_BECAME_REACHABLE);
	ck_assert(!cmsha_peer_reach_known_unreachable(&r));
	ck_assert_uint_eq(r.consecutive_failures, 0);
	ck_assert_uint_eq(r.total_failures, 4);
}
END_TEST

START_TEST(a_success_in_between_restarts_the_count)
{
	cmsha_peer_reach_init(&r, 3);
	round_of(false, true, NULL);
	round_of(false, false, NULL);
	round_of(false, false, NULL);
	ck_assert_int_eq(round_of(false, true, NULL), 0);       /* was reachable already */
	round_of(false, false, NULL);
	ck_assert_int_eq(round_of(false, false, NULL), 0);
	ck_assert(r.reachable);
	ck_assert_uint_eq(r.total_failures, 4);
}
END_TEST

/* Start-up waits for the first verdict: unreachable after n misses is one. */
START_TEST(the_first_verdict_may_be_unreachable)
{
	enum cmsha_peer_edge e;

	cmsha_peer_reach_init(&r, 2);
	ck_assert_int_eq(round_of(false, false, NULL), 0);
	ck_assert_int_eq(round_of(false, false, &e), 1);
	ck_assert_int_eq(e, CMSHA_PEER_BECAME_UNREACHABLE);
	ck_assert(r.decided);
}
END_TEST

START_TEST(one_failure_is_enough_with_failures_1)
{
	enum cmsha_peer_edge e;

	cmsha_peer_reach_init(&r, 1);
	round_of(true, true, NULL);
	ck_assert_int_eq(round_of(false, false, &e), 1);
	ck_assert_int_eq(e, CMSHA_PEER_BECAME_UNREACHABLE);
}
END_TEST

/* The peer's host answers, its agent does not: reachable, state unknown. */
START_TEST(agent_silent_while_the_host_answers)
{
	cmsha_peer_reach_init(&r, 3);
	round_of(true, true, NULL);
	ck_assert(cmsha_peer_reach_agent_answering(&r));
	round_of(true, false, NULL);
	round_of(true, false, NULL);
	ck_assert(cmsha_peer_reach_agent_answering(&r));       /* 2 of 3 */
	ck_assert_int_eq(round_of(true, false, NULL), 0);
	ck_assert(!cmsha_peer_reach_agent_answering(&r));
	ck_assert(r.reachable);
	ck_assert_uint_eq(r.total_failures, 0);
	round_of(false, true, NULL);
	ck_assert(cmsha_peer_reach_agent_answering(&r));
}
END_TEST

START_TEST(rtt_is_icmp_when_it_answered_else_snmp)
{
	enum cmsha_peer_edge e;

	cmsha_peer_reach_init(&r, 3);
	round_of(false, true, NULL);
	ck_assert_uint_eq(r.rtt_us, 2000);
	round_of(true, true, NULL);
	ck_assert_uint_eq(r.rtt_us, 100);
	/* The echo's answer comes after the GET's: still the ICMP time. */
	cmsha_peer_reach_round_start(&r);
	cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_SNMP, 3000, &e);
	ck_assert_uint_eq(r.rtt_us, 3000);
	cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_ICMP, 250, &e);
	ck_assert_uint_eq(r.rtt_us, 250);
	cmsha_peer_reach_round_end(&r);
	/* A failed round leaves the last one's. */
	round_of(false, false, NULL);
	ck_assert_uint_eq(r.rtt_us, 250);
}
END_TEST

START_TEST(late_and_repeated_answers_change_nothing)
{
	enum cmsha_peer_edge e;

	cmsha_peer_reach_init(&r, 1);
	ck_assert(!cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_SNMP, 1, &e));
	ck_assert(!r.decided);
	round_of(false, false, NULL);
	ck_assert(!cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_ICMP, 1, &e));
	ck_assert(!cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_SNMP, 1, &e));
	ck_assert_int_eq(e, CMSHA_PEER_NO_EDGE);
	ck_assert(!r.reachable);
	cmsha_peer_reach_round_start(&r);
	ck_assert(cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_ICMP, 5, &e));
	ck_assert(!cmsha_peer_reach_answer(&r, CMSHA_PEER_BY_ICMP, 9, &e));
	ck_assert_uint_eq(r.rtt_us, 5);
}
END_TEST

/* A round still open when the next starts (its deadline not run yet) is ended first. */
START_TEST(a_new_round_ends_the_open_one)
{
	enum cmsha_peer_edge e;

	cmsha_peer_reach_init(&r, 1);
	cmsha_peer_reach_round_start(&r);
	e = cmsha_peer_reach_round_start(&r);
	ck_assert_int_eq(e, CMSHA_PEER_BECAME_UNREACHABLE);
	ck_assert_uint_eq(r.total_failures, 1);
	ck_assert(r.round_open);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("peer_reach");
	TCase *tc = tcase_create("rule");

	tcase_add_test(tc, no_verdict_before_the_first_round);
	tcase_add_test(tc, an_snmp_answer_gives_reachable_at_once);
	tcase_add_test(tc, an_echo_alone_succeeds_at_the_round_end);
	tcase_add_test(tc, unreachable_after_failures_rounds_then_reachable_after_one);
	tcase_add_test(tc, a_success_in_between_restarts_the_count);
	tcase_add_test(tc, the_first_verdict_may_be_unreachable);
	tcase_add_test(tc, one_failure_is_enough_with_failures_1);
	tcase_add_test(tc, agent_silent_while_the_host_answers);
	tcase_add_test(tc, rtt_is_icmp_when_it_answered_else_snmp);
	tcase_add_test(tc, late_and_repeated_answers_change_nothing);
	tcase_add_test(tc, a_new_round_ends_the_open_one);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
