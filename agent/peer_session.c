#include "autoconfig.h"
#include "peer_session.h"
#include "mib_oids.h"
#include "mib_values.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PEER_ARGS 64
#define MAX_PROBE_TIMEOUT_MS 1000

/*
 * Filled by snmp_parse_args, as snmpd's trapsess does; opened at start.
 * net-snmp 5.9.3 keeps pointers into argv (peername, community), so the
 * words live as long as the template.
 */
static netsnmp_session peer_template;
static char *peer_argv[MAX_PEER_ARGS + 1];
static int peer_argc;
static bool peer_parsed;

static netsnmp_session *probe_session, *command_session;
static const struct cmsha_config *config;
static void (*edge_fn)(bool reachable);
static struct peer_status status = { .oper_state = PEER_OPER_UNKNOWN,
				      .last_known_oper = PEER_OPER_UNKNOWN };
static unsigned probe_alarm;
static bool probe_outstanding;
static struct timespec probe_sent, probe_sent_rt;

static int split_args(const char *args, char **argv, int max)
{
	char word[SPRINT_MAX_LEN];
	const char *cp = args;
	int argc = 0;

	argv[argc++] = strdup("peer");
	while (cp && *cp && argc < max - 1) {
		cp = copy_nword((char *)cp, word, sizeof(word));
		argv[argc++] = strdup(word);
	}
	argv[argc] = NULL;
	return argc;
}

static void free_words(char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
}

bool peer_session_parse(const char *args, char *err, size_t errlen)
{
	char *argv[MAX_PEER_ARGS + 1];
	int argc, rc;

	if (peer_parsed) {
		snprintf(err, errlen, "peer is already set");
		return false;
	}
	argc = split_args(args, argv, MAX_PEER_ARGS);
	snmp_sess_init(&peer_template);
	rc = netsnmp_parse_args(argc, argv, &peer_template, NULL, NULL,
				NETSNMP_PARSE_ARGS_NOLOGGING | NETSNMP_PARSE_ARGS_NOZERO);
	if (rc < 0)
		snprintf(err, errlen, "bad peer arguments '%s': expected snmpcmd options then "
			 "the agent, e.g. 'peer -v3 -u cmsha -l authPriv -a SHA-256 -A PASS "
			 "-x AES -X PASS 10.77.0.12'", args);
	else if (rc != argc)
		snprintf(err, errlen, "peer: unexpected '%s' after the agent address", argv[rc]);
	if (rc < 0 || rc != argc) {
		free_words(argv, argc);
		return false;
	}
	memcpy(peer_argv, argv, sizeof(argv));
	peer_argc = argc;
	peer_parsed = true;
	return true;
}

/*
 * The words are ours; of what the template points to, snmp_parse_args
 * allocated the community it copied from -c and the protocol OIDs.
 */
void peer_session_free(void)
{
	if (peer_parsed && peer_template.community != (u_char *)netsnmp_ds_get_string(
				   NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_COMMUNITY))
		free(peer_template.community);
	if (peer_parsed) {
		free(peer_template.securityAuthProto);
		free(peer_template.securityPrivProto);
	}
	free_words(peer_argv, peer_argc);
	peer_argc = 0;
	memset(&peer_template, 0, sizeof(peer_template));
	peer_parsed = false;
}

const struct peer_status *peer_session_status(void)
{
	return &status;
}

bool peer_session_known_unreachable(void)
{
	return status.consecutive_failures >= config->probe_failures;
}

/* The first verdict counts as an edge too: start-up waits for it. */
static void set_reachable(bool reachable)
{
	static bool decided;

	if (status.reachable == reachable && decided)
		return;
	decided = true;
	status.reachable = reachable;
	if (!reachable)
		status.oper_state = PEER_OPER_UNKNOWN;
	if (edge_fn)
		edge_fn(reachable);
}

static void probe_failed(void)
{
	status.probe_failures++;
	status.consecutive_failures++;
	if (peer_session_known_unreachable())
		set_reachable(false);
}

static bool probe_answer(const netsnmp_pdu *pdu)
{
	const netsnmp_variable_list *v = pdu ? pdu->variables : NULL;
	struct timespec now;

	/* noSuchObject: snmpd answers but the peer's cmshad is not there. */
	if (!pdu || pdu->errstat != SNMP_ERR_NOERROR || !v || v->type != ASN_INTEGER)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	status.rtt_us = (unsigned)((now.tv_sec - probe_sent.tv_sec) * 1000000 +
				   (now.tv_nsec - probe_sent.tv_nsec) / 1000);
	clock_gettime(CLOCK_REALTIME, &status.last_seen);
	status.oper_state = (int)*v->val.integer;
	status.last_known_oper = status.oper_state;
	status.oper_asked = probe_sent_rt;
	status.consecutive_failures = 0;
	set_reachable(true);
	return true;
}

static int on_probe_reply(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
			  void *magic)
{
	(void)sess, (void)reqid, (void)magic;
	probe_outstanding = false;
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !probe_answer(pdu))
		probe_failed();
	return 1;
}

static void send_probe(unsigned int reg, void *arg)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[MIB_OPER_STATE];
	oid name[CMSHA_MIB_MAX_LEN + 1];
	netsnmp_pdu *pdu;

	(void)reg, (void)arg;
	if (probe_outstanding)        /* the last one has not timed out yet */
		return;
	memcpy(name, obj->oid, obj->oid_len * sizeof(oid));
	name[obj->oid_len] = 0;
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	snmp_add_null_var(pdu, name, obj->oid_len + 1);
	clock_gettime(CLOCK_MONOTONIC, &probe_sent);
	clock_gettime(CLOCK_REALTIME, &probe_sent_rt);
	if (snmp_async_send(probe_session, pdu, on_probe_reply, NULL)) {
		probe_outstanding = true;
		return;
	}
	snmp_free_pdu(pdu);
	probe_failed();
}

