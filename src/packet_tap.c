#include "autoconfig.h"
#include "packet_tap.h"
#include "netns_key.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Frames taken per on_readable call, so a flood cannot starve the loop. */
#define FRAMES_PER_CALL 1024
/* Room per frame in the socket buffers: a frame's kernel footprint is 1-4 KiB. */
#define BUFFER_PER_FRAME 4096
#define BUFFER_MAX (64u << 20)

struct cmsha_packet_tap {
	int fd;
	struct cmsha_netns_key ns;
	unsigned refs;
	size_t buffered;                /* frames the buffers are sized for */
	struct cmsha_tap_listener *listeners;
	struct cmsha_packet_tap *next;
};

static struct cmsha_packet_tap *taps;
static struct cmsha_packet_socket_counts counts;

/*
 * Only ARP and ICMPv6 NS/NA reach the socket: ETH_P_ALL would otherwise copy
 * every frame the host receives.  The parser still checks everything; this
 * only sheds load.  Set once, at open, and kept: attaching a filter compiles
 * it (BPF JIT, 50-200 us on a VM), which on a listener's arrival or leave
 * would land between a SET and its announcement.  While nobody listens the
 * frames are read and dropped (on_readable): no more than the holder's
 * conflict watch reads all the time.
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

static bool set_filter(int fd)
{
	struct sock_fprog prog = {
		.len = sizeof(arp_nd_only) / sizeof(arp_nd_only[0]),
		.filter = (struct sock_filter *)arp_nd_only,
	};

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) != 0)
		return false;
	counts.filters++;
	return true;
}

/* Best effort: a round sends n frames at once and may bring n answers back. */
static void size_buffer(int fd, int opt_force, int opt, size_t n)
{
	size_t want = n * BUFFER_PER_FRAME;
	int have = 0, value;
	socklen_t len = sizeof(have);

	if (want > BUFFER_MAX)
		want = BUFFER_MAX;
	value = (int)want;
	if (getsockopt(fd, SOL_SOCKET, opt, &have, &len) == 0 && (size_t)have >= want)
		return;
	/* The forced variant passes net.core.[rw]mem_max; it needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, opt_force, &value, sizeof(value)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &value, sizeof(value));
}

static void close_socket(int fd)
{
	close(fd);
	counts.closed++;
}

static int open_socket(char *err, size_t errlen)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int one = 1;
	/* Protocol 0 until bound: nothing is queued before the filter is on. */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, errlen, "packet socket: %s", strerror(errno));
		return -1;
	}
	counts.opened++;
	if (!set_filter(fd) || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		snprintf(err, errlen, "packet socket: %s", strerror(errno));
		close_socket(fd);
		return -1;
	}
#ifdef PACKET_IGNORE_OUTGOING
	/* Linux >= 4.20; on_readable also drops PACKET_OUTGOING for older ones. */
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
#else
	(void)one;
#endif
	return fd;
}

struct cmsha_packet_tap *cmsha_packet_tap_get(char *err, size_t errlen)
{
	struct cmsha_packet_tap *t;
	struct cmsha_netns_key ns;

	if (!cmsha_netns_key(&ns, err, errlen))
		return NULL;
	for (t = taps; t; t = t->next)
		if (cmsha_netns_key_equal(&t->ns, &ns)) {
			t->refs++;
			return t;
		}
	if (!(t = calloc(1, sizeof(*t)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((t->fd = open_socket(err, errlen)) < 0) {
		free(t);
		return NULL;
	}
	t->ns = ns;
	t->refs = 1;
	t->next = taps;
	taps = t;
	return t;
}

void cmsha_packet_tap_put(struct cmsha_packet_tap *t)
{
	if (!t || --t->refs > 0)
		return;
	for (struct cmsha_packet_tap **pp = &taps; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	close_socket(t->fd);
	free(t);
}

int cmsha_packet_tap_fd(const struct cmsha_packet_tap *t)
{
	return t->fd;
}

/* Read and throw away what is queued: nobody was there to hear it. */
static void drain(struct cmsha_packet_tap *t)
{
	uint8_t frame[64];

	for (int i = 0; i < FRAMES_PER_CALL; i++)
		if (recv(t->fd, frame, sizeof(frame), MSG_TRUNC) < 0 && errno != EINTR)
			return;
}

void cmsha_packet_tap_attach(struct cmsha_packet_tap *t, struct cmsha_tap_listener *l)
{
	size_t room = l->room;

	/* What came before l is not l's: the others take it, or nobody. */
	cmsha_packet_tap_on_readable(t);
	for (const struct cmsha_tap_listener *o = t->listeners; o; o = o->next)
		room += o->room;
	if (room > t->buffered) {
		size_buffer(t->fd, SO_SNDBUFFORCE, SO_SNDBUF, room);
		size_buffer(t->fd, SO_RCVBUFFORCE, SO_RCVBUF, room);
		t->buffered = room;
	}
	l->next = t->listeners;
	t->listeners = l;
}

void cmsha_packet_tap_detach(struct cmsha_packet_tap *t, struct cmsha_tap_listener *l)
{
	for (struct cmsha_tap_listener **pp = &t->listeners; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	l->next = NULL;
}

static void deliver(struct cmsha_packet_tap *t, int ifindex, const uint8_t *frame, size_t len)
{
	for (struct cmsha_tap_listener *l = t->listeners; l; l = l->next)
		l->frame(l->arg, ifindex, frame, len);
}

void cmsha_packet_tap_on_readable(struct cmsha_packet_tap *t)
{
	/* ND messages with options can exceed the 86 bytes we send; none nears 2 KiB. */
	uint8_t frame[2048];
	bool any = false;

	if (!t->listeners) {
		drain(t);
		return;
	}
	for (int i = 0; i < FRAMES_PER_CALL; i++) {
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		ssize_t got = recvfrom(t->fd, frame, sizeof(frame), MSG_TRUNC,
				       (struct sockaddr *)&from, &fromlen);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;                  /* EAGAIN: all taken */
		/* MSG_TRUNC returns the real length: a cut frame is skipped, not misparsed. */
		if ((size_t)got > sizeof(frame) || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		deliver(t, from.sll_ifindex, frame, (size_t)got);
		any = true;
	}
	if (!any)
		return;
	for (struct cmsha_tap_listener *l = t->listeners, *next; l; l = next) {
		next = l->next;
		if (l->batch)
			l->batch(l->batch_arg);
	}
}

void cmsha_packet_socket_counts(struct cmsha_packet_socket_counts *out)
{
	*out = counts;
}
