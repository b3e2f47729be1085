#include "autoconfig.h"
#include "clock.h"
#include "peer_session.h"
#include "peer_private.h"
#include "mib_oids.h"
#include "mib_values.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/snmpusm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PEER_ARGS 64
/* a peer's answer explained (ends in a history reason) */
#define CMSHA_PEER_WHY_LEN 256

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
static bool probe_outstanding, discovery_outstanding;
static struct timespec probe_sent;
static bool engine_ready;          /* SNMPv3: the peer's engine ID and our keys for it */
static unsigned probe_timeouts;    /* in a row */
static u_char last_engine[32];     /* the one discovered last, to tell a change */
static size_t last_engine_len;

static int split_args(const char *args, char **argv, int max)
{
	char word[SPRINT_MAX_LEN];
	const char *cp = args;
	int argc = 0;

	argv[argc++] = strdup("peer");
	while (argv[argc - 1] && cp && *cp && argc < max - 1) {
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

/* Out of memory in split_args: a word is missing. */
static bool words_complete(char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (!argv[i])
			return false;
	return true;
}

/* Is option -opt (or -3opt) among the words, with its value attached or not? */
static bool has_option(char **argv, int argc, char opt)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && (argv[i][1] == opt || (argv[i][1] == '3' && argv[i][2] == opt)))
			return true;
	return false;
}

/*
 * snmp_parse_args points the protocol OIDs given with -a and -x at
 * net-snmp's own static tables, and allocates the defaults it fills in
 * otherwise: make them all ours, so that peer_session_free can free them.
 */
static void own_protocol_oids(char **argv, int argc)
{
	netsnmp_session *t = &peer_template;

	if (t->securityAuthProto && has_option(argv, argc, 'a'))
		t->securityAuthProto = snmp_duplicate_objid(t->securityAuthProto,
							    t->securityAuthProtoLen);
	if (t->securityPrivProto && has_option(argv, argc, 'x'))
		t->securityPrivProto = snmp_duplicate_objid(t->securityPrivProto,
							    t->securityPrivProtoLen);
}

bool peer_session_parse(const char *args, char *err, size_t errlen)
{
	char *argv[MAX_PEER_ARGS + 1];
	int argc, rc;

	if (peer_parsed) {
		snprintf(err, errlen, "peer is already set");
		return false;
	}
	err[0] = '\0';
	argc = split_args(args, argv, MAX_PEER_ARGS);
	if (!words_complete(argv, argc)) {
		free_words(argv, argc);
		snprintf(err, errlen, "peer: out of memory");
		return false;
	}
	snmp_sess_init(&peer_template);
	rc = netsnmp_parse_args(argc, argv, &peer_template, NULL, NULL,
				NETSNMP_PARSE_ARGS_NOLOGGING | NETSNMP_PARSE_ARGS_NOZERO);
	if (rc < 0)
		snprintf(err, errlen, "bad peer arguments '%s': expected snmpcmd options then "
			 "the agent, e.g. 'peer -v3 -u cmsha -l authPriv -a SHA-256 -A PASS "
			 "-x AES -X PASS 10.77.0.12'", args);
	else if (rc != argc)
		snprintf(err, errlen, "peer: unexpected '%s' after the agent address", argv[rc]);
	else if (peer_template.timeout != SNMP_DEFAULT_TIMEOUT ||
		 peer_template.retries != SNMP_DEFAULT_RETRIES)
		snprintf(err, errlen, "peer: -t and -r are not used: a probe waits up to 'probe "
			 "interval' (1 s at most), 'failures' rounds decide, a command waits "
			 "'release timeout'; nothing is retried");
	if (err[0]) {                  /* each branch above says what was wrong */
		free_words(argv, argc);
		return false;
	}
	own_protocol_oids(argv, argc);
	memcpy(peer_argv, argv, sizeof(argv));
	peer_argc = argc;
	peer_parsed = true;
	return true;
}

/*
 * A reload's 'peer' line: parse it as peer_session_parse would, into a
 * template of its own that is thrown away, leaving the running one alone.
 */
