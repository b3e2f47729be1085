#include "autoconfig.h"
#include "packet.h"

#include <string.h>

/* Offsets and sizes, written out: this file is about exact bytes. */
#define ETH_HDR_LEN    14
#define ETH_TYPE_ARP   0x0806
#define ETH_TYPE_IPV4  0x0800
#define ETH_TYPE_IPV6  0x86dd
#define ARP_LEN        28          /* Ethernet/IPv4 ARP body */
#define IP6_HDR_LEN    40
#define IP6_NEXT_ICMP6 58
#define ND_HOP_LIMIT   255         /* RFC 4861: proves the sender is on-link */
#define ND_HDR_LEN     24          /* type, code, checksum, flags, target */
#define ND_TYPE_NS     135
#define ND_TYPE_NA     136
#define ND_OPT_SLLA    1
#define ND_OPT_TLLA    2
#define ND_OPT_LLA_LEN 8           /* type, length, 6-byte Ethernet address */
#define NA_FLAG_ROUTER    0x80
#define NA_FLAG_SOLICITED 0x40
#define NA_FLAG_OVERRIDE  0x20

static const uint8_t all_nodes_mac[CMSHA_MAC_LEN] = { 0x33, 0x33, 0, 0, 0, 1 };
static const struct in6_addr all_nodes = { { { 0xff, 2, 0, 0, 0, 0, 0, 0,
					       0, 0, 0, 0, 0, 0, 0, 1 } } };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint8_t *put_eth(uint8_t *p, const uint8_t dst[CMSHA_MAC_LEN],
			const uint8_t src[CMSHA_MAC_LEN], uint16_t type)
{
	memcpy(p, dst, CMSHA_MAC_LEN);
	memcpy(p + 6, src, CMSHA_MAC_LEN);
	put16(p + 12, type);
	return p + ETH_HDR_LEN;
}

size_t cmsha_pkt_build_arp(uint8_t *buf, size_t len, uint16_t op,
			   const uint8_t src_mac[CMSHA_MAC_LEN],
			   const uint8_t dst_mac[CMSHA_MAC_LEN],
			   const struct in_addr *sender_ip,
			   const uint8_t target_mac[CMSHA_MAC_LEN],
			   const struct in_addr *target_ip)
{
	uint8_t *arp;

	if (len < CMSHA_PKT_ARP_LEN)
		return 0;
	arp = put_eth(buf, dst_mac, src_mac, ETH_TYPE_ARP);
	put16(arp, 1);                          /* hardware: Ethernet */
	put16(arp + 2, ETH_TYPE_IPV4);
	arp[4] = CMSHA_MAC_LEN;
	arp[5] = 4;
	put16(arp + 6, op);
	memcpy(arp + 8, src_mac, CMSHA_MAC_LEN);
	memcpy(arp + 14, &sender_ip->s_addr, 4);        /* already network order */
	memcpy(arp + 18, target_mac, CMSHA_MAC_LEN);
	memcpy(arp + 24, &target_ip->s_addr, 4);
	return CMSHA_PKT_ARP_LEN;
}

/* One's complement sum of 16-bit big-endian words; an odd tail is zero-padded. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

/*
 * The ICMPv6 checksum (RFC 4443 2.3) over the pseudo-header taken from ip6
 * and msg_len bytes of msg.  Over a message whose checksum field is already
 * filled in, the result is 0 exactly when that checksum is right.
 */
