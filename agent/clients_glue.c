/*
 * Wires the clients' refresh (src/client_refresh.c: a round every 'clients
 * interval', its netlink dumps read from the loop as the kernel answers) to
 * the agent: net-snmp's loop, the log when a source cannot be read, debug
 * token cmsha:clients, and the rows of cmsHaClientTable after each round.
 */
#include "autoconfig.h"
#include "client_refresh.h"
#include "cmshad.h"
#include "loop_glue.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

static struct cmsha_client_refresh clients;

static void on_due(void *arg, bool started, size_t n_svc)
{
	(void)arg;
	if (started)
		DEBUGMSGTL(("cmsha:clients", "refresh start: %zu service address(es)\n", n_svc));
	else
		DEBUGMSGTL(("cmsha:clients", "refresh due while a dump is in flight: not started\n"));
}

static void on_round_done(void *arg, const struct cmsha_client_scan_result *res, double ms,
			  const char *errors)
{
	const struct cmsha_clients *c = cmsha_client_refresh_table(&clients);

	(void)arg;
	DEBUGMSGTL(("cmsha:clients", "refresh end: %s after %u attempt(s), %lu read(s), %.1f ms\n",
		    res->committed ? "table replaced" : "previous table kept", res->attempts,
		    res->reads, ms));
	DEBUGMSGTL(("cmsha:clients", "rows %zu of cap %zu, %llu peer(s) dropped at the cap\n",
		    c->n, c->max, (unsigned long long)c->dropped));
	if (errors && errors[0])
		snmp_log(LOG_WARNING, "clients: %s\n", errors);
	else if (errors)
		snmp_log(LOG_NOTICE, "clients: the kernel's sessions and flows read again\n");
	cmshad_mib_clients_sync();
}

static void on_partial_dump(void *arg, const char *source, unsigned long reads)
{
	(void)arg;
	DEBUGMSGTL(("cmsha:clients", "%s dump in flight, back to the loop: %lu read(s) so far\n",
		    source, reads));
}

const struct cmsha_clients *cmshad_clients(void)
{
	return cmsha_client_refresh_table(&clients);
}

const struct timespec *cmshad_clients_last_refresh(void)
{
	return &clients.last_refresh;
}

const char *cmshad_clients_refresh_error(void)
{
	return clients.errors;
}

bool cmshad_clients_start(void)
{
	static const struct cmsha_client_refresh_observer observer = {
		on_due, on_round_done, on_partial_dump, NULL
	};

	if (cmsha_client_refresh_start(&clients, &loop_glue_hooks, &cmshad.cfg, &observer))
		return true;
	snmp_log(LOG_ERR, "clients: out of memory\n");
	return false;
}

void cmshad_clients_stop(void)
{
	cmsha_client_refresh_stop(&clients);
}
