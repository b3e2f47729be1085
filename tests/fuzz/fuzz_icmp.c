/*
 * libFuzzer harness for the peer probe's echo reply parser
 * (cmsha_icmp_echo_parse_reply): anyone on the network can send cmshad's raw
 * ICMP socket packets.  Input: one byte choosing the family (even: IPv4,
 * with the IP header; odd: IPv6, from the ICMPv6 header), two bytes of the
 * identifier expected, then the packet.  The parser must read nothing
 * outside it (ASan), and accept only an echo reply with that identifier,
 * whose sequence number it returns.  A request built with the same
 * identifier, turned into a reply, must parse back to its sequence number.
 */
#include "autoconfig.h"
#include "icmp_echo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) fail_check(#cond, __LINE__); } while (0)

static void fail_check(const char *what, int line)
{
	fprintf(stderr, "fuzz_icmp.c:%d: invariant violated: %s\n", line, what);
	abort();
}

static void check_accepted(int family, const uint8_t *pkt, size_t len, uint16_t id,
			   uint16_t seq)
{
	size_t off = family == AF_INET ? (size_t)(pkt[0] & 0x0f) * 4 : 0;
	const uint8_t *icmp = pkt + off;

	CHECK(len >= off + CMSHA_ICMP_ECHO_LEN);
	CHECK(icmp[0] == (family == AF_INET ? 0 : 129) && icmp[1] == 0);
	CHECK((uint16_t)(icmp[4] << 8 | icmp[5]) == id);
	CHECK((uint16_t)(icmp[6] << 8 | icmp[7]) == seq);
}

/* Our own request, answered as a host would: parses back. */
static void check_round_trip(int family, uint16_t id, uint16_t seq)
{
	uint8_t req[CMSHA_ICMP_ECHO_LEN], pkt[20 + CMSHA_ICMP_ECHO_LEN];
	uint16_t got = 0;

	CHECK(cmsha_icmp_echo_build(family, id, seq, req, sizeof(req)) == sizeof(req));
	if (family == AF_INET6) {
		req[0] = 129;
		CHECK(cmsha_icmp_echo_parse_reply(family, req, sizeof(req), id, &got) && got == seq);
		return;
	}
	/* Type 8 -> 0 lowers the first word by 0x0800: one's complement checksum up. */
	uint32_t sum = (uint32_t)(req[2] << 8 | req[3]) + 0x0800;
	sum = (sum & 0xffff) + (sum >> 16);
	req[0] = 0;
	req[2] = (uint8_t)(sum >> 8);
	req[3] = (uint8_t)sum;
	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[9] = 1;
	memcpy(pkt + 20, req, sizeof(req));
	CHECK(cmsha_icmp_echo_parse_reply(family, pkt, sizeof(pkt), id, &got) && got == seq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int family;
	uint16_t id, seq = 0;
	uint8_t *pkt;
	size_t len;

	if (size < 3)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	id = (uint16_t)(data[1] << 8 | data[2]);
	len = size - 3;
	/* An exact-size copy, so that ASan sees any read past the packet. */
	pkt = malloc(len ? len : 1);
	if (!pkt)
		return 0;
	memcpy(pkt, data + 3, len);
	if (cmsha_icmp_echo_parse_reply(family, pkt, len, id, &seq))
		check_accepted(family, pkt, len, id, seq);
	free(pkt);
	check_round_trip(family, id, (uint16_t)(size * 7919u));
	return 0;
}
