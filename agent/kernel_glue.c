/*
 * The netlink watch inside net-snmp's select loop: its fd is registered
 * with register_readfd(), so alias and link changes are taken as soon as
 * the kernel reports them, between SNMP requests, never during one.
 * Debug token cmsha:kernel shows each refresh and each change.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "ha_look.h"
#include "ha_news.h"
#include "notify.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

/* For debug lines: changes a command made are not news for a pager. */
static const char *whose(void)
{
	return cmshad.refresh_by_command ? " (a command's)" : "";
}

/* The line the core wrote for a change, and its debug twin. */
static void say(void *arg, const struct cmsha_ha_news *n)
{
	(void)arg;
	DEBUGMSGTL(("cmsha:kernel", "%s%s\n", n->text, whose()));
	snmp_log(n->warning ? LOG_WARNING : LOG_NOTICE, "%s\n", n->text);
}

/* The notification the core says a change pages with, if any. */
static void page(void *arg, const struct cmsha_ha_news *n, size_t alias_index)
{
	(void)arg;
	if (n->notice == CMSHA_HA_NOTICE_ALIAS_LOST)
		notify_alias_lost(alias_index);
	else if (n->notice == CMSHA_HA_NOTICE_OPER_CHANGED)
		notify_oper_state_changed(n->why);
}

/* Who says, who pages, who else follows the aliases (the conflict glue, while it runs). */
static struct cmsha_ha_teller teller = {
	say, page, NULL, &cmshad.ha, &cmshad.refresh_by_command, NULL, NULL
};

void cmshad_kernel_on_alias_change(cmshad_alias_listener fn, void *arg)
{
	teller.alias_changed = fn;
	teller.alias_arg = arg;
}

void cmshad_kernel_refresh(void)
{
	struct cmsha_ha_look look;

	if (!cmsha_ha_look(&cmshad.ha, cmshad.netwatch, &look)) {
		snmp_log(LOG_ERR, "out of memory refreshing alias state\n");
		return;
	}
	DEBUGMSGTL(("cmsha:kernel", "refresh: %zu aliases, %zu local addresses%s\n", look.n_obs,
		    look.n_locals, whose()));
	cmsha_ha_refresh_from_look(&cmshad.ha, &look);
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
	cmshad.ha.observer = cmsha_ha_news_observer(&teller);
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
