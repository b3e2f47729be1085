/*
 * bench/set_to_garp: how long from an SNMP SET leaving the NOC to the first
 * gratuitous ARP for the alias on the wire (seen from the NOC's own LAN).
 *
 *   set_to_garp IFNAME ALIAS AGENT COMMUNITY OID VALUE [TIMEOUT_MS]
 *
 * Prints "garp_ms=X set_rtt_ms=Y" (Y: the SET's own response time).  With
 * ALIAS "-" it waits for no ARP: a plain SET round trip, the reference.
 * ALIAS may be "A.B.C.D+N": the N consecutive addresses from A.B.C.D; then
 * X is the time until a gratuitous ARP for every one of them was seen, and
 * "first_garp_ms=F" (the first of them) is printed too.
 *
 * Times are the kernel's packet timestamps on IFNAME (SO_TIMESTAMPNS on one
 * packet socket): the SET's frame leaving, the response's and the ARPs'
 * arriving, as tcpdump would show them, not when this process got to run.
 * An IPv4 AGENT is needed for that; otherwise (or if a frame was missed)
 * the process's clock is used and stderr says so.
 */
#include "bench_session.h"

#include <arpa/inet.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/if_ether.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The process's clock (CLOCK_MONOTONIC), and the wire's (packet timestamps). */
static double t_sent, t_reply = -1, t_first = -1, t_garp = -1;
static double w_sent = -1, w_reply = -1, w_first = -1, w_garp = -1;
static struct in_addr agent_ip;
static int agent_is_ipv4;

static int on_reply(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
	(void)s, (void)reqid, (void)magic;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu->errstat == 0)
		t_reply = now_ms();
	else
		t_reply = -2;
	return 1;
}

/* Every frame on ifname, both ways, each with the kernel's timestamp. */
static int wire_socket(const char *ifname)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL)), one = 1;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)if_nametoindex(ifname) };

	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0) {
		perror("packet socket");
		exit(2);
	}
	return fd;
}

/* The aliases to wait for: COUNT consecutive IPv4 addresses from FIRST. */
static uint32_t first_alias, alias_count, aliases_seen;
static unsigned char *alias_seen;

static void parse_aliases(const char *text)
{
	char addr[INET_ADDRSTRLEN];
	const char *plus = strchr(text, '+');
	size_t len = plus ? (size_t)(plus - text) : strlen(text);
	struct in_addr a;

	alias_count = plus ? (uint32_t)atol(plus + 1) : 1;
	if (len >= sizeof(addr) || alias_count < 1) {
		fprintf(stderr, "bad alias %s\n", text);
		exit(2);
	}
	memcpy(addr, text, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, &a) != 1) {
		fprintf(stderr, "bad alias %s\n", text);
		exit(2);
	}
	first_alias = ntohl(a.s_addr);
	alias_seen = calloc(alias_count, 1);
}

/* A gratuitous ARP (sender IP = target IP) for an alias not seen yet. */
static int is_new_garp(const unsigned char *f, ssize_t n)
{
	const struct ether_arp *a = (const void *)(f + sizeof(struct ether_header));
	uint32_t spa, i;

	if (n < (ssize_t)(sizeof(struct ether_header) + sizeof(*a)) || f[12] != 0x08 ||
	    f[13] != 0x06 ||
	    memcmp(a->arp_spa, a->arp_tpa, 4) != 0)
		return 0;
	memcpy(&spa, a->arp_spa, 4);
	i = ntohl(spa) - first_alias;
	if (i >= alias_count || alias_seen[i])
		return 0;
	alias_seen[i] = 1;
	return 1;
}

static void send_set(netsnmp_session *ss, const char *oid_text, long value)
{
	oid name[MAX_OID_LEN];
	size_t len = MAX_OID_LEN;
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_SET);

	if (!read_objid(oid_text, name, &len)) {
		fprintf(stderr, "bad OID %s\n", oid_text);
		exit(2);
	}
	snmp_pdu_add_variable(pdu, name, len, ASN_INTEGER, &value, sizeof(value));
	t_sent = now_ms();
	if (!snmp_async_send(ss, pdu, on_reply, NULL)) {
		snmp_perror("send");
		exit(2);
	}
}

/* An IPv4 UDP frame between us and the agent's port 161: 1 the SET out, 2 its answer in. */
static int snmp_frame(const unsigned char *f, ssize_t n, int outgoing)
{
	const unsigned char *ip = f + sizeof(struct ether_header), *udp;
	size_t ihl;

	if (!agent_is_ipv4 || n < (ssize_t)sizeof(struct ether_header) + 28 ||
	    f[12] != 0x08 || f[13] != 0x00 || ip[9] != IPPROTO_UDP)
		return 0;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (n < (ssize_t)(sizeof(struct ether_header) + ihl + 8))
		return 0;
	udp = ip + ihl;
	if (outgoing && !memcmp(ip + 16, &agent_ip, 4) && udp[2] == 0 && udp[3] == 161)
		return 1;
	if (!outgoing && !memcmp(ip + 12, &agent_ip, 4) && udp[0] == 0 && udp[1] == 161)
		return 2;
	return 0;
}

