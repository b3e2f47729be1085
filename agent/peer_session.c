#include "autoconfig.h"
#include "clock.h"
#include "peer_channel.h"
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

/* a peer's answer explained (ends in a history reason) */
#define CMSHA_PEER_WHY_LEN 256

/* The peer: its arguments, the sessions, the probe; one, cmshad's. */
struct peer {
	struct peer_args args;
	netsnmp_session *probe_session, *command_session;
	unsigned probe_timeout_ms;
	bool probe_outstanding, discovery_outstanding;
	bool engine_ready;              /* SNMPv3: the peer's engine ID and our keys for it */
	unsigned probe_timeouts;        /* in a row */
	u_char last_engine[32];         /* the one discovered last, to tell a change */
	size_t last_engine_len;
	bool sending, send_failed;      /* see send_request() */
	uint32_t last_request_id;
	struct peer_probe probe;
};

static struct peer peer = {
	.probe.rounds.status = { .oper_state = CMSHA_PEER_OPER_UNKNOWN,
				 .last_known_oper = CMSHA_PEER_OPER_UNKNOWN },
};

bool peer_session_parse(const char *args, char *err, size_t errlen)
{
	return peer_args_parse(&peer.args, args, err, errlen);
}

/* A reload's 'peer' line: parsed as it would be, thrown away; the running one stays. */
bool peer_session_check(const char *args, char *err, size_t errlen)
{
	struct peer_args scratch = { .parsed = false };
	bool ok = peer_args_parse(&scratch, args, err, errlen);

	peer_args_free(&scratch);
	return ok;
}

void peer_session_free(void)
{
	peer_args_free(&peer.args);
}

const struct cmsha_peer_status *peer_session_status(void)
{
	return &peer.probe.rounds.status;
}

bool peer_session_known_unreachable(void)
{
	return cmsha_peer_reach_known_unreachable(&peer.probe.rounds.reach);
}

