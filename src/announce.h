/*
 * Telling the link that an alias now lives here: a gratuitous ARP (an
 * RFC 5227 announcement) or an unsolicited Neighbor Advertisement with
 * Override (RFC 4861 7.2.6), so neighbours with a cache entry for the
 * address switch to our MAC now rather than when the entry goes stale.
 */
#ifndef CMSHA_ANNOUNCE_H
#define CMSHA_ANNOUNCE_H

#include "config.h"
#include "link_cache.h"      /* cmsha_link_hwaddr */
#include "packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Can ifname send now: up, and running?  A link that is up without carrier
 * (or whose carrier-on the kernel has not handled yet, which it does
 * asynchronously) drops every frame while sendto() still reports success.
 * fd is any socket of the network namespace to ask.
 */
bool cmsha_link_ready(int fd, const char *ifname, char *err, size_t errlen);

/*
 * Send a whole Ethernet frame out of ifindex through fd, an AF_PACKET
 * SOCK_RAW socket (bound or not).  Shared by the announcer and the prober.
 */
bool cmsha_frame_send(int fd, int ifindex, const uint8_t *frame, size_t len,
		      char *err, size_t errlen);

/*
 * Frames gathered to go out in one system call (sendmmsg), in order.  On a
 * bridge or veth each send runs the receivers' path in the sender's
 * context, and a send that wakes a listener on the same CPU may hand it
 * the CPU before the next send: one call keeps a burst (a probe round)
 * together.  Fill frame[n], len[n] and ifindex[n], count n, then send.
 */
#define CMSHA_FRAME_BATCH 32

struct cmsha_frame_batch {
	size_t n;
	int ifindex[CMSHA_FRAME_BATCH];
	size_t len[CMSHA_FRAME_BATCH];
	uint8_t frame[CMSHA_FRAME_BATCH][CMSHA_PKT_MAX_LEN];
};

/* Send the batch's frames through fd and empty it; false with the first
 * failure's reason.  A frame that fails is sent once more on its own (to
 * learn why) and the frames after it still go. */
bool cmsha_frame_batch_send(int fd, struct cmsha_frame_batch *b, char *err, size_t errlen);

/* System calls that sent frames (sendto, sendmmsg) since start, for the tests. */
unsigned long cmsha_frame_send_calls(void);

/*
 * One announcement for alias, out of alias->ifname: an ARP request to
 * broadcast with sender = target = the alias (IPv4), or an NA to ff02::1
 * with Override and our MAC (IPv6).  The caller repeats it announce_count
 * times, announce_interval_ms apart: one frame can be lost.
 *
 * This is on the switch-over's critical path, so it sends through the
 * network namespace's kept packet socket (packet_tap.h): closing a packet
 * socket waits for an RCU grace period in the kernel.  cmshad holds that
 * socket for its lifetime; a caller that holds no tap gets one opened and
 * closed for the call.  Each call costs three ioctls (the link's state,
 * index and MAC, read afresh since links come and go) and one sendto.
 * Fails when the link is not ready (cmsha_link_ready).  Not thread-safe.
 */
bool cmsha_announce_once(const struct cmsha_alias_conf *alias, char *err, size_t errlen);

#endif
