/*
 * Probing and announcing against real kernels: each test has a network
 * namespace of its own and a second one, "the other host", joined to it by
 * a veth pair (cm0 here, cm0p there).  Waits are on fds with deadlines,
 * never fixed sleeps.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "announce.h"
#include "netns_fixture.h"
#include "packet_tap.h"
#include "probe.h"

#include <arpa/inet.h>
#include <check.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 2000        /* for what must happen */
#define QUIET_MS    200         /* for what must not */

static struct netns_peer peer;
static uint8_t our_mac[6], peer_mac[6];
static const uint8_t old_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static size_t n_probed;         /* aliases in the probe under test */
static char err[256];

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void get_mac(const char *ifname, uint8_t mac[6])
{
	int ifindex;
	ck_assert_msg(cmsha_link_hwaddr(ifname, &ifindex, mac, err, sizeof(err)), "%s", err);
}

/*
 * veth hands a frame to the per-CPU receive backlog of the sending CPU: on
 * one CPU, frames we send are handled by the peer in the order sent, which
 * lets a later frame serve as a barrier for an earlier one.
 */
static void pin_to_one_cpu(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	ck_assert(sched_setaffinity(0, sizeof(set), &set) == 0);
}

static void setup(void)
{
	netns_enter_private();
	pin_to_one_cpu();
	netns_peer_start(&peer);
	netns_peer_add_veth(&peer, "cm0", "cm0p");
	netns_set_link_up("cm0", true);
	netns_add_address_ready("cm0", "10.88.0.1/24", DEADLINE_MS);
	netns_add_address_ready("cm0", "fd88::1/64", DEADLINE_MS);
	get_mac("cm0", our_mac);
	netns_peer_enter(&peer);
	netns_set_link_up("lo", true);
	netns_set_link_up("cm0p", true);
	netns_add_address_ready("cm0p", "10.88.0.2/24", DEADLINE_MS);
	netns_add_address_ready("cm0p", "fd88::2/64", DEADLINE_MS);
	get_mac("cm0p", peer_mac);
	netns_wait_link_running("cm0p", true, DEADLINE_MS);
	netns_peer_leave(&peer);
	netns_wait_link_running("cm0", true, DEADLINE_MS);
}

static void teardown(void)
{
	netns_peer_stop(&peer);
}

static struct cmsha_alias_conf alias_on(const char *ifname, const char *addr)
{
	struct cmsha_alias_conf a;

	memset(&a, 0, sizeof(a));
	ck_assert(cmsha_inet_parse(addr, &a.addr));
	a.prefix = a.addr.family == AF_INET6 ? 64 : 24;
	snprintf(a.ifname, sizeof(a.ifname), "%s", ifname);
	return a;
}

static void peer_adds_address(const char *prefix_text)
{
	netns_peer_enter(&peer);
	netns_add_address_ready("cm0p", prefix_text, DEADLINE_MS);
	netns_peer_leave(&peer);
}

static struct cmsha_probe *start_probe(const struct cmsha_alias_conf *a, size_t n)
{
	struct cmsha_probe *p = cmsha_probe_start(a, n, err, sizeof(err));

	ck_assert_msg(p != NULL, "%s", err);
	n_probed = n;
	return p;
}

static bool all_in_use(const struct cmsha_probe *p)
{
	for (size_t i = 0; i < n_probed; i++)
		if (!cmsha_probe_in_use(p, i))
			return false;
	return true;
}

static bool any_in_use(const struct cmsha_probe *p)
{
	for (size_t i = 0; i < n_probed; i++)
		if (cmsha_probe_in_use(p, i))
			return true;
	return false;
}

static bool first_in_use(const struct cmsha_probe *p) { return cmsha_probe_in_use(p, 0); }
static bool never(const struct cmsha_probe *p) { (void)p; return false; }

/* Feed the probe as its event loop would, until done() or ms have passed. */
static bool pump_until(struct cmsha_probe *p, bool (*done)(const struct cmsha_probe *), long ms)
{
	long deadline = now_ms() + ms;

	for (;;) {
		if (done(p))
			return true;
		long left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = { .fd = cmsha_probe_fd(p), .events = POLLIN };
		if (poll(&pfd, 1, (int)left) > 0)
			cmsha_probe_on_readable(p);
	}
}

