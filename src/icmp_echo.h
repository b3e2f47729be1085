/*
 * ICMP echo (ICMPv6 echo for an IPv6 address) to one address, over a raw
 * socket (CAP_NET_RAW): the "is the peer's host up?" half of the peer probe.
 * Non-blocking: the agent's event loop watches cmsha_icmp_echo_fd() and
 * calls cmsha_icmp_echo_on_readable(); nothing here waits.
 *
 * Replies are told apart by the source address, the identifier (chosen at
 * open), a tag in the payload and the sequence number (the caller's); an
 * ICMP filter on the socket lets only echo replies through.
 */
#ifndef CMSHA_ICMP_ECHO_H
#define CMSHA_ICMP_ECHO_H

#include "inet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmsha_icmp_echo;

/* NULL with a reason in err (e.g. no CAP_NET_RAW) when the socket cannot be opened. */
struct cmsha_icmp_echo *cmsha_icmp_echo_open(const struct cmsha_inet *target, uint16_t id,
					     char *err, size_t errlen);

/* Send one echo request with this sequence number; false with a reason in err. */
bool cmsha_icmp_echo_send(struct cmsha_icmp_echo *e, uint16_t seq, char *err, size_t errlen);

/* Readable when packets are waiting: then call cmsha_icmp_echo_on_readable(). */
int cmsha_icmp_echo_fd(const struct cmsha_icmp_echo *e);

/*
 * Take the waiting packets (a bounded number per call) and call
 * reply(arg, seq) for each echo reply from the target with our identifier;
 * anything else is dropped.
 */
void cmsha_icmp_echo_on_readable(struct cmsha_icmp_echo *e,
				 void (*reply)(void *arg, uint16_t seq), void *arg);

void cmsha_icmp_echo_close(struct cmsha_icmp_echo *e);

/* An echo request as sent: 8 bytes of header and an 8-byte tag. */
#define CMSHA_ICMP_ECHO_LEN 16

/*
 * The packet formats, apart from the socket.  build writes an echo request
 * (for AF_INET with its checksum; for AF_INET6 the kernel fills it in) and
 * returns its length, 0 when len is too short.  parse_reply takes what a
 * raw socket of that family receives (IPv4: with the IP header; IPv6:
 * from the ICMPv6 header on) and is true for a well-formed echo reply with
 * identifier id, whose sequence number it stores in seq.
 */
size_t cmsha_icmp_echo_build(int family, uint16_t id, uint16_t seq, uint8_t *buf, size_t len);
bool cmsha_icmp_echo_parse_reply(int family, const uint8_t *pkt, size_t len, uint16_t id,
				 uint16_t *seq);

#endif
