/*
 * The peer channel, sending side ('peerport'): a session to the peer
 * cmshad's own port (agent/peer_channel.c there), whose SNMPv3 engine is
 * that cmshad's, not its snmpd's.  Each probe round GETs cmsHaOperState on
 * it; requests take the channel while the last such GET was answered
 * (checked) and none since went unanswered, else they go through the
 * peer's snmpd: an older peer or a closed port costs nothing but the speed.
 */
#include "autoconfig.h"
#include "inet.h"
#include "peer_private.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static struct channel_link {
	netsnmp_session *session;
	unsigned probe_timeout_ms;
	bool engine_ready, discovery_outstanding, check_outstanding;
	bool checked;
} chan;

/* Requests can take the channel: checked, and for SNMPv3 its engine known. */
bool peer_link_usable(void)
{
	const struct channel_link *c = &chan;

	return c->session && c->checked &&
	       (c->session->version != SNMP_VERSION_3 || c->engine_ready);
}

/* The peer's cmshad answers cmsHaOperState (another agent on the port would not). */
static void on_channel_check(void *arg, const struct peer_reply *r)
{
	struct channel_link *c = &chan;
	const netsnmp_variable_list *v = r->answer ? r->answer->variables : NULL;

	(void)arg;
	c->check_outstanding = false;
	if (!v || v->type != ASN_INTEGER) {
		peer_link_lost();
		return;
	}
	/* An answer to a GET sent before the channel was lost does not bring it back. */
	if (c->checked || (c->session->version == SNMP_VERSION_3 && !c->engine_ready))
		return;
	c->checked = true;
	snmp_log(LOG_INFO, "peer channel: the peer's cmshad answers at %s: requests to the "
		 "peer go that way\n", c->session->peername);
}

/* A GET on the channel: once answered, requests take the channel. */
static void send_channel_check(void)
{
	static const struct peer_var oper_state = { MIB_OPER_STATE, true, ASN_NULL, 0 };
	const struct peer_ask ask = { .command = SNMP_MSG_GET, .vars = &oper_state, .n_vars = 1,
				      .on_channel = true, .timeout_ms = chan.probe_timeout_ms,
				      .what = "peer channel: GET cmsHaOperState" };

	if (!chan.check_outstanding && peer_request(&ask, on_channel_check, NULL))
		chan.check_outstanding = true;
}

/*
 * A request to the peer with our own engine ID could be replayed to our own
 * channel, which takes the same credentials for that engine.
 */
static bool is_own_engine(const u_char *id, size_t len)
{
	u_char own[SNMP_MAX_ENG_SIZE];
	size_t own_len = snmpv3_get_engineID(own, sizeof(own));

	return own_len == len && memcmp(own, id, len) == 0;
}

/* The engine of the peer's cmshad, not of its snmpd, behind the channel. */
static int on_channel_discovery(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
				void *magic)
{
	struct channel_link *c = &chan;

	(void)sess, (void)reqid, (void)magic;
	c->discovery_outstanding = false;
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !pdu || !pdu->securityEngineIDLen ||
	    c->engine_ready || !c->session)
		return 1;
	if (is_own_engine(pdu->securityEngineID, pdu->securityEngineIDLen)) {
		snmp_log(LOG_ERR, "peer channel %s: the peer's cmshad has this cmshad's own SNMPv3 "
			 "engine ID (copied persistent state?): the channel is not used\n",
			 c->session->peername);
		return 1;
	}
	if (!peer_adopt_engine(c->session, pdu->securityEngineID, pdu->securityEngineIDLen)) {
		snmp_log(LOG_ERR, "peer channel %s: cannot use its engine ID\n", c->session->peername);
		return 1;
	}
	c->engine_ready = true;
	DEBUGMSGTL(("cmsha:peer", "peer channel: engine ID discovered\n"));
	send_channel_check();
	return 1;
}

/* Each probe round: the channel's engine discovery, or its GET. */
void peer_link_round(void)
{
	struct channel_link *c = &chan;

	if (!c->session)
		return;
	if (c->session->version != SNMP_VERSION_3 || c->engine_ready)
		send_channel_check();
	else if (!c->discovery_outstanding)
		c->discovery_outstanding = peer_send_discovery(c->session, on_channel_discovery, NULL);
}

/*
 * A request on the channel went unanswered (the peer's cmshad stopped or
 * restarted with another engine ID, its port closed): requests go through
 * the peer's snmpd until the channel answers again; SNMPv3 finds the
 * engine again first.
 */
void peer_link_lost(void)
{
	struct channel_link *c = &chan;

	if (!c->session)
		return;
	if (c->session->version == SNMP_VERSION_3 && c->engine_ready) {
		c->engine_ready = false;
		peer_forget_engine(c->session);
	}
	if (!c->checked)
		return;
	c->checked = false;
	snmp_log(LOG_WARNING, "peer channel: a request to %s went unanswered; requests to the "
		 "peer go through its snmpd until its cmshad answers there again\n",
		 c->session->peername);
}

/* The session to the peer cmshad's port, at its agent address. */
bool peer_link_open(const struct cmsha_config *cfg, unsigned probe_timeout_ms, char *err,
		    size_t errlen)
{
	const struct cmsha_inet *agent = &cfg->peer_addrs[0];
	char addr[INET6_ADDRSTRLEN], name[INET6_ADDRSTRLEN + 16];

	cmsha_inet_ntop(agent, addr, sizeof(addr));
	snprintf(name, sizeof(name), agent->family == AF_INET6 ? "udp6:[%s]:%u" : "udp:%s:%u",
		 addr, cfg->peer_port);
	chan = (struct channel_link){ .probe_timeout_ms = probe_timeout_ms };
	chan.session = peer_open_session(name, cfg->release_timeout_ms, err, errlen);
	return chan.session != NULL;
}

void peer_link_close(void)
{
	/* snmp_close ends what is outstanding as timed out: not a lost channel. */
	chan.checked = false;
	if (chan.session)
		snmp_close(chan.session);
	chan = (struct channel_link){ .session = NULL };
}

/* The channel's session, once it can send (SNMPv3: its engine known); else NULL. */
netsnmp_session *peer_link_session(void)
{
	return chan.session && (chan.session->version != SNMP_VERSION_3 || chan.engine_ready) ?
	       chan.session : NULL;
}