static void assert_only_answer(const struct cmsha_probe *p, size_t i, const uint8_t mac[6])
{
	uint8_t macs[CMSHA_PROBE_MAX_MACS][6];
	size_t n = cmsha_probe_answers(p, i, macs, CMSHA_PROBE_MAX_MACS);

	ck_assert_uint_eq(n, 1);
	ck_assert_mem_eq(macs[0], mac, 6);
	ck_assert(!cmsha_probe_contended(p, i));
}

static void assert_unanswered(const struct cmsha_probe *p, size_t i)
{
	uint8_t macs[CMSHA_PROBE_MAX_MACS][6];
	ck_assert_uint_eq(cmsha_probe_answers(p, i, macs, CMSHA_PROBE_MAX_MACS), 0);
	ck_assert(!cmsha_probe_in_use(p, i));
}

static void holder_answers(const char *prefix_text, const char *addr)
{
	struct cmsha_alias_conf a = alias_on("cm0", addr);
	struct cmsha_probe *p;

	peer_adds_address(prefix_text);
	p = start_probe(&a, 1);
	ck_assert_msg(pump_until(p, all_in_use, DEADLINE_MS), "no answer for %s", addr);
	assert_only_answer(p, 0, peer_mac);
	/* Another round: the same holder again, still one MAC. */
	ck_assert_msg(cmsha_probe_send_round(p, err, sizeof(err)), "%s", err);
	pump_until(p, never, QUIET_MS);
	assert_only_answer(p, 0, peer_mac);
	cmsha_probe_free(p);
}

START_TEST(ipv4_holder_answers_with_its_mac)
{
	holder_answers("10.88.0.10/24", "10.88.0.10");
}
END_TEST

/* The kernel answers a DAD NS (from ::) with an NA to ff02::1. */
START_TEST(ipv6_holder_answers_with_its_mac)
{
	holder_answers("fd88::10/64", "fd88::10");
}
END_TEST

START_TEST(free_addresses_get_no_answer_until_taken)
{
	struct cmsha_alias_conf a[2] = { alias_on("cm0", "10.88.0.99"), alias_on("cm0", "fd88::99") };
	struct cmsha_probe *p = start_probe(a, 2);

	ck_assert(!pump_until(p, any_in_use, QUIET_MS));
	assert_unanswered(p, 0);
	assert_unanswered(p, 1);
	/* Now someone takes them: the next round is answered. */
	peer_adds_address("10.88.0.99/24");
	peer_adds_address("fd88::99/64");
	ck_assert_msg(cmsha_probe_send_round(p, err, sizeof(err)), "%s", err);
	ck_assert(pump_until(p, all_in_use, DEADLINE_MS));
	assert_only_answer(p, 0, peer_mac);
	assert_only_answer(p, 1, peer_mac);
	cmsha_probe_free(p);
}
END_TEST

/* RFC 5227 2.1.1 / RFC 4862 5.4.3: another host probing the same address. */
START_TEST(rival_probe_is_contention_not_answer)
{
	struct cmsha_alias_conf a[2] = { alias_on("cm0", "10.88.0.77"), alias_on("cm0", "fd88::77") };
	struct cmsha_alias_conf theirs[2] = { alias_on("cm0p", "10.88.0.77"),
					      alias_on("cm0p", "fd88::77") };
	struct cmsha_probe *p = start_probe(a, 2), *rival;

	netns_peer_enter(&peer);
	rival = cmsha_probe_start(theirs, 2, err, sizeof(err));
	netns_peer_leave(&peer);
	ck_assert_msg(rival != NULL, "%s", err);
	ck_assert(pump_until(p, all_in_use, DEADLINE_MS));
	for (size_t i = 0; i < 2; i++) {
		ck_assert(cmsha_probe_contended(p, i));
		ck_assert_uint_eq(cmsha_probe_answers(p, i, NULL, 0), 0);
	}
	cmsha_probe_free(rival);
	cmsha_probe_free(p);
}
END_TEST

