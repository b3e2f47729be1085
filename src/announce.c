#include "autoconfig.h"
#include "announce.h"
#include "link_cache.h"
#include "packet_tap.h"

#include <errno.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static bool set_ifr_name(struct ifreq *ifr, const char *ifname, char *err, size_t errlen)
{
	memset(ifr, 0, sizeof(*ifr));
	if (strlen(ifname) >= sizeof(ifr->ifr_name)) {
		snprintf(err, errlen, "interface name '%s' is too long", ifname);
		return false;
	}
	strcpy(ifr->ifr_name, ifname);
	return true;
}

bool cmsha_link_ready(int fd, const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr;

	if (!set_ifr_name(&ifr, ifname, err, errlen))
		return false;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		snprintf(err, errlen, "interface %s: %s", ifname, strerror(errno));
		return false;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		snprintf(err, errlen, "interface %s is down", ifname);
		return false;
	}
	/* Without RUNNING the frame would be dropped, yet sendto would succeed. */
	if (!(ifr.ifr_flags & IFF_RUNNING)) {
		snprintf(err, errlen, "interface %s is not running (no carrier)", ifname);
		return false;
	}
	return true;
}

static unsigned long send_calls;

/* Where frame goes: ifindex, its EtherType and destination MAC. */
static void frame_dest(struct sockaddr_ll *to, int ifindex, const uint8_t *frame)
{
	memset(to, 0, sizeof(*to));
	to->sll_family = AF_PACKET;
	to->sll_ifindex = ifindex;
	memcpy(&to->sll_protocol, frame + 12, 2);      /* the frame's EtherType */
	to->sll_halen = CMSHA_MAC_LEN;
	memcpy(to->sll_addr, frame, CMSHA_MAC_LEN);
}

bool cmsha_frame_send(int fd, int ifindex, const uint8_t *frame, size_t len,
		      char *err, size_t errlen)
{
	struct sockaddr_ll to;
	ssize_t sent;

	if (len < 14) {
		snprintf(err, errlen, "frame of %zu bytes is too short", len);
		return false;
	}
	frame_dest(&to, ifindex, frame);
	send_calls++;
	sent = sendto(fd, frame, len, 0, (const struct sockaddr *)&to, sizeof(to));
	if (sent < 0) {
		snprintf(err, errlen, "send on interface %d: %s", ifindex, strerror(errno));
		return false;
	}
	if ((size_t)sent != len) {
		snprintf(err, errlen, "send on interface %d: short write", ifindex);
		return false;
	}
	return true;
}

bool cmsha_frame_batch_send(int fd, struct cmsha_frame_batch *b, char *err, size_t errlen)
{
	struct mmsghdr msgs[CMSHA_FRAME_BATCH];
	struct iovec iov[CMSHA_FRAME_BATCH];
	struct sockaddr_ll to[CMSHA_FRAME_BATCH];
	char one_err[256];
	size_t done = 0, n = b->n;
	bool ok = true;
	int sent;

	b->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (b->len[i] >= 14)
			frame_dest(&to[i], b->ifindex[i], b->frame[i]);
		else    /* interface 0: the kernel refuses it; cmsha_frame_send says why */
			memset(&to[i], 0, sizeof(to[i]));
		iov[i] = (struct iovec){ .iov_base = b->frame[i], .iov_len = b->len[i] };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &to[i],
			.msg_namelen = sizeof(to[i]), .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	while (done < n) {
		if (b->len[done] >= 14) {
			send_calls++;
			if ((sent = sendmmsg(fd, &msgs[done], (unsigned)(n - done), 0)) > 0) {
				done += (size_t)sent;
				continue;
			}
		}
		/* This one fails (sendmmsg stops at it): its own send says why. */
		if (!cmsha_frame_send(fd, b->ifindex[done], b->frame[done], b->len[done],
				      one_err, sizeof(one_err)) && ok) {
			snprintf(err, errlen, "%s", one_err);
			ok = false;
		}
		done++;
	}
	return ok;
}

unsigned long cmsha_frame_send_calls(void)
{
	return send_calls;
}

static size_t build_announcement(const struct cmsha_alias_conf *alias,
				 const uint8_t mac[CMSHA_MAC_LEN], uint8_t *buf, size_t len)
{
	static const uint8_t broadcast[CMSHA_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[CMSHA_MAC_LEN];

	if (alias->addr.family == AF_INET6)
		return cmsha_pkt_build_na(buf, len, mac, &alias->addr.u.v6);
	/* A request, not a reply: RFC 5227 3 found requests better understood. */
	return cmsha_pkt_build_arp(buf, len, CMSHA_ARP_OP_REQUEST, mac, broadcast,
				   &alias->addr.u.v4, zero, &alias->addr.u.v4);
}

bool cmsha_announce_once(const struct cmsha_alias_conf *alias, char *err, size_t errlen)
{
	uint8_t frame[CMSHA_PKT_MAX_LEN], mac[CMSHA_MAC_LEN];
	struct cmsha_packet_tap *tap;
	int ifindex, fd;
	size_t len;
	bool ok;

	if (alias->addr.family != AF_INET && alias->addr.family != AF_INET6) {
		snprintf(err, errlen, "alias has no address");
		return false;
	}
	if (!(tap = cmsha_packet_tap_get(err, errlen)))
		return false;
	fd = cmsha_packet_tap_fd(tap);
	ok = cmsha_link_ready(fd, alias->ifname, err, errlen) &&
	     cmsha_link_hwaddr(alias->ifname, &ifindex, mac, err, errlen);
	if (ok) {
		len = build_announcement(alias, mac, frame, sizeof(frame));
		ok = cmsha_frame_send(fd, ifindex, frame, len, err, errlen);
	}
	cmsha_packet_tap_put(tap);
	return ok;
}
