/*
 * One look at the kernel for the peers of the service addresses: TCP
 * sockets through inet_diag (libnl-idiag) and UDP flows through conntrack
 * (libnl-nf).  Each refresh is one netlink dump per source, answered by
 * the local kernel at once: bounded, so the agent's loop runs it from a
 * timer, never on the switch-over path.
 */
#ifndef CMSHA_CLIENT_SCAN_H
#define CMSHA_CLIENT_SCAN_H

#include "clients.h"

/* Which sources answered the last scan. */
struct cmsha_client_scan_result {
	bool tcp_ok, udp_ok;
	char tcp_err[128], udp_err[128];
};

/*
 * Merge every peer the kernel shows that the filter wants into c at now,
 * then expire what is older than c->keep_s.
 */
void cmsha_client_scan(struct cmsha_clients *c, const struct cmsha_client_filter *f,
		       const struct timespec *now, struct cmsha_client_scan_result *res);

#endif