START_TEST(frames_on_other_interfaces_are_ignored)
{
	struct cmsha_alias_conf a[2] = { alias_on("cm0", "10.88.0.55"), alias_on("cm1", "10.88.0.55") };
	struct cmsha_alias_conf theirs = alias_on("cm0p", "10.88.0.55");
	struct cmsha_probe *p;
	bool sent;

	netns_peer_add_veth(&peer, "cm1", "cm1p");
	netns_set_link_up("cm1", true);
	netns_peer_enter(&peer);
	netns_set_link_up("cm1p", true);
	netns_wait_link_running("cm1p", true, DEADLINE_MS);
	netns_peer_leave(&peer);
	netns_wait_link_running("cm1", true, DEADLINE_MS);
	p = start_probe(a, 2);
	/* The peer announces the address on cm0p only. */
	netns_peer_enter(&peer);
	sent = cmsha_announce_once(&theirs, err, sizeof(err));
	netns_peer_leave(&peer);
	ck_assert_msg(sent, "%s", err);
	ck_assert(pump_until(p, first_in_use, DEADLINE_MS));
	assert_only_answer(p, 0, peer_mac);
	assert_unanswered(p, 1);                /* the same frame was seen and not counted */
	cmsha_probe_free(p);
}
END_TEST

/*
 * Two probes on the namespace's one socket (as cmshad's takeover probe and
 * conflict watch share it) both hear the same answer; with the tap held,
 * neither they nor an announcement open or close a packet socket or attach
 * a filter to it (a BPF compilation, 50-200 us on a VM).
 */
START_TEST(probes_share_the_held_socket)
{
	struct cmsha_alias_conf a = alias_on("cm0", "10.88.0.2");
	struct cmsha_packet_socket_counts before, after;
	struct cmsha_packet_tap *tap = cmsha_packet_tap_get(err, sizeof(err));
	struct cmsha_probe *p, *q;

	ck_assert_msg(tap != NULL, "%s", err);
	cmsha_packet_socket_counts(&before);
	q = cmsha_probe_listen(&a, 1, err, sizeof(err));
	ck_assert_msg(q != NULL, "%s", err);
	p = start_probe(&a, 1);
	ck_assert_int_eq(cmsha_probe_fd(p), cmsha_probe_fd(q));
	ck_assert(pump_until(p, all_in_use, DEADLINE_MS));
	assert_only_answer(p, 0, peer_mac);
	assert_only_answer(q, 0, peer_mac);     /* read through p, delivered to q too */
	ck_assert_msg(cmsha_announce_once(&a, err, sizeof(err)), "%s", err);
	cmsha_probe_free(p);
	cmsha_probe_free(q);
	cmsha_packet_socket_counts(&after);
	ck_assert_uint_eq(after.opened, before.opened);
	ck_assert_uint_eq(after.closed, before.closed);
	ck_assert_uint_eq(after.filters, before.filters);
	cmsha_packet_tap_put(tap);
	cmsha_packet_socket_counts(&after);
	ck_assert_uint_eq(after.closed, before.closed + 1);     /* the last reference */
}
END_TEST

/* A probe hears what arrives after its start, not what was queued before it. */
START_TEST(a_later_probe_does_not_hear_earlier_frames)
{
	struct cmsha_alias_conf a = alias_on("cm0", "10.88.0.2");
	struct cmsha_probe *early = start_probe(&a, 1), *late;
	struct pollfd pfd = { .fd = cmsha_probe_fd(early), .events = POLLIN };

	ck_assert_int_eq(poll(&pfd, 1, DEADLINE_MS), 1);       /* the answer is queued */
	late = cmsha_probe_listen(&a, 1, err, sizeof(err));
	ck_assert_msg(late != NULL, "%s", err);
	pump_until(late, never, QUIET_MS);
	assert_only_answer(early, 0, peer_mac);
	assert_unanswered(late, 0);
	cmsha_probe_free(late);
	cmsha_probe_free(early);
}
END_TEST

