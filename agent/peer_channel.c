/*
 * The peer channel, receiving side ('peerport'): the peer's cmshad sends
 * its cmsHaPeerRequest SETs to this cmshad's own UDP port instead of this
 * server's snmpd.  Through snmpd a release costs five wake-ups of one
 * process by another (the request, TestSet and CommitSet over AgentX, each
 * through net-snmp's callback pipes) before the deletes' answer is on the
 * wire; here it is one: the request is read, checked, carried out and
 * answered in one turn of the loop (src/switchover_serve.c).
 *
 * The channel is an SNMP session of net-snmp's own (snmp_add on a server
 * transport), so SNMPv3's USM authenticates, decrypts and checks the time
 * window as snmpd would, and answers discovery and unknown-engine Reports.
 * It takes exactly the credentials of this server's own 'peer' line: the
 * same SNMPv3 user and passphrases (localized here to this cmshad's engine)
 * at that security level or above, or the same community for v1/v2c.
 * Nothing else is served: a SET of cmsHaPeerRequest with its id, and a GET
 * of cmsHaOperState.0, with which the peer checks the channel before it
 * relies on it.  (What USM rejects never reaches us but an authentication
 * failure: net-snmp answers it with a Report.)
 */
#include "autoconfig.h"
#include "clock.h"
#include "mib_oids.h"
#include "mib_validate.h"
#include "peer_channel.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/snmpusm.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Refused requests: at most one log line this often (a flood is counted, not logged). */
#define REFUSAL_LOG_INTERVAL_MS 10000

static struct {
	netsnmp_session *session;          /* listening (snmp_add), or NULL */
	const netsnmp_session *accepted;   /* the 'peer' line's settings: whom we take */
	unsigned long refusals;
	struct timespec last_logged;       /* CLOCK_MONOTONIC; zero: never */
	const struct peer_channel_server *server;
} channel;

void peer_channel_serve_with(const struct peer_channel_server *server)
{
	channel.server = server;
}

static void refuse(const netsnmp_pdu *pdu, const char *why)
{
	channel.refusals++;
	DEBUGMSGTL(("cmsha:peer", "peer channel: request refused: %s\n", why));
	if (channel.last_logged.tv_sec &&
	    cmsha_ms_since(&channel.last_logged) < REFUSAL_LOG_INTERVAL_MS)
		return;
	cmsha_clock_now(&channel.last_logged);
	snmp_log(LOG_WARNING, "peer channel: a request (SNMPv%s) refused: %s (%lu so far); "
		 "the peer's 'peer' line must use the same credentials as this server's\n",
		 pdu->version == SNMP_VERSION_3 ? "3" : pdu->version == SNMP_VERSION_1 ? "1" : "2c",
		 why, channel.refusals);
}

