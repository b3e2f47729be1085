/*
 * bench/snmp_load: a small SNMP load generator on net-snmp's API.
 *
 *   snmp_load get AGENT COMMUNITY OID COUNT
 *       COUNT synchronous GETs, one after the other;
 *       prints "runs=N p50_ms=X p99_ms=Y max_ms=Z ops_s=W".
 *   snmp_load walk AGENT COMMUNITY ROOT COUNT
 *       COUNT GETNEXT walks of the subtree under ROOT; prints the same
 *       figures per walk plus "varbinds=V" (objects in one walk).
 *   snmp_load reconnect AGENT COMMUNITY REF_OID OID TIMEOUT_MS
 *       polls REF_OID until the agent answers it (the master is back), then
 *       OID until it has a value (the subagent is back); prints
 *       "reconnect_ms=X" (from the first answer for REF_OID).
 *   snmp_load switch AGENT_A AGENT_B COMMUNITY COMMAND_OID STATE_OID COUNT
 *       COUNT switch-overs back to back, one process (case 6's stress, without
 *       a shell forking snmpset/snmpget on the same CPUs): SET COMMAND_OID = 2
 *       (takeover) on B and poll every 5 ms until B's STATE_OID is 1 (active)
 *       and A's 2 (standby); then SET it to 5 (switchAway) on B and wait for
 *       the reverse.  Prints "switches=N"; exits 1 when one does not end
 *       within 5 s.  SIGTERM stops it after the switch-over in progress.
 *
 * With SNMP_LOAD_SAMPLES=FILE in the environment, each time (ms) is also
 * appended to FILE, one a line, so that interleaved runs can be merged.
 *
 * A GET counts only when it returns a value: an error status or an
 * exception (noSuchObject, noSuchInstance, endOfMibView) fails the run.
 */
#include "bench_session.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct target {
	oid name[MAX_OID_LEN];
	size_t len;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

_Noreturn static void die(const char *what)
{
	fprintf(stderr, "snmp_load: %s\n", what);
	exit(2);
}

static struct target parse_oid(const char *text)
{
	struct target t = { .len = MAX_OID_LEN };

	if (!read_objid(text, t.name, &t.len))
		die("bad OID");
	return t;
}

static int is_value(const netsnmp_variable_list *v)
{
	return v && v->type != SNMP_NOSUCHOBJECT && v->type != SNMP_NOSUCHINSTANCE &&
	       v->type != SNMP_ENDOFMIBVIEW;
}

/* One request for T; on success *next gets the answered name (for walks). */
static int request(netsnmp_session *ss, int type, const struct target *t, struct target *next)
{
	netsnmp_pdu *pdu = snmp_pdu_create(type), *resp = NULL;
	int ok;

	snmp_add_null_var(pdu, t->name, t->len);
	ok = snmp_synch_response(ss, pdu, &resp) == STAT_SUCCESS && resp &&
	     resp->errstat == SNMP_ERR_NOERROR && is_value(resp->variables);
	if (ok && next) {
		next->len = resp->variables->name_length;
		memcpy(next->name, resp->variables->name, next->len * sizeof(oid));
	}
	if (resp)
		snmp_free_pdu(resp);
	return ok;
}

/* A GETNEXT walk under ROOT; returns the number of objects, -1 on error. */
static long walk(netsnmp_session *ss, const struct target *root)
{
	struct target cur = *root, next;
	long n = 0;

	for (;;) {
		if (!request(ss, SNMP_MSG_GETNEXT, &cur, &next))
			return n > 0 ? n : -1; /* endOfMibView after the last object */
		if (next.len < root->len ||
		    netsnmp_oid_is_subtree(root->name, root->len, next.name, next.len) != 0)
			return n;
		cur = next;
		n++;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
static double pct(const double *v, long n, double p)
{
	long i = (long)((n - 1) * p / 100.0 + 0.5);
	return v[i < n ? i : n - 1];
}

static void report(double *v, long n, double total_ms)
{
	qsort(v, n, sizeof(*v), cmp_double);
	printf("runs=%ld p50_ms=%.3f p99_ms=%.3f max_ms=%.3f ops_s=%.0f", n, pct(v, n, 50),
	       pct(v, n, 99), v[n - 1], n / (total_ms / 1e3));
}

static void save_samples(const double *v, long n)
{
	const char *path = getenv("SNMP_LOAD_SAMPLES");
	FILE *f;

	if (!path || !*path)
		return;
	if (!(f = fopen(path, "a")))
		die("cannot append to SNMP_LOAD_SAMPLES");
	for (long i = 0; i < n; i++)
		fprintf(f, "%.3f\n", v[i]);
	fclose(f);
}

static int run_load(netsnmp_session *ss, const struct target *t, long count, int walking)
{
	double *v = calloc(count, sizeof(double)), start = now_ms(), t0;
	long i, objects = 0;

	if (!v)
		die("out of memory");
	for (i = 0; i < count; i++) {
		t0 = now_ms();
		if (walking ? (objects = walk(ss, t)) < 1 : !request(ss, SNMP_MSG_GET, t, NULL)) {
			fprintf(stderr, "snmp_load: request %ld failed\n", i + 1);
			return 1;
		}
		v[i] = now_ms() - t0;
	}
	save_samples(v, count);
	report(v, count, now_ms() - start);
	if (walking)
		printf(" varbinds=%ld", objects);
	printf("\n");
	free(v);
	return 0;
}

/* Poll T every 2 ms (each GET waits at most the session timeout). */
static int poll_until(netsnmp_session *ss, const struct target *t, double deadline)
{
	while (now_ms() < deadline) {
		if (request(ss, SNMP_MSG_GET, t, NULL))
			return 1;
		usleep(2000);
	}
	return 0;
}

static volatile sig_atomic_t stop_switching;

static void on_term(int sig)
{
	(void)sig;
	stop_switching = 1;
}

static long get_integer(netsnmp_session *ss, const struct target *t)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET), *resp = NULL;
	long v = -1;

	snmp_add_null_var(pdu, t->name, t->len);
	if (snmp_synch_response(ss, pdu, &resp) == STAT_SUCCESS && resp &&
	    resp->errstat == SNMP_ERR_NOERROR && resp->variables->type == ASN_INTEGER)
		v = *resp->variables->val.integer;
	if (resp)
		snmp_free_pdu(resp);
	return v;
}