/* The held socket keeps its filter: what arrives while nobody listens is dropped. */
START_TEST(frames_while_nobody_listens_are_dropped)
{
	struct cmsha_alias_conf a = alias_on("cm0", "10.88.0.2");
	struct cmsha_packet_tap *tap = cmsha_packet_tap_get(err, sizeof(err));
	struct cmsha_probe *early, *late;
	struct pollfd pfd;

	ck_assert_msg(tap != NULL, "%s", err);
	early = start_probe(&a, 1);
	pfd = (struct pollfd){ .fd = cmsha_probe_fd(early), .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, DEADLINE_MS), 1);       /* the answer is queued */
	cmsha_probe_free(early);                                /* nobody listens now */
	late = cmsha_probe_listen(&a, 1, err, sizeof(err));
	ck_assert_msg(late != NULL, "%s", err);
	pump_until(late, never, QUIET_MS);
	assert_unanswered(late, 0);
	cmsha_probe_free(late);
	cmsha_packet_tap_put(tap);
}
END_TEST

/* A round's frames leave together, in one system call: one send at a time
 * let the peer (woken by each frame, on our CPU here) run between them. */
START_TEST(a_probe_round_is_one_system_call)
{
	struct cmsha_alias_conf a[] = {
		alias_on("cm0", "10.88.0.2"), alias_on("cm0", "fd88::2"),
		alias_on("cm0", "10.88.0.7"), alias_on("cm0", "fd88::7"),
	};
	unsigned long before = cmsha_frame_send_calls();
	struct cmsha_probe *p = start_probe(a, 4);

	ck_assert_uint_eq(cmsha_frame_send_calls(), before + 1);
	n_probed = 2;                   /* the peer holds the first two */
	ck_assert(pump_until(p, all_in_use, DEADLINE_MS));
	assert_only_answer(p, 0, peer_mac);
	assert_only_answer(p, 1, peer_mac);
	pump_until(p, never, QUIET_MS);
	assert_unanswered(p, 2);
	assert_unanswered(p, 3);
	cmsha_probe_free(p);
}
END_TEST

static void batch_arp(struct cmsha_frame_batch *b, int ifindex, const char *target)
{
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	struct cmsha_inet any = { .family = AF_INET }, t;

	ck_assert(cmsha_inet_parse(target, &t));
	b->ifindex[b->n] = ifindex;
	b->len[b->n] = cmsha_pkt_build_arp(b->frame[b->n], sizeof(b->frame[0]),
					   CMSHA_ARP_OP_REQUEST, our_mac, broadcast,
					   &any.u.v4, zero, &t.u.v4);
	b->n++;
}

static int tap_open(const char *ifname);
static bool tap_wait(int fd, enum cmsha_pkt_kind kind, const struct cmsha_inet *target,
		     uint8_t frame[2048], struct cmsha_pkt_info *pi);

/* A frame that cannot go (no such interface) is reported; the others still go. */
START_TEST(a_batch_sends_past_a_bad_frame)
{
	struct cmsha_packet_tap *tap = cmsha_packet_tap_get(err, sizeof(err));
	struct cmsha_frame_batch b = { .n = 0 };
	struct cmsha_pkt_info pi;
	struct cmsha_inet first, last;
	uint8_t frame[2048];
	int peer_fd, cm0 = (int)if_nametoindex("cm0");

	ck_assert_msg(tap != NULL, "%s", err);
	netns_peer_enter(&peer);
	peer_fd = tap_open("cm0p");
	netns_peer_leave(&peer);
	batch_arp(&b, cm0, "10.88.0.31");
	batch_arp(&b, 9999, "10.88.0.32");
	batch_arp(&b, cm0, "10.88.0.33");
	ck_assert(!cmsha_frame_batch_send(cmsha_packet_tap_fd(tap), &b, err, sizeof(err)));
	ck_assert_msg(strstr(err, "interface 9999"), "%s", err);
	ck_assert_uint_eq(b.n, 0);
	ck_assert(cmsha_inet_parse("10.88.0.31", &first) && cmsha_inet_parse("10.88.0.33", &last));
	ck_assert(tap_wait(peer_fd, CMSHA_PKT_ARP_REQUEST, &first, frame, &pi));
	ck_assert(tap_wait(peer_fd, CMSHA_PKT_ARP_REQUEST, &last, frame, &pi));
	close(peer_fd);
	cmsha_packet_tap_put(tap);
}
END_TEST

