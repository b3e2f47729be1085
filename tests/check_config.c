/* Config lines: every token, its good and bad forms, and that a bad line changes nothing. */
#include "autoconfig.h"
#include "check_run.h"
#include "config.h"
#include "reload_plan.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct cmsha_config cfg;
static char err[512];

static void setup(void) { cmsha_config_init(&cfg); err[0] = '\0'; }
static void teardown(void) { cmsha_config_free(&cfg); }

static void accept_line(const char *token, const char *args)
{
	ck_assert_msg(cmsha_config_apply(&cfg, token, args, err, sizeof(err)),
		      "'%s %s' rejected: %s", token, args, err);
}

/* A rejected line must explain itself and leave the config as it was. */
static void reject_line(const char *token, const char *args, const char *expected)
{
	struct cmsha_config before = cfg;
	ck_assert_msg(!cmsha_config_apply(&cfg, token, args, err, sizeof(err)),
		      "'%s %s' accepted", token, args);
	ck_assert_msg(strstr(err, expected), "'%s %s': error '%s' lacks '%s'", token, args,
		      err, expected);
	ck_assert_mem_eq(&before, &cfg, sizeof(cfg));
}

START_TEST(defaults)
{
	ck_assert_uint_eq(cfg.probe_interval_ms, 1000);
	ck_assert_uint_eq(cfg.probe_failures, 3);
	ck_assert_uint_eq(cfg.history_size, 100);
	ck_assert(!cfg.autofailover);
}
END_TEST

START_TEST(role)
{
	reject_line("role", "tertiary", "expected primary or secondary");
	reject_line("role", "", "expected 'role primary'");
	reject_line("role", "primary extra", "expected 'role primary'");
	accept_line("role", "secondary");
	ck_assert_int_eq(cfg.role, CMSHA_ROLE_SECONDARY);
	reject_line("role", "primary", "already set");
}
END_TEST

START_TEST(alias_good_forms)
{
	accept_line("alias", "10.77.0.10/24 dev eth0 label eth0:cms");
	accept_line("alias", "fd77::10/64 dev eth0");
	ck_assert_uint_eq(cfg.n_aliases, 2);
	ck_assert_str_eq(cfg.aliases[0].label, "eth0:cms");
	ck_assert_uint_eq(cfg.aliases[1].prefix, 64);
	ck_assert_int_eq(cfg.aliases[1].addr.family, AF_INET6);
}
END_TEST

START_TEST(alias_bad_forms)
{
	reject_line("alias", "", "expected 'alias ADDRESS/PREFIX dev IFNAME");
	reject_line("alias", "10.77.0.10/24", "expected 'alias ADDRESS/PREFIX dev IFNAME");
	reject_line("alias", "10.77.0.10/24 eth0 x", "expected 'alias");
	reject_line("alias", "10.77.0.10 dev eth0", "expected ADDRESS/PREFIX");
	reject_line("alias", "10.77.0.300/24 dev eth0", "not an IPv4 or IPv6 address");
	reject_line("alias", "10.77.0.10/33 dev eth0", "out of range 0..32");
	reject_line("alias", "fd77::10/129 dev eth0", "out of range 0..128");
	reject_line("alias", "10.77.0.10/0 dev eth0", "not a subnet");
	reject_line("alias", "10.77.0.10/24 dev averyveryverylongname", "longer than 15");
	reject_line("alias", "10.77.0.10/24 dev eth0 label eth1:x", "must start with the interface");
	reject_line("alias", "fd77::10/64 dev eth0 label eth0:x", "IPv4 aliases only");
	reject_line("alias", "10.77.0.10/24 dev eth0 tag x", "expected 'alias");
	accept_line("alias", "10.77.0.10/24 dev eth0");
	reject_line("alias", "10.77.0.10/25 dev eth1", "duplicate alias 10.77.0.10");
}
END_TEST

START_TEST(peer_forms)
{
	reject_line("peer", "", "expected 'peer");
	reject_line("peer", "-v2c -c private peer.example", "not a numeric");
	accept_line("peer", "-v3 -u cmsha -l authPriv -a SHA-256 -A secretpass -x AES -X secretpass udp:10.77.0.12:161");
	ck_assert_uint_eq(cfg.n_peer_addrs, 1);
	ck_assert_int_eq(cfg.peer_addrs[0].family, AF_INET);
	ck_assert_ptr_nonnull(strstr(cfg.peer_args, "-u cmsha"));
	reject_line("peer", "10.77.0.13", "already set");
}
END_TEST

