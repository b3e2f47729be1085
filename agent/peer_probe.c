/*
 * The peer probe: every probe interval a round sends an ICMP echo to the
 * peer's agent address (src/icmp_echo.c) and the SNMP GET of its
 * cmsHaOperState (peer_session.c), and ends after the probe timeout.
 * src/peer_reach.c turns rounds into the verdict; this file keeps
 * cmsHaPeer* (struct peer_status) and tells the edge callback of changes.
 */
#include "autoconfig.h"
#include "clock.h"
#include "icmp_echo.h"
#include "loop_glue.h"
#include "peer_private.h"
#include "peer_reach.h"
#include "peer_session.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdint.h>
#include <unistd.h>

static struct peer_status status = { .oper_state = PEER_OPER_UNKNOWN,
				      .last_known_oper = PEER_OPER_UNKNOWN };
static struct cmsha_peer_reach reach;
static void (*edge_fn)(bool reachable);
static struct cmsha_icmp_echo *echo;
static uint16_t echo_seq;
static struct timespec echo_sent;
static unsigned round_no, round_alarm, deadline_timer, timeout_ms;
static bool echo_failing;                 /* logged once until a send works */

unsigned peer_probe_timeout_ms(const struct cmsha_config *cfg)
{
	return cfg->probe_interval_ms < PEER_MAX_PROBE_TIMEOUT_MS ? cfg->probe_interval_ms
								  : PEER_MAX_PROBE_TIMEOUT_MS;
}

const struct peer_status *peer_session_status(void)
{
	return &status;
}

bool peer_session_known_unreachable(void)
{
	return cmsha_peer_reach_known_unreachable(&reach);
}

bool peer_session_agent_answering(void)
{
	return cmsha_peer_reach_agent_answering(&reach);
}

/* Copy the rule's view into cmsHaPeer*, then tell of a verdict. */
static void follow(enum cmsha_peer_edge edge)
{
	status.reachable = reach.reachable;
	status.rtt_us = reach.rtt_us;
	status.probe_failures = reach.total_failures;
	status.consecutive_failures = reach.consecutive_failures;
	/* The peer's state is what its agent said, while it says something. */
	if (!reach.reachable || !cmsha_peer_reach_agent_answering(&reach))
		status.oper_state = PEER_OPER_UNKNOWN;
	if (edge != CMSHA_PEER_NO_EDGE && edge_fn)
		edge_fn(edge == CMSHA_PEER_BECAME_REACHABLE);
}

static void answered(enum cmsha_peer_answer kind, unsigned rtt_us)
{
	enum cmsha_peer_edge edge;

	if (!cmsha_peer_reach_answer(&reach, kind, rtt_us, &edge))
		return;
	clock_gettime(CLOCK_REALTIME, &status.last_seen);
	follow(edge);
}

void peer_probe_snmp_answer(unsigned round, int oper_state, unsigned rtt_us)
{
	struct timespec now;

	status.oper_state = status.last_known_oper = oper_state;
	/* When the GET was sent: split brain needs a state asked after our own change. */
	clock_gettime(CLOCK_REALTIME, &now);
	status.oper_asked.tv_sec = now.tv_sec - (time_t)(rtt_us / 1000000);
	status.oper_asked.tv_nsec = now.tv_nsec - (long)(rtt_us % 1000000) * 1000;
	if (status.oper_asked.tv_nsec < 0) {
		status.oper_asked.tv_sec--;
		status.oper_asked.tv_nsec += 1000000000;
	}
	/* A late answer (an earlier round's) tells the state, not reachability now. */
	if (round == round_no)
		answered(CMSHA_PEER_BY_SNMP, rtt_us);
	follow(CMSHA_PEER_NO_EDGE);
}

static void on_echo_reply(void *arg, uint16_t seq)
{
	(void)arg;
	if (seq == echo_seq)          /* earlier rounds' replies are late */
		answered(CMSHA_PEER_BY_ICMP, (unsigned)(cmsha_ms_since(&echo_sent) * 1000));
}

static void on_echo_readable(void *arg)
{
	(void)arg;
	if (echo)
		cmsha_icmp_echo_on_readable(echo, on_echo_reply, NULL);
}

static void send_echo(void)
{
	char err[256];

	echo_seq++;
	clock_gettime(CLOCK_MONOTONIC, &echo_sent);
	if (cmsha_icmp_echo_send(echo, echo_seq, err, sizeof(err))) {
		echo_failing = false;
		return;
	}
	/* e.g. no route to the peer: this round's echo is simply unanswered. */
	if (!echo_failing)
		snmp_log(LOG_INFO, "peer probe: %s\n", err);
	echo_failing = true;
}

static void on_round_deadline(void *arg)
{
	(void)arg;
	deadline_timer = 0;
	follow(cmsha_peer_reach_round_end(&reach));
}

static void start_round(unsigned int reg, void *arg)
{
	(void)reg, (void)arg;
	if (deadline_timer)
		loop_timer_cancel(NULL, deadline_timer);
	deadline_timer = 0;
	round_no++;
	follow(cmsha_peer_reach_round_start(&reach));
	send_echo();
	peer_snmp_probe(round_no);
	deadline_timer = loop_timer_add(NULL, timeout_ms, on_round_deadline, NULL);
}

static bool open_echo(const struct cmsha_config *cfg, char *err, size_t errlen)
{
	struct timespec now;
	uint16_t id;

	/* Another pinger on the host uses its own identifier, usually its pid. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	id = (uint16_t)(getpid() ^ (now.tv_nsec >> 10));
	if (!(echo = cmsha_icmp_echo_open(&cfg->peer_addrs[0], id, err, errlen)))
		return false;
	if (loop_fd_watch(NULL, cmsha_icmp_echo_fd(echo), on_echo_readable, NULL))
		return true;
	snprintf(err, errlen, "cannot watch the ICMP echo socket");
	cmsha_icmp_echo_close(echo);
	echo = NULL;
	return false;
}

bool peer_probe_start(const struct cmsha_config *cfg, void (*edge)(bool reachable),
		      char *err, size_t errlen)
{
	struct timeval every = { cfg->probe_interval_ms / 1000,
				 (cfg->probe_interval_ms % 1000) * 1000 };

	edge_fn = edge;
	/* A new session (a reload) knows nothing of the peer yet. */
	status = (struct peer_status){ .oper_state = PEER_OPER_UNKNOWN,
				       .last_known_oper = PEER_OPER_UNKNOWN };
	timeout_ms = peer_probe_timeout_ms(cfg);
	cmsha_peer_reach_init(&reach, cfg->probe_failures);
	if (!open_echo(cfg, err, errlen))
		return false;
	if (!(round_alarm = snmp_alarm_register_hr(every, SA_REPEAT, start_round, NULL))) {
		snprintf(err, errlen, "cannot arm the peer probe timer");
		return false;
	}
	start_round(0, NULL);
	return true;
}

void peer_probe_stop(void)
{
	/* Closing fails the requests in flight: that is no news about the peer. */
	edge_fn = NULL;
	if (round_alarm)
		snmp_alarm_unregister(round_alarm);
	if (deadline_timer)
		loop_timer_cancel(NULL, deadline_timer);
	round_alarm = deadline_timer = 0;
	if (echo) {
		loop_fd_unwatch(NULL, cmsha_icmp_echo_fd(echo));
		cmsha_icmp_echo_close(echo);
		echo = NULL;
	}
}