bool peer_session_agent_answering(void)
{
	return cmsha_peer_reach_agent_answering(&peer.probe.rounds.reach);
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

/* SNMPv3 before the peer's engine ID is known: nothing authenticated can be sent. */
static bool engine_unknown(void)
{
	return peer.probe_session && peer.probe_session->version == SNMP_VERSION_3 &&
	       !peer.engine_ready;
}

/*
 * A send that fails at once (sendto: no route, a firewall's EPERM) is
 * reported twice by net-snmp: the callback gets OP_SEND_FAILED inside
 * snmp_async_send, which then returns 0 as well.  The callbacks ignore that
 * first report (send_request() is running; send_failed tells it happened),
 * so the failure is reported once, by the return value, and the context is
 * freed once.  A resend that fails later reaches the callback only.
 */
static bool send_request(netsnmp_session *session, netsnmp_pdu *pdu, snmp_callback fn,
			 void *magic)
{
	int reqid;

	peer.sending = true;
	peer.send_failed = false;
	reqid = snmp_async_send(session, pdu, fn, magic);
	peer.sending = false;
	return reqid != 0;
}

static bool failed_in_send(int op)
{
	if (!peer.sending || op != NETSNMP_CALLBACK_OP_SEND_FAILED)
		return false;
	peer.send_failed = true;
	return true;
}

/* A request in flight: whom to tell, and what the debug log calls it. */
struct peer_wait {
	peer_reply_fn *reply;
	void *arg;
	unsigned timeout_ms;
	struct timespec sent;
	const char *what;
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

/* Why op and pdu are not an answer with noError; "" when they are. */
static void explain(int op, const netsnmp_pdu *pdu, unsigned timeout_ms, char *why, size_t len)
{
	if (op == NETSNMP_CALLBACK_OP_SEC_ERROR)
		snprintf(why, len, "the peer refused our SNMPv3 credentials");
	else if (!is_answer(op, pdu))
		snprintf(why, len, "no answer within %u ms", timeout_ms);
	else if (pdu->errstat != SNMP_ERR_NOERROR && !peer_request_unknown(pdu, why, len))
		snprintf(why, len, "the peer answered %s", snmp_errstring(pdu->errstat));
	else if (pdu->errstat == SNMP_ERR_NOERROR)
		why[0] = '\0';
}

/* Every request's callback: the Report and send-failed opening, then its reply once. */
static int on_reply(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct peer_wait *w = magic;
	char why[CMSHA_PEER_WHY_LEN];
	struct peer_reply r = { .op = op, .why = why };

	(void)sess, (void)reqid;
	if (failed_in_send(op) || is_report(op, pdu))
		return 1;
	explain(op, pdu, w->timeout_ms, why, sizeof(why));
	r.answer = why[0] ? NULL : pdu;
	r.rtt_us = (unsigned)(cmsha_ms_since(&w->sent) * 1000);
	DEBUGMSGTL(("cmsha:peer", "%s: %s (%u us)\n", w->what,
		    op == NETSNMP_CALLBACK_OP_TIMED_OUT ? "timed out" :
		    why[0] ? why : "answered", r.rtt_us));
	w->reply(w->arg, &r);
	free(w);
	return 1;
}

/* ask's PDU, its varbinds all there (else NULL: out of memory). */
static netsnmp_pdu *build_pdu(const struct peer_ask *ask)
{
	netsnmp_pdu *pdu = snmp_pdu_create(ask->command);
	oid name[CMSHA_MIB_INSTANCE_MAX_LEN];

	if (pdu && ask->command == SNMP_MSG_GETBULK) {
		pdu->non_repeaters = ask->non_repeaters;
		pdu->max_repetitions = ask->max_repetitions;
	}
	for (size_t i = 0; pdu && i < ask->n_vars; i++) {
		const struct peer_var *v = &ask->vars[i];
		size_t len = cmsha_mib_instance(v->id, 0, name) - (v->instance ? 0 : 1);
		bool null = v->type == ASN_NULL;

		/* Without its varbinds a SET would be answered noError, having done nothing. */
		if (!snmp_pdu_add_variable(pdu, name, len, v->type, null ? NULL : &v->value,
					   null ? 0 : sizeof(v->value))) {
			snmp_free_pdu(pdu);
			pdu = NULL;
		}
	}
	return pdu;
}

/* The session ask goes on, its timeout set; NULL before it can send. */
static netsnmp_session *session_for(const struct peer_ask *ask)
{
	netsnmp_session *s = ask->on_probe_session ? peer.probe_session : peer.command_session;

	if (ask->on_channel)
		s = peer_link_session();
	/* Before the engine is known a request could not be built (nor answered). */
	else if (!s || engine_unknown())
		return NULL;
	if (s && !ask->on_probe_session)
		s->timeout = (long)ask->timeout_ms * 1000;
	return s;
}

bool peer_request(const struct peer_ask *ask, peer_reply_fn *reply, void *arg)
{
	netsnmp_session *s = session_for(ask);
	struct peer_wait *w = s ? malloc(sizeof(*w)) : NULL;
	netsnmp_pdu *pdu = w ? build_pdu(ask) : NULL;

	if (!pdu) {
		DEBUGMSGTL(("cmsha:peer", "%s: not sent (%s)\n", ask->what,
			    !s ? "no session yet" : "out of memory"));
		free(w);
		return false;
	}
	*w = (struct peer_wait){ reply, arg, (unsigned)(s->timeout / 1000), { 0, 0 }, ask->what };
	cmsha_clock_now(&w->sent);
	if (send_request(s, pdu, on_reply, w)) {
		DEBUGMSGTL(("cmsha:peer", "%s: sent, waiting %u ms\n", ask->what, w->timeout_ms));
		return true;
	}
	DEBUGMSGTL(("cmsha:peer", "%s: the send failed\n", ask->what));
	snmp_free_pdu(pdu);
	free(w);
	return false;
}

bool peer_request_owning(const struct peer_ask *ask, peer_reply_fn *reply, void *wait)
{
	if (wait && peer_request(ask, reply, wait))
		return true;
	free(wait);
	return false;
}

/* As before discovery; USM then builds the user's keys for the next engine. */
void peer_forget_engine(netsnmp_session *s)
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
		peer.probe_timeouts = 0;
		return;
	}
	if (++peer.probe_timeouts < REDISCOVER_AFTER_TIMEOUTS || !peer.engine_ready)
		return;
	DEBUGMSGTL(("cmsha:peer", "%u probes unanswered: discovering the engine ID again\n",
		    peer.probe_timeouts));
	peer.probe_timeouts = 0;
	peer.engine_ready = false;
	peer_forget_engine(peer.probe_session);
	peer_forget_engine(peer.command_session);
}

static void on_probe_reply(void *arg, const struct peer_reply *r)
{
	const netsnmp_variable_list *v = r->answer ? r->answer->variables : NULL;

	peer.probe_outstanding = false;
	count_probe_timeout(r->op);
	/* noSuchObject: snmpd answers but the peer's cmshad is not there. */
	if (v && v->type == ASN_INTEGER)
		cmsha_peer_rounds_snmp_answer(&peer.probe.rounds, (unsigned)(uintptr_t)arg,
					      (int)*v->val.integer, r->rtt_us);
}