static bool same_octets(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* SNMPv3: our user, at our level or above, addressed to this cmshad's engine. */
static const char *v3_refusal(const netsnmp_pdu *pdu)
{
	const netsnmp_session *a = channel.accepted;
	u_char engine[SNMP_MAX_ENG_SIZE];
	size_t len = snmpv3_get_engineID(engine, sizeof(engine));

	if (pdu->securityModel != SNMP_SEC_MODEL_USM)
		return "not USM";
	if (!same_octets(pdu->securityName, pdu->securityNameLen, a->securityName,
			 a->securityNameLen))
		return "another SNMPv3 user";
	if (pdu->securityLevel < a->securityLevel)
		return "a lower security level than the 'peer' line's";
	/* A message authenticated for another engine (a request we sent the
	 * peer's snmpd, replayed here) is not one for us. */
	if (len == 0 || !same_octets(pdu->securityEngineID, pdu->securityEngineIDLen, engine, len))
		return "addressed to another SNMP engine";
	return NULL;
}

/* Why pdu is not from our peer, or NULL when it is. */
static const char *refusal(const netsnmp_session *sess, const netsnmp_pdu *pdu)
{
	const netsnmp_session *a = channel.accepted;

	/* USM calls back with a message that failed authentication. */
	if (sess->s_snmp_errno)
		return snmp_api_errstring(sess->s_snmp_errno);
	if (pdu->version != a->version)
		return "another SNMP version than the 'peer' line's";
	if (pdu->version == SNMP_VERSION_3)
		return v3_refusal(pdu);
	if (!same_octets(pdu->community, pdu->community_len, a->community, a->community_len))
		return "another community";
	return NULL;
}

/* SNMPv1 has five error statuses: RFC 3584's mapping, as snmpd's. */
static long v1_error(long errstat)
{
	switch (errstat) {
	case SNMP_ERR_NOERROR: case SNMP_ERR_TOOBIG: case SNMP_ERR_NOSUCHNAME:
	case SNMP_ERR_BADVALUE: case SNMP_ERR_READONLY: case SNMP_ERR_GENERR:
		return errstat;
	case SNMP_ERR_WRONGTYPE: case SNMP_ERR_WRONGLENGTH: case SNMP_ERR_WRONGENCODING:
	case SNMP_ERR_WRONGVALUE: case SNMP_ERR_INCONSISTENTVALUE:
		return SNMP_ERR_BADVALUE;
	case SNMP_ERR_NOACCESS: case SNMP_ERR_NOTWRITABLE: case SNMP_ERR_NOCREATION:
	case SNMP_ERR_INCONSISTENTNAME: case SNMP_ERR_AUTHORIZATIONERROR:
		return SNMP_ERR_NOSUCHNAME;
	default:
		return SNMP_ERR_GENERR;
	}
}

static void answer(netsnmp_session *sess, netsnmp_pdu *reply, long errstat, long errindex)
{
	if (reply->version == SNMP_VERSION_1)
		errstat = v1_error(errstat);
	reply->command = SNMP_MSG_RESPONSE;
	reply->errstat = errstat;
	reply->errindex = errindex;
	if (!snmp_send(sess, reply)) {
		snmp_log(LOG_WARNING, "peer channel: the answer could not be sent: %s\n",
			 snmp_api_errstring(sess->s_snmp_errno));
		snmp_free_pdu(reply);
	}
}

static bool is_instance(const netsnmp_variable_list *v, enum cmsha_mib_id id)
{
	oid name[CMSHA_MIB_INSTANCE_MAX_LEN];
	size_t len = cmsha_mib_instance(id, 0, name);

	return snmp_oid_compare(v->name, v->name_length, name, len) == 0;
}

/* cmsHaOperState.0 answered, any other object noSuchObject. */
static void answer_get(netsnmp_session *sess, netsnmp_pdu *reply)
{
	for (netsnmp_variable_list *v = reply->variables; v; v = v->next_variable)
		if (is_instance(v, MIB_OPER_STATE))
			channel.server->oper_state(v);
		else
			snmp_set_var_typed_value(v, SNMP_NOSUCHOBJECT, NULL, 0);
	answer(sess, reply, SNMP_ERR_NOERROR, 0);
}

/*
 * The SET's two varbinds, as cmsHaPeerRequest's SET phases check them; 0 or
 * an error, errindex the varbind's place in the request.
 */
struct peer_set {
	netsnmp_variable_list *request, *id;
	long request_at, id_at, errindex;
};

static int check_set(netsnmp_pdu *pdu, struct peer_set *set)
{
	long i = 0;
	int rc;

	for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable) {
		set->errindex = ++i;
		if (is_instance(v, MIB_PEER_REQUEST) && !set->request)
			set->request = v, set->request_at = i;
		else if (is_instance(v, MIB_PEER_REQUEST_ID) && !set->id)
			set->id = v, set->id_at = i;
		else
			return SNMP_ERR_NOTWRITABLE;
	}
	set->errindex = set->request ? set->request_at : set->id_at;
	if (!set->request || !set->id)       /* without its id it could run twice */
		return SNMP_ERR_INCONSISTENTVALUE;
	if ((rc = mib_peer_request_validate(set->request)) != SNMP_ERR_NOERROR)
		return rc;
	set->errindex = set->id_at;
	if ((rc = netsnmp_check_vb_type(set->id, ASN_UNSIGNED)) != SNMP_ERR_NOERROR)
		return rc;
	return *set->id->val.integer == 0 ? SNMP_ERR_WRONGVALUE : SNMP_ERR_NOERROR;
}

static void answer_set(netsnmp_session *sess, netsnmp_pdu *reply)
{
	struct peer_set set = { NULL, NULL, 0, 0, 0 };
	int rc = check_set(reply, &set);

	if (rc != SNMP_ERR_NOERROR) {
		answer(sess, reply, rc, set.errindex);
		return;
	}
	rc = channel.server->serve((enum cmsha_command)*set.request->val.integer,
				   (uint32_t)*set.id->val.integer);
	answer(sess, reply, rc, rc == SNMP_ERR_NOERROR ? 0 : set.request_at);
	channel.server->answered();
}

