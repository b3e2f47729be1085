/*
 * Wires the clients' worklist to the agent: a refresh on net-snmp's loop
 * every 'clients interval' (one bounded netlink dump per source, off the
 * switch-over path), the log when a source cannot be read, and the rows of
 * cmsHaClientTable after each refresh.
 */
#include "autoconfig.h"
#include "client_scan.h"
#include "cmshad.h"
#include "loop_glue.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdio.h>
#include <string.h>

static struct cmsha_clients clients;
static struct timespec last_refresh;
static char refresh_error[300];   /* both sources' errors */
static unsigned refresh_timer;
static bool started;

static void note_result(const struct cmsha_client_scan_result *res)
{
	char now[sizeof(refresh_error)];

	snprintf(now, sizeof(now), "%s%s%s", res->tcp_ok ? "" : res->tcp_err,
		 !res->tcp_ok && !res->udp_ok ? "; " : "", res->udp_ok ? "" : res->udp_err);
	/* Logged when it changes, not at every refresh. */
	if (strcmp(now, refresh_error) != 0) {
		if (now[0])
			snmp_log(LOG_WARNING, "clients: %s\n", now);
		else
			snmp_log(LOG_NOTICE, "clients: the kernel's sessions and flows read again\n");
	}
	memcpy(refresh_error, now, sizeof(refresh_error));
}

static void refresh(void)
{
	struct cmsha_inet svc[CMSHA_MAX_ALIASES + CMSHA_MAX_DNS];
	struct cmsha_client_filter filter = {
		svc, cmsha_clients_service_addresses(&cmshad.cfg, svc, sizeof(svc) / sizeof(svc[0])),
		cmshad.cfg.peer_addrs, cmshad.cfg.n_peer_addrs
	};
	struct cmsha_client_scan_result res;

	clock_gettime(CLOCK_REALTIME, &last_refresh);
	cmsha_client_scan(&clients, &filter, &last_refresh, &res);
	note_result(&res);
	cmshad_mib_clients_sync();
}

static void on_refresh(void *arg)
{
	(void)arg;
	/* The dumps hold the loop for a moment (longer with many sockets): not
	 * while a command runs, whose steps wait on the loop; the next time. */
	if (!cmsha_switchover_busy(&cmshad.sw))
		refresh();
	refresh_timer = loop_timer_add(NULL, cmshad.cfg.clients_interval_ms, on_refresh, NULL);
}

const struct cmsha_clients *cmshad_clients(void)
{
	return &clients;
}

const struct timespec *cmshad_clients_last_refresh(void)
{
	return &last_refresh;
}

const char *cmshad_clients_refresh_error(void)
{
	return refresh_error;
}

bool cmshad_clients_start(void)
{
	if (!cmsha_clients_init(&clients, cmshad.cfg.clients_max, cmshad.cfg.clients_keep_s)) {
		snmp_log(LOG_ERR, "clients: out of memory\n");
		return false;
	}
	started = true;
	on_refresh(NULL);                     /* the first look at once */
	return true;
}

void cmshad_clients_stop(void)
{
	if (!started)
		return;
	if (refresh_timer)
		loop_timer_cancel(NULL, refresh_timer);
	refresh_timer = 0;
	cmsha_clients_free(&clients);
	started = false;
}