static void send_get(unsigned round)
{
	static const struct peer_var oper_state = { MIB_OPER_STATE, true, ASN_NULL, 0 };
	const struct peer_ask ask = { .command = SNMP_MSG_GET, .vars = &oper_state, .n_vars = 1,
				      .on_probe_session = true, .what = "probe GET cmsHaOperState" };

	if (peer.probe_outstanding) { /* the last one has not timed out yet */
		DEBUGMSGTL(("cmsha:peer", "round %u: no GET, the last one still waits\n", round));
		return;
	}
	if (peer_request(&ask, on_probe_reply, (void *)(uintptr_t)round))
		peer.probe_outstanding = true;
	else if (peer.send_failed)    /* as a failed send's callback would tell */
		count_probe_timeout(NETSNMP_CALLBACK_OP_SEND_FAILED);
}

/*
 * What snmp_open's (blocking) discovery would have done with the engine
 * ID: net-snmp may have stored it in the session already (it does for a
 * Report's engine ID), else we do.
 */
bool peer_adopt_engine(netsnmp_session *s, const u_char *id, size_t len)
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
	bool first = peer.last_engine_len == 0;

	if (!first && len == peer.last_engine_len && memcmp(id, peer.last_engine, len) == 0)
		return;                 /* the peer was only down */
	if (first)
		snmp_log(LOG_INFO, "peer %s: SNMPv3 engine ID discovered\n",
			 peer.args.template.peername);
	else
		snmp_log(LOG_WARNING, "peer %s: its SNMPv3 engine ID has changed; using the new "
			 "one\n", peer.args.template.peername);
	peer.last_engine_len = len <= sizeof(peer.last_engine) ? len : 0;
	memcpy(peer.last_engine, id, peer.last_engine_len);
}

/* Discovery's own callback: here a Report, naming the engine, is the answer. */
static int on_discovery_reply(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
			      void *magic)
{
	(void)sess, (void)reqid;
	peer.discovery_outstanding = false;
	/* The expected answer: a Report (usmStatsUnknownEngineIDs) naming the engine. */
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu || !pdu->securityEngineIDLen ||
	    peer.engine_ready)
		return 1;
	if (!peer_adopt_engine(peer.probe_session, pdu->securityEngineID, pdu->securityEngineIDLen) ||
	    !peer_adopt_engine(peer.command_session, pdu->securityEngineID, pdu->securityEngineIDLen)) {
		snmp_log(LOG_ERR, "peer %s: cannot use its engine ID\n",
			 peer.args.template.peername);
		return 1;
	}
	peer.engine_ready = true;
	note_engine(pdu->securityEngineID, pdu->securityEngineIDLen);
	DEBUGMSGTL(("cmsha:peer", "engine ID discovered\n"));
	send_get((unsigned)(uintptr_t)magic);
	return 1;
}

/*
 * RFC 3414 discovery, asynchronously: a GET without variables, user or
 * authentication, which the peer answers with a Report naming its engine.
 * False when not sent (out of memory: the round goes unanswered).
 */
bool peer_send_discovery(netsnmp_session *s, snmp_callback fn, void *magic)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);

	if (!pdu || !(pdu->securityName = strdup(""))) {
		snmp_free_pdu(pdu);
		return false;
	}
	pdu->version = SNMP_VERSION_3;
	pdu->securityNameLen = 0;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityModel = SNMP_SEC_MODEL_USM;
	if (snmp_async_send(s, pdu, fn, magic))
		return true;
	snmp_free_pdu(pdu);
	return false;
}

static void send_discovery(unsigned round)
{
	if (peer.discovery_outstanding)
		return;
	DEBUGMSGTL(("cmsha:peer", "round %u: engine ID discovery sent\n", round));
	peer.discovery_outstanding = peer_send_discovery(peer.probe_session, on_discovery_reply,
						       (void *)(uintptr_t)round);
}

