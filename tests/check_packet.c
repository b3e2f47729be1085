/*
 * Frame building and parsing, without a kernel: round trips for each kind,
 * a Neighbor Advertisement written out byte by byte, checksums, and frames
 * that are short, padded or malformed.  Frames handed to the parser live in
 * heap blocks of exactly their length, so an overread shows under
 * valgrind or ASan.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "packet.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];

/* An unsolicited NA for fd00::10 from 52:54:00:12:34:56, written out by hand. */
static const uint8_t known_na[CMSHA_PKT_NA_LEN] = {
	/* Ethernet: to 33:33:00:00:00:01 (all nodes), from us, IPv6 */
	0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x86, 0xdd,
	/* IPv6: version 6, payload 32, next header ICMPv6, hop limit 255 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
	0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,        /* from fd00::10 */
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,        /* to ff02::1 */
	/* ICMPv6: NA, code 0, checksum 0xd5c1 (computed separately), flags O */
	0x88, 0x00, 0xd5, 0xc1, 0x20, 0x00, 0x00, 0x00,
	0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,        /* target */
	/* option: target link-layer address, 1 x 8 bytes */
	0x02, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
};

static struct in_addr v4(const char *text)
{
	struct in_addr a;
	ck_assert_int_eq(inet_pton(AF_INET, text, &a), 1);
	return a;
}

static struct in6_addr v6(const char *text)
{
	struct in6_addr a;
	ck_assert_int_eq(inet_pton(AF_INET6, text, &a), 1);
	return a;
}

/* Parse a heap copy of exactly len bytes, so reading past the end is caught. */
static bool parse_exact(const uint8_t *frame, size_t len, struct cmsha_pkt_info *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	bool ok;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, frame, len);
	ok = cmsha_pkt_parse(copy, len, out);
	free(copy);
	return ok;
}

