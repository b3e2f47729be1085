/* What a reloaded configuration changes, and the aliases' part of applying it. */
#include "autoconfig.h"
#include "reload_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cmsha_alias_conf_text(const struct cmsha_alias_conf *a, char *buf, size_t len)
{
	char addr[CMSHA_INET_STRLEN];

	snprintf(buf, len, "%s/%u dev %s%s%s", cmsha_inet_ntop(&a->addr, addr, sizeof(addr)),
		 a->prefix, a->ifname, a->label[0] ? " label " : "", a->label);
	return buf;
}

static bool alias_same(const struct cmsha_alias_conf *x, const struct cmsha_alias_conf *y)
{
	return cmsha_inet_equal(&x->addr, &y->addr) && x->prefix == y->prefix &&
	       !strcmp(x->ifname, y->ifname) && !strcmp(x->label, y->label);
}

static size_t alias_find(const struct cmsha_config *cfg, const struct cmsha_inet *addr)
{
	for (size_t i = 0; i < cfg->n_aliases; i++)
		if (cmsha_inet_equal(&cfg->aliases[i].addr, addr))
			return i;
	return CMSHA_RELOAD_NEW;
}

static void plan_aliases(struct cmsha_reload_plan *p, const struct cmsha_config *running,
			 const struct cmsha_config *fresh)
{
	for (size_t i = 0; i < fresh->n_aliases; i++) {
		size_t from = alias_find(running, &fresh->aliases[i].addr);

		p->alias_from[i] = from;
		if (from == CMSHA_RELOAD_NEW) {
			p->alias_kind[i] = CMSHA_RELOAD_ALIAS_ADDED;
			p->n_added++;
		} else if (alias_same(&running->aliases[from], &fresh->aliases[i])) {
			p->alias_kind[i] = CMSHA_RELOAD_ALIAS_KEPT;
		} else {
			p->alias_kind[i] = CMSHA_RELOAD_ALIAS_CHANGED;
			p->n_changed++;
		}
	}
	for (size_t j = 0; j < running->n_aliases; j++)
		if ((p->alias_removed[j] = alias_find(fresh, &running->aliases[j].addr) ==
					   CMSHA_RELOAD_NEW))
			p->n_removed++;
	/* The same set in another order is a change too: rows follow the file. */
	p->aliases = p->n_added || p->n_removed || p->n_changed ||
		     running->n_aliases != fresh->n_aliases;
	for (size_t i = 0; !p->aliases && i < fresh->n_aliases; i++)
		p->aliases = p->alias_from[i] != i;
}

static bool component_same(const struct cmsha_component_conf *x,
			   const struct cmsha_component_conf *y)
{
	return !strcmp(x->name, y->name) && x->required == y->required && x->kind == y->kind &&
	       !strcmp(x->target, y->target) && x->timeout_ms == y->timeout_ms;
}

static void plan_components(struct cmsha_reload_plan *p, const struct cmsha_config *running,
			    const struct cmsha_config *fresh)
{
	p->components = running->n_components != fresh->n_components;
	for (size_t i = 0; i < fresh->n_components; i++) {
		p->component_from[i] = CMSHA_RELOAD_NEW;
		for (size_t j = 0; j < running->n_components; j++)
			if (component_same(&running->components[j], &fresh->components[i]))
				p->component_from[i] = j;
		if (p->component_from[i] != i)
			p->components = true;
	}
}

static bool peer_same(const struct cmsha_config *a, const struct cmsha_config *b)
{
	if (strcmp(a->peer_args ? a->peer_args : "", b->peer_args ? b->peer_args : "") ||
	    a->n_peer_addrs != b->n_peer_addrs || a->peer_port != b->peer_port)
		return false;
	for (size_t i = 0; i < a->n_peer_addrs; i++)
		if (!cmsha_inet_equal(&a->peer_addrs[i], &b->peer_addrs[i]))
			return false;
	return true;
}

static bool timings_same(const struct cmsha_config *a, const struct cmsha_config *b)
{
	return a->announce_count == b->announce_count &&
	       a->announce_interval_ms == b->announce_interval_ms &&
	       a->preflight_count == b->preflight_count &&
	       a->preflight_wait_ms == b->preflight_wait_ms &&
	       a->forceprobe_count == b->forceprobe_count &&
	       a->forceprobe_wait_ms == b->forceprobe_wait_ms &&
	       a->release_timeout_ms == b->release_timeout_ms &&
	       a->autofailover == b->autofailover && a->holddown_ms == b->holddown_ms;
}

static bool dns_same(const struct cmsha_config *a, const struct cmsha_config *b)
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

