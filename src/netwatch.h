/*
 * The kernel's links and addresses, kept current by netlink events through
 * a libnl cache manager.  Readers never block on the kernel: they look at
 * the cache, which the event loop refreshes when the netlink fd is readable.
 */
#ifndef CMSHA_NETWATCH_H
#define CMSHA_NETWATCH_H

#include "config.h"
#include "ha_rules.h"

struct cmsha_netwatch;

typedef void (*cmsha_netwatch_changed_fn)(void *arg);

/* NULL with a reason in err on failure. */
struct cmsha_netwatch *cmsha_netwatch_open(cmsha_netwatch_changed_fn changed, void *arg,
					   char *err, size_t errlen);
void cmsha_netwatch_close(struct cmsha_netwatch *w);

/* The fd to watch for readability; then call cmsha_netwatch_process. */
int cmsha_netwatch_fd(const struct cmsha_netwatch *w);

/* Take pending netlink events; calls changed() once if anything changed. */
void cmsha_netwatch_process(struct cmsha_netwatch *w);

void cmsha_netwatch_observe(const struct cmsha_netwatch *w, const struct cmsha_alias_conf *a,
			    struct cmsha_alias_observation *out);

/*
 * Is mac the hardware address of one of this host's interfaces?  From the
 * links cache (kept by link events): no kernel round trip.
 */
bool cmsha_netwatch_is_local_mac(const struct cmsha_netwatch *w, const uint8_t mac[6]);

/* All addresses of all interfaces; the caller frees *out. */
size_t cmsha_netwatch_local_addrs(const struct cmsha_netwatch *w, struct cmsha_local_addr **out);

#endif
