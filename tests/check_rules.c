/* State derivation and the subnet rule that decides software vs manual switch-over. */
#include "autoconfig.h"
#include "check_run.h"
#include "ha.h"
#include "ha_rules.h"
#include "switch_away_check.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const struct cmsha_alias_observation UP_PRESENT = { true, true, true };
static const struct cmsha_alias_observation UP_ABSENT = { true, true, false };
static const struct cmsha_alias_observation DOWN_PRESENT = { true, false, true };
static const struct cmsha_alias_observation NO_LINK = { false, false, false };

START_TEST(alias_state_from_observation)
{
	ck_assert_int_eq(cmsha_alias_state_of(&UP_PRESENT, false), CMSHA_ALIAS_PRESENT);
	ck_assert_int_eq(cmsha_alias_state_of(&UP_ABSENT, false), CMSHA_ALIAS_ABSENT);
	ck_assert_int_eq(cmsha_alias_state_of(&DOWN_PRESENT, false), CMSHA_ALIAS_INTERFACE_DOWN);
	ck_assert_int_eq(cmsha_alias_state_of(&NO_LINK, false), CMSHA_ALIAS_INTERFACE_DOWN);
	ck_assert_int_eq(cmsha_alias_state_of(&UP_PRESENT, true), CMSHA_ALIAS_CONFLICT);
	ck_assert_int_eq(cmsha_alias_state_of(&UP_ABSENT, true), CMSHA_ALIAS_ABSENT);
}
END_TEST

START_TEST(oper_state_all_none_some)
{
	enum cmsha_alias_state all[] = { CMSHA_ALIAS_PRESENT, CMSHA_ALIAS_CONFLICT };
	enum cmsha_alias_state none[] = { CMSHA_ALIAS_ABSENT, CMSHA_ALIAS_INTERFACE_DOWN };
	enum cmsha_alias_state some[] = { CMSHA_ALIAS_PRESENT, CMSHA_ALIAS_ABSENT };
	ck_assert_int_eq(cmsha_oper_state_of(all, 2, false), CMSHA_OPER_ACTIVE);
	ck_assert_int_eq(cmsha_oper_state_of(none, 2, false), CMSHA_OPER_STANDBY);
	ck_assert_int_eq(cmsha_oper_state_of(some, 2, false), CMSHA_OPER_FAILED);
	ck_assert_int_eq(cmsha_oper_state_of(all, 2, true), CMSHA_OPER_SWITCHING_OVER);
}
END_TEST

/* ---- the subnet rule ---- */

static struct cmsha_config cfg;
static char reason[CMSHA_REASON_LEN];

static void setup(void)
{
	char err[256];
	cmsha_config_init(&cfg);
	ck_assert(cmsha_config_apply(&cfg, "alias", "10.77.0.10/24 dev eth0", err, sizeof(err)));
	ck_assert(cmsha_config_apply(&cfg, "alias", "fd77::10/64 dev eth0", err, sizeof(err)));
}

static void teardown(void) { cmsha_config_free(&cfg); }

static void set_peer(const char *agent)
{
	char err[256];
	ck_assert(cmsha_config_apply(&cfg, "peer", agent, err, sizeof(err)));
}

static void add_peeraddress(const char *addr)
{
	char err[256];
	ck_assert(cmsha_config_apply(&cfg, "peeraddress", addr, err, sizeof(err)));
}

static struct cmsha_local_addr local(const char *ifname, const char *addr, unsigned prefix)
{
	struct cmsha_local_addr l = { .prefix = prefix };
	strcpy(l.ifname, ifname);
	ck_assert(cmsha_inet_parse(addr, &l.addr));
	return l;
}

START_TEST(software_when_both_sides_share_every_subnet)
{
	struct cmsha_local_addr locals[] = { local("eth0", "10.77.0.11", 24),
					     local("eth0", "fd77::11", 64) };
	set_peer("-v2c -c private 10.77.0.12");
	add_peeraddress("fd77::12");
	ck_assert_int_eq(cmsha_switchover_mode_of(&cfg, locals, 2, reason, sizeof(reason)),
			 CMSHA_MODE_SOFTWARE);
	ck_assert_str_eq(reason, "");
}
END_TEST