bool peer_session_check(const char *args, char *err, size_t errlen)
{
	netsnmp_session saved = peer_template;
	char *saved_argv[MAX_PEER_ARGS + 1];
	int saved_argc = peer_argc;
	bool saved_parsed = peer_parsed, ok;

	memcpy(saved_argv, peer_argv, sizeof(saved_argv));
	peer_parsed = false;
	peer_argc = 0;
	ok = peer_session_parse(args, err, errlen);
	if (ok)
		peer_session_free();
	peer_template = saved;
	memcpy(peer_argv, saved_argv, sizeof(saved_argv));
	peer_argc = saved_argc;
	peer_parsed = saved_parsed;
	return ok;
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

/*
 * net-snmp calls back with a Report (a PDU the peer's USM made: unknown
 * engine, not in time window, wrong user or key) as a received message, and
 * then, unless it resends the request by itself, once more with
 * OP_SEC_ERROR.  A Report is never the answer.
 */
static bool is_answer(int op, const netsnmp_pdu *pdu)
{
	return op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu &&
	       pdu->command != SNMP_MSG_REPORT;
}

/* A Report: the request's callback returns (a resend or OP_SEC_ERROR follows). */
static bool is_report(int op, const netsnmp_pdu *pdu)
{
	return op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu &&
	       pdu->command == SNMP_MSG_REPORT;
}

/* As before discovery; USM then builds the user's keys for the next engine. */
static void forget_engine_of(netsnmp_session *s)
{
	SNMP_FREE(s->securityEngineID);
	s->securityEngineIDLen = 0;
	SNMP_FREE(s->contextEngineID);
	s->contextEngineIDLen = 0;
	s->flags &= ~SNMP_FLAGS_USER_CREATED;
}

/*
 * SNMPv3: probes unanswered this many times in a row make cmshad discover
 * the peer's engine ID again.  When it has changed (the peer's snmpd lost
 * its persistent state, the server was reinstalled), requests built for
 * the old one go unanswered: the peer's Report (usmStatsUnknownEngineIDs)
 * names a user net-snmp does not know for the new engine, and is dropped.
 * While the peer is down, discovery costs one unauthenticated GET a round.
 */
#define REDISCOVER_AFTER_TIMEOUTS 3

static void count_probe_timeout(int op)
{
	if (op != NETSNMP_CALLBACK_OP_TIMED_OUT) {
		probe_timeouts = 0;
		return;
	}
	if (++probe_timeouts < REDISCOVER_AFTER_TIMEOUTS || !engine_ready)
		return;
	probe_timeouts = 0;
	engine_ready = false;
	forget_engine_of(probe_session);
	forget_engine_of(command_session);
}

static int on_probe_reply(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
			  void *magic)
{
	const netsnmp_variable_list *v = pdu ? pdu->variables : NULL;

	(void)sess, (void)reqid;
	if (is_report(op, pdu))
		return 1;
	probe_outstanding = false;
	count_probe_timeout(op);
	/* noSuchObject: snmpd answers but the peer's cmshad is not there. */
	if (is_answer(op, pdu) && pdu->errstat == SNMP_ERR_NOERROR && v &&
	    v->type == ASN_INTEGER)
		peer_probe_snmp_answer((unsigned)(uintptr_t)magic, (int)*v->val.integer,
				       (unsigned)(cmsha_ms_since(&probe_sent) * 1000));
	return 1;
}

static void send_get(unsigned round)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[MIB_OPER_STATE];
	oid name[CMSHA_MIB_MAX_LEN + 1];
	netsnmp_pdu *pdu;

	if (probe_outstanding)        /* the last one has not timed out yet */
		return;
	memcpy(name, obj->oid, obj->oid_len * sizeof(oid));
	name[obj->oid_len] = 0;
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	if (!pdu || !snmp_add_null_var(pdu, name, obj->oid_len + 1)) {
		snmp_free_pdu(pdu);     /* out of memory: the round goes unanswered */
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &probe_sent);
	if (snmp_async_send(probe_session, pdu, on_probe_reply, (void *)(uintptr_t)round))
		probe_outstanding = true;
	else
		snmp_free_pdu(pdu);
}