static netsnmp_session *open_session(unsigned timeout_ms, char *err, size_t errlen)
{
	netsnmp_session s = peer_template;
	netsnmp_session *opened;

	s.timeout = (long)timeout_ms * 1000;
	s.retries = 0;
	opened = snmp_open(&s);
	if (!opened) {
		char *msg = NULL;
		snmp_error(&s, NULL, NULL, &msg);
		snprintf(err, errlen, "cannot open the peer session to %s: %s",
			 peer_template.peername, msg ? msg : "?");
		free(msg);
	}
	return opened;
}

bool peer_session_start(const struct cmsha_config *cfg, void (*edge)(bool reachable),
			char *err, size_t errlen)
{
	unsigned probe_timeout = cfg->probe_interval_ms < MAX_PROBE_TIMEOUT_MS ?
				 cfg->probe_interval_ms : MAX_PROBE_TIMEOUT_MS;
	struct timeval every = { cfg->probe_interval_ms / 1000,
				 (cfg->probe_interval_ms % 1000) * 1000 };

	config = cfg;
	edge_fn = edge;
	probe_session = open_session(probe_timeout, err, errlen);
	command_session = probe_session ? open_session(cfg->release_timeout_ms, err, errlen) : NULL;
	if (!command_session)
		return false;
	probe_alarm = snmp_alarm_register_hr(every, SA_REPEAT, send_probe, NULL);
	send_probe(0, NULL);
	return probe_alarm != 0;
}

void peer_session_stop(void)
{
	/* Closing fails the requests in flight: that is no news about the peer. */
	edge_fn = NULL;
	if (probe_alarm)
		snmp_alarm_unregister(probe_alarm);
	probe_alarm = 0;
	if (probe_session)
		snmp_close(probe_session);
	if (command_session)
		snmp_close(command_session);
	probe_session = command_session = NULL;
}

struct command_wait {
	void (*done)(void *arg, bool ok, const char *reason);
	void *arg;
	unsigned timeout_ms;
};

static int on_command_reply(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
			    void *magic)
{
	struct command_wait *w = magic;
	char reason[128];

	(void)sess, (void)reqid;
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE)
		snprintf(reason, sizeof(reason), "no answer within %u ms", w->timeout_ms);
	else if (pdu->errstat != SNMP_ERR_NOERROR)
		snprintf(reason, sizeof(reason), "the peer answered %s", snmp_errstring(pdu->errstat));
	else
		snprintf(reason, sizeof(reason), "done");
	w->done(w->arg, op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE &&
		pdu->errstat == SNMP_ERR_NOERROR, reason);
	free(w);
	return 1;
}

bool peer_session_command(enum cmsha_command cmd, unsigned timeout_ms,
			  void (*done)(void *arg, bool ok, const char *reason), void *arg)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[MIB_SWITCHOVER_COMMAND];
	oid name[CMSHA_MIB_MAX_LEN + 1];
	struct command_wait *w = malloc(sizeof(*w));
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_SET);
	long value = cmd;

	if (!w || !pdu || !command_session) {
		free(w);
		snmp_free_pdu(pdu);
		return false;
	}
	*w = (struct command_wait){ done, arg, timeout_ms };
	memcpy(name, obj->oid, obj->oid_len * sizeof(oid));
	name[obj->oid_len] = 0;
	snmp_pdu_add_variable(pdu, name, obj->oid_len + 1, ASN_INTEGER, &value, sizeof(value));
	command_session->timeout = (long)timeout_ms * 1000;
	if (snmp_async_send(command_session, pdu, on_command_reply, w))
		return true;
	snmp_free_pdu(pdu);
	free(w);
	return false;
}

struct takeover_wait {
	void (*done)(void *arg, bool ok, int64_t when_ds);
	void *arg;
};

/* A DateAndTime, or the eight zero octets of "never" (0). */
static bool takeover_time_of(const netsnmp_variable_list *v, int64_t *ds)
{
	static const u_char never[8];

	if (!v || v->type != ASN_OCTET_STR)
		return false;
	*ds = 0;
	if (v->val_len == sizeof(never) && memcmp(v->val.string, never, sizeof(never)) == 0)
		return true;
	return mib_date_and_time_to_ds(v->val.string, v->val_len, ds);
}

static int on_takeover_reply(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
			     void *magic)
{
	struct takeover_wait *w = magic;
	int64_t when = 0;
	bool ok;

	(void)sess, (void)reqid;
	ok = op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu->errstat == SNMP_ERR_NOERROR &&
	     takeover_time_of(pdu->variables, &when);
	w->done(w->arg, ok, when);
	free(w);
	return 1;
}

bool peer_session_get_last_takeover(void (*done)(void *arg, bool ok, int64_t when_ds),
				    void *arg)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[MIB_LAST_TAKEOVER_TIME];
	oid name[CMSHA_MIB_MAX_LEN + 1];
	struct takeover_wait *w = malloc(sizeof(*w));
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);

	if (!w || !pdu || !probe_session) {
		free(w);
		snmp_free_pdu(pdu);
		return false;
	}
	*w = (struct takeover_wait){ done, arg };
	memcpy(name, obj->oid, obj->oid_len * sizeof(oid));
	name[obj->oid_len] = 0;
	snmp_add_null_var(pdu, name, obj->oid_len + 1);
	if (snmp_async_send(probe_session, pdu, on_takeover_reply, w))
		return true;
	snmp_free_pdu(pdu);
	free(w);
	return false;
}
