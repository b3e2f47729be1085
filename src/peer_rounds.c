#include "autoconfig.h"
#include "clock.h"
#include "peer_rounds.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Half the interval: the n-th silent round after the peer's last answer
 * then ends n intervals after the peer fell silent, on average, for
 * intervals of 100 ms to 2 s (it fell silent somewhere in the interval
 * before the first), where a whole interval's wait would add half an
 * interval to every failover.  Not under CMSHA_PEER_MIN_PROBE_TIMEOUT_MS
 * (a busy host's echo), nor over the interval or
 * CMSHA_PEER_MAX_PROBE_TIMEOUT_MS.
 */
unsigned cmsha_peer_probe_timeout_ms(unsigned interval_ms)
{
	unsigned t = interval_ms / 2;

	if (t < CMSHA_PEER_MIN_PROBE_TIMEOUT_MS)
		t = interval_ms < CMSHA_PEER_MIN_PROBE_TIMEOUT_MS ? interval_ms
								  : CMSHA_PEER_MIN_PROBE_TIMEOUT_MS;
	return t < CMSHA_PEER_MAX_PROBE_TIMEOUT_MS ? t : CMSHA_PEER_MAX_PROBE_TIMEOUT_MS;
}

static void step(struct cmsha_peer_rounds *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void step(struct cmsha_peer_rounds *r, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (r->env.step) {      /* no debug log: nothing to format */
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		r->env.step(r->env.ctx, what);
	}
}

void cmsha_peer_rounds_init(struct cmsha_peer_rounds *r, const struct cmsha_peer_rounds_env *env,
			    unsigned interval_ms, unsigned failures_needed)
{
	memset(r, 0, sizeof(*r));
	r->env = *env;
	r->interval_ms = interval_ms;
	r->timeout_ms = cmsha_peer_probe_timeout_ms(interval_ms);
	r->status.oper_state = r->status.last_known_oper = CMSHA_PEER_OPER_UNKNOWN;
	cmsha_peer_reach_init(&r->reach, failures_needed);
}

/* Copy the rule's view into cmsHaPeer*, then tell of a verdict. */
static void follow(struct cmsha_peer_rounds *r, enum cmsha_peer_edge edge)
{
	const struct cmsha_peer_reach *reach = &r->reach;

	r->status.reachable = reach->reachable;
	r->status.rtt_us = reach->rtt_us;
	r->status.probe_failures = reach->total_failures;
	r->status.consecutive_failures = reach->consecutive_failures;
	/* The peer's state is what its agent said, while it says something. */
	if (!reach->reachable || !cmsha_peer_reach_agent_answering(reach))
		r->status.oper_state = CMSHA_PEER_OPER_UNKNOWN;
	if (edge == CMSHA_PEER_NO_EDGE || !r->running)
		return;
	if (edge == CMSHA_PEER_BECAME_REACHABLE)
		step(r, "peer reachable (round %u)", r->round_no);
	else
		step(r, "peer unreachable: %u rounds in a row unanswered",
		     reach->consecutive_failures);
	if (r->env.edge)
		r->env.edge(r->env.ctx, edge == CMSHA_PEER_BECAME_REACHABLE);
}

static void answered(struct cmsha_peer_rounds *r, enum cmsha_peer_answer kind, unsigned rtt_us)
{
	enum cmsha_peer_edge edge;

	if (!cmsha_peer_reach_answer(&r->reach, kind, rtt_us, &edge))
		return;
	clock_gettime(CLOCK_REALTIME, &r->status.last_seen);
	follow(r, edge);
}

/* When the GET was sent: split brain needs a state asked after our own change. */
static void note_asked(struct cmsha_peer_status *s, unsigned rtt_us)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	s->oper_asked.tv_sec = now.tv_sec - (time_t)(rtt_us / 1000000);
	s->oper_asked.tv_nsec = now.tv_nsec - (long)(rtt_us % 1000000) * 1000;
	if (s->oper_asked.tv_nsec < 0) {
		s->oper_asked.tv_sec--;
		s->oper_asked.tv_nsec += 1000000000;
	}
}

void cmsha_peer_rounds_snmp_answer(struct cmsha_peer_rounds *r, unsigned round,
				   int oper_state, unsigned rtt_us)
{
	r->status.oper_state = r->status.last_known_oper = oper_state;
	note_asked(&r->status, rtt_us);
	step(r, "round %u: the peer's agent answered (state %d, %u us)%s", round, oper_state,
	     rtt_us, round == r->round_no ? "" : ", late");
	if (round == r->round_no)
		answered(r, CMSHA_PEER_BY_SNMP, rtt_us);
	follow(r, CMSHA_PEER_NO_EDGE);
}

void cmsha_peer_rounds_echo_reply(struct cmsha_peer_rounds *r, uint16_t seq)
{
	unsigned rtt_us;

	if (seq != r->echo_seq)          /* earlier rounds' replies are late */
		return;
	rtt_us = (unsigned)(cmsha_ms_since(&r->echo_sent) * 1000);
	step(r, "round %u: echo reply (%u us)", r->round_no, rtt_us);
	answered(r, CMSHA_PEER_BY_ICMP, rtt_us);
}

/* The round's end, at its deadline or when the next starts first. */
static void end_round(struct cmsha_peer_rounds *r)
{
	enum cmsha_peer_edge edge;

	if (!r->reach.round_open)
		return;
	edge = cmsha_peer_reach_round_end(&r->reach);
	step(r, "round %u ended: %s", r->round_no,
	     r->reach.snmp_answered ? "the agent answered" :
	     r->reach.icmp_answered ? "the echo only answered" : "no answer");
	follow(r, edge);
}

static void on_deadline(void *arg)
{
	struct cmsha_peer_rounds *r = arg;

	r->deadline_timer = 0;
	end_round(r);
}

static void cancel(struct cmsha_peer_rounds *r, unsigned *timer)
{
	if (*timer)
		r->env.timer_cancel(r->env.ctx, *timer);
	*timer = 0;
}

static void start_round(void *arg)
{
	struct cmsha_peer_rounds *r = arg;

	/* Armed first, as a repeating timer would be: rounds stay an interval apart. */
	r->interval_timer = r->env.timer_add(r->env.ctx, r->interval_ms, start_round, r);
	if (!r->interval_timer)
		step(r, "cannot arm the next round's timer");
	cancel(r, &r->deadline_timer);
	end_round(r);
	r->round_no++;
	follow(r, cmsha_peer_reach_round_start(&r->reach));
	r->echo_seq++;
	cmsha_clock_now(&r->echo_sent);
	step(r, "round %u: sending echo %u and the GET", r->round_no, r->echo_seq);
	if (!r->env.send_echo(r->env.ctx, r->echo_seq))
		step(r, "round %u: the echo did not leave", r->round_no);
	r->env.send_get(r->env.ctx, r->round_no);
	r->deadline_timer = r->env.timer_add(r->env.ctx, r->timeout_ms, on_deadline, r);
}

bool cmsha_peer_rounds_start(struct cmsha_peer_rounds *r)
{
	r->running = true;
	start_round(r);
	if (r->interval_timer)
		return true;
	cmsha_peer_rounds_stop(r);
	return false;
}

void cmsha_peer_rounds_stop(struct cmsha_peer_rounds *r)
{
	r->running = false;
	cancel(r, &r->interval_timer);
	cancel(r, &r->deadline_timer);
}
