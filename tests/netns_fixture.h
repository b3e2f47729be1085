/* A private network namespace per test, with veth links and addresses made through libnl. */
#ifndef CMSHA_NETNS_FIXTURE_H
#define CMSHA_NETNS_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Exit 77 (skip) when not root or namespaces are unavailable, but fail
 * (exit 1) when CI=true: in CI a skipped integration test hides breakage.
 */
void netns_require_or_skip(const char *program);

/* Move the calling (forked test) process into a fresh network namespace. */
void netns_enter_private(void);

/* A veth pair; the peer end is brought up so the first end gets carrier. */
void netns_add_veth(const char *ifname, const char *peer_name);
void netns_set_link_up(const char *ifname, bool up);
void netns_change_address(const char *ifname, const char *prefix_text, bool add);

/*
 * A second network namespace, "the other host", held by a child process
 * that waits on a pipe: it exits when netns_peer_stop() closes the pipe or
 * when the test process dies, and its namespace goes with it.  The test
 * process steps into it with netns_peer_enter() to run the helpers above
 * there (netlink sockets and sysctl files are opened in the namespace that
 * is current at that moment), and back with netns_peer_leave().
 */
struct netns_peer {
	pid_t pid;
	int ns_fd;          /* the peer's namespace */
	int home_fd;        /* the test's namespace, to come back to */
	int hold_fd;        /* closing it ends the child */
};

void netns_peer_start(struct netns_peer *peer);
void netns_peer_enter(const struct netns_peer *peer);
void netns_peer_leave(const struct netns_peer *peer);
/* Leave it if inside, then end and reap the child. */
void netns_peer_stop(struct netns_peer *peer);

/* A veth pair: ifname here (down), peer_name inside the peer's namespace (down). */
void netns_peer_add_veth(const struct netns_peer *peer, const char *ifname,
			 const char *peer_name);

/* Write a sysctl of the current namespace, e.g. ("ipv4/conf/veth0/arp_accept", "1"). */
void netns_sysctl_net(const char *path, const char *value);

/* Add or replace a neighbour entry (state is NUD_*) in the current namespace. */
void netns_neigh_set(const char *ifname, const char *addr_text, const uint8_t mac[6],
		     int state);

/*
 * The current namespace's neighbour entry for addr_text on ifname: false
 * when there is none or it has no link-layer address yet.
 */
bool netns_neigh_get(const char *ifname, const char *addr_text, uint8_t mac[6], int *state);

/*
 * Wait (up to timeout_ms, on netlink events) until ifname is operationally
 * up (running) or not.  The kernel's linkwatch work handles carrier changes
 * asynchronously, a loss of carrier up to a second late: until it has
 * handled a carrier-on, the link's transmit queues keep the "noop" qdisc,
 * which drops every frame while the send still reports success.
 */
void netns_wait_link_running(const char *ifname, bool running, int timeout_ms);

/*
 * Add an address, like netns_change_address, and for IPv6 wait (up to
 * timeout_ms) for its RTM_NEWADDR event: the kernel joins the address'
 * solicited-node group only then, from a work queue, and ignores
 * Neighbor Solicitations sent to that group until it has.
 */
void netns_add_address_ready(const char *ifname, const char *prefix_text, int timeout_ms);

#endif
