/*
 * Wires the clients' worklist to the agent: a refresh on net-snmp's loop
 * every 'clients interval', its netlink dumps read from the loop as the
 * kernel answers (src/client_scan.c), the log when a source cannot be read,
 * and the rows of cmsHaClientTable after each round.
 */
#include "autoconfig.h"
#include "client_scan.h"
#include "clock.h"
#include "cmshad.h"
#include "loop_glue.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdio.h>
#include <string.h>

/* A round still in flight this long is given up at the next refresh due. */
#define CLIENTS_ROUND_GIVE_UP_S 30

/* The glue's one state: the scan (the core's) and what the MIB shows of it. */
static struct clients_glue {
	struct cmsha_client_scan scan;
	bool started;
	unsigned refresh_timer;
	struct timespec round_time;       /* wall clock: the round in flight's */
	struct timespec round_start;      /* monotonic: how long it takes */
	struct timespec last_refresh;     /* wall clock: the table's */
	char refresh_error[300];          /* both sources' errors */
} glue;

static void note_errors(const struct cmsha_client_scan_result *res)
{
	char now[sizeof(glue.refresh_error)] = "";
	size_t len = 0;

	/* A source not reached (a round given up before it) has no error of its own. */
	for (size_t src = 0; src < CMSHA_CLIENT_N_SOURCES; src++)
		if (!res->ok[src] && res->err[src][0] && len < sizeof(now))
			len += (size_t)snprintf(now + len, sizeof(now) - len, "%s%s",
						len ? "; " : "", res->err[src]);
	/* Logged when it changes, not at every refresh. */
	if (strcmp(now, glue.refresh_error) != 0) {
		if (now[0])
			snmp_log(LOG_WARNING, "clients: %s\n", now);
		else
			snmp_log(LOG_NOTICE, "clients: the kernel's sessions and flows read again\n");
	}
	memcpy(glue.refresh_error, now, sizeof(glue.refresh_error));
}

static void on_round_done(void *arg, const struct cmsha_client_scan_result *res)
{
	const struct cmsha_clients *c = cmsha_client_scan_table(&glue.scan);

	(void)arg;
	DEBUGMSGTL(("cmsha:clients", "refresh end: %s after %u attempt(s), %lu read(s), %.1f ms\n",
		    res->committed ? "table replaced" : "previous table kept", res->attempts,
		    res->reads, cmsha_ms_since(&glue.round_start)));
	DEBUGMSGTL(("cmsha:clients", "rows %zu of cap %zu, %llu peer(s) dropped at the cap\n",
		    c->n, c->max, (unsigned long long)c->dropped));
	if (res->committed)
		glue.last_refresh = glue.round_time;
	note_errors(res);
	cmshad_mib_clients_sync();
}

static void on_partial_dump(void *arg, const char *source, unsigned long reads)
{
	(void)arg;
	DEBUGMSGTL(("cmsha:clients", "%s dump in flight, back to the loop: %lu read(s) so far\n",
		    source, reads));
}

static void refresh(void)
{
	struct cmsha_inet svc[CMSHA_MAX_ALIASES + CMSHA_MAX_DNS];
	struct cmsha_client_filter filter = {
		svc, cmsha_clients_service_addresses(&cmshad.cfg, svc, sizeof(svc) / sizeof(svc[0])),
		cmshad.cfg.peer_addrs, cmshad.cfg.n_peer_addrs
	};

	/* The dumps are read from the loop: one still in flight is let finish,
	 * unless the kernel has left it unanswered for far too long. */
	if (cmsha_client_scan_in_flight(&glue.scan) &&
	    cmsha_ms_since(&glue.round_start) > CLIENTS_ROUND_GIVE_UP_S * 1000.0) {
		char why[64];

		snprintf(why, sizeof(why), "no answer from the kernel for %d s", CLIENTS_ROUND_GIVE_UP_S);
		cmsha_client_scan_abandon(&glue.scan, why);
	}
	if (cmsha_client_scan_in_flight(&glue.scan)) {
		DEBUGMSGTL(("cmsha:clients", "refresh due while a dump is in flight: not started\n"));
		return;
	}
	clock_gettime(CLOCK_REALTIME, &glue.round_time);
	cmsha_clock_now(&glue.round_start);
	DEBUGMSGTL(("cmsha:clients", "refresh start: %zu service address(es)\n", filter.n_svc));
	cmsha_client_scan_start(&glue.scan, &filter, &glue.round_time);
}

static void on_refresh(void *arg)
{
	(void)arg;
	refresh();
	glue.refresh_timer = loop_timer_add(NULL, cmshad.cfg.clients_interval_ms, on_refresh, NULL);
}

const struct cmsha_clients *cmshad_clients(void)
{
	return cmsha_client_scan_table(&glue.scan);
}

const struct timespec *cmshad_clients_last_refresh(void)
{
	return &glue.last_refresh;
}

const char *cmshad_clients_refresh_error(void)
{
	return glue.refresh_error;
}

bool cmshad_clients_start(void)
{
	if (!cmsha_client_scan_init(&glue.scan, &loop_glue_hooks, cmshad.cfg.clients_max,
				    cmshad.cfg.clients_keep_s, on_round_done, NULL)) {
		snmp_log(LOG_ERR, "clients: out of memory\n");
		return false;
	}
	glue.scan.partial = on_partial_dump;
	glue.started = true;
	on_refresh(NULL);                     /* the first look at once */
	return true;
}

/* A round in flight is dropped with its sockets. */
void cmshad_clients_stop(void)
{
	if (glue.started) {
		loop_timer_cancel(NULL, glue.refresh_timer);
		cmsha_client_scan_free(&glue.scan);
	}
	memset(&glue, 0, sizeof(glue));
}
