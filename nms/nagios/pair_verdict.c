/*
 * check_cmsha's rules: is the pair healthy?  See check_cmsha(1), "STATUS".
 *
 * CRITICAL - the service is down or at risk now: no server active, both
 *            active (split brain), a server failed, the active server has
 *            a required component down or an alias in conflict.
 * WARNING  - the service runs but the pair is not ready to switch over:
 *            a server does not reach its peer, the servers disagree about
 *            each other's state, the mode is not the expected one, the
 *            standby is not ready, a switch-over is in progress.
 * UNKNOWN  - an agent did not answer (or has no CMS-HA-MIB): nothing else
 *            is judged, since half a pair cannot be.
 */
#include "pair_view.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *plugin_status_name(enum plugin_status status)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	return (unsigned)status < 4 ? names[status] : "UNKNOWN";
}

const char *state_name(long state)
{
	static const char *const names[] = { "?", "active", "standby", "switchingOver",
					     "failed", "unknown" };
	return state >= 1 && state <= 5 ? names[state] : "invalid";
}

static const char *alias_state_name(long state)
{
	static const char *const names[] = { "?", "present", "absent", "conflict",
					     "interfaceDown" };
	return state >= 1 && state <= 4 ? names[state] : "invalid";
}

static const char *mode_name(long mode)
{
	return mode == MODE_SOFTWARE ? "software" : mode == MODE_MANUAL ? "manual" : "invalid";
}

/* UNKNOWN outranks CRITICAL for the exit code but only arises alone. */
static void add_reason(struct verdict *v, enum plugin_status status, const char *fmt, ...)
{
	va_list ap;

	if (v->status == PLUGIN_OK || (status != PLUGIN_OK && status > v->status))
		v->status = status;
	if (v->n_reasons == VERDICT_MAX_REASONS)
		return;
	v->reasons[v->n_reasons].status = status;
	va_start(ap, fmt);
	vsnprintf(v->reasons[v->n_reasons].text, sizeof v->reasons[0].text, fmt, ap);
	va_end(ap);
	v->n_reasons++;
}

static void judge_states(const struct server_view view[2], struct verdict *v)
{
	const struct server_view *a = &view[0], *b = &view[1];
	int active = 0, switching = 0, i;

	for (i = 0; i < 2; i++) {
		active += view[i].oper_state == STATE_ACTIVE;
		switching += view[i].oper_state == STATE_SWITCHING;
		if (view[i].oper_state == STATE_FAILED)
			add_reason(v, PLUGIN_CRITICAL, "%s failed", view[i].agent);
		else if (view[i].oper_state == STATE_SWITCHING)
			add_reason(v, PLUGIN_WARNING, "switch-over in progress on %s",
				   view[i].agent);
	}
	if (active == 2)
		add_reason(v, PLUGIN_CRITICAL, "split brain: both %s and %s active",
			   a->agent, b->agent);
	else if (active == 0 && switching == 0)
		add_reason(v, PLUGIN_CRITICAL, "no server active: %s %s, %s %s", a->agent,
			   state_name(a->oper_state), b->agent, state_name(b->oper_state));
	if (a->role == b->role)
		add_reason(v, PLUGIN_WARNING, "%s and %s are both configured %s", a->agent,
			   b->agent, a->role == ROLE_PRIMARY ? "primary" : "secondary");
}

/* Each server must reach the other and see the state the other reports. */
static void judge_peering(const struct server_view view[2], struct verdict *v)
{
	int i;

	for (i = 0; i < 2; i++) {
		const struct server_view *self = &view[i], *peer = &view[1 - i];

		if (self->peer_reachable != TRUTH_TRUE)
			add_reason(v, PLUGIN_WARNING, "%s finds its peer unreachable", self->agent);
		else if (self->peer_oper_state != peer->oper_state)
			add_reason(v, PLUGIN_WARNING, "%s sees its peer %s but %s is %s",
				   self->agent, state_name(self->peer_oper_state), peer->agent,
				   state_name(peer->oper_state));
	}
}

static void judge_mode(const struct server_view view[2], long expected_mode, struct verdict *v)
{
	int i;

	for (i = 0; i < 2; i++)
		if (view[i].mode != expected_mode)
			add_reason(v, PLUGIN_WARNING, "%s: switch-over mode %s, expected %s",
				   view[i].agent, mode_name(view[i].mode), mode_name(expected_mode));
}

