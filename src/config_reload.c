/* What a reloaded configuration may change in a running agent. */
#include "autoconfig.h"
#include "config.h"

#include <stdio.h>
#include <string.h>

static bool aliases_equal(const struct cmsha_config *a, const struct cmsha_config *b)
{
	if (a->n_aliases != b->n_aliases)
		return false;
	for (size_t i = 0; i < a->n_aliases; i++) {
		const struct cmsha_alias_conf *x = &a->aliases[i], *y = &b->aliases[i];
		if (!cmsha_inet_equal(&x->addr, &y->addr) || x->prefix != y->prefix ||
		    strcmp(x->ifname, y->ifname) || strcmp(x->label, y->label))
			return false;
	}
	return true;
}

static bool peer_equal(const struct cmsha_config *a, const struct cmsha_config *b)
{
	if (strcmp(a->peer_args ? a->peer_args : "", b->peer_args ? b->peer_args : "") ||
	    a->n_peer_addrs != b->n_peer_addrs)
		return false;
	for (size_t i = 0; i < a->n_peer_addrs; i++)
		if (!cmsha_inet_equal(&a->peer_addrs[i], &b->peer_addrs[i]))
			return false;
	return true;
}

static bool components_equal(const struct cmsha_config *a, const struct cmsha_config *b)
{
	if (a->n_components != b->n_components)
		return false;
	for (size_t i = 0; i < a->n_components; i++) {
		const struct cmsha_component_conf *x = &a->components[i], *y = &b->components[i];
		if (strcmp(x->name, y->name) || x->required != y->required || x->kind != y->kind ||
		    strcmp(x->target, y->target) || x->timeout_ms != y->timeout_ms)
			return false;
	}
	return true;
}

static bool dns_equal(const struct cmsha_config *a, const struct cmsha_config *b)
{
	if (a->n_dns != b->n_dns)
		return false;
	for (size_t i = 0; i < a->n_dns; i++) {
		const struct cmsha_dns_conf *x = &a->dns[i], *y = &b->dns[i];
		if (strcmp(x->name, y->name) || !cmsha_inet_equal(&x->address, &y->address) ||
		    !cmsha_inet_equal(&x->peer_address, &y->peer_address) ||
		    !cmsha_inet_equal(&x->server, &y->server) || x->port != y->port ||
		    strcmp(x->zone, y->zone) || x->ttl != y->ttl || x->timeout_ms != y->timeout_ms ||
		    strcmp(x->key.name, y->key.name) || strcmp(x->key.secret, y->key.secret) ||
		    strcmp(x->key.algorithm, y->key.algorithm))
			return false;
	}
	return true;
}

static void note(char *what, size_t len, const char *name)
{
	size_t used = strlen(what);

	snprintf(what + used, len - used, "%s%s", used ? ", " : "", name);
}

bool cmsha_config_needs_restart(const struct cmsha_config *running,
				const struct cmsha_config *fresh, char *what, size_t len)
{
	what[0] = '\0';
	if (running->role != fresh->role)
		note(what, len, "role");
	if (!aliases_equal(running, fresh))
		note(what, len, "alias");
	if (!peer_equal(running, fresh))
		note(what, len, "peer/peeraddress");
	if (running->probe_interval_ms != fresh->probe_interval_ms ||
	    running->probe_failures != fresh->probe_failures)
		note(what, len, "probe");
	if (!components_equal(running, fresh))
		note(what, len, "component");
	if (!dns_equal(running, fresh))
		note(what, len, "dns");
	if (running->history_size != fresh->history_size)
		note(what, len, "history size");
	return what[0] != '\0';
}

void cmsha_config_update_live(struct cmsha_config *running, const struct cmsha_config *fresh)
{
	running->announce_count = fresh->announce_count;
	running->announce_interval_ms = fresh->announce_interval_ms;
	running->preflight_count = fresh->preflight_count;
	running->preflight_wait_ms = fresh->preflight_wait_ms;
	running->forceprobe_count = fresh->forceprobe_count;
	running->forceprobe_wait_ms = fresh->forceprobe_wait_ms;
	running->release_timeout_ms = fresh->release_timeout_ms;
	running->autofailover = fresh->autofailover;
	running->holddown_ms = fresh->holddown_ms;
}