bool cmsha_reload_plan_make(struct cmsha_reload_plan *p, const struct cmsha_config *running,
			    const struct cmsha_config *fresh, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	/* The role decides the start-up claim and the split-brain tie, which the
	 * peer has already seen: a pair whose roles change restarts. */
	if (running->role != fresh->role) {
		snprintf(err, errlen, "role changes from %s to %s: that needs a restart",
			 cmsha_role_name(running->role), cmsha_role_name(fresh->role));
		return false;
	}
	/* The names' table and their check rounds are set up at start only. */
	if (!dns_same(running, fresh)) {
		snprintf(err, errlen, "dns lines change: that needs a restart");
		return false;
	}
	/* So is the clients' table, sized by its cap. */
	if (running->clients_keep_s != fresh->clients_keep_s ||
	    running->clients_max != fresh->clients_max ||
	    running->clients_interval_ms != fresh->clients_interval_ms) {
		snprintf(err, errlen, "the clients line changes: that needs a restart");
		return false;
	}
	p->alias_kind = calloc(fresh->n_aliases + 1, sizeof(*p->alias_kind));
	p->alias_from = calloc(fresh->n_aliases + 1, sizeof(*p->alias_from));
	p->alias_removed = calloc(running->n_aliases + 1, sizeof(*p->alias_removed));
	p->component_from = calloc(fresh->n_components + 1, sizeof(*p->component_from));
	if (!p->alias_kind || !p->alias_from || !p->alias_removed || !p->component_from) {
		cmsha_reload_plan_free(p);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	plan_aliases(p, running, fresh);
	plan_components(p, running, fresh);
	p->peer = !peer_same(running, fresh);
	p->probe = running->probe_interval_ms != fresh->probe_interval_ms ||
		   running->probe_failures != fresh->probe_failures;
	p->history_size = running->history_size != fresh->history_size;
	p->timings = !timings_same(running, fresh);
	p->realtime = running->realtime_priority != fresh->realtime_priority;
	return true;
}

void cmsha_reload_plan_free(struct cmsha_reload_plan *p)
{
	free(p->alias_kind);
	free(p->alias_from);
	free(p->alias_removed);
	free(p->component_from);
	memset(p, 0, sizeof(*p));
}

bool cmsha_reload_plan_empty(const struct cmsha_reload_plan *p)
{
	return !p->aliases && !p->peer && !p->probe && !p->components && !p->history_size &&
	       !p->timings && !p->realtime;
}

struct cmsha_alias_conf *cmsha_reload_plan_to_probe(const struct cmsha_reload_plan *p,
						    const struct cmsha_config *fresh, size_t *n)
{
	struct cmsha_alias_conf *out;

	*n = 0;
	if (!p->n_added || !(out = calloc(p->n_added, sizeof(*out))))
		return NULL;
	for (size_t i = 0; i < fresh->n_aliases; i++)
		if (p->alias_kind[i] == CMSHA_RELOAD_ALIAS_ADDED)
			out[(*n)++] = fresh->aliases[i];
	return out;
}

/* The kernel changes made so far, to be undone in reverse on a failure. */
struct undo_log {
	const struct cmsha_alias_conf **conf;
	bool *added;
	size_t n;
};

static bool step(struct cmsha_alias_ctl *ctl, struct undo_log *log, bool add,
		 const struct cmsha_alias_conf *a, char *err, size_t errlen)
{
	char text[CMSHA_INET_STRLEN + 2 * IF_NAMESIZE + 24], why[256];
	bool ok = add ? cmsha_alias_add(ctl, a, why, sizeof(why))
		      : cmsha_alias_del(ctl, a, why, sizeof(why));

	if (!ok) {
		snprintf(err, errlen, "alias %s: %s", cmsha_alias_conf_text(a, text, sizeof(text)),
			 why);
		return false;
	}
	log->conf[log->n] = a;
	log->added[log->n++] = add;
	return true;
}

static void undo(struct cmsha_alias_ctl *ctl, struct undo_log *log)
{
	char ignored[256];

	while (log->n-- > 0) {
		if (log->added[log->n])
			cmsha_alias_del(ctl, log->conf[log->n], ignored, sizeof(ignored));
		else
			cmsha_alias_add(ctl, log->conf[log->n], ignored, sizeof(ignored));
	}
}

static bool moves_interface(const struct cmsha_reload_plan *p, const struct cmsha_config *running,
			    const struct cmsha_config *fresh, size_t i)
{
	return p->alias_kind[i] == CMSHA_RELOAD_ALIAS_CHANGED &&
	       strcmp(running->aliases[p->alias_from[i]].ifname, fresh->aliases[i].ifname) != 0;
}

/* Make before break where the kernel allows it: another interface first. */
static bool apply_steps(const struct cmsha_reload_plan *p, struct cmsha_alias_ctl *ctl,
			struct undo_log *log, const struct cmsha_config *running,
			const struct cmsha_config *fresh, char *err, size_t errlen)
{
	for (size_t i = 0; i < fresh->n_aliases; i++)
		if (moves_interface(p, running, fresh, i) &&
		    !step(ctl, log, true, &fresh->aliases[i], err, errlen))
			return false;
	for (size_t j = 0; j < running->n_aliases; j++)
		if (p->alias_removed[j] && !step(ctl, log, false, &running->aliases[j], err, errlen))
			return false;
	for (size_t i = 0; i < fresh->n_aliases; i++) {
		const struct cmsha_alias_conf *old = p->alias_from[i] == CMSHA_RELOAD_NEW ? NULL :
						     &running->aliases[p->alias_from[i]];

		if (p->alias_kind[i] == CMSHA_RELOAD_ALIAS_CHANGED &&
		    !step(ctl, log, false, old, err, errlen))
			return false;
		if ((p->alias_kind[i] == CMSHA_RELOAD_ALIAS_ADDED ||
		     (p->alias_kind[i] == CMSHA_RELOAD_ALIAS_CHANGED &&
		      !moves_interface(p, running, fresh, i))) &&
		    !step(ctl, log, true, &fresh->aliases[i], err, errlen))
			return false;
	}
	return true;
}

bool cmsha_reload_plan_apply_aliases(const struct cmsha_reload_plan *p,
				     struct cmsha_alias_ctl *ctl,
				     const struct cmsha_config *running,
				     const struct cmsha_config *fresh, char *err, size_t errlen)
{
	size_t most = running->n_aliases + 2 * fresh->n_aliases + 1;
	struct undo_log log = { calloc(most, sizeof(*log.conf)), calloc(most, sizeof(*log.added)), 0 };
	bool ok = log.conf && log.added;

	if (!ok)
		snprintf(err, errlen, "out of memory");
	else if (!(ok = apply_steps(p, ctl, &log, running, fresh, err, errlen)))
		undo(ctl, &log);
	free(log.conf);
	free(log.added);
	return ok;
}