START_TEST(manual_when_ipv4_peer_elsewhere)
{
	struct cmsha_local_addr locals[] = { local("eth0", "10.77.0.11", 24),
					     local("eth0", "fd77::11", 64) };
	set_peer("10.78.0.12");
	add_peeraddress("fd77::12");
	ck_assert_int_eq(cmsha_switchover_mode_of(&cfg, locals, 2, reason, sizeof(reason)),
			 CMSHA_MODE_MANUAL);
	ck_assert_str_eq(reason, "peer 10.78.0.12 is not in alias subnet 10.77.0.0/24: "
			 "a manual switch-over is required");
}
END_TEST

START_TEST(manual_when_ipv6_peer_elsewhere)
{
	struct cmsha_local_addr locals[] = { local("eth0", "10.77.0.11", 24),
					     local("eth0", "fd77::11", 64) };
	set_peer("udp6:[fd78::12]:161");
	add_peeraddress("10.77.0.12");
	ck_assert_int_eq(cmsha_switchover_mode_of(&cfg, locals, 2, reason, sizeof(reason)),
			 CMSHA_MODE_MANUAL);
	ck_assert_str_eq(reason, "peer fd78::12 is not in alias subnet fd77::/64: "
			 "a manual switch-over is required");
}
END_TEST

START_TEST(manual_when_peer_has_no_address_of_the_family)
{
	struct cmsha_local_addr locals[] = { local("eth0", "10.77.0.11", 24),
					     local("eth0", "fd77::11", 64) };
	set_peer("10.77.0.12");
	ck_assert_int_eq(cmsha_switchover_mode_of(&cfg, locals, 2, reason, sizeof(reason)),
			 CMSHA_MODE_MANUAL);
	ck_assert_ptr_nonnull(strstr(reason, "peer has no IPv6 address in alias subnet fd77::/64"));
}
END_TEST

START_TEST(manual_when_interface_lacks_subnet_address)
{
	/* Only the alias itself, or the right subnet on another interface, does not count. */
	struct cmsha_local_addr locals[] = { local("eth0", "10.77.0.10", 24),
					     local("eth1", "10.77.0.11", 24),
					     local("eth0", "fd77::11", 64) };
	set_peer("10.77.0.12");
	add_peeraddress("fd77::12");
	ck_assert_int_eq(cmsha_switchover_mode_of(&cfg, locals, 3, reason, sizeof(reason)),
			 CMSHA_MODE_MANUAL);
	ck_assert_str_eq(reason, "eth0 has no address in alias subnet 10.77.0.0/24: "
			 "a manual switch-over is required");
}
END_TEST

/* ---- the runtime record ---- */

static int alias_events, oper_events;
static void count_alias(void *arg, size_t i, enum cmsha_alias_state f, enum cmsha_alias_state t)
{
	(void)arg, (void)i, (void)f, (void)t;
	alias_events++;
}
static void count_oper(void *arg, enum cmsha_oper_state f, enum cmsha_oper_state t)
{
	(void)arg, (void)f, (void)t;
	oper_events++;
}