static double stamp_ms(struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec t;

			memcpy(&t, CMSG_DATA(c), sizeof(t));
			return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
		}
	return -1;
}

/* Take the waiting frames: the SET's, its answer's, the gratuitous ARPs'. */
static void read_frames(int fd, int want_arp)
{
	unsigned char frame[1600], control[256];
	struct sockaddr_ll from;
	struct iovec iov = { frame, sizeof(frame) };
	struct msghdr m;
	ssize_t n;

	for (;;) {
		m = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				     .msg_iovlen = 1, .msg_control = control,
				     .msg_controllen = sizeof(control) };
		if ((n = recvmsg(fd, &m, 0)) <= 0)
			return;
		switch (snmp_frame(frame, n, from.sll_pkttype == PACKET_OUTGOING)) {
		case 1:
			if (w_sent < 0)
				w_sent = stamp_ms(&m);
			continue;
		case 2:
			if (w_sent >= 0 && w_reply < 0)
				w_reply = stamp_ms(&m);
			continue;
		}
		if (!want_arp || from.sll_pkttype == PACKET_OUTGOING || !is_new_garp(frame, n))
			continue;
		if (t_first < 0) {
			t_first = now_ms();
			w_first = stamp_ms(&m);
		}
		if (++aliases_seen == alias_count) {
			t_garp = now_ms();
			w_garp = stamp_ms(&m);
		}
	}
}

/* The wire's times when every frame was seen, else the process's (and say so). */
static void print_times(int want_arp)
{
	int wire = w_sent >= 0 && w_reply >= 0 && (!want_arp || w_garp >= 0);

	if (!wire)
		fprintf(stderr, "set_to_garp: not every frame seen on the wire: process clock\n");
	printf("garp_ms=%.3f set_rtt_ms=%.3f",
	       !want_arp ? 0.0 : wire ? w_garp - w_sent : t_garp - t_sent,
	       wire ? w_reply - w_sent : t_reply - t_sent);
	if (alias_count > 1)
		printf(" first_garp_ms=%.3f", wire ? w_first - w_sent : t_first - t_sent);
	printf("\n");
}

int main(int argc, char **argv)
{
	double deadline;
	int want_arp, fd;
	netsnmp_session *ss;

	if (argc < 7) {
		fprintf(stderr, "usage: %s IFNAME ALIAS|- AGENT COMMUNITY OID VALUE [TIMEOUT_MS]\n", argv[0]);
		return 2;
	}
	want_arp = strcmp(argv[2], "-") != 0;
	if (want_arp)
		parse_aliases(argv[2]);
	agent_is_ipv4 = inet_pton(AF_INET, argv[3], &agent_ip) == 1;
	setenv("MIBS", "", 1);
	init_snmp("set_to_garp");
	fd = wire_socket(argv[1]);
	ss = bench_open_agent(argv[3], argv[4], 2000000);
	send_set(ss, argv[5], atol(argv[6]));
	deadline = t_sent + (argc > 7 ? atof(argv[7]) : 3000);
	while (now_ms() < deadline && (t_reply == -1 || (want_arp && t_garp < 0))) {
		int nfds = 0, block = 1;
		fd_set fds;
		/* Woken by the frames and the response: no polling beside the servers. */
		struct timeval tv = { 0, 20000 };

		FD_ZERO(&fds);
		FD_SET(fd, &fds);
		snmp_select_info(&nfds, &fds, &tv, &block);
		if (block || tv.tv_sec > 0 || tv.tv_usec > 20000)
			tv = (struct timeval){ 0, 20000 };
		if (select((fd > nfds ? fd : nfds - 1) + 1, &fds, NULL, NULL, &tv) > 0) {
			if (FD_ISSET(fd, &fds))
				read_frames(fd, want_arp);
			snmp_read(&fds);
		}
		snmp_timeout();
	}
	read_frames(fd, want_arp);  /* the SET's own frame, if not yet */
	if (t_reply < 0 || (want_arp && t_garp < 0)) {
		fprintf(stderr, "no %s within the deadline (%u of %u aliases announced)\n",
			t_reply < 0 ? "reply" : "gratuitous ARP", aliases_seen, alias_count);
		return 1;
	}
	print_times(want_arp);
	snmp_close(ss);
	close(fd);
	return 0;
}