START_TEST(peeraddress_keeps_agent_address_first)
{
	accept_line("peeraddress", "fd77::12");
	accept_line("peer", "-v2c -c private 10.77.0.12");
	ck_assert_int_eq(cfg.peer_addrs[0].family, AF_INET);
	ck_assert_int_eq(cfg.peer_addrs[1].family, AF_INET6);
	reject_line("peeraddress", "fd77::12/64", "not an IPv4 or IPv6");
	reject_line("peeraddress", "", "expected 'peeraddress ADDRESS'");
}
END_TEST

START_TEST(probe_and_announce)
{
	accept_line("probe", "interval 250 failures 5");
	ck_assert_uint_eq(cfg.probe_interval_ms, 250);
	ck_assert_uint_eq(cfg.probe_failures, 5);
	accept_line("probe", "failures 2");
	ck_assert_uint_eq(cfg.probe_interval_ms, 250);
	reject_line("probe", "interval", "expected 'probe interval MS failures N'");
	reject_line("probe", "interval 5", "from 10 to 600000");
	reject_line("probe", "interval 100 failures 0", "from 1 to 100");
	reject_line("probe", "interval 100 retries 3", "unknown keyword 'retries'");
	reject_line("probe", "interval 1e3", "must be a number");
	accept_line("announce", "count 5 interval 20");
	ck_assert_uint_eq(cfg.announce_count, 5);
	ck_assert_uint_eq(cfg.announce_interval_ms, 20);
	reject_line("announce", "count 0", "from 1 to 100");
}
END_TEST

START_TEST(components)
{
	accept_line("component", "cms required pidfile /run/cms.pid");
	accept_line("component", "odbc optional tcp 127.0.0.1:5000");
	accept_line("component", "vvserver optional exec \"/usr/bin/vv-check --quick\" timeout 2000");
	ck_assert_uint_eq(cfg.n_components, 3);
	ck_assert(cfg.components[0].required);
	ck_assert_str_eq(cfg.components[2].target, "/usr/bin/vv-check --quick");
	ck_assert_uint_eq(cfg.components[2].timeout_ms, 2000);
	reject_line("component", "cms required pidfile /run/x.pid", "duplicate component 'cms'");
	reject_line("component", "x maybe tcp a:1", "expected required or optional");
	reject_line("component", "x required tcp localhost", "HOST:PORT");
	reject_line("component", "x required tcp localhost:70000", "HOST:PORT");
	reject_line("component", "x required pidfile run/x.pid", "must be absolute");
	reject_line("component", "x required exec \"/bin/true\" timeout 0", "timeout MS");
	reject_line("component", "x required exec \"/bin/true", "unterminated quote");
	reject_line("component", "x required ping 10.0.0.1", "expected 'component NAME");
	reject_line("component", "\"\" required pidfile /run/x.pid", "component name is empty");
}
END_TEST

START_TEST(autofailover_and_history)
{
	ck_assert_uint_eq(cfg.holddown_ms, 60000);
	accept_line("autofailover", "on");
	ck_assert(cfg.autofailover);
	reject_line("autofailover", "yes", "expected 'autofailover on|off [holddown MS]'");
	accept_line("autofailover", "off holddown 5000");
	ck_assert(!cfg.autofailover);
	ck_assert_uint_eq(cfg.holddown_ms, 5000);
	/* A bad hold-down changes neither setting. */
	reject_line("autofailover", "on holddown x", "holddown 'x' must be a number");
	reject_line("autofailover", "on holddown", "expected 'autofailover on|off");
	reject_line("autofailover", "on hold 5", "unknown keyword 'hold'");
	ck_assert(!cfg.autofailover);
	ck_assert_uint_eq(cfg.holddown_ms, 5000);
	accept_line("history", "size 20");
	ck_assert_uint_eq(cfg.history_size, 20);
	reject_line("history", "size 0", "from 1 to 100000");
	reject_line("history", "20", "expected 'history size N'");
}
END_TEST