/* The probe round's SNMP half (src/peer_rounds.c's send_get hook). */
static void probe_round(void *ctx, unsigned round)
{
	(void)ctx;
	peer_link_round();
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
netsnmp_session *peer_open_session(const char *peername, unsigned timeout_ms, char *err,
				   size_t errlen)
{
	netsnmp_session s = peer.args.template;
	netsnmp_session *opened;

	if (peername)
		s.peername = (char *)peername;      /* snmp_open copies it */
	s.timeout = (long)timeout_ms * 1000;
	s.retries = 0;
	s.flags |= SNMP_FLAGS_DONT_PROBE;
	opened = snmp_open(&s);
	if (!opened) {
		char *msg = NULL;
		snmp_error(&s, NULL, NULL, &msg);
		snprintf(err, errlen, "cannot open the peer session to %s: %s",
			 s.peername, msg ? msg : "?");
		free(msg);
		return NULL;
	}
	opened->flags |= SNMP_FLAGS_DONT_PROBE;
	return opened;
}

bool peer_session_start(const struct cmsha_config *cfg, void (*edge)(bool reachable),
			char *err, size_t errlen)
{
	peer.probe_timeout_ms = cmsha_peer_probe_timeout_ms(cfg->probe_interval_ms);
	peer.probe_session = peer_open_session(NULL, peer.probe_timeout_ms, err, errlen);
	peer.command_session = peer.probe_session ?
			       peer_open_session(NULL, cfg->release_timeout_ms, err, errlen) : NULL;
	if (!peer.command_session ||
	    !peer_probe_start(&peer.probe, cfg, probe_round, NULL, edge, err, errlen))
		return false;
	/* After the probe: a channel that cannot open (a reload's port in use)
	 * is an error, but the peer is still probed and asked through snmpd. */
	return !cfg->peer_port ||
	       (peer_link_open(cfg, peer.probe_timeout_ms, err, errlen) &&
		peer_channel_listen(cfg, &peer.args.template, err, errlen));
}

void peer_session_stop(void)
{
	peer_probe_stop(&peer.probe);
	if (peer.probe_session)
		snmp_close(peer.probe_session);
	if (peer.command_session)
		snmp_close(peer.command_session);
	peer_link_close();
	peer_channel_close();
	peer.probe_session = peer.command_session = NULL;
	peer.probe_outstanding = peer.discovery_outstanding = peer.engine_ready = false;
	peer.probe_timeouts = 0;
	peer.last_engine_len = 0;
}

struct command_wait {
	void (*done)(void *arg, bool ok, const char *reason);
	void *arg;
	bool on_channel;
};

static void on_command_reply(void *arg, const struct peer_reply *r)
{
	struct command_wait *w = arg;

	if (w->on_channel && r->op == NETSNMP_CALLBACK_OP_TIMED_OUT)
		peer_link_lost();

	w->done(w->arg, r->answer != NULL, r->answer ? "done" : r->why);
	free(w);
}

/* A new cmsHaPeerRequestId: never 0, and not the last run's first ones. */
static uint32_t next_request_id(void)
{
	if (peer.last_request_id == 0)
		peer.last_request_id = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	if (++peer.last_request_id == 0)
		peer.last_request_id = 1;
	return peer.last_request_id;
}

/* The peer's request object: cmsHaSwitchoverCommand is the managers' alone. */
bool peer_session_command(enum cmsha_command cmd, unsigned timeout_ms,
			  void (*done)(void *arg, bool ok, const char *reason), void *arg)
{
	struct command_wait *w = malloc(sizeof(*w));
	uint32_t id = next_request_id();
	const struct peer_var vars[] = {
		{ MIB_PEER_REQUEST, true, ASN_INTEGER, cmd },
		{ MIB_PEER_REQUEST_ID, true, ASN_UNSIGNED, (long)id },
	};
	const struct peer_ask ask = { .command = SNMP_MSG_SET, .vars = vars,
				      .n_vars = PEER_N_VARS(vars), .timeout_ms = timeout_ms,
				      .on_channel = peer_link_usable(),
				      .what = "SET cmsHaPeerRequest" };

	if (w)
		*w = (struct command_wait){ done, arg, ask.on_channel };
	if (!peer_request_owning(&ask, on_command_reply, w))
		return false;
	snmp_log(LOG_INFO, "asked the peer: %s (cmsHaPeerRequestId %u) %s\n",
		 cmsha_command_name(cmd), id,
		 ask.on_channel ? "on the peer channel" : "through its snmpd");
	return true;
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

static void on_takeover_reply(void *arg, const struct peer_reply *r)
{
	struct takeover_wait *w = arg;
	int64_t when = 0;
	bool ok = r->answer && takeover_time_of(r->answer->variables, &when);

	w->done(w->arg, ok, when);
	free(w);
}

bool peer_session_get_last_takeover(void (*done)(void *arg, bool ok, int64_t when_ds),
				    void *arg)
{
	static const struct peer_var last_takeover = { MIB_LAST_TAKEOVER_TIME, true, ASN_NULL, 0 };
	const struct peer_ask ask = { .command = SNMP_MSG_GET, .vars = &last_takeover,
				      .n_vars = 1, .on_probe_session = true,
				      .what = "GET cmsHaLastTakeoverTime" };
	struct takeover_wait *w = malloc(sizeof(*w));

	if (w)
		*w = (struct takeover_wait){ done, arg };
	return peer_request_owning(&ask, on_takeover_reply, w);
}
