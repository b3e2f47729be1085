/*
 * Interfaces' index and hardware address, looked up once and kept, so that
 * a switch-over's probe, alias changes and announcements open no socket
 * between the SET and the announcement (if_nametoindex and the SIOCGIF*
 * ioctls each need one: a kernel round trip, and socket() and close() cost
 * more on some machines than others).
 *
 * Kept per network namespace (the tests run several stations from one
 * process).  cmsha_netwatch feeds it from netlink link events (RTM_NEWLINK,
 * RTM_DELLINK), so a renamed, recreated or re-addressed interface is seen
 * without a lookup; an interface not fed yet is looked up with ioctls once.
 * Not thread-safe: the event loop's thread only.
 */
#ifndef CMSHA_LINK_CACHE_H
#define CMSHA_LINK_CACHE_H

#include "packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ifname's index and Ethernet address; false with err if none. */
bool cmsha_link_hwaddr(const char *ifname, int *ifindex, uint8_t mac[CMSHA_MAC_LEN],
		       char *err, size_t errlen);
/* ifname's index (any link type); 0 if there is no such interface. */
unsigned cmsha_link_index(const char *ifname);

/* From a link event (or a dump): ifname is ifindex; mac NULL: not Ethernet. */
void cmsha_link_cache_set(const char *ifname, int ifindex, const uint8_t *mac);
/* Forget this namespace's links (before feeding them again). */
void cmsha_link_cache_clear(void);
/* Kernel lookups made since start (misses), for the tests. */
unsigned long cmsha_link_cache_lookups(void);

#endif