START_TEST(refresh_stamps_changes_only)
{
	struct cmsha_ha ha;
	struct timespec t0 = { 100, 0 }, t1 = { 200, 0 }, t2 = { 300, 0 };
	struct cmsha_alias_observation obs[2] = { UP_PRESENT, UP_PRESENT };

	set_peer("10.77.0.12");
	ck_assert(cmsha_ha_init(&ha, &cfg, &t0));
	ha.observer.alias_changed = count_alias;
	ha.observer.oper_changed = count_oper;
	alias_events = oper_events = 0;
	cmsha_ha_refresh(&ha, obs, NULL, 0, &t1);
	ck_assert_int_eq(ha.oper, CMSHA_OPER_ACTIVE);
	ck_assert_int_eq(ha.oper_last_change.tv_sec, 200);
	ck_assert_int_eq(alias_events, 2);
	obs[1] = UP_ABSENT;
	cmsha_ha_refresh(&ha, obs, NULL, 0, &t2);
	ck_assert_int_eq(ha.oper, CMSHA_OPER_FAILED);
	ck_assert_int_eq(ha.aliases[0].last_change.tv_sec, 200);
	ck_assert_int_eq(ha.aliases[1].last_change.tv_sec, 300);
	ck_assert_int_eq(alias_events, 3);
	ck_assert_int_eq(oper_events, 2);
	ck_assert_int_eq(ha.mode, CMSHA_MODE_MANUAL);   /* no local addresses given */
	cmsha_ha_free(&ha);
}
END_TEST

/* The switchAway checks of test, in order: the first failing one is named. */
START_TEST(switch_away_checks_name_the_first_failure)
{
	struct cmsha_peer_view v = { .answered = true, .oper_state = CMSHA_OPER_STANDBY,
				     .mode = CMSHA_MODE_SOFTWARE };
	struct cmsha_peer_test t = { .answered = true, .status = 3,
				     .reason = "test: a takeover would proceed: mode software" };
	char why[256];

	ck_assert_ptr_null(cmsha_switch_away_check_view(&v, why, sizeof(why)));
	ck_assert_ptr_null(cmsha_switch_away_check_test(&t, why, sizeof(why)));
	strcpy(v.required_down, "acd");
	ck_assert_str_eq(cmsha_switch_away_check_view(&v, why, sizeof(why)), "peer components");
	ck_assert_str_eq(why, "required component acd is down on the peer");
	v.mode = CMSHA_MODE_MANUAL;
	strcpy(v.mode_reason, "eth0 has no address in alias subnet 10.79.0.0/24");
	ck_assert_str_eq(cmsha_switch_away_check_view(&v, why, sizeof(why)), "peer mode");
	v.oper_state = CMSHA_OPER_ACTIVE;
	ck_assert_str_eq(cmsha_switch_away_check_view(&v, why, sizeof(why)), "peer state");
	ck_assert_str_eq(why, "the peer is active, not standby");
	v.answered = false;
	strcpy(v.error, "no answer within 2000 ms");
	ck_assert_str_eq(cmsha_switch_away_check_view(&v, why, sizeof(why)), "peer reachability");
	ck_assert_str_eq(why, "the peer's agent did not answer (no answer within 2000 ms)");
	/* A test that found the peer already active changes nothing: no takeover to accept. */
	t.status = 3;
	strcpy(t.reason, "test: already active: this server holds its aliases; a takeover "
	       "would change nothing");
	ck_assert_str_eq(cmsha_switch_away_check_test(&t, why, sizeof(why)), "peer takeover test");
	t.status = 4;
	strcpy(t.reason, "test: a takeover would fail: conflict: 10.77.0.10 is answered by x");
	ck_assert_str_eq(cmsha_switch_away_check_test(&t, why, sizeof(why)), "peer takeover test");
	ck_assert_str_eq(why, "the peer would not take over: test: a takeover would fail: "
			 "conflict: 10.77.0.10 is answered by x");
	t.answered = false;
	strcpy(t.error, "the peer answered resourceUnavailable");
	ck_assert_str_eq(cmsha_switch_away_check_test(&t, why, sizeof(why)), "peer takeover test");
}
END_TEST