static uint16_t icmp6_checksum(const uint8_t *ip6, const uint8_t *msg, size_t msg_len)
{
	uint32_t sum = sum16(0, ip6 + 8, 32);         /* source and destination */

	sum += (uint32_t)(msg_len >> 16) + (uint32_t)(msg_len & 0xffff);
	sum += IP6_NEXT_ICMP6;
	sum = sum16(sum, msg, msg_len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv6 header and ICMPv6 ND message of msg_len bytes; the caller fills the body. */
static uint8_t *put_ipv6_nd(uint8_t *ip6, const struct in6_addr *src, const struct in6_addr *dst,
			    size_t msg_len, uint8_t type, const struct in6_addr *target)
{
	uint8_t *msg = ip6 + IP6_HDR_LEN;

	memset(ip6, 0, IP6_HDR_LEN + msg_len);
	ip6[0] = 0x60;                          /* version 6, traffic class and flow 0 */
	put16(ip6 + 4, (uint16_t)msg_len);
	ip6[6] = IP6_NEXT_ICMP6;
	ip6[7] = ND_HOP_LIMIT;
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, dst, 16);
	msg[0] = type;
	memcpy(msg + 8, target, 16);
	return msg;
}

size_t cmsha_pkt_build_na(uint8_t *buf, size_t len, const uint8_t src_mac[CMSHA_MAC_LEN],
			  const struct in6_addr *target)
{
	const size_t msg_len = ND_HDR_LEN + ND_OPT_LLA_LEN;
	uint8_t *ip6, *msg;

	if (len < CMSHA_PKT_NA_LEN)
		return 0;
	ip6 = put_eth(buf, all_nodes_mac, src_mac, ETH_TYPE_IPV6);
	/* From the address itself: it is ours now, and receivers log the source. */
	msg = put_ipv6_nd(ip6, target, &all_nodes, msg_len, ND_TYPE_NA, target);
	msg[4] = NA_FLAG_OVERRIDE;
	msg[ND_HDR_LEN] = ND_OPT_TLLA;
	msg[ND_HDR_LEN + 1] = 1;                        /* in units of 8 bytes */
	memcpy(msg + ND_HDR_LEN + 2, src_mac, CMSHA_MAC_LEN);
	put16(msg + 2, icmp6_checksum(ip6, msg, msg_len));
	return CMSHA_PKT_NA_LEN;
}

void cmsha_pkt_solicited_node(const struct in6_addr *target, struct in6_addr *group,
			      uint8_t mac[CMSHA_MAC_LEN])
{
	static const uint8_t prefix[13] = { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	memcpy(group->s6_addr, prefix, sizeof(prefix));
	memcpy(group->s6_addr + 13, target->s6_addr + 13, 3);
	/* RFC 2464 7: 33:33 and the group's last four bytes. */
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group->s6_addr + 12, 4);
}

size_t cmsha_pkt_build_ns_probe(uint8_t *buf, size_t len, const uint8_t src_mac[CMSHA_MAC_LEN],
				const struct in6_addr *target)
{
	struct in6_addr group;
	uint8_t group_mac[CMSHA_MAC_LEN];
	uint8_t *ip6, *msg;

	if (len < CMSHA_PKT_NS_PROBE_LEN)
		return 0;
	cmsha_pkt_solicited_node(target, &group, group_mac);
	ip6 = put_eth(buf, group_mac, src_mac, ETH_TYPE_IPV6);
	/* RFC 4861 7.1.1: from :: there must be no source link-layer option. */
	msg = put_ipv6_nd(ip6, &in6addr_any, &group, ND_HDR_LEN, ND_TYPE_NS, target);
	put16(msg + 2, icmp6_checksum(ip6, msg, ND_HDR_LEN));
	return CMSHA_PKT_NS_PROBE_LEN;
}

/* ---- parsing: every read below is checked against the length first ---- */

static void set_inet(struct cmsha_inet *a, int family, const uint8_t *bytes)
{
	a->family = family;
	memcpy(a->u.bytes, bytes, family == AF_INET6 ? 16 : 4);
}

static bool parse_arp(const uint8_t *arp, size_t n, struct cmsha_pkt_info *out)
{
	uint16_t op;

	/* Anything after the 28 bytes is Ethernet padding. */
	if (n < ARP_LEN || get16(arp) != 1 || get16(arp + 2) != ETH_TYPE_IPV4 ||
	    arp[4] != CMSHA_MAC_LEN || arp[5] != 4)
		return false;
	op = get16(arp + 6);
	if (op == CMSHA_ARP_OP_REQUEST)
		out->kind = CMSHA_PKT_ARP_REQUEST;
	else if (op == CMSHA_ARP_OP_REPLY)
		out->kind = CMSHA_PKT_ARP_REPLY;
	else
		return false;
	memcpy(out->sender_mac, arp + 8, CMSHA_MAC_LEN);
	set_inet(&out->sender_ip, AF_INET, arp + 14);
	set_inet(&out->target_ip, AF_INET, arp + 24);
	return true;
}

static bool is_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];
	return memcmp(a, zero, 16) == 0;
}

