/*
 * Least privilege: cmshad needs CAP_NET_ADMIN (addresses through netlink)
 * and CAP_NET_RAW (ARP/NDP packet sockets) and nothing else.
 */
#ifndef CMSHA_PRIVILEGES_H
#define CMSHA_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Become USER (its uid, gid, no supplementary groups), keeping only
 * CAP_NET_ADMIN and CAP_NET_RAW; for a process started as root.
 */
bool privileges_drop_to(const char *user, char *err, size_t errlen);

/*
 * Keep only CAP_NET_ADMIN and CAP_NET_RAW of what we were given (e.g. by
 * systemd's AmbientCapabilities); false when either is missing.
 */
bool privileges_keep_only_needed(char *err, size_t errlen);

#endif
