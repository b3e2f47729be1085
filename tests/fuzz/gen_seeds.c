/*
 * Writes the binary seeds of the fuzz corpora (make fuzz-seeds):
 *   DIR/packet/     frames from the builders in src/packet.h, and a few
 *                   NDP messages they do not build (solicited NA, NS with
 *                   a source link-layer option), with correct checksums;
 *   DIR/set_value/  typed values (type byte, then the value in host byte
 *                   order) and SET PDUs encoded by net-snmp;
 *   DIR/history/    history files written by src/history.c.
 * Usage: gen_seeds DIR (the three subdirectories must exist).
 */
#include "autoconfig.h"
#include "history.h"
#include "packet.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *out_dir;

static void write_seed(const char *sub, const char *name, const void *data, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, sub, name);
	if (!(f = fopen(path, "wb")) || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- packet ------------------------------------------------------------- */

static const uint8_t mac_a[CMSHA_MAC_LEN] = { 0x02, 0x00, 0x00, 0x77, 0x00, 0x0a };
static const uint8_t mac_b[CMSHA_MAC_LEN] = { 0x02, 0x00, 0x00, 0x77, 0x00, 0x0b };
static const uint8_t broadcast[CMSHA_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[CMSHA_MAC_LEN];

static struct in_addr v4(const char *text)
{
	struct in_addr a;

	inet_pton(AF_INET, text, &a);
	return a;
}

static struct in6_addr v6(const char *text)
{
	struct in6_addr a;

	inet_pton(AF_INET6, text, &a);
	return a;
}

static void arp_seeds(void)
{
	uint8_t f[64] = { 0 };
	struct in_addr alias = v4("192.0.2.10"), peer = v4("192.0.2.12"), any = v4("0.0.0.0");
	size_t n;

	n = cmsha_pkt_build_arp(f, sizeof(f), CMSHA_ARP_OP_REQUEST, mac_a, broadcast, &alias,
				zero_mac, &alias);
	write_seed("packet", "arp-announce", f, n);
	write_seed("packet", "arp-announce-padded", f, 60);     /* as drivers send it */
	n = cmsha_pkt_build_arp(f, sizeof(f), CMSHA_ARP_OP_REQUEST, mac_a, broadcast, &any,
				zero_mac, &alias);
	write_seed("packet", "arp-probe", f, n);
	n = cmsha_pkt_build_arp(f, sizeof(f), CMSHA_ARP_OP_REPLY, mac_b, mac_a, &alias, mac_a,
				&peer);
	write_seed("packet", "arp-reply", f, n);
	write_seed("packet", "arp-truncated", f, n - 1);
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

/* Fill in the ICMPv6 checksum of the ND message after the IPv6 header at ip6. */
static void nd_checksum(uint8_t *ip6)
{
	size_t len = (size_t)(ip6[4] << 8 | ip6[5]);
	uint8_t *msg = ip6 + 40;
	uint32_t sum = sum16(0, ip6 + 8, 32) + (uint32_t)len + 58;

	msg[2] = msg[3] = 0;
	sum = sum16(sum, msg, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	msg[2] = (uint8_t)(~sum >> 8);
	msg[3] = (uint8_t)~sum;
}

/* An ND message from src to dst with one link-layer address option. */
static size_t nd_frame(uint8_t *f, uint8_t type, uint8_t flags, const char *src,
		       const char *dst, const uint8_t eth_dst[CMSHA_MAC_LEN], uint8_t opt)
{
	struct in6_addr s = v6(src), d = v6(dst), target = v6("2001:db8:77::10");
	uint8_t *ip6 = f + 14, *msg = ip6 + 40;

	memset(f, 0, 14 + 40 + 32);
	memcpy(f, eth_dst, CMSHA_MAC_LEN);
	memcpy(f + 6, mac_b, CMSHA_MAC_LEN);
	f[12] = 0x86, f[13] = 0xdd;
	ip6[0] = 0x60, ip6[5] = 32, ip6[6] = 58, ip6[7] = 255;
	memcpy(ip6 + 8, &s, 16);
	memcpy(ip6 + 24, &d, 16);
	msg[0] = type, msg[4] = flags;
	memcpy(msg + 8, &target, 16);
	msg[24] = opt, msg[25] = 1;
	memcpy(msg + 26, mac_b, CMSHA_MAC_LEN);
	nd_checksum(ip6);
	return 14 + 40 + 32;
}

static void nd_seeds(void)
{
	uint8_t f[128] = { 0 };
	struct in6_addr alias = v6("2001:db8:77::10");
	size_t n;

	n = cmsha_pkt_build_na(f, sizeof(f), mac_a, &alias);
	write_seed("packet", "na-unsolicited", f, n);
	n = cmsha_pkt_build_ns_probe(f, sizeof(f), mac_a, &alias);
	write_seed("packet", "ns-dad-probe", f, n);
	/* The holder's answer to a DAD probe, and a solicited unicast answer. */
	n = nd_frame(f, 136, 0x20, "2001:db8:77::10", "ff02::1", (const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 1 }, 2);
	write_seed("packet", "na-dad-answer", f, n);
	n = nd_frame(f, 136, 0x60, "2001:db8:77::10", "2001:db8:77::11", mac_a, 2);
	write_seed("packet", "na-solicited", f, n);
	n = nd_frame(f, 135, 0, "2001:db8:77::12", "ff02::1:ff00:10",
		     (const uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 0x10 }, 1);
	write_seed("packet", "ns-with-slla", f, n);
}

/* ---- set_value ---------------------------------------------------------- */

static void typed_seed(const char *name, uint8_t type, const void *value, size_t len)
{
	uint8_t buf[64];

	buf[0] = type;
	memcpy(buf + 1, value, len);
	write_seed("set_value", name, buf, len + 1);
}

static void typed_value_seeds(void)
{
	static const char *const names[] = { "int-takeover", "int-release", "int-forceTakeover",
					     "int-switchAway", "int-test" };
	long v;
	int i32 = 4;
	unsigned long u = 3;
	static const oid some_oid[] = { 1, 3, 6, 1, 2, 1, 1, 1, 0 };

	for (v = 2; v <= 6; v++)
		typed_seed(names[v - 2], ASN_INTEGER, &v, sizeof(v));
	v = 1, typed_seed("int-noCommand", ASN_INTEGER, &v, sizeof(v));
	v = 7, typed_seed("int-7", ASN_INTEGER, &v, sizeof(v));
	v = -1, typed_seed("int-minus-1", ASN_INTEGER, &v, sizeof(v));
	v = 0x100000002L, typed_seed("int-wide-2", ASN_INTEGER, &v, sizeof(v));
	typed_seed("int-4-bytes", ASN_INTEGER, &i32, sizeof(i32));
	typed_seed("gauge-3", ASN_GAUGE, &u, sizeof(u));
	typed_seed("timeticks-3", ASN_TIMETICKS, &u, sizeof(u));
	typed_seed("counter-3", ASN_COUNTER, &u, sizeof(u));
	typed_seed("octets-takeover", ASN_OCTET_STR, "takeover", 8);
	typed_seed("null", ASN_NULL, "", 0);
	typed_seed("oid", ASN_OBJECT_ID, some_oid, sizeof(some_oid));
	typed_seed("ipaddress", ASN_IPADDRESS, "\xc0\x00\x02\x0a", 4);
}

/* The PDU part of a SET (what snmp_pdu_parse reads): tag 0xa3 onwards. */
static void pdu_seed(const char *name, int command, const int *values, size_t n, u_char type)
{
	static const oid command_oid[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 77, 1, 4, 1, 0 };
	static const oid spin_lock_oid[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 77, 1, 4, 6, 0 };
	netsnmp_pdu *pdu = snmp_pdu_create(command);
	u_char buf[512], *end;
	size_t room = sizeof(buf);

	pdu->version = SNMP_VERSION_2c;
	pdu->reqid = 0x1234;
	pdu->errstat = 0;
	pdu->errindex = 0;
	for (size_t i = 0; i < n; i++) {
		long v = values[i];
		const oid *name_oid = i + 1 < n ? spin_lock_oid : command_oid;
		if (type == ASN_INTEGER)
			snmp_pdu_add_variable(pdu, name_oid, OID_LENGTH(command_oid), type, &v, sizeof(v));
		else
			snmp_pdu_add_variable(pdu, name_oid, OID_LENGTH(command_oid), type, "takeover", 8);
	}
	if (!(end = snmp_pdu_build(pdu, buf, &room))) {
		fprintf(stderr, "%s: snmp_pdu_build failed\n", name);
		exit(1);
	}
	write_seed("set_value", name, buf, (size_t)(end - buf));
	snmp_free_pdu(pdu);
}

static void pdu_seeds(void)
{
	pdu_seed("pdu-set-takeover", SNMP_MSG_SET, (const int[]){ 2 }, 1, ASN_INTEGER);
	pdu_seed("pdu-set-test", SNMP_MSG_SET, (const int[]){ 6 }, 1, ASN_INTEGER);
	pdu_seed("pdu-set-7", SNMP_MSG_SET, (const int[]){ 7 }, 1, ASN_INTEGER);
	pdu_seed("pdu-set-octets", SNMP_MSG_SET, (const int[]){ 0 }, 1, ASN_OCTET_STR);
	pdu_seed("pdu-set-spinlock-and-release", SNMP_MSG_SET, (const int[]){ 0, 3 }, 2,
		 ASN_INTEGER);
	pdu_seed("pdu-get", SNMP_MSG_GET, (const int[]){ 1 }, 1, ASN_INTEGER);
}

/* ---- history ------------------------------------------------------------ */

static void history_seed(const char *name, unsigned entries)
{
	char path[1024], err[512];
	struct cmsha_history h;

	snprintf(path, sizeof(path), "%s/history/%s", out_dir, name);
	remove(path);
	if (!cmsha_history_open(&h, 100, path, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	for (unsigned i = 0; i < entries; i++) {
		struct cmsha_history_entry e = {
			.time = { 1700000000 + i, 250000000 }, .command = 2 + i % 5,
			.initiator = 1 + i % 4, .result = 1 + i % 3, .duration_ms = 40 * i,
		};
		snprintf(e.reason, sizeof(e.reason), "%s", i % 3 == 2 ? "peer 192.0.2.12 unreachable" : "");
		if (!cmsha_history_add(&h, &e, e.result == CMSHA_RESULT_SUCCEEDED, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			exit(1);
		}
	}
	cmsha_history_close(&h);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	arp_seeds();
	nd_seeds();
	typed_value_seeds();
	pdu_seeds();
	history_seed("one-entry", 1);
	history_seed("six-entries", 6);
	return 0;
}