static int on_request(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu, void *magic)
{
	const char *why;
	netsnmp_pdu *reply;

	(void)reqid, (void)magic;
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu)
		return 1;
	if ((why = refusal(sess, pdu))) {
		refuse(pdu, why);
		return 1;
	}
	if (pdu->command != SNMP_MSG_SET && pdu->command != SNMP_MSG_GET) {
		refuse(pdu, "neither a GET nor a SET");
		return 1;
	}
	if (!(reply = snmp_clone_pdu(pdu)))
		return 1;                  /* out of memory: unanswered, the peer times out */
	if (pdu->command == SNMP_MSG_GET)
		answer_get(sess, reply);
	else
		answer_set(sess, reply);
	return 1;
}

/* The engine's user of that name: usm_get_user() may return net-snmp's nameless placeholder. */
static struct usmUser *named_user(const u_char *engine, size_t len, const char *name)
{
	struct usmUser *u = len ? usm_get_user(engine, len, name) : NULL;

	return u && u->name && strcmp(u->name, name) == 0 ? u : NULL;
}

/*
 * The 'peer' line's SNMPv3 user, its keys localized to this cmshad's own
 * engine (the peer discovers it on the channel), as createUser would make
 * it; kept in memory only.  One made by an earlier start goes first: on
 * a reload, net-snmp would keep its old keys.
 */
static bool add_own_user(const netsnmp_session *peer_line, char *err, size_t errlen)
{
	netsnmp_session s = *peer_line;
	u_char engine[SNMP_MAX_ENG_SIZE];
	size_t len = snmpv3_get_engineID(engine, sizeof(engine));
	struct usmUser *old;

	if (!peer_line->securityNameLen || peer_line->securityLevel < SNMP_SEC_LEVEL_AUTHNOPRIV ||
	    peer_line->securityAuthLocalKeyLen || peer_line->securityPrivLocalKeyLen) {
		snprintf(err, errlen, "peerport with SNMPv3 needs a 'peer' line with a user (-u) and "
			 "authentication passphrases (-l authNoPriv or authPriv, -A and -X), not "
			 "localized keys");
		return false;
	}
	if ((old = named_user(engine, len, peer_line->securityName))) {
		usm_remove_user(old);           /* returns the list's head, not old */
		usm_free_user(old);
	}
	s.securityEngineID = engine;
	s.securityEngineIDLen = len;
	s.securityModel = SNMP_SEC_MODEL_USM;   /* the template's may still be the default */
	s.flags &= ~SNMP_FLAGS_USER_CREATED;
	s.engineBoots = s.engineTime = 0;
	if (len && usm_create_user_from_session(&s) == SNMPERR_SUCCESS &&
	    named_user(engine, len, peer_line->securityName))
		return true;
	snprintf(err, errlen, "peerport: cannot make the 'peer' line's SNMPv3 user for this "
		 "cmshad's engine");
	return false;
}

static bool open_listener(const char *spec, char *err, size_t errlen)
{
	netsnmp_transport *t = netsnmp_transport_open_server("cmshad", spec);
	netsnmp_session sess;

	if (!t) {
		snprintf(err, errlen, "peerport: cannot listen on %s: %s", spec,
			 errno ? strerror(errno) : "no such transport");
		return false;
	}
	snmp_sess_init(&sess);
	sess.peername = SNMP_DEFAULT_PEERNAME;
	sess.version = SNMP_DEFAULT_VERSION;       /* any: refusal() tells */
	sess.isAuthoritative = SNMP_SESS_AUTHORITATIVE;
	sess.callback = on_request;
	if (!(channel.session = snmp_add(&sess, t, NULL, NULL))) {
		snprintf(err, errlen, "peerport: cannot add the listening session on %s", spec);
		return false;
	}
	return true;
}

bool peer_channel_listen(const struct cmsha_config *cfg, const netsnmp_session *peer_line,
			 char *err, size_t errlen)
{
	char spec[32];

	if (!cfg->peer_port)
		return true;
	if (!channel.server) {
		snprintf(err, errlen, "peerport: the agent does not serve the peer channel");
		return false;
	}
	if (peer_line->version == SNMP_VERSION_3 && !add_own_user(peer_line, err, errlen))
		return false;
	/* The family of the peer's agent address, on every address of this host. */
	snprintf(spec, sizeof(spec), "%s:%u",
		 cfg->peer_addrs[0].family == AF_INET6 ? "udp6" : "udp", cfg->peer_port);
	if (!open_listener(spec, err, errlen))
		return false;
	channel.accepted = peer_line;
	channel.refusals = 0;
	channel.last_logged = (struct timespec){ 0, 0 };
	snmp_log(LOG_INFO, "peer channel: listening on %s for the peer's requests\n", spec);
	return true;
}

void peer_channel_close(void)
{
	if (channel.session)
		snmp_close(channel.session);
	channel.session = NULL;
	channel.accepted = NULL;
}