/* Required components not up: down ones of the active server are CRITICAL,
 * any of the standby's make it not ready. */
static void judge_components(const struct server_view *s, struct verdict *v)
{
	size_t i;

	for (i = 0; i < s->n_components; i++) {
		const struct pair_component *c = &s->components[i];

		if (c->requirement != COMPONENT_REQUIRED || c->state == COMPONENT_UP)
			continue;
		if (s->oper_state == STATE_ACTIVE && c->state == COMPONENT_DOWN)
			add_reason(v, PLUGIN_CRITICAL, "active %s: required component %s down",
				   s->agent, c->name);
		else if (s->oper_state == STATE_STANDBY)
			add_reason(v, PLUGIN_WARNING,
				   "standby %s not ready: required component %s %s", s->agent,
				   c->name, c->state == COMPONENT_DOWN ? "down" : "unknown");
	}
}

/* The active server holds every alias without conflict; the standby holds
 * none, and could add them (their interfaces are up). */
static void judge_aliases(const struct server_view *s, struct verdict *v)
{
	size_t i;

	for (i = 0; i < s->n_aliases; i++) {
		long st = s->aliases[i].state;

		if (s->oper_state == STATE_ACTIVE && st == ALIAS_CONFLICT)
			add_reason(v, PLUGIN_CRITICAL, "active %s: alias %lu in conflict",
				   s->agent, s->aliases[i].index);
		else if (s->oper_state == STATE_STANDBY && st != ALIAS_ABSENT)
			add_reason(v, PLUGIN_WARNING, "standby %s not ready: alias %lu %s",
				   s->agent, s->aliases[i].index, alias_state_name(st));
	}
}

void pair_verdict(const struct server_view view[2], long expected_mode, struct verdict *out)
{
	int i;

	memset(out, 0, sizeof *out);
	for (i = 0; i < 2; i++)
		if (!view[i].answered)
			add_reason(out, PLUGIN_UNKNOWN, "%s: %s", view[i].agent, view[i].error);
	if (out->status == PLUGIN_UNKNOWN)
		return;
	judge_states(view, out);
	judge_peering(view, out);
	judge_mode(view, expected_mode, out);
	for (i = 0; i < 2; i++) {
		judge_components(&view[i], out);
		judge_aliases(&view[i], out);
	}
}

static size_t append(char *buf, size_t len, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (at >= len)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
	return n < 0 ? at : at + (size_t)n;
}

void verdict_text(const struct server_view view[2], long expected_mode,
		  const struct verdict *v, char *buf, size_t len)
{
	enum plugin_status level;
	size_t at = 0, i;

	buf[0] = '\0';
	if (v->n_reasons == 0) {
		const struct server_view *act = &view[view[1].oper_state == STATE_ACTIVE];

		append(buf, len, 0, "%s active, %s standby, mode %s", act->agent,
		       view[act == &view[0]].agent, mode_name(expected_mode));
		return;
	}
	/* Worst first: UNKNOWN, CRITICAL, WARNING. */
	for (level = PLUGIN_UNKNOWN; level >= PLUGIN_WARNING; level--)
		for (i = 0; i < v->n_reasons; i++)
			if (v->reasons[i].status == level)
				at = append(buf, len, at, "%s%s", at ? "; " : "",
					    v->reasons[i].text);
}

/* A perf data label per server: its role, or its position on the command
 * line when both claim the same role. */
static const char *perf_label(const struct server_view view[2], int i)
{
	if (view[0].role != view[1].role && view[i].role == ROLE_PRIMARY)
		return "primary";
	if (view[0].role != view[1].role && view[i].role == ROLE_SECONDARY)
		return "secondary";
	return i == 0 ? "agent1" : "agent2";
}

void pair_perfdata(const struct server_view view[2], char *buf, size_t len)
{
	size_t at = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 2; i++) {
		const struct server_view *s = &view[i];
		const char *l = perf_label(view, i);

		if (!s->answered)
			continue;
		at = append(buf, len, at,
			    "%s%s_peer_rtt=%luus;;;0 %s_peer_probe_failures=%luc;;;0 "
			    "%s_switchovers=%luc;;;0 %s_last_switchover_duration=%lums;;;0",
			    at ? " " : "", l, s->peer_rtt_us, l, s->peer_probe_failures, l,
			    s->switchover_count, l, s->last_duration_ms);
	}
}
