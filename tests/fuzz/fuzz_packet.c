/*
 * libFuzzer harness for the ARP / Neighbor Discovery frame parser.  Each
 * input is a frame for cmsha_pkt_parse(); the parser must read nothing
 * outside it (ASan) and its result must be consistent: zeroed on false;
 * on true a valid kind, addresses of the kind's family and Ethernet
 * addresses taken from the frame.  The same bytes also drive the
 * builders: every frame built must parse back to what was put in.
 */
#include "autoconfig.h"
#include "packet.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) fail_check(#cond, __LINE__); } while (0)

static void fail_check(const char *what, int line)
{
	fprintf(stderr, "fuzz_packet.c:%d: invariant violated: %s\n", line, what);
	abort();
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* family set, and nothing past the address' length in the union */
static bool is_family(const struct cmsha_inet *a, int family)
{
	size_t len = family == AF_INET6 ? 16 : 4;

	return a->family == family && all_zero(a->u.bytes + len, sizeof(a->u.bytes) - len);
}

static void check_arp(const uint8_t *frame, size_t len, const struct cmsha_pkt_info *p)
{
	CHECK(len >= CMSHA_PKT_ARP_LEN);
	CHECK(is_family(&p->sender_ip, AF_INET) && is_family(&p->target_ip, AF_INET));
	CHECK(memcmp(p->sender_mac, frame + 22, CMSHA_MAC_LEN) == 0);
	CHECK(memcmp(p->sender_ip.u.bytes, frame + 28, 4) == 0);
	CHECK(memcmp(p->target_ip.u.bytes, frame + 38, 4) == 0);
	CHECK(!p->lla_option && !p->router && !p->solicited && !p->override);
}

static void check_nd(size_t len, const struct cmsha_pkt_info *p)
{
	CHECK(len >= 14 + 40 + 24);
	CHECK(is_family(&p->sender_ip, AF_INET6) && is_family(&p->target_ip, AF_INET6));
	CHECK(p->target_ip.u.bytes[0] != 0xff);                 /* never multicast */
	CHECK(p->lla_option || memcmp(p->sender_mac, p->eth_src, CMSHA_MAC_LEN) == 0);
	if (p->kind == CMSHA_PKT_ND_NS)
		CHECK(!p->router && !p->solicited && !p->override);
}

static void check_parse(const uint8_t *frame, size_t len)
{
	struct cmsha_pkt_info info;

	memset(&info, 0xa5, sizeof(info));      /* the parser must clear it all */
	if (!cmsha_pkt_parse(frame, len, &info)) {
		CHECK(all_zero(&info, sizeof(info)));
		return;
	}
	CHECK(memcmp(info.eth_dst, frame, CMSHA_MAC_LEN) == 0);
	CHECK(memcmp(info.eth_src, frame + 6, CMSHA_MAC_LEN) == 0);
	switch (info.kind) {
	case CMSHA_PKT_ARP_REQUEST:
	case CMSHA_PKT_ARP_REPLY:
		check_arp(frame, len, &info);
		break;
	case CMSHA_PKT_ND_NS:
	case CMSHA_PKT_ND_NA:
		check_nd(len, &info);
		break;
	default:
		CHECK(!"a valid kind");
	}
}

/* What the builders take, read from the front of the input. */
struct build_args {
	uint8_t op, src[CMSHA_MAC_LEN], dst[CMSHA_MAC_LEN], target_mac[CMSHA_MAC_LEN];
	struct in_addr sender, target;
	struct in6_addr target6;
};
#define BUILD_ARGS_LEN (1 + 3 * CMSHA_MAC_LEN + 4 + 4 + 16)

static void read_build_args(const uint8_t *d, struct build_args *a)
{
	a->op = 1 + (d[0] & 1);
	memcpy(a->src, d + 1, CMSHA_MAC_LEN);
	memcpy(a->dst, d + 7, CMSHA_MAC_LEN);
	memcpy(a->target_mac, d + 13, CMSHA_MAC_LEN);
	memcpy(&a->sender, d + 19, 4);
	memcpy(&a->target, d + 23, 4);
	memcpy(&a->target6, d + 27, 16);
}

static void round_trip_arp(const struct build_args *a)
{
	uint8_t frame[CMSHA_PKT_MAX_LEN];
	struct cmsha_pkt_info p;
	size_t n = cmsha_pkt_build_arp(frame, sizeof(frame), a->op, a->src, a->dst, &a->sender,
				       a->target_mac, &a->target);

	CHECK(n == CMSHA_PKT_ARP_LEN);
	CHECK(cmsha_pkt_parse(frame, n, &p));
	CHECK(p.kind == (a->op == CMSHA_ARP_OP_REQUEST ? CMSHA_PKT_ARP_REQUEST : CMSHA_PKT_ARP_REPLY));
	CHECK(memcmp(p.eth_src, a->src, CMSHA_MAC_LEN) == 0);
	CHECK(memcmp(p.eth_dst, a->dst, CMSHA_MAC_LEN) == 0);
	CHECK(memcmp(p.sender_mac, a->src, CMSHA_MAC_LEN) == 0);
	CHECK(memcmp(&p.sender_ip.u.v4, &a->sender, 4) == 0);
	CHECK(memcmp(&p.target_ip.u.v4, &a->target, 4) == 0);
	CHECK(cmsha_pkt_build_arp(frame, CMSHA_PKT_ARP_LEN - 1, a->op, a->src, a->dst, &a->sender,
				  a->target_mac, &a->target) == 0);
}

/* An NA or NS for a multicast target is refused by the parser (RFC 4861). */
static void round_trip_nd(const struct build_args *a)
{
	uint8_t frame[CMSHA_PKT_MAX_LEN];
	struct cmsha_pkt_info p;
	bool multicast = a->target6.s6_addr[0] == 0xff;
	size_t n = cmsha_pkt_build_na(frame, sizeof(frame), a->src, &a->target6);

	CHECK(n == CMSHA_PKT_NA_LEN);
	CHECK(cmsha_pkt_parse(frame, n, &p) == !multicast);
	if (!multicast) {
		CHECK(p.kind == CMSHA_PKT_ND_NA && p.override && !p.solicited && !p.router);
		CHECK(p.lla_option && memcmp(p.sender_mac, a->src, CMSHA_MAC_LEN) == 0);
		CHECK(memcmp(&p.target_ip.u.v6, &a->target6, 16) == 0);
		CHECK(memcmp(&p.sender_ip.u.v6, &a->target6, 16) == 0);
	}
	n = cmsha_pkt_build_ns_probe(frame, sizeof(frame), a->src, &a->target6);
	CHECK(n == CMSHA_PKT_NS_PROBE_LEN);
	CHECK(cmsha_pkt_parse(frame, n, &p) == !multicast);
	if (!multicast) {
		CHECK(p.kind == CMSHA_PKT_ND_NS && !p.lla_option);
		CHECK(memcmp(p.sender_mac, a->src, CMSHA_MAC_LEN) == 0);
		CHECK(memcmp(&p.target_ip.u.v6, &a->target6, 16) == 0);
		CHECK(all_zero(&p.sender_ip.u.v6, 16));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct build_args args;

	/* libFuzzer hands over a buffer of exactly size bytes: ASan sees any overread. */
	check_parse(size ? data : NULL, size);
	if (size >= BUILD_ARGS_LEN) {
		read_build_args(data, &args);
		round_trip_arp(&args);
		round_trip_nd(&args);
	}
	return 0;
}
