/*
 * The network namespace's packet socket (src/packet_tap.c), held from start
 * to exit and watched once in net-snmp's loop: the probe, the conflict
 * watch, its recheck and the announcer all share it, so no command opens
 * or closes one, or changes its filter, between its SET and its last
 * announcement.  The counts of packet sockets opened and closed and of
 * filters attached go to the log (debug token cmshad/packet, and an info
 * line at each command's end) so that tests and the bench can check the
 * rule.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "loop_glue.h"
#include "packet_tap.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

static struct cmsha_packet_tap *tap;

static void on_tap_readable(void *arg)
{
	(void)arg;
	if (tap)
		cmsha_packet_tap_on_readable(tap);
}

bool cmshad_packet_start(void)
{
	char err[256];

	/*
	 * Not fatal: without it each probe and announcement opens (and closes)
	 * a socket of its own, slower, and fails itself if it cannot.
	 */
	if (!(tap = cmsha_packet_tap_get(err, sizeof(err))))
		snmp_log(LOG_ERR, "ARP/ND: %s; probes and announcements will each open "
			 "their own\n", err);
	else if (!loop_fd_watch(NULL, cmsha_packet_tap_fd(tap), on_tap_readable, NULL))
		snmp_log(LOG_ERR, "ARP/ND: cannot watch the packet socket; answers are read "
			 "at each probe round's end\n");
	cmshad_packet_log_counts("start");
	return true;
}

void cmshad_packet_log_counts(const char *when)
{
	struct cmsha_packet_socket_counts c;

	cmsha_packet_socket_counts(&c);
	snmp_log(LOG_INFO, "packet sockets (%s): %lu opened, %lu closed, %lu filter%s attached\n",
		 when, c.opened, c.closed, c.filters, c.filters == 1 ? "" : "s");
	DEBUGMSGTL(("cmshad/packet", "%s: %lu opened, %lu closed, %lu filters attached\n", when,
		    c.opened, c.closed, c.filters));
}

void cmshad_packet_stop(void)
{
	if (!tap)
		return;
	loop_fd_unwatch(NULL, cmsha_packet_tap_fd(tap));
	cmsha_packet_tap_put(tap);
	tap = NULL;
}
