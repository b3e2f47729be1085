/*
 * Building and parsing the Ethernet frames of address announcement and
 * probing: ARP (RFC 826, RFC 5227) and IPv6 Neighbor Discovery (RFC 4861).
 * Pure byte work, no sockets: the parser takes frames straight off the
 * wire, so it trusts no length and reads nothing outside [frame, frame+len).
 */
#ifndef CMSHA_PACKET_H
#define CMSHA_PACKET_H

#include "inet.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMSHA_MAC_LEN 6

/* Lengths of the frames built below (Ethernet header included, no FCS). */
#define CMSHA_PKT_ARP_LEN      42      /* 14 + 28; the driver pads to 60 */
#define CMSHA_PKT_NA_LEN       86      /* 14 + 40 + 24 + 8 (target LLA option) */
#define CMSHA_PKT_NS_PROBE_LEN 78      /* 14 + 40 + 24, no option */
#define CMSHA_PKT_MAX_LEN      CMSHA_PKT_NA_LEN

#define CMSHA_ARP_OP_REQUEST 1
#define CMSHA_ARP_OP_REPLY   2

/*
 * An Ethernet II + ARP (Ethernet/IPv4) frame.  Returns its length, or 0
 * when len is too small.  An announcement (RFC 5227 2.3) is a request to
 * broadcast with sender_ip == target_ip == the address and target_mac zero;
 * a probe (RFC 5227 2.1.1) has sender_ip 0.0.0.0 and target_ip the address.
 */
size_t cmsha_pkt_build_arp(uint8_t *buf, size_t len, uint16_t op,
			   const uint8_t src_mac[CMSHA_MAC_LEN],
			   const uint8_t dst_mac[CMSHA_MAC_LEN],
			   const struct in_addr *sender_ip,
			   const uint8_t target_mac[CMSHA_MAC_LEN],
			   const struct in_addr *target_ip);

/*
 * An unsolicited Neighbor Advertisement for target, from target itself to
 * all nodes (ff02::1): Override set, Solicited and Router clear, with our
 * MAC in a Target Link-Layer Address option.  Receivers that have an entry
 * for target switch it to src_mac.  Returns the length or 0.
 */
size_t cmsha_pkt_build_na(uint8_t *buf, size_t len, const uint8_t src_mac[CMSHA_MAC_LEN],
			  const struct in6_addr *target);

/*
 * A Duplicate Address Detection style Neighbor Solicitation for target:
 * from :: (so without a Source Link-Layer Address option) to target's
 * solicited-node multicast group.  A holder answers with an NA to ff02::1.
 * Returns the length or 0.
 */
size_t cmsha_pkt_build_ns_probe(uint8_t *buf, size_t len, const uint8_t src_mac[CMSHA_MAC_LEN],
				const struct in6_addr *target);

/* ff02::1:ffXX:XXXX for target, and its Ethernet group 33:33:ff:XX:XX:XX. */
void cmsha_pkt_solicited_node(const struct in6_addr *target, struct in6_addr *group,
			      uint8_t mac[CMSHA_MAC_LEN]);

enum cmsha_pkt_kind {
	CMSHA_PKT_ARP_REQUEST = 1,
	CMSHA_PKT_ARP_REPLY,
	CMSHA_PKT_ND_NS,
	CMSHA_PKT_ND_NA
};

struct cmsha_pkt_info {
	enum cmsha_pkt_kind kind;
	uint8_t eth_src[CMSHA_MAC_LEN];
	uint8_t eth_dst[CMSHA_MAC_LEN];
	/*
	 * The hardware address claimed for sender_ip (ARP) or target_ip (NA):
	 * the ARP sender hardware address; for ND the link-layer address
	 * option (target's for NA, source's for NS) when present, else eth_src.
	 */
	uint8_t sender_mac[CMSHA_MAC_LEN];
	bool lla_option;               /* ND: sender_mac came from the option */
	struct cmsha_inet sender_ip;   /* ARP spa (0.0.0.0 in a probe); IPv6 source (:: in DAD) */
	struct cmsha_inet target_ip;   /* ARP tpa; ND target address */
	bool router, solicited, override;      /* NA flags; false for other kinds */
};

/*
 * Recognise an ARP request or reply (Ethernet/IPv4) or an ICMPv6 Neighbor
 * Solicitation or Advertisement (IPv6 without extension headers).  ND
 * messages are validated as RFC 4861 7.1.1/7.1.2 ask: hop limit 255, code 0,
 * correct checksum, well-formed options, no multicast target, and so on.
 * false, with out zeroed, for anything else.
 */
bool cmsha_pkt_parse(const uint8_t *frame, size_t len, struct cmsha_pkt_info *out);

#endif
