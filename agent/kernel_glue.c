/*
 * The netlink watch inside net-snmp's select loop: its fd is registered
 * with register_readfd(), so alias and link changes are taken as soon as
 * the kernel reports them, between SNMP requests, never during one.
 * Debug token cmsha:kernel shows each refresh and each change.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "notify.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdlib.h>

/* Who else follows the aliases (the conflict glue, while it runs). */
static struct {
	cmshad_alias_listener fn;
	void *arg;
} alias_listener;

void cmshad_kernel_on_alias_change(cmshad_alias_listener fn, void *arg)
{
	alias_listener.fn = fn;
	alias_listener.arg = arg;
}

/* For debug lines: changes a command made are not news for a pager. */
static const char *whose(void)
{
	return cmshad.refresh_by_command ? " (a command's)" : "";
}

static void log_alias_change(void *arg, size_t index, enum cmsha_alias_state from,
			     enum cmsha_alias_state to)
{
	const struct cmsha_alias_conf *a = &cmshad.cfg.aliases[index];
	char text[CMSHA_INET_STRLEN];

	(void)arg;
	cmsha_inet_ntop(&a->addr, text, sizeof(text));
	DEBUGMSGTL(("cmsha:kernel", "alias %s/%u on %s: %s -> %s%s\n", text, a->prefix,
		    a->ifname, cmsha_alias_state_name(from), cmsha_alias_state_name(to), whose()));
	snmp_log(LOG_NOTICE, "alias %s/%u on %s: %s -> %s\n", text, a->prefix, a->ifname,
		 cmsha_alias_state_name(from), cmsha_alias_state_name(to));
	if (alias_listener.fn)
		alias_listener.fn(alias_listener.arg, index, from, to);
	/* Lost: an active server's alias went away and no command took it. */
	if (!cmshad.refresh_by_command && cmshad.ha.oper == CMSHA_OPER_ACTIVE &&
	    cmsha_alias_state_is_held(from) && !cmsha_alias_state_is_held(to))
		notify_alias_lost(index);
}

static void log_oper_change(void *arg, enum cmsha_oper_state from, enum cmsha_oper_state to)
{
	char why[CMSHA_REASON_LEN];

	(void)arg;
	DEBUGMSGTL(("cmsha:kernel", "operational state: %s -> %s%s\n",
		    cmsha_oper_state_name(from), cmsha_oper_state_name(to), whose()));
	snmp_log(LOG_NOTICE, "operational state: %s -> %s\n", cmsha_oper_state_name(from),
		 cmsha_oper_state_name(to));
	if (cmsha_oper_change_is_news(cmshad.cfg.n_aliases, from, to, cmshad.refresh_by_command,
				      why, sizeof(why)))
		notify_oper_state_changed(why);
}

static void log_mode_change(void *arg, enum cmsha_mode to, const char *reason)
{
	bool software = to == CMSHA_MODE_SOFTWARE;

	(void)arg;
	DEBUGMSGTL(("cmsha:kernel", "switch-over mode: %s%s%s\n", software ? "software" :
		    "manual: ", software ? "" : reason, whose()));
	snmp_log(software ? LOG_NOTICE : LOG_WARNING, "switch-over mode: %s%s\n",
		 software ? "software" : "manual: ", software ? "" : reason);
}

void cmshad_kernel_refresh(void)
{
	size_t n = cmshad.cfg.n_aliases;
	struct cmsha_alias_observation *obs = calloc(n ? n : 1, sizeof(*obs));
	struct cmsha_local_addr *locals = NULL;
	size_t n_locals;
	struct timespec now;

	if (!obs) {
		snmp_log(LOG_ERR, "out of memory refreshing alias state\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		cmsha_netwatch_observe(cmshad.netwatch, &cmshad.cfg.aliases[i], &obs[i]);
	n_locals = cmsha_netwatch_local_addrs(cmshad.netwatch, &locals);
	clock_gettime(CLOCK_REALTIME, &now);
	DEBUGMSGTL(("cmsha:kernel", "refresh: %zu aliases, %zu local addresses%s\n", n,
		    n_locals, whose()));
	cmsha_ha_refresh(&cmshad.ha, obs, locals, n_locals, &now);
	free(locals);
	free(obs);
}

static void on_netlink_readable(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	DEBUGMSGTL(("cmsha:kernel", "netlink readable\n"));
	cmsha_netwatch_process(cmshad.netwatch);
}

static void on_netlink_change(void *arg)
{
	(void)arg;
	cmshad_kernel_refresh();
	cmsha_switchover_kernel_changed(&cmshad.sw);    /* a takeover may wait for them */
}

bool cmshad_kernel_watch_start(void)
{
	char err[256];

	cmshad.netwatch = cmsha_netwatch_open(on_netlink_change, NULL, err, sizeof(err));
	if (!cmshad.netwatch) {
		snmp_log(LOG_ERR, "%s\n", err);
		return false;
	}
	cmshad.ha.observer = (struct cmsha_ha_observer){
		log_alias_change, log_oper_change, log_mode_change, NULL
	};
	if (register_readfd(cmsha_netwatch_fd(cmshad.netwatch), on_netlink_readable, NULL) != 0) {
		snmp_log(LOG_ERR, "cannot watch the netlink socket\n");
		return false;
	}
	/* What the kernel shows at start is the starting point, not news. */
	cmshad.refresh_by_command = true;
	cmshad_kernel_refresh();
	cmshad.refresh_by_command = false;
	return true;
}

void cmshad_kernel_watch_stop(void)
{
	if (!cmshad.netwatch)
		return;
	unregister_readfd(cmsha_netwatch_fd(cmshad.netwatch));
	cmsha_netwatch_close(cmshad.netwatch);
	cmshad.netwatch = NULL;
}