START_TEST(probe_start_errors)
{
	struct cmsha_alias_conf a = alias_on("nosuch0", "10.88.0.5");

	ck_assert(cmsha_probe_start(&a, 1, err, sizeof(err)) == NULL);
	ck_assert_msg(strstr(err, "nosuch0") && strstr(err, "10.88.0.5"), "%s", err);
	a = alias_on("lo", "10.88.0.5");
	ck_assert(cmsha_probe_start(&a, 1, err, sizeof(err)) == NULL);
	ck_assert_msg(strstr(err, "not Ethernet"), "%s", err);
	a = alias_on("cm0", "10.88.0.5");
	netns_peer_enter(&peer);
	netns_set_link_up("cm0p", false);               /* cm0 loses carrier */
	netns_peer_leave(&peer);
	netns_wait_link_running("cm0", false, DEADLINE_MS);
	ck_assert(cmsha_probe_start(&a, 1, err, sizeof(err)) == NULL);
	ck_assert_msg(strstr(err, "cm0 is not running"), "%s", err);
	netns_set_link_up("cm0", false);
	ck_assert(cmsha_probe_start(&a, 1, err, sizeof(err)) == NULL);
	ck_assert_msg(strstr(err, "cm0 is down"), "%s", err);
}
END_TEST

START_TEST(announce_errors)
{
	struct cmsha_alias_conf a = alias_on("nosuch0", "10.88.0.5");

	ck_assert(!cmsha_announce_once(&a, err, sizeof(err)));
	ck_assert_msg(strstr(err, "nosuch0"), "%s", err);
	a = alias_on("lo", "fd88::5");
	ck_assert(!cmsha_announce_once(&a, err, sizeof(err)));
	ck_assert_msg(strstr(err, "not Ethernet"), "%s", err);
	a = alias_on("cm0", "fd88::5");
	netns_set_link_up("cm0", false);
	ck_assert(!cmsha_announce_once(&a, err, sizeof(err)));
	ck_assert_msg(strstr(err, "cm0 is down"), "%s", err);
	netns_set_link_up("cm0", true);
	netns_wait_link_running("cm0", true, DEADLINE_MS);
	ck_assert_msg(cmsha_announce_once(&a, err, sizeof(err)), "%s", err);
	/* Up, but no carrier: the kernel would drop the frame and report success. */
	netns_peer_enter(&peer);
	netns_set_link_up("cm0p", false);
	netns_peer_leave(&peer);
	netns_wait_link_running("cm0", false, DEADLINE_MS);
	ck_assert(!cmsha_announce_once(&a, err, sizeof(err)));
	ck_assert_msg(strstr(err, "cm0 is not running"), "%s", err);
}
END_TEST

/* ---- announcements, as the other host sees them ---- */

/* A packet socket on ifname, in the current namespace. */
static int tap_open(const char *ifname)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = (int)if_nametoindex(ifname),
	};

	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(sll.sll_ifindex, 0);
	ck_assert(bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == 0);
	return fd;
}

/* Read the tap until a frame of kind about target arrives; its bytes go to frame. */
static bool tap_wait(int fd, enum cmsha_pkt_kind kind, const struct cmsha_inet *target,
		     uint8_t frame[2048], struct cmsha_pkt_info *pi)
{
	long deadline = now_ms() + DEADLINE_MS;

	for (;;) {
		ssize_t got;
		while ((got = recv(fd, frame, 2048, 0)) >= 0)
			if (cmsha_pkt_parse(frame, (size_t)got, pi) && pi->kind == kind &&
			    cmsha_inet_equal(&pi->target_ip, target))
				return true;
		long left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		(void)poll(&pfd, 1, (int)left);
	}
}

/* Neighbour table events of the current namespace: something to wait on. */
static int neigh_monitor_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_NEIGH };

	ck_assert_int_ge(fd, 0);
	ck_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	return fd;
}

static bool peer_neigh(const char *addr, uint8_t mac[6], int *state)
{
	bool found;

	netns_peer_enter(&peer);
	found = netns_neigh_get("cm0p", addr, mac, state);
	netns_peer_leave(&peer);
	return found;
}

