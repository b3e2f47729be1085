/*
 * Wires the dns names to the agent: net-snmp's loop for their sockets and
 * timers, a check of every name on each probe round, the log, and the
 * notification when a name turns to an address neither server set.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "loop_glue.h"
#include "notify.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <string.h>

/* The glue's one state: the names (the core's) and the round's timer. */
static struct dns_glue {
	struct cmsha_dns_names names;
	unsigned round_timer;
	bool started;
} glue;

static void on_state_changed(void *arg, size_t i, enum cmsha_dns_state from,
			     enum cmsha_dns_state to)
{
	const struct cmsha_dns_runtime *rt = &glue.names.rt[i];
	char addr[CMSHA_INET_STRLEN] = "no address";

	(void)arg;
	if (rt->n_answer)
		cmsha_inet_ntop(&rt->answer, addr, sizeof(addr));
	DEBUGMSGTL(("cmsha:dns", "%s: %s -> %s\n", cmshad.cfg.dns[i].name,
		    cmsha_dns_state_name(from), cmsha_dns_state_name(to)));
	snmp_log(to == CMSHA_DNS_OTHER || to == CMSHA_DNS_UNKNOWN ? LOG_WARNING : LOG_NOTICE,
		 "dns %s: %s -> %s (server answers %s)\n", cmshad.cfg.dns[i].name,
		 cmsha_dns_state_name(from), cmsha_dns_state_name(to),
		 to == CMSHA_DNS_UNKNOWN ? "nothing" : addr);
	/* Neither server's move ever leads to other: somebody else changed the record. */
	if (to == CMSHA_DNS_OTHER)
		notify_dns_unexpected_answer(i);
	if (cmshad.cfg.n_aliases == 0)        /* the names make the operational state */
		cmshad_kernel_refresh();
}

static void on_round(void *arg)
{
	(void)arg;
	DEBUGMSGTL(("cmsha:dns", "round: checking %zu name(s)\n", cmshad.cfg.n_dns));
	cmsha_dns_names_check(&glue.names);
	glue.round_timer = loop_timer_add(NULL, cmshad.cfg.probe_interval_ms, on_round, NULL);
}

const struct cmsha_dns_names *cmshad_dns_names(void)
{
	return glue.started ? &glue.names : NULL;
}

bool cmshad_dns_start(void)
{
	if (cmshad.cfg.n_dns == 0)
		return true;
	if (!cmsha_dns_names_init(&glue.names, &cmshad.cfg, &loop_glue_hooks)) {
		snmp_log(LOG_ERR, "dns: out of memory\n");
		return false;
	}
	glue.names.state_changed = on_state_changed;
	cmshad.sw.names = &glue.names;
	cmshad.ha.names = &glue.names;
	glue.started = true;
	on_round(NULL);                       /* the first check at once */
	return true;
}

void cmshad_dns_stop(void)
{
	if (!glue.started)
		return;
	loop_timer_cancel(NULL, glue.round_timer);   /* 0: none armed, nothing done */
	cmshad.sw.names = NULL;
	cmshad.ha.names = NULL;
	cmsha_dns_names_free(&glue.names);
	memset(&glue, 0, sizeof(glue));
}
