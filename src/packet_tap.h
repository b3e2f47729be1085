/*
 * One AF_PACKET socket per network namespace, kept, shared by everything
 * that sends or hears ARP and Neighbor Discovery: the pre-flight probe, the
 * conflict watch, the conflict recheck and the announcer.
 *
 * Why kept: closing a packet socket waits for an RCU grace period in the
 * kernel (packet_release -> synchronize_net), milliseconds to tens of
 * milliseconds depending on HZ, idle CPUs and virtualisation.  A socket
 * opened for a takeover's probe or closed in the peer's release put that
 * wait on the switch-over's critical path.  Here the socket is opened once
 * (cmshad holds its tap from start to exit), with its BPF filter (ARP and
 * NS/NA only) set once: a listener's arrival or leave changes nothing in
 * the kernel.  Every listener sees every frame (demultiplexed here,
 * classified by each listener); while nobody listens they are dropped.
 *
 * Not thread-safe; single event loop.
 */
#ifndef CMSHA_PACKET_TAP_H
#define CMSHA_PACKET_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmsha_packet_tap;

struct cmsha_tap_listener {
	/* one ARP / ND frame received on ifindex (never one we sent) */
	void (*frame)(void *arg, int ifindex, const uint8_t *frame, size_t len);
	/* optional: called after each read that delivered frames to anyone */
	void (*batch)(void *batch_arg);
	void *arg, *batch_arg;
	size_t room;            /* frames it may get per round (socket buffer sizing) */
	struct cmsha_tap_listener *next;
};

/*
 * The tap of the calling thread's network namespace, with one more
 * reference; its socket is opened when the namespace has none yet.  NULL
 * with a reason in err when the socket cannot be opened.
 */
struct cmsha_packet_tap *cmsha_packet_tap_get(char *err, size_t errlen);

/* One reference less; the socket is closed with the last one. */
void cmsha_packet_tap_put(struct cmsha_packet_tap *t);

/* For the event loop (readable: call cmsha_packet_tap_on_readable), sends and ioctls. */
int cmsha_packet_tap_fd(const struct cmsha_packet_tap *t);

/*
 * Start delivering frames to l: frames already queued go to the listeners
 * attached before it (or nowhere), so l hears only what arrives from now on.
 */
void cmsha_packet_tap_attach(struct cmsha_packet_tap *t, struct cmsha_tap_listener *l);
void cmsha_packet_tap_detach(struct cmsha_packet_tap *t, struct cmsha_tap_listener *l);

/* Read the waiting frames (a bounded number per call) and hand each to every listener. */
void cmsha_packet_tap_on_readable(struct cmsha_packet_tap *t);

/*
 * AF_PACKET sockets this process opened (socket()) and closed (close()),
 * and the filters it attached to them (setsockopt(SO_ATTACH_FILTER), a BPF
 * compilation), since it started: the switch-over's "no socket in the
 * window" is checked against these.
 */
struct cmsha_packet_socket_counts {
	unsigned long opened, closed, filters;
};
void cmsha_packet_socket_counts(struct cmsha_packet_socket_counts *out);

#endif