/* Wait until the peer's entry for addr has mac; monitor is opened in the peer. */
static bool wait_peer_neigh(int monitor, const char *addr, const uint8_t mac[6], int *state)
{
	long deadline = now_ms() + DEADLINE_MS;
	char buf[8192];
	uint8_t got[6];

	for (;;) {
		if (peer_neigh(addr, got, state) && memcmp(got, mac, 6) == 0)
			return true;
		long left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = { .fd = monitor, .events = POLLIN };
		if (poll(&pfd, 1, (int)left) > 0)
			while (recv(monitor, buf, sizeof(buf), 0) > 0)
				;
	}
}

static socklen_t sockaddr_of(const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	struct cmsha_inet a;

	ck_assert(cmsha_inet_parse(addr, &a));
	memset(ss, 0, sizeof(*ss));
	if (a.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = a.u.v4;
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = a.u.v6;
	return sizeof(*sin6);
}

/*
 * Make our kernel resolve to from source from: it sends an ARP request or
 * an NS with our MAC, and the peer learns from.  The source is explicit:
 * left to itself, the kernel may pick the alias.
 */
static void resolve_from_our_kernel(const char *from, const char *to)
{
	struct sockaddr_storage src, dst;
	socklen_t src_len = sockaddr_of(from, 0, &src), dst_len = sockaddr_of(to, 9, &dst);
	int fd = socket(dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert(bind(fd, (struct sockaddr *)&src, src_len) == 0);
	ck_assert(sendto(fd, "x", 1, 0, (struct sockaddr *)&dst, dst_len) == 1);
	close(fd);
}

START_TEST(gratuitous_arp_reaches_peer_and_overrides_its_entry)
{
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	struct cmsha_alias_conf a = alias_on("cm0", "10.88.0.10");
	struct cmsha_pkt_info pi;
	uint8_t frame[2048];
	int tap, monitor, state;

	netns_change_address("cm0", "10.88.0.10/24", true);
	netns_peer_enter(&peer);
	/* A fresh, confirmed entry for the old holder: the announcement must win anyway. */
	netns_neigh_set("cm0p", "10.88.0.10", old_mac, NUD_REACHABLE);
	tap = tap_open("cm0p");
	monitor = neigh_monitor_open();
	netns_peer_leave(&peer);

	ck_assert_msg(cmsha_announce_once(&a, err, sizeof(err)), "%s", err);
	ck_assert(tap_wait(tap, CMSHA_PKT_ARP_REQUEST, &a.addr, frame, &pi));
	ck_assert(cmsha_inet_equal(&pi.sender_ip, &a.addr));
	ck_assert_mem_eq(pi.sender_mac, our_mac, 6);
	ck_assert_mem_eq(pi.eth_src, our_mac, 6);
	ck_assert_mem_eq(pi.eth_dst, broadcast, 6);
	ck_assert_mem_eq(frame + 32, zero, 6);          /* ARP target hardware address */

	ck_assert_msg(wait_peer_neigh(monitor, "10.88.0.10", our_mac, &state),
		      "the peer's entry still has the old MAC");
	/* A broadcast request does not prove reachability: STALE, not REACHABLE. */
	ck_assert_int_eq(state, NUD_STALE);
	close(tap);
	close(monitor);
}
END_TEST

START_TEST(gratuitous_arp_creates_entries_only_with_arp_accept)
{
	struct cmsha_alias_conf a = alias_on("cm0", "10.88.0.10");
	uint8_t mac[6];
	int monitor, state;

	netns_change_address("cm0", "10.88.0.10/24", true);
	netns_peer_enter(&peer);
	monitor = neigh_monitor_open();
	netns_peer_leave(&peer);
	ck_assert(!peer_neigh("10.88.0.1", mac, &state));

	ck_assert_msg(cmsha_announce_once(&a, err, sizeof(err)), "%s", err);
	/* Barrier: once the peer learnt 10.88.0.1 from our later request, it saw the announcement. */
	resolve_from_our_kernel("10.88.0.1", "10.88.0.2");
	ck_assert(wait_peer_neigh(monitor, "10.88.0.1", our_mac, &state));
	ck_assert_msg(!peer_neigh("10.88.0.10", mac, &state), "arp_accept=0 created an entry");

	netns_peer_enter(&peer);
	netns_sysctl_net("ipv4/conf/cm0p/arp_accept", "1");
	netns_peer_leave(&peer);
	ck_assert_msg(cmsha_announce_once(&a, err, sizeof(err)), "%s", err);
	ck_assert(wait_peer_neigh(monitor, "10.88.0.10", our_mac, &state));
	ck_assert_int_eq(state, NUD_STALE);
	close(monitor);
}
END_TEST

START_TEST(unsolicited_na_reaches_peer_and_overrides_its_entry)
{
	static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
	struct cmsha_alias_conf a = alias_on("cm0", "fd88::10");
	struct cmsha_pkt_info pi;
	uint8_t frame[2048];
	int tap, monitor, state;

	netns_change_address("cm0", "fd88::10/64", true);
	netns_peer_enter(&peer);
	netns_neigh_set("cm0p", "fd88::10", old_mac, NUD_REACHABLE);
	tap = tap_open("cm0p");
	monitor = neigh_monitor_open();
	netns_peer_leave(&peer);

	ck_assert_msg(cmsha_announce_once(&a, err, sizeof(err)), "%s", err);
	ck_assert(tap_wait(tap, CMSHA_PKT_ND_NA, &a.addr, frame, &pi));
	ck_assert(pi.override && !pi.solicited && !pi.router);
	ck_assert(pi.lla_option);
	ck_assert_mem_eq(pi.sender_mac, our_mac, 6);    /* the target link-layer address */
	ck_assert_mem_eq(pi.eth_src, our_mac, 6);
	ck_assert_mem_eq(pi.eth_dst, "\x33\x33\x00\x00\x00\x01", 6);
	ck_assert(cmsha_inet_equal(&pi.sender_ip, &a.addr));
	ck_assert_mem_eq(frame + 14 + 24, all_nodes, 16);

	ck_assert_msg(wait_peer_neigh(monitor, "fd88::10", our_mac, &state),
		      "the peer's entry still has the old MAC");
	ck_assert_int_eq(state, NUD_STALE);             /* unsolicited: STALE (RFC 4861 7.2.5) */
	close(tap);
	close(monitor);
}
END_TEST

START_TEST(unsolicited_na_creates_no_entry_on_a_host)
{
	struct cmsha_alias_conf a = alias_on("cm0", "fd88::10");
	uint8_t mac[6];
	int monitor, state;

	netns_change_address("cm0", "fd88::10/64", true);
	netns_peer_enter(&peer);
	monitor = neigh_monitor_open();
	netns_peer_leave(&peer);
	ck_assert(!peer_neigh("fd88::1", mac, &state));

	ck_assert_msg(cmsha_announce_once(&a, err, sizeof(err)), "%s", err);
	/* Barrier: our kernel's NS (with our MAC) is handled after the NA. */
	resolve_from_our_kernel("fd88::1", "fd88::2");
	ck_assert(wait_peer_neigh(monitor, "fd88::1", our_mac, &state));
	ck_assert_msg(!peer_neigh("fd88::10", mac, &state), "an untracked NA created an entry");
	close(monitor);
}
END_TEST

int main(int argc, char **argv)
{
	(void)argc;
	netns_require_or_skip(argv[0]);
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("kernel");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ipv4_holder_answers_with_its_mac);
	tcase_add_test(tc, ipv6_holder_answers_with_its_mac);
	tcase_add_test(tc, free_addresses_get_no_answer_until_taken);
	tcase_add_test(tc, rival_probe_is_contention_not_answer);
	tcase_add_test(tc, frames_on_other_interfaces_are_ignored);
	tcase_add_test(tc, probes_share_the_held_socket);
	tcase_add_test(tc, a_later_probe_does_not_hear_earlier_frames);
	tcase_add_test(tc, frames_while_nobody_listens_are_dropped);
	tcase_add_test(tc, a_probe_round_is_one_system_call);
	tcase_add_test(tc, a_batch_sends_past_a_bad_frame);
	tcase_add_test(tc, probe_start_errors);
	tcase_add_test(tc, announce_errors);
	tcase_add_test(tc, gratuitous_arp_reaches_peer_and_overrides_its_entry);
	tcase_add_test(tc, gratuitous_arp_creates_entries_only_with_arp_accept);
	tcase_add_test(tc, unsolicited_na_reaches_peer_and_overrides_its_entry);
	tcase_add_test(tc, unsolicited_na_creates_no_entry_on_a_host);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
