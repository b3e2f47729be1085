#include "autoconfig.h"
#include "probe.h"
#include "announce.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Frames taken per cmsha_probe_on_readable call, so a flood cannot starve the loop. */
#define FRAMES_PER_CALL 1024
/* Room per frame in the socket buffers: a frame's kernel footprint is 1-4 KiB. */
#define BUFFER_PER_ALIAS 4096

struct probe_target {
	struct cmsha_inet addr;
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint8_t mac[CMSHA_MAC_LEN];             /* ours, on that interface */
	uint8_t seen[CMSHA_PROBE_MAX_MACS][CMSHA_MAC_LEN];
	size_t n_seen;
	bool contended;
};

struct cmsha_probe {
	int fd;
	size_t n;
	struct probe_target t[];
};

/*
 * Only ARP and ICMPv6 NS/NA reach the socket: ETH_P_ALL would otherwise
 * copy every frame the host receives while we probe.  The parser still
 * checks everything; this only sheds load.
 */
static const struct sock_filter arp_nd_only[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),                 /* EtherType */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 6, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 6),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 6),             /* IPv6 next header */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 4),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 40),            /* ICMPv6 type */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 135, 1, 0),         /* NS */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136, 0, 1),         /* NA */
	BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

/* Best effort: a round sends n frames at once and may bring n answers back. */
static void size_buffer(int fd, int opt_force, int opt, size_t n)
{
	size_t want = n * BUFFER_PER_ALIAS;
	int have = 0, value;
	socklen_t len = sizeof(have);

	if (want > 64u << 20)
		want = 64u << 20;
	value = (int)want;
	if (getsockopt(fd, SOL_SOCKET, opt, &have, &len) == 0 && (size_t)have >= want)
		return;
	/* The forced variant passes net.core.[rw]mem_max; it needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, opt_force, &value, sizeof(value)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &value, sizeof(value));
}

static int open_socket(size_t n, char *err, size_t errlen)
{
	struct sock_fprog prog = {
		.len = sizeof(arp_nd_only) / sizeof(arp_nd_only[0]),
		.filter = (struct sock_filter *)arp_nd_only,
	};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int one = 1;
	/* Protocol 0 until bound: nothing is queued before the filter is on. */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, errlen, "packet socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		snprintf(err, errlen, "packet socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
#ifdef PACKET_IGNORE_OUTGOING
	/* Linux >= 4.20; on_readable also drops PACKET_OUTGOING for older ones. */
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
#else
	(void)one;
#endif
	size_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, n);
	size_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, n);
	return fd;
}

static bool init_target(struct probe_target *t, const struct cmsha_alias_conf *a,
			char *err, size_t errlen)
{
	char text[CMSHA_INET_STRLEN];

	if (a->addr.family != AF_INET && a->addr.family != AF_INET6) {
		snprintf(err, errlen, "alias without an address");
		return false;
	}
	t->addr = a->addr;
	memcpy(t->ifname, a->ifname, sizeof(t->ifname));
	t->ifname[sizeof(t->ifname) - 1] = '\0';
	if (!cmsha_link_hwaddr(a->ifname, &t->ifindex, t->mac, err, errlen)) {
		size_t used = strlen(err);
		snprintf(err + used, errlen - used, " (probing %s)",
			 cmsha_inet_ntop(&a->addr, text, sizeof(text)));
		return false;
	}
	return true;
}

struct cmsha_probe *cmsha_probe_listen(const struct cmsha_alias_conf *aliases, size_t n,
				       char *err, size_t errlen)
{
	struct cmsha_probe *p = calloc(1, sizeof(*p) + n * sizeof(p->t[0]));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->fd = -1;
	p->n = n;
	for (size_t i = 0; i < n; i++)
		if (!init_target(&p->t[i], &aliases[i], err, errlen))
			goto fail;
	p->fd = open_socket(n, err, errlen);
	if (p->fd < 0)
		goto fail;
	return p;
fail:
	cmsha_probe_free(p);
	return NULL;
}

struct cmsha_probe *cmsha_probe_start(const struct cmsha_alias_conf *aliases, size_t n,
				      char *err, size_t errlen)
{
	struct cmsha_probe *p = cmsha_probe_listen(aliases, n, err, errlen);

	if (p && !cmsha_probe_send_round(p, err, errlen)) {
		cmsha_probe_free(p);
		return NULL;
	}
	return p;
}

