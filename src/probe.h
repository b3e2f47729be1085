/*
 * "Does anyone hold this address?", asked before taking aliases over: ARP
 * probes (RFC 5227 2.1.1, sender IP 0.0.0.0) and DAD-style Neighbor
 * Solicitations (RFC 4862 5.4.2, from ::), which a holder answers without
 * learning anything about us.  Non-blocking: the agent's event loop watches
 * cmsha_probe_fd(), calls cmsha_probe_on_readable() when it is readable and
 * cmsha_probe_send_round() from its timer; nothing here waits.
 */
#ifndef CMSHA_PROBE_H
#define CMSHA_PROBE_H

#include "config.h"
#include "packet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Distinct answering MACs kept per alias; later ones are dropped (still "in use"). */
#define CMSHA_PROBE_MAX_MACS 8

struct cmsha_probe;

/*
 * Listen on the network namespace's kept packet socket (packet_tap.h: no
 * socket is opened or closed when the namespace's tap is held) for all
 * aliases and send the first round.  The
 * aliases are copied.  NULL with a reason in err when a socket cannot be
 * opened, an alias' interface is missing, not Ethernet or not ready to
 * send (down, no carrier: see cmsha_link_ready), or a send fails.
 */
struct cmsha_probe *cmsha_probe_start(const struct cmsha_alias_conf *aliases, size_t n,
				      char *err, size_t errlen);

/*
 * The same socket, filter and bookkeeping as cmsha_probe_start, but nothing
 * is sent: only listen.  For watching aliases we hold, where another
 * station's claim shows up in cmsha_probe_answers().  The links need not
 * be ready.  NULL with a reason in err, as cmsha_probe_start.
 */
struct cmsha_probe *cmsha_probe_listen(const struct cmsha_alias_conf *aliases, size_t n,
				       char *err, size_t errlen);

/*
 * Send one more probe per alias; false with the first error (the rest are
 * still sent).  A link that is not ready is an error: a probe it would drop
 * silently would pass for "nobody answered".
 */
bool cmsha_probe_send_round(struct cmsha_probe *p, char *err, size_t errlen);

/*
 * Readable when frames are waiting: then call cmsha_probe_on_readable().
 * The fd is the namespace's shared packet socket: an event loop that holds
 * the tap watches it once (cmsha_packet_tap_on_readable) instead.
 */
int cmsha_probe_fd(const struct cmsha_probe *p);

/* Call fn(arg) after each read of the shared socket that delivered frames. */
void cmsha_probe_on_frames(struct cmsha_probe *p, void (*fn)(void *arg), void *arg);

/*
 * Take the waiting frames (a bounded number per call: the fd stays readable
 * if more wait), hand them to every listener of the socket, and record who
 * answered.  For an alias, on its interface:
 * an ARP reply or request whose sender IP is the alias, an NA whose target
 * is the alias, or an NS whose source is the alias, is an answer from the
 * hardware address claimed in it.  An ARP probe (sender 0.0.0.0) or a DAD
 * NS (source ::) for the alias from another host is a rival probe instead
 * (cmsha_probe_contended).  Frames from our own MACs are ignored.
 */
void cmsha_probe_on_readable(struct cmsha_probe *p);

/*
 * The distinct MACs seen answering for aliases[alias_index], in the order
 * first seen: copies up to max of them to macs and returns how many it
 * copied.  With max >= CMSHA_PROBE_MAX_MACS nothing kept is left out.
 */
size_t cmsha_probe_answers(const struct cmsha_probe *p, size_t alias_index,
			   uint8_t (*macs)[CMSHA_MAC_LEN], size_t max);

/*
 * Another host probed for aliases[alias_index] while we did: it is about to
 * take the address (RFC 5227 2.1.1, RFC 4862 5.4.3), so neither of us
 * should, although nobody holds it yet.
 */
bool cmsha_probe_contended(const struct cmsha_probe *p, size_t alias_index);

/* Answered or contended: the alias must not be taken over. */
bool cmsha_probe_in_use(const struct cmsha_probe *p, size_t alias_index);

void cmsha_probe_free(struct cmsha_probe *p);

#endif