/* SNMPv3 before the peer's engine ID is known: nothing authenticated can be sent. */
static bool engine_unknown(void)
{
	return probe_session->version == SNMP_VERSION_3 && !engine_ready;
}

/*
 * What snmp_open's (blocking) discovery would have done with the engine
 * ID: net-snmp may have stored it in the session already (it does for a
 * Report's engine ID), else we do.
 */
static bool adopt_engine(netsnmp_session *s, const u_char *id, size_t len)
{
	if (!s->securityEngineIDLen) {
		if (!(s->securityEngineID = netsnmp_memdup(id, len)))
			return false;
		s->securityEngineIDLen = len;
	}
	if (!s->contextEngineIDLen) {
		if (!(s->contextEngineID = netsnmp_memdup(id, len)))
			return false;
		s->contextEngineIDLen = len;
	}
	/* The user's keys, localized to this engine (USM's post-discovery hook). */
	return usm_create_user_from_session(s) == SNMPERR_SUCCESS;
}

/* Log the engine ID's discovery, and its change; not a rediscovery of the same. */
static void note_engine(const u_char *id, size_t len)
{
	bool first = last_engine_len == 0;

	if (!first && len == last_engine_len && memcmp(id, last_engine, len) == 0)
		return;                 /* the peer was only down */
	if (first)
		snmp_log(LOG_INFO, "peer %s: SNMPv3 engine ID discovered\n",
			 peer_template.peername);
	else
		snmp_log(LOG_WARNING, "peer %s: its SNMPv3 engine ID has changed; using the new "
			 "one\n", peer_template.peername);
	last_engine_len = len <= sizeof(last_engine) ? len : 0;
	memcpy(last_engine, id, last_engine_len);
}

static int on_discovery_reply(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
			      void *magic)
{
	(void)sess, (void)reqid;
	discovery_outstanding = false;
	/* The expected answer: a Report (usmStatsUnknownEngineIDs) naming the engine. */
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu || !pdu->securityEngineIDLen ||
	    engine_ready)
		return 1;
	if (!adopt_engine(probe_session, pdu->securityEngineID, pdu->securityEngineIDLen) ||
	    !adopt_engine(command_session, pdu->securityEngineID, pdu->securityEngineIDLen)) {
		snmp_log(LOG_ERR, "peer %s: cannot use its engine ID\n", peer_template.peername);
		return 1;
	}
	engine_ready = true;
	note_engine(pdu->securityEngineID, pdu->securityEngineIDLen);
	send_get((unsigned)(uintptr_t)magic);
	return 1;
}

/*
 * RFC 3414 discovery, asynchronously: a GET without variables, user or
 * authentication, which the peer answers with a Report naming its engine.
 */
static void send_discovery(unsigned round)
{
	netsnmp_pdu *pdu;

	if (discovery_outstanding)
		return;
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	if (!pdu || !(pdu->securityName = strdup(""))) {
		snmp_free_pdu(pdu);     /* out of memory: the round goes unanswered */
		return;
	}
	pdu->version = SNMP_VERSION_3;
	pdu->securityNameLen = 0;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityModel = SNMP_SEC_MODEL_USM;
	if (snmp_async_send(probe_session, pdu, on_discovery_reply, (void *)(uintptr_t)round))
		discovery_outstanding = true;
	else
		snmp_free_pdu(pdu);
}

void peer_snmp_probe(unsigned round)
{
	if (engine_unknown())
		send_discovery(round);
	else
		send_get(round);
}

/*
 * SNMP_FLAGS_DONT_PROBE: snmp_open and snmp_async_send would otherwise
 * find an SNMPv3 peer's engine ID with a synchronous request, stalling the
 * whole agent for the timeout while the peer is down; send_discovery does
 * it in the event loop instead.  snmp_open clears the flag: set it again.
 */