static bool is_solicited_node(const uint8_t *a)
{
	static const uint8_t prefix[13] = { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };
	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

/*
 * Walk the options (RFC 4861 4.6): each must have a non-zero length that
 * fits.  Takes the link-layer address option of wanted type when it has
 * an Ethernet address' size; *any_slla tells if a source LLA was present.
 */
static bool parse_nd_options(const uint8_t *opt, size_t n, uint8_t wanted,
			     struct cmsha_pkt_info *out, bool *any_slla)
{
	*any_slla = false;
	while (n > 0) {
		size_t olen;

		if (n < 2 || opt[1] == 0)
			return false;
		olen = (size_t)opt[1] * 8;
		if (olen > n)
			return false;
		*any_slla |= opt[0] == ND_OPT_SLLA;
		if (opt[0] == wanted && olen == ND_OPT_LLA_LEN && !out->lla_option) {
			memcpy(out->sender_mac, opt + 2, CMSHA_MAC_LEN);
			out->lla_option = true;
		}
		opt += olen;
		n -= olen;
	}
	return true;
}

/* The IPv6 header's checks; on success *msg_len is the ICMPv6 message's length. */
static bool check_ipv6_nd(const uint8_t *ip6, size_t n, size_t *msg_len)
{
	if (n < IP6_HDR_LEN || ip6[0] >> 4 != 6 || ip6[6] != IP6_NEXT_ICMP6 ||
	    ip6[7] != ND_HOP_LIMIT)
		return false;
	*msg_len = get16(ip6 + 4);
	/* Bytes past the payload length are link padding, not message. */
	if (*msg_len < ND_HDR_LEN || *msg_len > n - IP6_HDR_LEN)
		return false;
	return icmp6_checksum(ip6, ip6 + IP6_HDR_LEN, *msg_len) == 0;
}

static bool parse_nd(const uint8_t *ip6, size_t n, struct cmsha_pkt_info *out)
{
	const uint8_t *msg = ip6 + IP6_HDR_LEN, *src = ip6 + 8, *dst = ip6 + 24;
	size_t msg_len;
	bool is_na, any_slla;

	if (!check_ipv6_nd(ip6, n, &msg_len))
		return false;
	if ((msg[0] != ND_TYPE_NS && msg[0] != ND_TYPE_NA) || msg[1] != 0)
		return false;
	is_na = msg[0] == ND_TYPE_NA;
	if (msg[8] == 0xff)                             /* multicast target */
		return false;
	if (!parse_nd_options(msg + ND_HDR_LEN, msg_len - ND_HDR_LEN,
			      is_na ? ND_OPT_TLLA : ND_OPT_SLLA, out, &any_slla))
		return false;
	if (is_na) {
		out->router = msg[4] & NA_FLAG_ROUTER;
		out->solicited = msg[4] & NA_FLAG_SOLICITED;
		out->override = msg[4] & NA_FLAG_OVERRIDE;
		/* RFC 4861 7.1.2: a multicast NA cannot be a solicited one. */
		if (dst[0] == 0xff && out->solicited)
			return false;
	} else if (is_unspecified(src) && (!is_solicited_node(dst) || any_slla)) {
		return false;                           /* RFC 4861 7.1.1, DAD rules */
	}
	out->kind = is_na ? CMSHA_PKT_ND_NA : CMSHA_PKT_ND_NS;
	if (!out->lla_option)
		memcpy(out->sender_mac, out->eth_src, CMSHA_MAC_LEN);
	set_inet(&out->sender_ip, AF_INET6, src);
	set_inet(&out->target_ip, AF_INET6, msg + 8);
	return true;
}

bool cmsha_pkt_parse(const uint8_t *frame, size_t len, struct cmsha_pkt_info *out)
{
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (!frame || len < ETH_HDR_LEN)
		return false;
	memcpy(out->eth_dst, frame, CMSHA_MAC_LEN);
	memcpy(out->eth_src, frame + 6, CMSHA_MAC_LEN);
	switch (get16(frame + 12)) {
	case ETH_TYPE_ARP:
		ok = parse_arp(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, out);
		break;
	case ETH_TYPE_IPV6:
		ok = parse_nd(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, out);
		break;
	default:
		break;
	}
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok;
}