/* RFC 1071 over an explicit pseudo-header, independent of the code under test. */
static uint16_t reference_checksum(const uint8_t *frame)
{
	size_t msg_len = (size_t)frame[18] << 8 | frame[19];
	uint8_t buf[40 + 2048] = { 0 };
	uint32_t sum = 0;

	ck_assert_uint_le(msg_len, 2048);
	memcpy(buf, frame + 22, 32);                    /* source, destination */
	buf[34] = (uint8_t)(msg_len >> 8);
	buf[35] = (uint8_t)msg_len;
	buf[39] = 58;
	memcpy(buf + 40, frame + 54, msg_len);
	buf[40 + 2] = buf[40 + 3] = 0;                  /* the checksum field itself */
	for (size_t i = 0; i < 40 + msg_len; i += 2)
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void fix_checksum(uint8_t *frame)
{
	uint16_t c = reference_checksum(frame);
	frame[56] = (uint8_t)(c >> 8);
	frame[57] = (uint8_t)c;
}

static size_t build_na(uint8_t *buf, const char *target)
{
	struct in6_addr t = v6(target);
	return cmsha_pkt_build_na(buf, CMSHA_PKT_MAX_LEN, our_mac, &t);
}

static size_t build_ns(uint8_t *buf, const char *target)
{
	struct in6_addr t = v6(target);
	return cmsha_pkt_build_ns_probe(buf, CMSHA_PKT_MAX_LEN, our_mac, &t);
}

static void assert_inet(const struct cmsha_inet *a, const char *text)
{
	char buf[CMSHA_INET_STRLEN];
	ck_assert_str_eq(cmsha_inet_ntop(a, buf, sizeof(buf)), text);
}

START_TEST(arp_announcement_round_trip)
{
	uint8_t f[64];
	struct in_addr ip = v4("10.1.2.3");
	struct cmsha_pkt_info pi;
	size_t len = cmsha_pkt_build_arp(f, sizeof(f), CMSHA_ARP_OP_REQUEST, our_mac, broadcast,
					 &ip, zero_mac, &ip);

	ck_assert_uint_eq(len, CMSHA_PKT_ARP_LEN);
	ck_assert(parse_exact(f, len, &pi));
	ck_assert_int_eq(pi.kind, CMSHA_PKT_ARP_REQUEST);
	ck_assert_mem_eq(pi.eth_src, our_mac, 6);
	ck_assert_mem_eq(pi.eth_dst, broadcast, 6);
	ck_assert_mem_eq(pi.sender_mac, our_mac, 6);
	assert_inet(&pi.sender_ip, "10.1.2.3");
	assert_inet(&pi.target_ip, "10.1.2.3");
	ck_assert_mem_eq(f + 32, zero_mac, 6);          /* ARP target hardware address */
	ck_assert_mem_eq(f + 12, "\x08\x06", 2);
	ck_assert_mem_eq(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
}
END_TEST

START_TEST(arp_probe_and_reply_round_trip)
{
	uint8_t f[64];
	struct in_addr any = { 0 }, ip = v4("192.168.7.9"), peer = v4("192.168.7.1");
	static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0, 7 };
	struct cmsha_pkt_info pi;
	size_t len = cmsha_pkt_build_arp(f, sizeof(f), CMSHA_ARP_OP_REQUEST, our_mac, broadcast,
					 &any, zero_mac, &ip);

	ck_assert(parse_exact(f, len, &pi));
	assert_inet(&pi.sender_ip, "0.0.0.0");
	assert_inet(&pi.target_ip, "192.168.7.9");
	len = cmsha_pkt_build_arp(f, sizeof(f), CMSHA_ARP_OP_REPLY, peer_mac, our_mac, &ip,
				  our_mac, &peer);
	ck_assert(parse_exact(f, len, &pi));
	ck_assert_int_eq(pi.kind, CMSHA_PKT_ARP_REPLY);
	ck_assert_mem_eq(pi.sender_mac, peer_mac, 6);
	ck_assert_mem_eq(pi.eth_dst, our_mac, 6);
	assert_inet(&pi.sender_ip, "192.168.7.9");
	assert_inet(&pi.target_ip, "192.168.7.1");
}
END_TEST

START_TEST(arp_padding_accepted_other_arp_rejected)
{
	uint8_t f[60] = { 0 };
	struct in_addr ip = v4("10.1.2.3");
	struct cmsha_pkt_info pi;
	size_t len = cmsha_pkt_build_arp(f, sizeof(f), CMSHA_ARP_OP_REQUEST, our_mac, broadcast,
					 &ip, zero_mac, &ip);

	ck_assert(parse_exact(f, sizeof(f), &pi));      /* padded to Ethernet's minimum */
	f[21] = 3;                                      /* RARP request */
	ck_assert(!parse_exact(f, len, &pi));
	f[21] = 1;
	f[15] = 6;                                      /* hardware type IEEE 802 */
	ck_assert(!parse_exact(f, len, &pi));
	f[15] = 1;
	f[18] = 8;                                      /* hardware address length */
	ck_assert(!parse_exact(f, len, &pi));
	ck_assert_int_eq(pi.kind, 0);                   /* out is zeroed on failure */
}
END_TEST

START_TEST(na_round_trip)
{
	uint8_t f[CMSHA_PKT_MAX_LEN];
	static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
	struct cmsha_pkt_info pi;
	size_t len = build_na(f, "2001:db8::42");

	ck_assert_uint_eq(len, CMSHA_PKT_NA_LEN);
	ck_assert(parse_exact(f, len, &pi));
	ck_assert_int_eq(pi.kind, CMSHA_PKT_ND_NA);
	ck_assert(pi.override && !pi.solicited && !pi.router);
	ck_assert(pi.lla_option);
	ck_assert_mem_eq(pi.sender_mac, our_mac, 6);
	ck_assert_mem_eq(pi.eth_src, our_mac, 6);
	ck_assert_mem_eq(pi.eth_dst, "\x33\x33\x00\x00\x00\x01", 6);
	assert_inet(&pi.sender_ip, "2001:db8::42");
	assert_inet(&pi.target_ip, "2001:db8::42");
	ck_assert_uint_eq(f[21], 255);                  /* hop limit */
	ck_assert_mem_eq(f + 38, all_nodes, 16);
}
END_TEST

START_TEST(na_matches_hand_written_bytes)
{
	uint8_t f[CMSHA_PKT_MAX_LEN];
	struct cmsha_pkt_info pi;
	size_t len = build_na(f, "fd00::10");

	ck_assert_uint_eq(len, sizeof(known_na));
	ck_assert_mem_eq(f, known_na, sizeof(known_na));
	ck_assert_uint_eq(reference_checksum(known_na), 0xd5c1);
	ck_assert(parse_exact(known_na, sizeof(known_na), &pi));
	ck_assert_int_eq(pi.kind, CMSHA_PKT_ND_NA);
	assert_inet(&pi.target_ip, "fd00::10");
}
END_TEST

START_TEST(ns_probe_round_trip)
{
	uint8_t f[CMSHA_PKT_MAX_LEN];
	struct in6_addr t = v6("2001:db8::1:2:a3b4:c5d6"), group;
	uint8_t group_mac[6];
	struct cmsha_pkt_info pi;
	size_t len = build_ns(f, "2001:db8::1:2:a3b4:c5d6");

	cmsha_pkt_solicited_node(&t, &group, group_mac);
	ck_assert_mem_eq(group.s6_addr, v6("ff02::1:ffb4:c5d6").s6_addr, 16);
	ck_assert_mem_eq(group_mac, "\x33\x33\xff\xb4\xc5\xd6", 6);
	ck_assert_uint_eq(len, CMSHA_PKT_NS_PROBE_LEN);
	ck_assert(parse_exact(f, len, &pi));
	ck_assert_int_eq(pi.kind, CMSHA_PKT_ND_NS);
	ck_assert(!pi.lla_option && !pi.override);
	ck_assert_mem_eq(pi.sender_mac, our_mac, 6);    /* from the Ethernet header */
	ck_assert_mem_eq(pi.eth_dst, group_mac, 6);
	ck_assert_mem_eq(f + 38, group.s6_addr, 16);
	assert_inet(&pi.sender_ip, "::");
	assert_inet(&pi.target_ip, "2001:db8::1:2:a3b4:c5d6");
	ck_assert_uint_eq(f[21], 255);
}
END_TEST

START_TEST(checksums_match_reference_and_are_verified)
{
	uint8_t f[CMSHA_PKT_MAX_LEN];
	struct cmsha_pkt_info pi;
	size_t (*build[])(uint8_t *, const char *) = { build_na, build_ns };

	for (size_t b = 0; b < 2; b++) {
		size_t len = build[b](f, "fe80::1ff:fe23:4567:890a");
		ck_assert_uint_eq((unsigned)(f[56] << 8 | f[57]), reference_checksum(f));
		/* Every byte of addresses and message is covered by the checksum. */
		for (size_t i = 22; i < len; i++) {
			f[i] ^= 0x10;
			ck_assert_msg(!parse_exact(f, len, &pi), "byte %zu flipped, still parsed", i);
			f[i] ^= 0x10;
		}
		ck_assert(parse_exact(f, len, &pi));
	}
}
END_TEST

START_TEST(truncated_frames_rejected)
{
	uint8_t frames[5][CMSHA_PKT_MAX_LEN];
	size_t lens[5];
	struct in_addr ip = v4("10.9.8.7"), any = { 0 };
	struct cmsha_pkt_info pi;

	lens[0] = cmsha_pkt_build_arp(frames[0], CMSHA_PKT_MAX_LEN, CMSHA_ARP_OP_REQUEST, our_mac,
				      broadcast, &ip, zero_mac, &ip);
	lens[1] = cmsha_pkt_build_arp(frames[1], CMSHA_PKT_MAX_LEN, CMSHA_ARP_OP_REPLY, our_mac,
				      our_mac, &ip, our_mac, &any);
	lens[2] = build_na(frames[2], "fd00::10");
	lens[3] = build_ns(frames[3], "fd00::10");
	memcpy(frames[4], known_na, sizeof(known_na));
	lens[4] = sizeof(known_na);
	for (size_t k = 0; k < 5; k++) {
		ck_assert(parse_exact(frames[k], lens[k], &pi));
		for (size_t len = 0; len < lens[k]; len++)
			ck_assert_msg(!parse_exact(frames[k], len, &pi), "frame %zu cut to %zu parsed",
				      k, len);
	}
	ck_assert(!cmsha_pkt_parse(NULL, 0, &pi));
}
END_TEST

START_TEST(builders_refuse_small_buffers)
{
	uint8_t f[CMSHA_PKT_MAX_LEN];
	struct in_addr ip = v4("10.9.8.7");
	struct in6_addr t = v6("fd00::10");

	ck_assert_uint_eq(cmsha_pkt_build_arp(f, CMSHA_PKT_ARP_LEN - 1, CMSHA_ARP_OP_REQUEST,
					      our_mac, broadcast, &ip, zero_mac, &ip), 0);
	ck_assert_uint_eq(cmsha_pkt_build_na(f, CMSHA_PKT_NA_LEN - 1, our_mac, &t), 0);
	ck_assert_uint_eq(cmsha_pkt_build_ns_probe(f, CMSHA_PKT_NS_PROBE_LEN - 1, our_mac, &t), 0);
}
END_TEST

START_TEST(wrong_hop_limit_rejected)
{
	uint8_t f[CMSHA_PKT_MAX_LEN];
	struct cmsha_pkt_info pi;
	size_t len = build_na(f, "fd00::10");

	/* The hop limit is not in the checksum: only the hop limit check can catch this. */
	f[21] = 254;
	ck_assert(!parse_exact(f, len, &pi));
	len = build_ns(f, "fd00::10");
	f[21] = 1;
	ck_assert(!parse_exact(f, len, &pi));
	f[21] = 255;
	ck_assert(parse_exact(f, len, &pi));
}
END_TEST

START_TEST(na_without_option_uses_ethernet_source)
{
	uint8_t f[CMSHA_PKT_MAX_LEN];
	struct cmsha_pkt_info pi;
	size_t len = build_na(f, "fd00::10");

	f[19] = 24;                                     /* drop the TLLA option */
	fix_checksum(f);
	ck_assert(parse_exact(f, len - 8, &pi));
	ck_assert(!pi.lla_option);
	ck_assert_mem_eq(pi.sender_mac, our_mac, 6);
	/* The 8 bytes left beyond the payload length are padding, not options. */
	ck_assert(parse_exact(f, len, &pi));
	ck_assert(!pi.lla_option);
}
END_TEST

START_TEST(na_option_mac_differs_from_ethernet_source)
{
	uint8_t f[CMSHA_PKT_MAX_LEN];
	struct cmsha_pkt_info pi;
	size_t len = build_na(f, "fd00::10");

	f[6 + 5] = 0x99;                                /* a proxy's Ethernet source */
	ck_assert(parse_exact(f, len, &pi));
	ck_assert_mem_eq(pi.sender_mac, our_mac, 6);
	ck_assert_uint_eq(pi.eth_src[5], 0x99);
}
END_TEST

START_TEST(malformed_options_rejected)
{
	uint8_t f[CMSHA_PKT_MAX_LEN];
	struct cmsha_pkt_info pi;
	size_t len = build_na(f, "fd00::10");

	f[79] = 0;                                      /* option length 0 */
	fix_checksum(f);
	ck_assert(!parse_exact(f, len, &pi));
	f[79] = 2;                                      /* 16 bytes, only 8 there */
	fix_checksum(f);
	ck_assert(!parse_exact(f, len, &pi));
	f[79] = 1;
	f[19] = 25;                                     /* a 1-byte option tail */
	fix_checksum(f);
	ck_assert(!parse_exact(f, len, &pi));
}
END_TEST

START_TEST(nd_validity_rules)
{
	uint8_t f[CMSHA_PKT_MAX_LEN + 8];
	struct cmsha_pkt_info pi;
	size_t len = build_na(f, "fd00::10");

	f[58] |= 0x40;                                  /* solicited, yet to ff02::1 */
	fix_checksum(f);
	ck_assert(!parse_exact(f, len, &pi));
	len = build_na(f, "ff02::10");                  /* multicast target */
	ck_assert(!parse_exact(f, len, &pi));
	len = build_na(f, "fd00::10");
	f[55] = 1;                                      /* code */
	fix_checksum(f);
	ck_assert(!parse_exact(f, len, &pi));
	len = build_na(f, "fd00::10");
	f[20] = 0;                                      /* a hop-by-hop header first */
	ck_assert(!parse_exact(f, len, &pi));
	len = build_na(f, "fd00::10");
	f[54] = 134;                                    /* router advertisement */
	fix_checksum(f);
	ck_assert(!parse_exact(f, len, &pi));
}
END_TEST

START_TEST(dad_ns_rules)
{
	uint8_t f[CMSHA_PKT_MAX_LEN + 8];
	struct cmsha_pkt_info pi;
	size_t len = build_ns(f, "fd00::10");

	f[53] = 0x11;                                   /* to ff02::1:ff00:11, not the target's */
	fix_checksum(f);
	ck_assert(parse_exact(f, len, &pi));            /* still a solicited-node group */
	f[38] = 0xfd;                                   /* unicast: not DAD-like */
	fix_checksum(f);
	ck_assert(!parse_exact(f, len, &pi));
	len = build_ns(f, "fd00::10");
	/* A source link-layer option is forbidden from :: (RFC 4861 7.1.1). */
	f[19] = 32;
	memcpy(f + 78, "\x01\x01", 2);
	memcpy(f + 80, our_mac, 6);
	fix_checksum(f);
	ck_assert(!parse_exact(f, len + 8, &pi));
	f[22] = 0xfd;                                   /* from fd00::, it is allowed */
	fix_checksum(f);
	ck_assert(parse_exact(f, len + 8, &pi));
	ck_assert(pi.lla_option);
}
END_TEST

START_TEST(other_frames_rejected)
{
	uint8_t f[CMSHA_PKT_MAX_LEN];
	struct cmsha_pkt_info pi;
	size_t len = build_na(f, "fd00::10");

	memcpy(f + 12, "\x08\x00", 2);                  /* IPv4 */
	ck_assert(!parse_exact(f, len, &pi));
	memcpy(f + 12, "\x81\x00", 2);                  /* VLAN tagged */
	ck_assert(!parse_exact(f, len, &pi));
	len = build_na(f, "fd00::10");
	f[14] = 0x40;                                   /* IP version 4 in an IPv6 frame */
	ck_assert(!parse_exact(f, len, &pi));
	len = build_na(f, "fd00::10");
	f[18] = 0xff;                                   /* payload longer than the frame */
	ck_assert(!parse_exact(f, len, &pi));
}
END_TEST

/* Random mutations of valid frames: any verdict is fine, a bad read is not. */
START_TEST(mutated_frames_are_read_safely)
{
	uint8_t base[4][CMSHA_PKT_MAX_LEN], f[CMSHA_PKT_MAX_LEN + 16];
	struct in_addr ip = v4("10.9.8.7");
	struct cmsha_pkt_info pi;
	size_t lens[4];
	unsigned seed = 12345;

	lens[0] = cmsha_pkt_build_arp(base[0], CMSHA_PKT_MAX_LEN, CMSHA_ARP_OP_REQUEST, our_mac,
				      broadcast, &ip, zero_mac, &ip);
	lens[1] = build_na(base[1], "fd00::10");
	lens[2] = build_ns(base[2], "fd00::10");
	memcpy(base[3], known_na, sizeof(known_na));
	lens[3] = sizeof(known_na);
	for (int i = 0; i < 20000; i++) {
		size_t k = (size_t)rand_r(&seed) % 4, len = lens[k] + (size_t)rand_r(&seed) % 16;
		memset(f, 0, sizeof(f));
		memcpy(f, base[k], lens[k]);
		for (int m = rand_r(&seed) % 4; m >= 0; m--)
			f[(size_t)rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
		/* A right checksum half the time, to get past it into the options. */
		if (rand_r(&seed) % 2 && 54 + ((size_t)f[18] << 8 | f[19]) <= sizeof(f))
			fix_checksum(f);
		if (rand_r(&seed) % 4 == 0)
			len = (size_t)rand_r(&seed) % (len + 1);
		(void)parse_exact(f, len, &pi);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("packet");
	TCase *tc = tcase_create("frames");
	tcase_add_test(tc, arp_announcement_round_trip);
	tcase_add_test(tc, arp_probe_and_reply_round_trip);
	tcase_add_test(tc, arp_padding_accepted_other_arp_rejected);
	tcase_add_test(tc, na_round_trip);
	tcase_add_test(tc, na_matches_hand_written_bytes);
	tcase_add_test(tc, ns_probe_round_trip);
	tcase_add_test(tc, checksums_match_reference_and_are_verified);
	tcase_add_test(tc, truncated_frames_rejected);
	tcase_add_test(tc, builders_refuse_small_buffers);
	tcase_add_test(tc, wrong_hop_limit_rejected);
	tcase_add_test(tc, na_without_option_uses_ethernet_source);
	tcase_add_test(tc, na_option_mac_differs_from_ethernet_source);
	tcase_add_test(tc, malformed_options_rejected);
	tcase_add_test(tc, nd_validity_rules);
	tcase_add_test(tc, dad_ns_rules);
	tcase_add_test(tc, other_frames_rejected);
	tcase_add_test(tc, mutated_frames_are_read_safely);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
