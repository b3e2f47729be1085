/*
 * The netlink watch inside net-snmp's select loop: its fd is registered
 * with register_readfd(), so alias and link changes are taken as soon as
 * the kernel reports them, between SNMP requests, never during one.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "notify.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdlib.h>

static void log_alias_change(void *arg, size_t index, enum cmsha_alias_state from,
			     enum cmsha_alias_state to)
{
	const struct cmsha_alias_conf *a = &cmshad.cfg.aliases[index];
	char text[CMSHA_INET_STRLEN];

	(void)arg;
	snmp_log(LOG_NOTICE, "alias %s/%u on %s: %s -> %s\n",
		 cmsha_inet_ntop(&a->addr, text, sizeof(text)), a->prefix, a->ifname,
		 cmsha_alias_state_name(from), cmsha_alias_state_name(to));
	cmshad_conflict_alias_changed(index, from, to);
	/* Lost: an active server's alias went away and no command took it. */
	if (!cmshad.refresh_by_command && cmshad.ha.oper == CMSHA_OPER_ACTIVE &&
	    cmsha_alias_state_is_held(from) && !cmsha_alias_state_is_held(to))
		notify_alias_lost(index);
}

static void log_oper_change(void *arg, enum cmsha_oper_state from, enum cmsha_oper_state to)
{
	char why[CMSHA_REASON_LEN];

	(void)arg;
	snmp_log(LOG_NOTICE, "operational state: %s -> %s\n", cmsha_oper_state_name(from),
		 cmsha_oper_state_name(to));
	if (cmshad.refresh_by_command || from == CMSHA_OPER_SWITCHING_OVER ||
	    to == CMSHA_OPER_SWITCHING_OVER)
		return;
	if (cmshad.cfg.n_aliases == 0)       /* names only: where they point decides */
		snprintf(why, sizeof(why), "operational state changed from %s to %s: the dns "
			 "names' answers changed (the peer took over, or someone else changed "
			 "them)", cmsha_oper_state_name(from), cmsha_oper_state_name(to));
	else
		snprintf(why, sizeof(why), "operational state changed from %s to %s without a "
			 "command (aliases changed outside cmshad)", cmsha_oper_state_name(from),
			 cmsha_oper_state_name(to));
	notify_oper_state_changed(why);
}

static void log_mode_change(void *arg, enum cmsha_mode to, const char *reason)
{
	(void)arg;
	if (to == CMSHA_MODE_SOFTWARE)
		snmp_log(LOG_NOTICE, "switch-over mode: software\n");
	else
		snmp_log(LOG_WARNING, "switch-over mode: manual: %s\n", reason);
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
	cmsha_ha_refresh(&cmshad.ha, obs, locals, n_locals, &now);
	free(locals);
	free(obs);
}

static void on_netlink_readable(int fd, void *arg)
{
	(void)fd;
	(void)arg;
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
