/*
 * The peer probe on net-snmp's loop: src/peer_rounds.c drives the rounds;
 * this file gives it the ICMP echo socket (src/icmp_echo.c), the loop's
 * timers, the round's GET (a hook: agent/peer_session.c's), and turns its
 * steps into the cmsha:peer debug token.
 */
#include "autoconfig.h"
#include "clock.h"
#include "icmp_echo.h"
#include "loop_glue.h"
#include "peer_private.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdint.h>
#include <unistd.h>

static void on_echo_reply(void *arg, uint16_t seq)
{
	struct peer_probe *p = arg;

	cmsha_peer_rounds_echo_reply(&p->rounds, seq);
}

static void on_echo_readable(void *arg)
{
	struct peer_probe *p = arg;

	if (p->echo)
		cmsha_icmp_echo_on_readable(p->echo, on_echo_reply, p);
}

static bool send_echo(void *ctx, uint16_t seq)
{
	struct peer_probe *p = ctx;
	char err[256];

	if (cmsha_icmp_echo_send(p->echo, seq, err, sizeof(err))) {
		p->echo_failing = false;
		return true;
	}
	/* e.g. no route to the peer: this round's echo is simply unanswered. */
	if (!p->echo_failing)
		snmp_log(LOG_INFO, "peer probe: %s\n", err);
	p->echo_failing = true;
	return false;
}

static void send_get(void *ctx, unsigned round)
{
	struct peer_probe *p = ctx;

	p->send_get(p->send_get_ctx, round);
}

static void on_edge(void *ctx, bool reachable)
{
	struct peer_probe *p = ctx;

	if (p->edge)
		p->edge(reachable);
}

static void on_step(void *ctx, const char *what)
{
	(void)ctx;
	DEBUGMSGTL(("cmsha:peer", "%s\n", what));
}

static bool open_echo(struct peer_probe *p, const struct cmsha_config *cfg, char *err,
		      size_t errlen)
{
	struct timespec now;
	uint16_t id;

	/* Another pinger on the host uses its own identifier, usually its pid. */
	cmsha_clock_now(&now);
	id = (uint16_t)(getpid() ^ (now.tv_nsec >> 10));
	if (!(p->echo = cmsha_icmp_echo_open(&cfg->peer_addrs[0], id, err, errlen)))
		return false;
	if (loop_fd_watch(NULL, cmsha_icmp_echo_fd(p->echo), on_echo_readable, p))
		return true;
	snprintf(err, errlen, "cannot watch the ICMP echo socket");
	cmsha_icmp_echo_close(p->echo);
	p->echo = NULL;
	return false;
}

bool peer_probe_start(struct peer_probe *p, const struct cmsha_config *cfg,
		      void (*get)(void *ctx, unsigned round), void *get_ctx,
		      void (*edge)(bool reachable), char *err, size_t errlen)
{
	const struct cmsha_peer_rounds_env env = {
		.ctx = p, .send_echo = send_echo, .send_get = send_get,
		.timer_add = loop_timer_add, .timer_cancel = loop_timer_cancel,
		.edge = on_edge, .step = on_step,
	};

	/* A new session (a reload) knows nothing of the peer yet. */
	cmsha_peer_rounds_init(&p->rounds, &env, cfg->probe_interval_ms, cfg->probe_failures);
	p->send_get = get;
	p->send_get_ctx = get_ctx;
	p->edge = edge;
	p->echo_failing = false;
	if (!open_echo(p, cfg, err, errlen))
		return false;
	if (cmsha_peer_rounds_start(&p->rounds))
		return true;
	snprintf(err, errlen, "cannot arm the peer probe timer");
	return false;
}

void peer_probe_stop(struct peer_probe *p)
{
	p->edge = NULL;
	cmsha_peer_rounds_stop(&p->rounds);
	if (p->echo) {
		loop_fd_unwatch(NULL, cmsha_icmp_echo_fd(p->echo));
		cmsha_icmp_echo_close(p->echo);
		p->echo = NULL;
	}
}
