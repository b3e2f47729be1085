/* Automatic failover's rules: each trigger, each rule that holds it back, split brain. */
#include "autoconfig.h"
#include "autofailover.h"
#include "check_run.h"

#include <check.h>
#include <string.h>

#define UNKNOWN 5

static struct cmsha_af_input in;
static char why[256];

/* A healthy pair seen from a standby secondary: the peer is active. */
static void setup(void)
{
	memset(&in, 0, sizeof(in));
	in.enabled = true;
	in.role = CMSHA_ROLE_SECONDARY;
	in.oper = CMSHA_OPER_STANDBY;
	in.mode = CMSHA_MODE_SOFTWARE;
	in.peer = (struct cmsha_af_peer){ .reachable = true, .oper = CMSHA_OPER_ACTIVE,
					  .last_known_oper = CMSHA_OPER_ACTIVE,
					  .oper_is_fresh = true };
}

static enum cmsha_af_action decide(void)
{
	return cmsha_autofailover_decide(&in, "10.77.0.11", why, sizeof(why));
}

static void peer_lost(void)
{
	in.peer.reachable = false;
	in.peer.oper = UNKNOWN;
}

START_TEST(healthy_pair_does_nothing)
{
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "");
	in.oper = CMSHA_OPER_ACTIVE;
	in.peer.oper = in.peer.last_known_oper = CMSHA_OPER_STANDBY;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(standby_takes_over_from_an_unreachable_holder)
{
	peer_lost();
	ck_assert_int_eq(decide(), CMSHA_AF_TAKEOVER);
	ck_assert_str_eq(why, "peer 10.77.0.11 unreachable (last seen active)");
	in.peer.last_known_oper = CMSHA_OPER_FAILED;      /* held some aliases */
	ck_assert_int_eq(decide(), CMSHA_AF_TAKEOVER);
}
END_TEST

START_TEST(nothing_when_the_lost_peer_held_nothing)
{
	/* Both standby (an operator released): losing the peer moves nothing. */
	in.peer.last_known_oper = CMSHA_OPER_STANDBY;
	peer_lost();
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	in.peer.last_known_oper = UNKNOWN;                 /* never answered */
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(off_busy_manual_unfit_and_holddown_hold_it_back)
{
	peer_lost();
	in.enabled = false;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	in.enabled = true;
	in.busy = true;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	in.busy = false;
	in.mode = CMSHA_MODE_MANUAL;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_ptr_nonnull(strstr(why, "switch-over mode is manual"));
	in.mode = CMSHA_MODE_SOFTWARE;
	in.required_down = "cms";
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_ptr_nonnull(strstr(why, "required component cms is down here"));
	in.required_down = NULL;
	in.in_holddown = true;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "peer 10.77.0.11 unreachable (last seen active): held down "
			 "after the last switch-over");
	in.in_holddown = false;
	ck_assert_int_eq(decide(), CMSHA_AF_TAKEOVER);
}
END_TEST

START_TEST(active_with_required_component_down_switches_away)
{
	in.oper = CMSHA_OPER_ACTIVE;
	in.peer.oper = in.peer.last_known_oper = CMSHA_OPER_STANDBY;
	in.required_down = "cms";
	ck_assert_int_eq(decide(), CMSHA_AF_SWITCH_AWAY);
	ck_assert_str_eq(why, "required component cms is down");
	in.in_holddown = true;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
}
END_TEST

START_TEST(switch_away_waits_for_a_ready_peer)
{
	in.oper = CMSHA_OPER_ACTIVE;
	in.required_down = "cms";
	peer_lost();
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "required component cms is down but the peer is not ready to "
			 "take over (unreachable)");
	in.peer.reachable = true;
	in.peer.oper = CMSHA_OPER_FAILED;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_ptr_nonnull(strstr(why, "(failed)"));
}
END_TEST

START_TEST(split_brain_the_later_one_keeps)
{
	in.oper = CMSHA_OPER_ACTIVE;
	in.took_over_ds = 1000;
	ck_assert(cmsha_split_brain(&in));
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);        /* peer's time not known yet */
	ck_assert_ptr_nonnull(strstr(why, "waiting"));
	in.peer.took_over_known = true;
	in.peer.took_over_ds = 999;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_ptr_nonnull(strstr(why, "took the aliases over last and keeps them"));
	in.peer.took_over_ds = 1001;
	ck_assert_int_eq(decide(), CMSHA_AF_RELEASE);
	/* Not held down: two holders are worse than one more move. */
	in.in_holddown = true;
	ck_assert_int_eq(decide(), CMSHA_AF_RELEASE);
	/* a switchAway of ours, waiting for a release, does not hold it back */
	in.busy = in.switching_away = true;
	ck_assert_int_eq(decide(), CMSHA_AF_RELEASE);
	in.switching_away = false;                         /* any other command does */
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	in.busy = false;
	in.enabled = false;                                /* off: nothing moves */
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
}
END_TEST

START_TEST(no_split_brain_from_a_report_older_than_our_takeover)
{
	/* Just after our takeover the peer's last answer still says active. */
	in.oper = CMSHA_OPER_ACTIVE;
	in.peer.oper_is_fresh = false;
	ck_assert(!cmsha_split_brain(&in));
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(no_split_brain_between_servers_of_names_only)
{
	/* The DNS record names one server: "both active" is a check round's lag. */
	in.oper = CMSHA_OPER_ACTIVE;
	in.took_over_ds = 1000;
	in.names_only = true;
	ck_assert(!cmsha_split_brain(&in));
	in.peer.took_over_known = true;
	in.peer.took_over_ds = 1001;
	ck_assert_int_ne(decide(), CMSHA_AF_RELEASE);
}
END_TEST

START_TEST(split_brain_keeper_is_agreed_by_both)
{
	for (int64_t a = 0; a < 3; a++)
		for (int64_t b = 0; b < 3; b++) {
			bool pri = cmsha_split_brain_keeper(CMSHA_ROLE_PRIMARY, a, b);
			bool sec = cmsha_split_brain_keeper(CMSHA_ROLE_SECONDARY, b, a);
			ck_assert(pri != sec);                /* exactly one keeps */
		}
	ck_assert(cmsha_split_brain_keeper(CMSHA_ROLE_PRIMARY, 5, 5));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("autofailover");
	TCase *tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, healthy_pair_does_nothing);
	tcase_add_test(tc, standby_takes_over_from_an_unreachable_holder);
	tcase_add_test(tc, nothing_when_the_lost_peer_held_nothing);
	tcase_add_test(tc, off_busy_manual_unfit_and_holddown_hold_it_back);
	tcase_add_test(tc, active_with_required_component_down_switches_away);
	tcase_add_test(tc, switch_away_waits_for_a_ready_peer);
	tcase_add_test(tc, split_brain_the_later_one_keeps);
	tcase_add_test(tc, no_split_brain_from_a_report_older_than_our_takeover);
	tcase_add_test(tc, split_brain_keeper_is_agreed_by_both);
	tcase_add_test(tc, no_split_brain_between_servers_of_names_only);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