START_TEST(switchover_timing)
{
	ck_assert_uint_eq(cfg.preflight_count, 1);
	ck_assert_uint_eq(cfg.release_timeout_ms, 2000);
	accept_line("preflight", "count 2 wait 15");
	ck_assert_uint_eq(cfg.preflight_count, 2);
	ck_assert_uint_eq(cfg.preflight_wait_ms, 15);
	accept_line("forceprobe", "count 3 wait 40");
	ck_assert_uint_eq(cfg.forceprobe_wait_ms, 40);
	accept_line("release", "timeout 500");
	ck_assert_uint_eq(cfg.release_timeout_ms, 500);
	reject_line("preflight", "count 0 wait 5", "from 1 to 10");
	reject_line("forceprobe", "wait 0", "from 1 to 10000");
	reject_line("release", "timeout 5", "from 10 to 60000");
	reject_line("release", "after 500", "unknown keyword 'after'");
}
END_TEST

START_TEST(every_token_is_listed)
{
	size_t n = 0;
	while (cmsha_config_token_at(n))
		n++;
	ck_assert_uint_eq(n, 12);
	ck_assert_str_eq(cmsha_config_token_at(0), "role");
}
END_TEST

static void fresh_line(struct cmsha_config *c, const char *token, const char *args)
{
	ck_assert_msg(cmsha_config_apply(c, token, args, err, sizeof(err)), "%s %s: %s", token,
		      args, err);
}

static void fresh_pair(struct cmsha_config *fresh, const char *role_name)
{
	cmsha_config_init(fresh);
	fresh_line(fresh, "role", role_name);
	fresh_line(fresh, "peer", "10.77.0.12");
}

START_TEST(reload_plan_timings_only)
{
	struct cmsha_config fresh;
	struct cmsha_reload_plan plan;

	accept_line("role", "primary");
	accept_line("alias", "10.77.0.10/24 dev eth0");
	accept_line("peer", "10.77.0.12");
	fresh_pair(&fresh, "primary");
	fresh_line(&fresh, "alias", "10.77.0.10/24 dev eth0");
	ck_assert(cmsha_reload_plan_make(&plan, &cfg, &fresh, err, sizeof(err)));
	ck_assert(cmsha_reload_plan_empty(&plan));
	cmsha_reload_plan_free(&plan);
	fresh_line(&fresh, "preflight", "wait 50");
	ck_assert(cmsha_reload_plan_make(&plan, &cfg, &fresh, err, sizeof(err)));
	ck_assert(plan.timings && !plan.aliases && !plan.peer && !plan.components);
	cmsha_config_update_live(&cfg, &fresh);
	ck_assert_uint_eq(cfg.preflight_wait_ms, 50);
	cmsha_reload_plan_free(&plan);
	cmsha_config_free(&fresh);
}
END_TEST

START_TEST(reload_plan_role_is_restart_only)
{
	struct cmsha_config fresh;
	struct cmsha_reload_plan plan;

	accept_line("role", "primary");
	fresh_pair(&fresh, "secondary");
	ck_assert(!cmsha_reload_plan_make(&plan, &cfg, &fresh, err, sizeof(err)));
	ck_assert_str_eq(err, "role changes from primary to secondary: that needs a restart");
	cmsha_config_free(&fresh);
}
END_TEST

