/*
 * Conflict detection while aliases are held: another station that claims
 * an alias address.  A listen-only packet socket (cmsha_probe_listen: the
 * probe's socket, BPF filter and parser, nothing sent) sees, on the
 * alias's interface, an ARP request or reply whose sender IP is the alias,
 * an NA whose target is the alias or an NS whose source is the alias; the
 * hardware address claimed in it is reported once, unless it is one of
 * this host's interface MACs.  Another host's probe (ARP from 0.0.0.0, DAD
 * NS from ::) is not a claim: our kernel answers it.
 *
 * Non-blocking: the agent's event loop watches cmsha_conflict_watch_fd()
 * and calls cmsha_conflict_watch_on_readable() when it is readable.  The
 * socket is the namespace's kept one (packet_tap.h): opening and closing a
 * watch attaches and detaches a listener, no socket.  Claims are reported
 * whoever reads the socket (cmsha_packet_tap_on_readable included).
 */
#ifndef CMSHA_CONFLICT_WATCH_H
#define CMSHA_CONFLICT_WATCH_H

#include "config.h"
#include "packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* alias_index is the index in the aliases given to cmsha_conflict_watch_open. */
typedef void (*cmsha_conflict_cb)(void *arg, size_t alias_index,
				  const uint8_t mac[CMSHA_MAC_LEN]);

struct cmsha_conflict_watch;

/*
 * Watch aliases[i] for every i with watched[i] (watched NULL: all of them).
 * NULL with a reason in err when none is to be watched, an interface is
 * missing or not Ethernet, or the socket cannot be opened.
 */
struct cmsha_conflict_watch *cmsha_conflict_watch_open(const struct cmsha_alias_conf *aliases,
						       size_t n, const bool *watched,
						       cmsha_conflict_cb cb, void *arg,
						       char *err, size_t errlen);

/*
 * Which MACs are this host's: the agent's netwatch knows (its links cache,
 * kept by link events), so a claim is judged without a kernel round trip
 * in the event loop.  Until this is set, each new claimant is looked up
 * with getifaddrs().
 */
typedef bool (*cmsha_local_mac_fn)(void *ctx, const uint8_t mac[CMSHA_MAC_LEN]);
void cmsha_conflict_watch_use_local_macs(struct cmsha_conflict_watch *w, cmsha_local_mac_fn fn,
					 void *ctx);

int cmsha_conflict_watch_fd(const struct cmsha_conflict_watch *w);

/*
 * Take the waiting frames and call cb for each station seen claiming a
 * watched alias for the first time since the watch was opened (the probe
 * keeps CMSHA_PROBE_MAX_MACS per alias; later ones are not reported).
 * cb must not close the watch.
 */
void cmsha_conflict_watch_on_readable(struct cmsha_conflict_watch *w);

void cmsha_conflict_watch_close(struct cmsha_conflict_watch *w);

#endif