static netsnmp_session *open_session(unsigned timeout_ms, char *err, size_t errlen)
{
	netsnmp_session s = peer_template;
	netsnmp_session *opened;

	s.timeout = (long)timeout_ms * 1000;
	s.retries = 0;
	s.flags |= SNMP_FLAGS_DONT_PROBE;
	opened = snmp_open(&s);
	if (!opened) {
		char *msg = NULL;
		snmp_error(&s, NULL, NULL, &msg);
		snprintf(err, errlen, "cannot open the peer session to %s: %s",
			 peer_template.peername, msg ? msg : "?");
		free(msg);
		return NULL;
	}
	opened->flags |= SNMP_FLAGS_DONT_PROBE;
	return opened;
}

bool peer_session_start(const struct cmsha_config *cfg, void (*edge)(bool reachable),
			char *err, size_t errlen)
{
	probe_session = open_session(peer_probe_timeout_ms(cfg), err, errlen);
	command_session = probe_session ? open_session(cfg->release_timeout_ms, err, errlen) : NULL;
	if (!command_session)
		return false;
	return peer_probe_start(cfg, edge, err, errlen);
}

void peer_session_stop(void)
{
	peer_probe_stop();
	if (probe_session)
		snmp_close(probe_session);
	if (command_session)
		snmp_close(command_session);
	probe_session = command_session = NULL;
	probe_outstanding = discovery_outstanding = engine_ready = false;
	probe_timeouts = 0;
	last_engine_len = 0;
}
/*
 * A send that fails at once (sendto: no route, a firewall's EPERM) is
 * reported twice by net-snmp: the callback gets OP_SEND_FAILED inside
 * snmp_async_send, which then returns 0 as well.  The callbacks below free
 * their context; they ignore that first report (send_request() is running),
 * so the failure is reported once, by the return value, and the context is
 * freed once.  A resend that fails later reaches the callback only.
 */
static bool sending;

static bool send_request(netsnmp_session *session, netsnmp_pdu *pdu, snmp_callback fn,
			 void *magic)
{
	int reqid;

	sending = true;
	reqid = snmp_async_send(session, pdu, fn, magic);
	sending = false;
	return reqid != 0;
}

static bool failed_in_send(int op)
{
	return sending && op == NETSNMP_CALLBACK_OP_SEND_FAILED;
}

struct send_wait {
	void (*reply)(void *arg, struct snmp_pdu *answer, const char *why);
	void *arg;
	unsigned timeout_ms;
};

/*
 * A request on cmsHaPeerRequest that the peer's agent will not take: it
 * does not serve the object (an older cmshad: version mix) or its VACM
 * does not grant our user.  Said so, and refused: never sent again on
 * cmsHaSwitchoverCommand, the managers' object.
 */
static bool peer_request_unknown(const netsnmp_pdu *pdu, char *why, size_t len)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[MIB_PEER_REQUEST];
	const netsnmp_variable_list *v = pdu->variables;

	switch (pdu->errstat) {
	case SNMP_ERR_NOSUCHNAME: case SNMP_ERR_NOTWRITABLE: case SNMP_ERR_NOCREATION:
	case SNMP_ERR_NOACCESS: case SNMP_ERR_AUTHORIZATIONERROR:
		break;
	default:
		return false;
	}
	if (!v || netsnmp_oid_is_subtree(obj->oid, obj->oid_len, v->name, v->name_length) != 0)
		return false;
	snprintf(why, len, "the peer's agent does not take cmsHaPeerRequest (it answered %s): "
		 "it runs an older cmshad or does not grant our SNMPv3 user the object; "
		 "both servers must run this version", snmp_errstring(pdu->errstat));
	return true;
}

static int on_send_reply(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
			 void *magic)
{
	struct send_wait *w = magic;
	char why[CMSHA_PEER_WHY_LEN];

	(void)sess, (void)reqid;
	if (failed_in_send(op) || is_report(op, pdu))
		return 1;
	if (op == NETSNMP_CALLBACK_OP_SEC_ERROR)
		snprintf(why, sizeof(why), "the peer refused our SNMPv3 credentials");
	else if (!is_answer(op, pdu))
		snprintf(why, sizeof(why), "no answer within %u ms", w->timeout_ms);
	else if (pdu->errstat != SNMP_ERR_NOERROR && !peer_request_unknown(pdu, why, sizeof(why)))
		snprintf(why, sizeof(why), "the peer answered %s", snmp_errstring(pdu->errstat));
	else if (pdu->errstat == SNMP_ERR_NOERROR)
		why[0] = '\0';
	w->reply(w->arg, why[0] ? NULL : pdu, why);
	free(w);
	return 1;
}