/* added, removed, kept, changed (label; interface), with the indexes they come from */
START_TEST(reload_plan_aliases)
{
	struct cmsha_config fresh;
	struct cmsha_reload_plan plan;
	size_t n;
	struct cmsha_alias_conf *probe;
	char text[64];

	accept_line("role", "primary");
	accept_line("peer", "10.77.0.12");
	accept_line("alias", "10.77.0.10/24 dev lo");
	accept_line("alias", "10.77.0.20/24 dev lo");
	accept_line("alias", "10.77.0.40/24 dev lo");
	fresh_pair(&fresh, "primary");
	fresh_line(&fresh, "alias", "10.77.0.30/24 dev lo");
	fresh_line(&fresh, "alias", "10.77.0.10/24 dev lo");
	fresh_line(&fresh, "alias", "10.77.0.40/24 dev lo label lo:svc");
	ck_assert(cmsha_reload_plan_make(&plan, &cfg, &fresh, err, sizeof(err)));
	ck_assert(plan.aliases && !plan.peer && !plan.components && !plan.timings);
	ck_assert_uint_eq(plan.n_added, 1);
	ck_assert_uint_eq(plan.n_removed, 1);
	ck_assert_uint_eq(plan.n_changed, 1);
	ck_assert_int_eq(plan.alias_kind[0], CMSHA_RELOAD_ALIAS_ADDED);
	ck_assert(plan.alias_from[0] == CMSHA_RELOAD_NEW);
	ck_assert_int_eq(plan.alias_kind[1], CMSHA_RELOAD_ALIAS_KEPT);
	ck_assert_uint_eq(plan.alias_from[1], 0);
	ck_assert_int_eq(plan.alias_kind[2], CMSHA_RELOAD_ALIAS_CHANGED);
	ck_assert_uint_eq(plan.alias_from[2], 2);
	ck_assert(!plan.alias_removed[0] && plan.alias_removed[1] && !plan.alias_removed[2]);
	probe = cmsha_reload_plan_to_probe(&plan, &fresh, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(cmsha_alias_conf_text(&probe[0], text, sizeof(text)),
			 "10.77.0.30/24 dev lo");
	ck_assert_str_eq(cmsha_alias_conf_text(&fresh.aliases[2], text, sizeof(text)),
			 "10.77.0.40/24 dev lo label lo:svc");
	free(probe);
	cmsha_reload_plan_free(&plan);
	cmsha_config_free(&fresh);
}
END_TEST

START_TEST(reload_plan_peer_components_history)
{
	struct cmsha_config fresh;
	struct cmsha_reload_plan plan;

	accept_line("role", "secondary");
	accept_line("peer", "10.77.0.11");
	accept_line("component", "db required tcp 127.0.0.1:5432");
	accept_line("component", "web optional pidfile /run/web.pid");
	fresh_pair(&fresh, "secondary");
	fresh_line(&fresh, "component", "web optional pidfile /run/web.pid");
	fresh_line(&fresh, "component", "acd required tcp 127.0.0.1:4000");
	fresh_line(&fresh, "history", "size 5");
	fresh_line(&fresh, "probe", "interval 200");
	ck_assert(cmsha_reload_plan_make(&plan, &cfg, &fresh, err, sizeof(err)));
	ck_assert(plan.peer && plan.components && plan.history_size && plan.probe);
	ck_assert(!plan.aliases);
	ck_assert_uint_eq(plan.component_from[0], 1);
	ck_assert(plan.component_from[1] == CMSHA_RELOAD_NEW);
	cmsha_reload_plan_free(&plan);
	cmsha_config_free(&fresh);
}
END_TEST

START_TEST(unknown_token)
{
	reject_line("aliass", "10.0.0.1/24 dev eth0", "unknown token 'aliass'");
}
END_TEST

/* net-snmp hands us tokens as written after matching them case-insensitively. */
START_TEST(tokens_in_any_case)
{
	accept_line("ROLE", "secondary");
	accept_line("Probe", "interval 500 failures 2");
	ck_assert_int_eq(cfg.role, CMSHA_ROLE_SECONDARY);
	ck_assert_uint_eq(cfg.probe_interval_ms, 500);
	reject_line("ALIASS", "10.0.0.1/24 dev eth0", "unknown token 'ALIASS'");
}
END_TEST

START_TEST(completeness)
{
	ck_assert(!cmsha_config_check_complete(&cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "missing 'role"));
	accept_line("role", "primary");
	ck_assert(!cmsha_config_check_complete(&cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "missing 'alias"));
	accept_line("alias", "10.77.0.10/24 dev eth0");
	ck_assert(!cmsha_config_check_complete(&cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "missing 'peer"));
	accept_line("peer", "10.77.0.12");
	ck_assert(cmsha_config_check_complete(&cfg, err, sizeof(err)));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, role);
	tcase_add_test(tc, alias_good_forms);
	tcase_add_test(tc, alias_bad_forms);
	tcase_add_test(tc, peer_forms);
	tcase_add_test(tc, peeraddress_keeps_agent_address_first);
	tcase_add_test(tc, probe_and_announce);
	tcase_add_test(tc, components);
	tcase_add_test(tc, autofailover_and_history);
	tcase_add_test(tc, switchover_timing);
	tcase_add_test(tc, every_token_is_listed);
	tcase_add_test(tc, reload_plan_timings_only);
	tcase_add_test(tc, reload_plan_role_is_restart_only);
	tcase_add_test(tc, reload_plan_aliases);
	tcase_add_test(tc, reload_plan_peer_components_history);
	tcase_add_test(tc, unknown_token);
	tcase_add_test(tc, tokens_in_any_case);
	tcase_add_test(tc, completeness);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
