/*
 * Between agent/peer_session.c (the SNMP sessions to the peer's agent and
 * every request on them), agent/peer_args.c (the 'peer' line parsed),
 * agent/peer_probe.c (the probe's ICMP echo socket and src/peer_rounds.c's
 * round driver on net-snmp's loop), agent/peer_facts.c (what the test
 * command asks the peer) and agent/peer_link.c (the peer channel's
 * sending side; its receiving side, agent/peer_channel.c, stands apart).
 * peer_probe.c
 * knows nothing of peer_session.c: the round's GET is a hook it is given.
 */
#ifndef CMSHA_PEER_PRIVATE_H
#define CMSHA_PEER_PRIVATE_H

#include "config.h"
#include "mib_oids.h"
#include "peer_rounds.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * The 'peer' line, parsed (agent/peer_args.c) as snmpd's trapsess does;
 * the sessions are opened from the template.  net-snmp 5.9.3 keeps
 * pointers into argv (peername, community), so the words live as long as
 * the template.
 */
#define MAX_PEER_ARGS 64
struct peer_args {
	netsnmp_session template;
	char *argv[MAX_PEER_ARGS + 1];
	int argc;
	bool parsed;
};

/* Parse snmpcmd-style words into a (not yet parsed); false with err. */
bool peer_args_parse(struct peer_args *a, const char *args, char *err, size_t errlen);
/* Free what a holds; it is then as new. */
void peer_args_free(struct peer_args *a);

/* The probe: the round driver and the echo socket it sends on. */
struct peer_probe {
	struct cmsha_peer_rounds rounds;
	struct cmsha_icmp_echo *echo;
	bool echo_failing;                 /* logged once until a send works */
	void (*edge)(bool reachable);
	void (*send_get)(void *ctx, unsigned round);
	void *send_get_ctx;
};

/*
 * Open the echo socket and start the rounds (the first one at once):
 * send_get(ctx, round) sends a round's GET, whose answer goes to
 * cmsha_peer_rounds_snmp_answer(&p->rounds, ...).  Or stop them.
 */
bool peer_probe_start(struct peer_probe *p, const struct cmsha_config *cfg,
		      void (*send_get)(void *ctx, unsigned round), void *send_get_ctx,
		      void (*edge)(bool reachable), char *err, size_t errlen);
void peer_probe_stop(struct peer_probe *p);

/* One varbind of a request: an object's OID, or its instance (.0), with a value for a SET. */
struct peer_var {
	enum cmsha_mib_id id;
	bool instance;
	u_char type;                       /* ASN_NULL to ask */
	long value;
};

#define PEER_N_VARS(vars) (sizeof(vars) / sizeof((vars)[0]))

/* A request to the peer's agent, built and sent by peer_request(). */
struct peer_ask {
	int command;                       /* SNMP_MSG_GET, SNMP_MSG_SET, SNMP_MSG_GETBULK */
	const struct peer_var *vars;
	size_t n_vars;
	long non_repeaters, max_repetitions;   /* GETBULK */
	/* The probe's session (its timeout), else the command session waiting timeout_ms. */
	bool on_probe_session;
	/* Instead: the peer channel's session ('peerport'), waiting timeout_ms. */
	bool on_channel;
	unsigned timeout_ms;
	const char *what;                  /* for the debug log: "GET cmsHaOperState" */
};

/* How a request ended, told once. */
struct snmp_pdu;
struct peer_reply {
	int op;                            /* net-snmp's NETSNMP_CALLBACK_OP_* */
	struct snmp_pdu *answer;           /* an answer with noError, else NULL */
	const char *why;                   /* "" with an answer, else what went wrong */
	unsigned rtt_us;                   /* since it was sent */
};
typedef void peer_reply_fn(void *arg, const struct peer_reply *r);

/*
 * Build ask's PDU and send it: reply(arg, r) exactly once unless this
 * returns false (not built, not sent, or an SNMPv3 peer's engine is not
 * known yet), when nothing is called.
 */
bool peer_request(const struct peer_ask *ask, peer_reply_fn *reply, void *arg);
/* peer_request for a caller's malloc'ed wait: freed here when it is not sent (NULL too). */
bool peer_request_owning(const struct peer_ask *ask, peer_reply_fn *reply, void *wait);

/* peer_session.c's sessions and SNMPv3 engine handling, for peer_link.c too. */
/* A session from the 'peer' line's template to peername (NULL: its agent); NULL with err. */
netsnmp_session *peer_open_session(const char *peername, unsigned timeout_ms, char *err,
				   size_t errlen);
/* RFC 3414 discovery on s without blocking; fn gets the Report; false when not sent. */
bool peer_send_discovery(netsnmp_session *s, snmp_callback fn, void *magic);
/* Take the engine ID discovered, and the user's keys for it; false when that fails. */
bool peer_adopt_engine(netsnmp_session *s, const u_char *id, size_t len);
/* As before discovery. */
void peer_forget_engine(netsnmp_session *s);

/*
 * agent/peer_link.c, the peer channel's sending side ('peerport'): open
 * the session to the peer cmshad's port; each probe round, its discovery
 * or check GET; requests take it while peer_link_usable(); a request on it
 * that went unanswered calls peer_link_lost().
 */
bool peer_link_open(const struct cmsha_config *cfg, unsigned probe_timeout_ms, char *err,
		    size_t errlen);
void peer_link_close(void);
void peer_link_round(void);
bool peer_link_usable(void);
netsnmp_session *peer_link_session(void);
void peer_link_lost(void);

#endif
