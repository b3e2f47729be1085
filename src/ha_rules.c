#include "autoconfig.h"
#include "enum_names.h"
#include "ha_rules.h"

#include <stdio.h>
#include <string.h>

enum cmsha_alias_state cmsha_alias_state_of(const struct cmsha_alias_observation *o,
					    bool conflict)
{
	if (!o->link_exists || !o->link_up)
		return CMSHA_ALIAS_INTERFACE_DOWN;
	if (!o->present)
		return CMSHA_ALIAS_ABSENT;
	return conflict ? CMSHA_ALIAS_CONFLICT : CMSHA_ALIAS_PRESENT;
}

bool cmsha_alias_state_is_held(enum cmsha_alias_state s)
{
	/* A conflict is only ever seen on an alias we hold. */
	return s == CMSHA_ALIAS_PRESENT || s == CMSHA_ALIAS_CONFLICT;
}

const char *cmsha_alias_state_name(enum cmsha_alias_state s)
{
	static const char *const names[] = { "?", "present", "absent", "conflict", "interfaceDown" };
	return CMSHA_ENUM_NAME(names, s);
}

enum cmsha_oper_state cmsha_oper_state_of(const enum cmsha_alias_state *states, size_t n,
					  bool switching_over)
{
	size_t held = 0;

	if (switching_over)
		return CMSHA_OPER_SWITCHING_OVER;
	for (size_t i = 0; i < n; i++)
		held += cmsha_alias_state_is_held(states[i]);
	if (n > 0 && held == n)
		return CMSHA_OPER_ACTIVE;
	return held == 0 ? CMSHA_OPER_STANDBY : CMSHA_OPER_FAILED;
}

const char *cmsha_oper_state_name(enum cmsha_oper_state s)
{
	static const char *const names[] = { "?", "active", "standby", "switchingOver", "failed" };
	return CMSHA_ENUM_NAME(names, s);
}

static bool interface_in_subnet(const struct cmsha_config *cfg, const struct cmsha_alias_conf *a,
				const struct cmsha_local_addr *locals, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(locals[i].ifname, a->ifname) == 0 &&
		    !cmsha_config_has_alias(cfg, &locals[i].addr) &&
		    cmsha_inet_in_subnet(&locals[i].addr, &a->addr, a->prefix))
			return true;
	return false;
}

static const struct cmsha_inet *peer_in_subnet(const struct cmsha_config *cfg,
					       const struct cmsha_alias_conf *a)
{
	for (size_t i = 0; i < cfg->n_peer_addrs; i++)
		if (cmsha_inet_in_subnet(&cfg->peer_addrs[i], &a->addr, a->prefix))
			return &cfg->peer_addrs[i];
	return NULL;
}

/* The peer address a person would expect to see named: same family first. */
static const struct cmsha_inet *peer_to_name(const struct cmsha_config *cfg, int family)
{
	for (size_t i = 0; i < cfg->n_peer_addrs; i++)
		if (cfg->peer_addrs[i].family == family)
			return &cfg->peer_addrs[i];
	return NULL;
}

static void explain_peer_outside(const struct cmsha_config *cfg, const struct cmsha_alias_conf *a,
				 const char *subnet, char *reason, size_t len)
{
	const struct cmsha_inet *peer = peer_to_name(cfg, a->addr.family);
	char text[CMSHA_INET_STRLEN];

	if (peer)
		snprintf(reason, len, "peer %s is not in alias subnet %s: "
			 "a manual switch-over is required",
			 cmsha_inet_ntop(peer, text, sizeof(text)), subnet);
	else
		snprintf(reason, len, "peer has no %s address in alias subnet %s "
			 "(add 'peeraddress'): a manual switch-over is required",
			 a->addr.family == AF_INET6 ? "IPv6" : "IPv4", subnet);
}

enum cmsha_mode cmsha_switchover_mode_of(const struct cmsha_config *cfg,
					 const struct cmsha_local_addr *locals, size_t n_locals,
					 char *reason, size_t reason_len)
{
	char net_text[CMSHA_INET_STRLEN], subnet[CMSHA_PREFIX_STRLEN];

	if (cfg->n_aliases == 0 && cfg->n_dns > 0) {
		snprintf(reason, reason_len, "no alias: clients reach the service by name, "
			 "moved by DNS update (%zu dns name%s)", cfg->n_dns, cfg->n_dns > 1 ? "s" : "");
		return CMSHA_MODE_MANUAL;
	}
	for (size_t i = 0; i < cfg->n_aliases; i++) {
		const struct cmsha_alias_conf *a = &cfg->aliases[i];
		struct cmsha_inet net = cmsha_inet_network(&a->addr, a->prefix);

		snprintf(subnet, sizeof(subnet), "%s/%u",
			 cmsha_inet_ntop(&net, net_text, sizeof(net_text)), a->prefix);
		if (!interface_in_subnet(cfg, a, locals, n_locals)) {
			snprintf(reason, reason_len, "%s has no address in alias subnet %s: "
				 "a manual switch-over is required", a->ifname, subnet);
			return CMSHA_MODE_MANUAL;
		}
		if (!peer_in_subnet(cfg, a)) {
			explain_peer_outside(cfg, a, subnet, reason, reason_len);
			return CMSHA_MODE_MANUAL;
		}
	}
	if (reason_len)
		reason[0] = '\0';
	return CMSHA_MODE_SOFTWARE;
}

bool cmsha_oper_change_is_news(size_t n_aliases, enum cmsha_oper_state from,
			       enum cmsha_oper_state to, bool by_command, char *why, size_t len)
{
	if (by_command || from == CMSHA_OPER_SWITCHING_OVER || to == CMSHA_OPER_SWITCHING_OVER)
		return false;
	if (n_aliases == 0)       /* names only: where they point decides */
		snprintf(why, len, "operational state changed from %s to %s: the dns names' "
			 "answers changed (the peer took over, or someone else changed them)",
			 cmsha_oper_state_name(from), cmsha_oper_state_name(to));
	else
		snprintf(why, len, "operational state changed from %s to %s without a command "
			 "(aliases changed outside cmshad)", cmsha_oper_state_name(from),
			 cmsha_oper_state_name(to));
	return true;
}