/* A pair with names and no alias: manual, and the names make the operational state. */
START_TEST(names_only_are_manual_and_make_the_oper_state)
{
	struct cmsha_config names_cfg;
	struct cmsha_dns_conf dns[2] = { { .name = "www.cms.test." }, { .name = "cti.cms.test." } };
	struct cmsha_dns_runtime rt[2] = { { .state = CMSHA_DNS_POINTS_HERE },
					   { .state = CMSHA_DNS_POINTS_HERE } };
	struct cmsha_dns_names names = { .cfg = &names_cfg, .rt = rt };
	struct cmsha_ha ha;
	struct timespec t0 = { 100, 0 };

	cmsha_config_init(&names_cfg);
	names_cfg.dns = dns;
	names_cfg.n_dns = 2;
	ck_assert_int_eq(cmsha_switchover_mode_of(&names_cfg, NULL, 0, reason, sizeof(reason)),
			 CMSHA_MODE_MANUAL);
	ck_assert_str_eq(reason, "no alias: clients reach the service by name, moved by DNS "
			 "update (2 dns names)");
	ck_assert(cmsha_ha_init(&ha, &names_cfg, &t0));
	ha.names = &names;
	cmsha_ha_refresh(&ha, NULL, NULL, 0, &t0);
	ck_assert_int_eq(ha.oper, CMSHA_OPER_ACTIVE);
	rt[1].state = CMSHA_DNS_OTHER;
	cmsha_ha_refresh(&ha, NULL, NULL, 0, &t0);
	ck_assert_int_eq(ha.oper, CMSHA_OPER_FAILED);
	rt[0].state = rt[1].state = CMSHA_DNS_POINTS_TO_PEER;
	cmsha_ha_refresh(&ha, NULL, NULL, 0, &t0);
	ck_assert_int_eq(ha.oper, CMSHA_OPER_STANDBY);
	cmsha_ha_free(&ha);
}
END_TEST

START_TEST(oper_changes_that_are_news)
{
	char why[256] = "";

	/* A command's change (its own notification says so) and switchingOver are not. */
	ck_assert(!cmsha_oper_change_is_news(1, CMSHA_OPER_ACTIVE, CMSHA_OPER_STANDBY, true,
					     why, sizeof(why)));
	ck_assert(!cmsha_oper_change_is_news(1, CMSHA_OPER_STANDBY, CMSHA_OPER_SWITCHING_OVER,
					     false, why, sizeof(why)));
	ck_assert(!cmsha_oper_change_is_news(1, CMSHA_OPER_SWITCHING_OVER, CMSHA_OPER_ACTIVE,
					     false, why, sizeof(why)));
	ck_assert_str_eq(why, "");
	ck_assert(cmsha_oper_change_is_news(2, CMSHA_OPER_ACTIVE, CMSHA_OPER_FAILED, false,
					    why, sizeof(why)));
	ck_assert_str_eq(why, "operational state changed from active to failed without a "
			 "command (aliases changed outside cmshad)");
	/* Names only: where they point decides. */
	ck_assert(cmsha_oper_change_is_news(0, CMSHA_OPER_ACTIVE, CMSHA_OPER_STANDBY, false,
					    why, sizeof(why)));
	ck_assert_str_eq(why, "operational state changed from active to standby: the dns "
			 "names' answers changed (the peer took over, or someone else changed "
			 "them)");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules");
	TCase *states = tcase_create("states");
	tcase_add_test(states, alias_state_from_observation);
	tcase_add_test(states, oper_state_all_none_some);
	tcase_add_test(states, switch_away_checks_name_the_first_failure);
	tcase_add_test(states, names_only_are_manual_and_make_the_oper_state);
	tcase_add_test(states, oper_changes_that_are_news);
	suite_add_tcase(s, states);
	TCase *subnet = tcase_create("subnet rule");
	tcase_add_checked_fixture(subnet, setup, teardown);
	tcase_add_test(subnet, software_when_both_sides_share_every_subnet);
	tcase_add_test(subnet, manual_when_ipv4_peer_elsewhere);
	tcase_add_test(subnet, manual_when_ipv6_peer_elsewhere);
	tcase_add_test(subnet, manual_when_peer_has_no_address_of_the_family);
	tcase_add_test(subnet, manual_when_interface_lacks_subnet_address);
	tcase_add_test(subnet, refresh_stamps_changes_only);
	suite_add_tcase(s, subnet);
	return cmsha_run_suite(s);
}