static int set_integer(netsnmp_session *ss, const struct target *t, long value)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_SET), *resp = NULL;
	int ok;

	snmp_pdu_add_variable(pdu, t->name, t->len, ASN_INTEGER, &value, sizeof(value));
	ok = snmp_synch_response(ss, pdu, &resp) == STAT_SUCCESS && resp &&
	     resp->errstat == SNMP_ERR_NOERROR;
	if (resp)
		snmp_free_pdu(resp);
	return ok;
}

/* SET command on by, then wait (5 s at most) for active on `active`, standby on the other. */
static int switch_once(netsnmp_session *by, long command, netsnmp_session *active,
		       netsnmp_session *standby, const struct target *cmd, const struct target *st)
{
	double deadline = now_ms() + 5000;

	if (!set_integer(by, cmd, command))
		return 0;
	while (now_ms() < deadline) {
		if (get_integer(active, st) == 1 && get_integer(standby, st) == 2)
			return 1;
		usleep(5000);
	}
	return 0;
}

static int run_switches(char **argv)
{
	netsnmp_session *a = bench_open_agent(argv[0], argv[2], 2000000);
	netsnmp_session *b = bench_open_agent(argv[1], argv[2], 2000000);
	struct target cmd = parse_oid(argv[3]), st = parse_oid(argv[4]);
	long count = atol(argv[5]), i;
	int rc = 0;

	signal(SIGTERM, on_term);
	for (i = 0; i < count && !stop_switching; i++) {
		int ok = i % 2 == 0 ? switch_once(b, 2, b, a, &cmd, &st)
				    : switch_once(b, 5, a, b, &cmd, &st);
		if (!ok) {
			fprintf(stderr, "snmp_load: switch-over %ld did not end within 5 s\n", i + 1);
			rc = 1;
			break;
		}
	}
	printf("switches=%ld\n", i);
	snmp_close(a);
	snmp_close(b);
	return rc;
}

static int run_reconnect(netsnmp_session *ss, char **argv)
{
	struct target ref = parse_oid(argv[0]), t = parse_oid(argv[1]);
	double deadline = now_ms() + atof(argv[2]), t_master;

	if (!poll_until(ss, &ref, deadline))
		die("the master agent did not answer before the deadline");
	t_master = now_ms();
	if (!poll_until(ss, &t, deadline))
		die("the subagent's object did not answer before the deadline");
	printf("reconnect_ms=%.1f\n", now_ms() - t_master);
	return 0;
}

int main(int argc, char **argv)
{
	netsnmp_session *ss;
	int rc;

	if (argc != 6 && !(argc == 7 && strcmp(argv[1], "reconnect") == 0) &&
	    !(argc == 8 && strcmp(argv[1], "switch") == 0)) {
		fprintf(stderr, "usage: %s get|walk AGENT COMMUNITY OID COUNT\n"
				"       %s reconnect AGENT COMMUNITY REF_OID OID TIMEOUT_MS\n"
				"       %s switch AGENT_A AGENT_B COMMUNITY COMMAND_OID STATE_OID COUNT\n",
			argv[0], argv[0], argv[0]);
		return 2;
	}
	setenv("MIBS", "", 1);
	init_snmp("snmp_load");
	if (strcmp(argv[1], "switch") == 0) {
		rc = run_switches(argv + 2);
		snmp_shutdown("snmp_load");
		return rc;
	}
	if (strcmp(argv[1], "reconnect") == 0) {
		ss = bench_open_agent(argv[2], argv[3], 50000);
		rc = run_reconnect(ss, argv + 4);
	} else if (strcmp(argv[1], "get") == 0 || strcmp(argv[1], "walk") == 0) {
		struct target t = parse_oid(argv[4]);
		long count = atol(argv[5]);

		if (count < 1)
			die("COUNT must be at least 1");
		ss = bench_open_agent(argv[2], argv[3], 2000000);
		rc = run_load(ss, &t, count, argv[1][0] == 'w');
	} else {
		die("unknown mode");
	}
	snmp_close(ss);
	snmp_shutdown("snmp_load");
	return rc;
}