bool peer_session_send(struct snmp_pdu *pdu, unsigned timeout_ms,
		       void (*reply)(void *arg, struct snmp_pdu *answer, const char *why),
		       void *arg)
{
	struct send_wait *w = malloc(sizeof(*w));

	if (!w || !command_session || engine_unknown()) {
		free(w);
		snmp_free_pdu(pdu);
		return false;
	}
	*w = (struct send_wait){ reply, arg, timeout_ms };
	command_session->timeout = (long)timeout_ms * 1000;
	if (send_request(command_session, pdu, on_send_reply, w))
		return true;
	snmp_free_pdu(pdu);
	free(w);
	return false;
}

struct command_wait {
	void (*done)(void *arg, bool ok, const char *reason);
	void *arg;
};

static void on_command_reply(void *arg, struct snmp_pdu *answer, const char *why)
{
	struct command_wait *w = arg;

	w->done(w->arg, answer != NULL, answer ? "done" : why);
	free(w);
}

/* Add object id's instance .0 with a value; false when out of memory. */
static bool add_scalar(netsnmp_pdu *pdu, enum cmsha_mib_id id, u_char type, long value)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[id];
	oid name[CMSHA_MIB_MAX_LEN + 1];

	memcpy(name, obj->oid, obj->oid_len * sizeof(oid));
	name[obj->oid_len] = 0;
	return snmp_pdu_add_variable(pdu, name, obj->oid_len + 1, type, &value,
				     sizeof(value)) != NULL;
}

/* A new cmsHaPeerRequestId: never 0, and not the last run's first ones. */
static uint32_t next_request_id(void)
{
	static uint32_t last;

	if (last == 0)
		last = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	if (++last == 0)
		last = 1;
	return last;
}

/* The peer's request object: cmsHaSwitchoverCommand is the managers' alone. */
bool peer_session_command(enum cmsha_command cmd, unsigned timeout_ms,
			  void (*done)(void *arg, bool ok, const char *reason), void *arg)
{
	struct command_wait *w = malloc(sizeof(*w));
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_SET);
	uint32_t id;

	if (!w || !pdu) {
		free(w);
		snmp_free_pdu(pdu);
		return false;
	}
	*w = (struct command_wait){ done, arg };
	id = next_request_id();
	/* Without its varbinds the SET would be answered noError, having done nothing. */
	if (!add_scalar(pdu, MIB_PEER_REQUEST, ASN_INTEGER, cmd) ||
	    !add_scalar(pdu, MIB_PEER_REQUEST_ID, ASN_UNSIGNED, (long)id)) {
		snmp_free_pdu(pdu);
		free(w);
		return false;
	}
	/* Before the engine is known the request could not be built (nor answered). */
	if (peer_session_send(pdu, timeout_ms, on_command_reply, w)) {
		snmp_log(LOG_INFO, "asked the peer: %s (cmsHaPeerRequestId %u)\n",
			 cmsha_command_name(cmd), id);
		return true;
	}
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
	if (failed_in_send(op))
		return 1;                  /* peer_session_get_last_takeover returns false */
	if (is_report(op, pdu))
		return 1;
	ok = is_answer(op, pdu) && pdu->errstat == SNMP_ERR_NOERROR &&
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

	if (!w || !pdu || !probe_session || engine_unknown()) {
		free(w);
		snmp_free_pdu(pdu);
		return false;
	}
	*w = (struct takeover_wait){ done, arg };
	memcpy(name, obj->oid, obj->oid_len * sizeof(oid));
	name[obj->oid_len] = 0;
	if (snmp_add_null_var(pdu, name, obj->oid_len + 1) == NULL) {
		snmp_free_pdu(pdu);
		free(w);
		return false;
	}
	if (send_request(probe_session, pdu, on_takeover_reply, w))
		return true;
	snmp_free_pdu(pdu);
	free(w);
	return false;
}

