/* Config lines: every token, its good and bad forms, and that a bad line changes nothing. */
#include "autoconfig.h"
#include "check_run.h"
#include "config.h"
#include "reload_plan.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cmsha_config cfg;
static char err[512];

static void setup(void) { cmsha_config_init(&cfg); err[0] = '\0'; }
static char key_path[64];      /* a key file of the test's own, made on first use */
static void teardown(void)
{
	cmsha_config_free(&cfg);
	if (key_path[0])
		unlink(key_path);
}

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

/* The agent rejects an alias line the core accepted (no such interface): it is taken back. */
START_TEST(alias_taken_back)
{
	accept_line("alias", "10.77.0.10/24 dev eth0");
	accept_line("alias", "10.77.0.11/24 dev eth0");
	cmsha_config_drop_last_alias(&cfg);
	ck_assert_uint_eq(cfg.n_aliases, 1);
	ck_assert_str_eq(cfg.aliases[0].ifname, "eth0");
	/* no longer a duplicate */
	accept_line("alias", "10.77.0.11/24 dev eth1");
	ck_assert_uint_eq(cfg.n_aliases, 2);
	ck_assert_str_eq(cfg.aliases[1].ifname, "eth1");
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

START_TEST(realtime_forms)
{
	ck_assert_uint_eq(cfg.realtime_priority, CMSHA_DEFAULT_REALTIME_PRIORITY);
	accept_line("realtime", "off");
	ck_assert_uint_eq(cfg.realtime_priority, 0);
	accept_line("realtime", "99");
	ck_assert_uint_eq(cfg.realtime_priority, 99);
	reject_line("realtime", "0", "'off' or a priority from 1 to 99");
	reject_line("realtime", "100", "'off' or a priority from 1 to 99");
	reject_line("realtime", "on", "'off' or a priority from 1 to 99");
	reject_line("realtime", "", "expected 'realtime PRIORITY|off'");
	reject_line("realtime", "10 20", "expected 'realtime PRIORITY|off'");
	ck_assert_uint_eq(cfg.realtime_priority, 99);
}
END_TEST

START_TEST(peerport_forms)
{
	ck_assert_uint_eq(cfg.peer_port, 0);
	accept_line("peerport", "7161");
	ck_assert_uint_eq(cfg.peer_port, 7161);
	reject_line("peerport", "161", "from 1024 to 65535");
	reject_line("peerport", "65536", "from 1024 to 65535");
	reject_line("peerport", "", "expected 'peerport PORT'");
	reject_line("peerport", "7161 7162", "expected 'peerport PORT'");
	ck_assert_uint_eq(cfg.peer_port, 7161);
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
	ck_assert_uint_eq(n, 16);
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

/* The running primary with one alias, and a fresh config the same so far. */
static void primary_and_fresh(struct cmsha_config *fresh)
{
	accept_line("role", "primary");
	accept_line("alias", "10.77.0.10/24 dev eth0");
	accept_line("peer", "10.77.0.12");
	fresh_pair(fresh, "primary");
	fresh_line(fresh, "alias", "10.77.0.10/24 dev eth0");
}

START_TEST(reload_plan_timings_only)
{
	struct cmsha_config fresh;
	struct cmsha_reload_plan plan;

	primary_and_fresh(&fresh);
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

/* The peer channel is part of the peer: a reload that changes it restarts the sessions. */
START_TEST(reload_plan_peerport)
{
	struct cmsha_config fresh;
	struct cmsha_reload_plan plan;

	primary_and_fresh(&fresh);
	fresh_line(&fresh, "peerport", "7161");
	ck_assert(cmsha_reload_plan_make(&plan, &cfg, &fresh, err, sizeof(err)));
	ck_assert(plan.peer && !plan.aliases && !plan.timings);
	cmsha_reload_plan_free(&plan);
	cmsha_config_free(&fresh);
}
END_TEST

/* A new priority applies live: nothing else restarts. */
START_TEST(reload_plan_realtime)
{
	struct cmsha_config fresh;
	struct cmsha_reload_plan plan;

	primary_and_fresh(&fresh);
	ck_assert(cmsha_reload_plan_make(&plan, &cfg, &fresh, err, sizeof(err)));
	ck_assert(cmsha_reload_plan_empty(&plan));
	cmsha_reload_plan_free(&plan);
	fresh_line(&fresh, "realtime", "off");
	ck_assert(cmsha_reload_plan_make(&plan, &cfg, &fresh, err, sizeof(err)));
	ck_assert(plan.realtime && !cmsha_reload_plan_empty(&plan));
	ck_assert(!plan.peer && !plan.aliases && !plan.timings && !plan.probe);
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
	ck_assert_ptr_nonnull(strstr(err, "or 'dns NAME"));
	accept_line("alias", "10.77.0.10/24 dev eth0");
	ck_assert(!cmsha_config_check_complete(&cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "missing 'peer"));
	accept_line("peer", "10.77.0.12");
	ck_assert(cmsha_config_check_complete(&cfg, err, sizeof(err)));
}
END_TEST

/* A key file as tsig-keygen writes it, in a file of the test's own. */
static const char *key_file(void)
{
	char *path = key_path;
	FILE *f;

	if (path[0])
		return path;
	strcpy(path, "/tmp/check_config-key-XXXXXX");
	ck_assert_int_ge(mkstemp(path), 0);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("key \"cmsha-test\" {\n\talgorithm hmac-sha256;\n"
	      "\tsecret \"CkmGxTc0lg1eu8W0p367XiJfDs88PeWPP7uuqE9vwPU=\";\n};\n", f);
	fclose(f);
	return path;
}

static void dns_line(char *buf, size_t len, const char *tail)
{
	snprintf(buf, len, "www.cms.test address 10.78.0.10 peeraddress 10.77.0.10 "
		 "server 10.79.0.53 key %s%s", key_file(), tail);
}

START_TEST(dns_good_forms)
{
	char line[512];

	dns_line(line, sizeof(line), "");
	accept_line("dns", line);
	ck_assert_uint_eq(cfg.n_dns, 1);
	ck_assert_str_eq(cfg.dns[0].name, "www.cms.test.");
	ck_assert_str_eq(cfg.dns[0].zone, "cms.test.");         /* NAME's parent */
	ck_assert_uint_eq(cfg.dns[0].port, 53);
	ck_assert_uint_eq(cfg.dns[0].ttl, CMSHA_DEFAULT_DNS_TTL);
	ck_assert_uint_eq(cfg.dns[0].timeout_ms, CMSHA_DEFAULT_DNS_TIMEOUT_MS);
	ck_assert_str_eq(cfg.dns[0].key.name, "cmsha-test.");
	ck_assert_str_eq(cfg.dns[0].key.algorithm, "hmac-sha256.");
	snprintf(line, sizeof(line), "cms.test. address fd78::10 peeraddress fd77::10 "
		 "server fd79::53#5353 key %s zone test ttl 5 timeout 300", key_file());
	accept_line("dns", line);
	ck_assert_uint_eq(cfg.dns[1].port, 5353);
	ck_assert_str_eq(cfg.dns[1].zone, "test.");
	ck_assert_uint_eq(cfg.dns[1].ttl, 5);
	ck_assert_uint_eq(cfg.dns[1].timeout_ms, 300);
	ck_assert_int_eq(cfg.dns[1].address.family, AF_INET6);
	/* With names, no alias is needed. */
	accept_line("role", "secondary");
	accept_line("peer", "10.77.0.12");
	ck_assert(cmsha_config_check_complete(&cfg, err, sizeof(err)));
}
END_TEST

/* head, then the test's key file: the line's own fault is what is reported. */
static void reject_dns(const char *head, const char *expected)
{
	char line[512];

	snprintf(line, sizeof(line), "%s key %s", head, key_file());
	reject_line("dns", line, expected);
}

START_TEST(dns_bad_forms)
{
	char line[512];

	reject_line("dns", "www.cms.test address 10.78.0.10", "expected 'dns NAME address");
	dns_line(line, sizeof(line), " ttl 9999999");
	reject_line("dns", line, "ttl '9999999' must be a number of seconds");
	dns_line(line, sizeof(line), " zone other.test");
	reject_line("dns", line, "www.cms.test. is not in zone other.test.");
	dns_line(line, sizeof(line), " colour blue");
	reject_line("dns", line, "unknown keyword 'colour'");
	reject_dns("www..test address 10.78.0.10 peeraddress 10.77.0.10 server 1.2.3.4",
		   "'www..test' is not a DNS name");
	reject_dns("www.cms.test address 10.78.0.10 peeraddress fd77::10 server 1.2.3.4",
		   "of one family");
	reject_dns("www.cms.test address 10.78.0.10 peeraddress 10.78.0.10 server 1.2.3.4",
		   "are the same");
	reject_dns("www.cms.test address 10.78.0.10 peeraddress 10.77.0.10 server ns.cms.test",
		   "server 'ns.cms.test' is not a numeric");
	reject_dns("www.cms.test address 10.78.0.10 peeraddress 10.77.0.10 server 1.2.3.4#0",
		   "server port '0'");
	reject_line("dns", "www.cms.test address 10.78.0.10 peeraddress 10.77.0.10 "
		    "server 1.2.3.4 key /nonexistent/k", "cannot read key file /nonexistent/k");
	reject_line("dns", "www.cms.test address 10.78.0.10 peeraddress 10.77.0.10 "
		    "server 1.2.3.4 key /etc/hostname", "key file /etc/hostname: expected 'key");
	dns_line(line, sizeof(line), "");
	accept_line("dns", line);
	reject_line("dns", line, "duplicate dns name www.cms.test. (A)");
	/* the same name's AAAA is another line */
	snprintf(line, sizeof(line), "www.cms.test address fd78::10 peeraddress fd77::10 "
		 "server 10.79.0.53 key %s", key_file());
	accept_line("dns", line);
}
END_TEST

START_TEST(dns_change_needs_restart)
{
	struct cmsha_config fresh;
	struct cmsha_reload_plan plan;
	char line[512];

	dns_line(line, sizeof(line), "");
	accept_line("dns", line);
	cmsha_config_init(&fresh);
	dns_line(line, sizeof(line), " ttl 30");
	ck_assert(cmsha_config_apply(&fresh, "dns", line, err, sizeof(err)));
	ck_assert(!cmsha_reload_plan_make(&plan, &cfg, &fresh, err, sizeof(err)));
	ck_assert_str_eq(err, "dns lines change: that needs a restart");
	cmsha_config_free(&fresh);
}
END_TEST

START_TEST(clients_line)
{
	struct cmsha_config fresh;
	struct cmsha_reload_plan plan;

	ck_assert_uint_eq(cfg.clients_keep_s, 3600);
	ck_assert_uint_eq(cfg.clients_max, 1000);
	ck_assert_uint_eq(cfg.clients_interval_ms, 5000);
	accept_line("clients", "keep 600 max 50");
	ck_assert_uint_eq(cfg.clients_keep_s, 600);
	ck_assert_uint_eq(cfg.clients_max, 50);
	ck_assert_uint_eq(cfg.clients_interval_ms, 5000);
	/* A bad word changes nothing, not even the good ones before it. */
	reject_line("clients", "keep 10 max 0", "max '0' must be a number from 1 to 100000");
	reject_line("clients", "interval 50", "interval '50' must be a number from 100");
	reject_line("clients", "keep", "expected 'clients keep SECONDS max N interval MS'");
	reject_line("clients", "hold 5", "unknown keyword 'hold'");
	ck_assert_uint_eq(cfg.clients_keep_s, 600);
	ck_assert_uint_eq(cfg.clients_max, 50);
	/* The table is sized at start: a changed line needs a restart. */
	cmsha_config_init(&fresh);
	ck_assert(cmsha_config_apply(&fresh, "clients", "keep 600 max 51", err, sizeof(err)));
	ck_assert(!cmsha_reload_plan_make(&plan, &cfg, &fresh, err, sizeof(err)));
	ck_assert_str_eq(err, "the clients line changes: that needs a restart");
	cmsha_config_free(&fresh);
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
	tcase_add_test(tc, alias_taken_back);
	tcase_add_test(tc, peer_forms);
	tcase_add_test(tc, peeraddress_keeps_agent_address_first);
	tcase_add_test(tc, peerport_forms);
	tcase_add_test(tc, realtime_forms);
	tcase_add_test(tc, probe_and_announce);
	tcase_add_test(tc, components);
	tcase_add_test(tc, autofailover_and_history);
	tcase_add_test(tc, clients_line);
	tcase_add_test(tc, switchover_timing);
	tcase_add_test(tc, every_token_is_listed);
	tcase_add_test(tc, reload_plan_timings_only);
	tcase_add_test(tc, reload_plan_role_is_restart_only);
	tcase_add_test(tc, reload_plan_aliases);
	tcase_add_test(tc, reload_plan_peer_components_history);
	tcase_add_test(tc, reload_plan_peerport);
	tcase_add_test(tc, reload_plan_realtime);
	tcase_add_test(tc, unknown_token);
	tcase_add_test(tc, tokens_in_any_case);
	tcase_add_test(tc, completeness);
	tcase_add_test(tc, dns_good_forms);
	tcase_add_test(tc, dns_bad_forms);
	tcase_add_test(tc, dns_change_needs_restart);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