static size_t build_probe(const struct probe_target *t, uint8_t *buf, size_t len)
{
	static const uint8_t broadcast[CMSHA_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[CMSHA_MAC_LEN];
	const struct in_addr unspecified = { 0 };

	if (t->addr.family == AF_INET6)
		return cmsha_pkt_build_ns_probe(buf, len, t->mac, &t->addr.u.v6);
	return cmsha_pkt_build_arp(buf, len, CMSHA_ARP_OP_REQUEST, t->mac, broadcast,
				   &unspecified, zero, &t->addr.u.v4);
}

bool cmsha_probe_send_round(struct cmsha_probe *p, char *err, size_t errlen)
{
	uint8_t frame[CMSHA_PKT_MAX_LEN];
	char one_err[256];
	bool ok = true;

	for (size_t i = 0; i < p->n; i++) {
		const struct probe_target *t = &p->t[i];
		size_t len = build_probe(t, frame, sizeof(frame));

		/* A probe lost on a link without carrier would read as "address free". */
		if (cmsha_link_ready(p->fd, t->ifname, one_err, sizeof(one_err)) &&
		    cmsha_frame_send(p->fd, t->ifindex, frame, len, one_err, sizeof(one_err)))
			continue;
		if (ok)
			snprintf(err, errlen, "%s", one_err);
		ok = false;
	}
	return ok;
}

int cmsha_probe_fd(const struct cmsha_probe *p)
{
	return p->fd;
}

static bool from_us(const struct cmsha_probe *p, const struct cmsha_pkt_info *pi)
{
	for (size_t i = 0; i < p->n; i++)
		if (memcmp(p->t[i].mac, pi->eth_src, CMSHA_MAC_LEN) == 0 ||
		    memcmp(p->t[i].mac, pi->sender_mac, CMSHA_MAC_LEN) == 0)
			return true;
	return false;
}

enum verdict { UNRELATED, ANSWER, RIVAL_PROBE };

/* What pi says about address a; see cmsha_probe_on_readable in probe.h. */
static enum verdict classify(const struct cmsha_pkt_info *pi, const struct cmsha_inet *a)
{
	const struct cmsha_inet none = { .family = pi->sender_ip.family };
	bool by_a = cmsha_inet_equal(&pi->sender_ip, a);
	bool for_a = cmsha_inet_equal(&pi->target_ip, a);
	bool from_none = cmsha_inet_equal(&pi->sender_ip, &none);

	switch (pi->kind) {
	case CMSHA_PKT_ARP_REPLY:
		return by_a ? ANSWER : UNRELATED;
	case CMSHA_PKT_ARP_REQUEST:
	case CMSHA_PKT_ND_NS:
		if (by_a)
			return ANSWER;          /* the holder resolving someone, or announcing */
		return for_a && from_none ? RIVAL_PROBE : UNRELATED;
	case CMSHA_PKT_ND_NA:
		return for_a ? ANSWER : UNRELATED;
	}
	return UNRELATED;
}

static void add_mac(struct probe_target *t, const uint8_t mac[CMSHA_MAC_LEN])
{
	for (size_t i = 0; i < t->n_seen; i++)
		if (memcmp(t->seen[i], mac, CMSHA_MAC_LEN) == 0)
			return;
	if (t->n_seen < CMSHA_PROBE_MAX_MACS)
		memcpy(t->seen[t->n_seen++], mac, CMSHA_MAC_LEN);
}

static void note_frame(struct cmsha_probe *p, int ifindex, const uint8_t *frame, size_t len)
{
	struct cmsha_pkt_info pi;

	/* Our own frames, looped back through another port, are nobody's answer. */
	if (!cmsha_pkt_parse(frame, len, &pi) || from_us(p, &pi))
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct probe_target *t = &p->t[i];

		if (t->ifindex != ifindex)
			continue;
		switch (classify(&pi, &t->addr)) {
		case ANSWER:
			add_mac(t, pi.sender_mac);
			break;
		case RIVAL_PROBE:
			t->contended = true;
			break;
		case UNRELATED:
			break;
		}
	}
}

void cmsha_probe_on_readable(struct cmsha_probe *p)
{
	/* ND messages with options can exceed the 86 bytes we send; none nears 2 KiB. */
	uint8_t frame[2048];

	for (int i = 0; i < FRAMES_PER_CALL; i++) {
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		ssize_t got = recvfrom(p->fd, frame, sizeof(frame), MSG_TRUNC,
				       (struct sockaddr *)&from, &fromlen);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return;                 /* EAGAIN: all taken */
		/* MSG_TRUNC returns the real length: a cut frame is skipped, not misparsed. */
		if ((size_t)got > sizeof(frame) || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		note_frame(p, from.sll_ifindex, frame, (size_t)got);
	}
}

size_t cmsha_probe_answers(const struct cmsha_probe *p, size_t alias_index,
			   uint8_t (*macs)[CMSHA_MAC_LEN], size_t max)
{
	const struct probe_target *t;

	if (alias_index >= p->n)
		return 0;
	t = &p->t[alias_index];
	if (max > t->n_seen)
		max = t->n_seen;
	for (size_t i = 0; i < max; i++)
		memcpy(macs[i], t->seen[i], CMSHA_MAC_LEN);
	return max;
}

bool cmsha_probe_contended(const struct cmsha_probe *p, size_t alias_index)
{
	return alias_index < p->n && p->t[alias_index].contended;
}

bool cmsha_probe_in_use(const struct cmsha_probe *p, size_t alias_index)
{
	return alias_index < p->n && (p->t[alias_index].n_seen > 0 || p->t[alias_index].contended);
}

void cmsha_probe_free(struct cmsha_probe *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}
