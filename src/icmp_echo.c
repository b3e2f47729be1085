#include "autoconfig.h"
#include "icmp_echo.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <linux/icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ICMP4_ECHO_REQUEST 8
#define ICMP4_ECHO_REPLY   0
/* Packets taken per cmsha_icmp_echo_on_readable call, so a flood cannot starve the loop. */
#define PACKETS_PER_CALL 64
/* An IPv4 header with every option, and a little more than our echo. */
#define RECV_LEN (60 + 64)

/* In every request, so that a reply can be recognised as an answer to us. */
static const uint8_t tag[8] = { 'c', 'm', 's', 'h', 'a', 'e', 'c', 'h' };

struct cmsha_icmp_echo {
	int fd;
	uint16_t id;
	struct cmsha_inet target;
};

/* RFC 1071: the 16-bit one's complement of the one's complement sum. */
static uint16_t checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

size_t cmsha_icmp_echo_build(int family, uint16_t id, uint16_t seq, uint8_t *buf, size_t len)
{
	if (len < CMSHA_ICMP_ECHO_LEN || (family != AF_INET && family != AF_INET6))
		return 0;
	memset(buf, 0, CMSHA_ICMP_ECHO_LEN);
	buf[0] = family == AF_INET ? ICMP4_ECHO_REQUEST : ICMP6_ECHO_REQUEST;
	put16(buf + 4, id);
	put16(buf + 6, seq);
	memcpy(buf + 8, tag, sizeof(tag));
	/* ICMPv6's checksum covers a pseudo-header: the kernel fills it in. */
	if (family == AF_INET)
		put16(buf + 2, checksum(buf, CMSHA_ICMP_ECHO_LEN));
	return CMSHA_ICMP_ECHO_LEN;
}

/* Where the ICMP message starts in what an IPv4 raw socket receives; 0 when malformed. */
static size_t ipv4_payload(const uint8_t *pkt, size_t len)
{
	size_t ihl;

	if (len < 20 || pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_ICMP)
		return 0;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	return ihl >= 20 && ihl < len ? ihl : 0;
}

bool cmsha_icmp_echo_parse_reply(int family, const uint8_t *pkt, size_t len, uint16_t id,
				 uint16_t *seq)
{
	size_t off = 0;
	uint8_t want = ICMP6_ECHO_REPLY;

	if (family == AF_INET) {
		if (!(off = ipv4_payload(pkt, len)))
			return false;
		want = ICMP4_ECHO_REPLY;
	} else if (family != AF_INET6) {
		return false;
	}
	pkt += off;
	len -= off;
	/* The kernel checks ICMPv6 checksums for raw sockets, not ICMP ones. */
	if (len < CMSHA_ICMP_ECHO_LEN || pkt[0] != want || pkt[1] != 0 || get16(pkt + 4) != id ||
	    memcmp(pkt + 8, tag, sizeof(tag)) != 0 ||
	    (family == AF_INET && checksum(pkt, len) != 0))
		return false;
	*seq = get16(pkt + 6);
	return true;
}

/* Only echo replies reach the socket: a raw ICMP socket sees all the host's ICMP. */
static bool set_filter(int fd, int family)
{
	if (family == AF_INET) {
		struct icmp_filter f = { ~(1u << ICMP4_ECHO_REPLY) };   /* bits set: dropped */
		return setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f)) == 0;
	}
	struct icmp6_filter f6;
	ICMP6_FILTER_SETBLOCKALL(&f6);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
	return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof(f6)) == 0;
}

/* The target as a socket address; its length. */
static socklen_t target_sockaddr(const struct cmsha_inet *t, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (t->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_addr = t->u.v4;
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = t->u.v6;
	return sizeof(*sin6);
}

static bool from_target(const struct cmsha_icmp_echo *e, const struct sockaddr_storage *ss)
{
	if (ss->ss_family != e->target.family)
		return false;
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == e->target.u.v4.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, &e->target.u.v6, 16) == 0;
}

/*
 * Not connected: a connect() to a peer without a route fails, and a peer
 * unreachable at start must not stop cmshad; the source is checked instead.
 */
struct cmsha_icmp_echo *cmsha_icmp_echo_open(const struct cmsha_inet *target, uint16_t id,
					     char *err, size_t errlen)
{
	struct cmsha_icmp_echo *e;
	int proto = target->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int fd;

	if (target->family != AF_INET && target->family != AF_INET6) {
		snprintf(err, errlen, "ICMP echo: no target address");
		return NULL;
	}
	fd = socket(target->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0 || !set_filter(fd, target->family) || !(e = malloc(sizeof(*e)))) {
		snprintf(err, errlen, "ICMP%s echo socket: %s",
			 target->family == AF_INET ? "" : "v6", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*e = (struct cmsha_icmp_echo){ fd, id, *target };
	return e;
}

bool cmsha_icmp_echo_send(struct cmsha_icmp_echo *e, uint16_t seq, char *err, size_t errlen)
{
	uint8_t buf[CMSHA_ICMP_ECHO_LEN];
	size_t len = cmsha_icmp_echo_build(e->target.family, e->id, seq, buf, sizeof(buf));
	struct sockaddr_storage to;
	socklen_t tolen = target_sockaddr(&e->target, &to);

	if (sendto(e->fd, buf, len, 0, (struct sockaddr *)&to, tolen) == (ssize_t)len)
		return true;
	snprintf(err, errlen, "ICMP echo: %s", strerror(errno));
	return false;
}

int cmsha_icmp_echo_fd(const struct cmsha_icmp_echo *e)
{
	return e->fd;
}

void cmsha_icmp_echo_on_readable(struct cmsha_icmp_echo *e,
				 void (*reply)(void *arg, uint16_t seq), void *arg)
{
	uint8_t buf[RECV_LEN];
	struct sockaddr_storage from;
	uint16_t seq;

	for (int i = 0; i < PACKETS_PER_CALL; i++) {
		socklen_t fromlen = sizeof(from);
		ssize_t got = recvfrom(e->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
				       &fromlen);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return;
		if (from_target(e, &from) &&
		    cmsha_icmp_echo_parse_reply(e->target.family, buf, (size_t)got, e->id, &seq))
			reply(arg, seq);
	}
}

void cmsha_icmp_echo_close(struct cmsha_icmp_echo *e)
{
	if (!e)
		return;
	close(e->fd);
	free(e);
}
