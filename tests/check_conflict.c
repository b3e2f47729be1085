/*
 * Conflict detection against a real kernel: our namespace holds the aliases
 * on cm0; "the other host" (a second namespace, cm0p, joined by a veth
 * pair) sends ARP and NDP frames through a packet socket of its own.
 * Frames that must not be reported are followed by one that must: on one
 * CPU the veth delivers them in order, so when the last one has been
 * reported the earlier ones were seen and ignored.  No fixed sleeps.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "announce.h"
#include "conflict_watch.h"
#include "netwatch.h"
#include "netns_fixture.h"

#include <arpa/inet.h>
#include <check.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 2000

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];
static const uint8_t stranger[6] = { 0x02, 0, 0, 0, 0, 0x77 };   /* a third station */

static struct netns_peer peer;
static uint8_t our_mac[6], peer_mac[6], other_local_mac[6];
static int peer_fd = -1, peer_ifindex;
static char err[256];
static struct cmsha_alias_conf aliases[3];

/* getifaddrs() is a netlink dump: counted, to keep it out of the event loop. */
static int getifaddrs_calls;
int __real_getifaddrs(struct ifaddrs **ifap);
int __wrap_getifaddrs(struct ifaddrs **ifap);
int __wrap_getifaddrs(struct ifaddrs **ifap)
{
	getifaddrs_calls++;
	return __real_getifaddrs(ifap);
}

/* What the callback reported, in order. */
static struct { size_t index; uint8_t mac[6]; } seen[16];
static size_t n_seen;

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

static struct cmsha_alias_conf alias_on(const char *ifname, const char *addr)
{
	struct cmsha_alias_conf a;

	memset(&a, 0, sizeof(a));
	ck_assert(cmsha_inet_parse(addr, &a.addr));
	a.prefix = a.addr.family == AF_INET6 ? 64 : 24;
	snprintf(a.ifname, sizeof(a.ifname), "%s", ifname);
	return a;
}

static void pin_to_one_cpu(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	ck_assert(sched_setaffinity(0, sizeof(set), &set) == 0);
}

static void peer_side(void)
{
	netns_peer_enter(&peer);
	netns_set_link_up("lo", true);
	netns_set_link_up("cm0p", true);
	netns_add_address_ready("cm0p", "10.88.0.2/24", DEADLINE_MS);
	netns_add_address_ready("cm0p", "fd88::2/64", DEADLINE_MS);
	get_mac("cm0p", peer_mac);
	peer_ifindex = (int)if_nametoindex("cm0p");
	peer_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);   /* send only */
	ck_assert_int_ge(peer_fd, 0);
	netns_wait_link_running("cm0p", true, DEADLINE_MS);
	netns_peer_leave(&peer);
}

static void setup(void)
{
	netns_enter_private();
	pin_to_one_cpu();
	netns_peer_start(&peer);
	netns_peer_add_veth(&peer, "cm0", "cm0p");
	netns_add_veth("cm9", "cm9p");           /* another local interface, not an alias's */
	netns_set_link_up("cm0", true);
	netns_add_address_ready("cm0", "10.88.0.1/24", DEADLINE_MS);
	netns_add_address_ready("cm0", "fd88::1/64", DEADLINE_MS);
	netns_add_address_ready("cm0", "10.88.0.10/24", DEADLINE_MS);    /* the aliases we hold */
	netns_add_address_ready("cm0", "fd88::10/64", DEADLINE_MS);
	get_mac("cm0", our_mac);
	get_mac("cm9", other_local_mac);
	peer_side();
	netns_wait_link_running("cm0", true, DEADLINE_MS);
	aliases[0] = alias_on("cm0", "10.88.0.10");
	aliases[1] = alias_on("cm0", "fd88::10");
	aliases[2] = alias_on("cm0", "10.88.0.20");
	n_seen = 0;
}

static void teardown(void)
{
	if (peer_fd >= 0)
		close(peer_fd);
	peer_fd = -1;
	netns_peer_stop(&peer);
}

static void on_conflict(void *arg, size_t index, const uint8_t mac[6])
{
	(void)arg;
	ck_assert_uint_lt(n_seen, sizeof(seen) / sizeof(seen[0]));
	seen[n_seen].index = index;
	memcpy(seen[n_seen].mac, mac, 6);
	n_seen++;
}

static struct cmsha_conflict_watch *open_watch(const bool *watched)
{
	struct cmsha_conflict_watch *w = cmsha_conflict_watch_open(aliases, 3, watched, on_conflict,
								   NULL, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	return w;
}

/* Feed the watch as the event loop would, until n reports or the deadline. */
static bool pump_until_seen(struct cmsha_conflict_watch *w, size_t n)
{
	long deadline = now_ms() + DEADLINE_MS;

	while (n_seen < n) {
		long left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd pfd = { .fd = cmsha_conflict_watch_fd(w), .events = POLLIN };
		if (poll(&pfd, 1, (int)left) > 0)
			cmsha_conflict_watch_on_readable(w);
	}
	return true;
}

static void peer_sends(const uint8_t *frame, size_t len)
{
	ck_assert_uint_gt(len, 0);
	ck_assert_msg(cmsha_frame_send(peer_fd, peer_ifindex, frame, len, err, sizeof(err)),
		      "%s", err);
}

/* A gratuitous ARP (RFC 5227 announcement) for addr, claiming mac. */
static void peer_announces_arp(const char *addr, const uint8_t mac[6], uint16_t op)
{
	uint8_t frame[CMSHA_PKT_MAX_LEN];
	struct cmsha_inet a;

	ck_assert(cmsha_inet_parse(addr, &a));
	peer_sends(frame, cmsha_pkt_build_arp(frame, sizeof(frame), op, mac, broadcast, &a.u.v4,
					      zero_mac, &a.u.v4));
}

static void peer_announces_na(const char *addr, const uint8_t mac[6])
{
	uint8_t frame[CMSHA_PKT_MAX_LEN];
	struct cmsha_inet a;

	ck_assert(cmsha_inet_parse(addr, &a));
	peer_sends(frame, cmsha_pkt_build_na(frame, sizeof(frame), mac, &a.u.v6));
}

static void assert_seen(size_t k, size_t index, const uint8_t mac[6])
{
	ck_assert_uint_gt(n_seen, k);
	ck_assert_uint_eq(seen[k].index, index);
	ck_assert_mem_eq(seen[k].mac, mac, 6);
}

START_TEST(gratuitous_arp_from_another_mac_is_reported)
{
	struct cmsha_conflict_watch *w = open_watch(NULL);

	peer_announces_arp("10.88.0.10", peer_mac, CMSHA_ARP_OP_REQUEST);
	ck_assert_msg(pump_until_seen(w, 1), "the peer's announcement was not reported");
	assert_seen(0, 0, peer_mac);
	/* Once per station: the same claim again, then another station's reply as barrier. */
	peer_announces_arp("10.88.0.10", peer_mac, CMSHA_ARP_OP_REQUEST);
	peer_announces_arp("10.88.0.10", stranger, CMSHA_ARP_OP_REPLY);
	ck_assert(pump_until_seen(w, 2));
	assert_seen(1, 0, stranger);
	ck_assert_uint_eq(n_seen, 2);
	cmsha_conflict_watch_close(w);
}
END_TEST

START_TEST(unsolicited_na_from_another_mac_is_reported)
{
	struct cmsha_conflict_watch *w = open_watch(NULL);

	peer_announces_na("fd88::10", peer_mac);
	ck_assert_msg(pump_until_seen(w, 1), "the peer's NA was not reported");
	assert_seen(0, 1, peer_mac);
	cmsha_conflict_watch_close(w);
}
END_TEST

START_TEST(our_own_macs_are_not_reported)
{
	struct cmsha_conflict_watch *w = open_watch(NULL);

	/* Our frames, looped back: the alias interface's MAC, another local interface's. */
	peer_announces_arp("10.88.0.10", our_mac, CMSHA_ARP_OP_REQUEST);
	peer_announces_na("fd88::10", our_mac);
	peer_announces_arp("10.88.0.10", other_local_mac, CMSHA_ARP_OP_REQUEST);
	peer_announces_na("fd88::10", other_local_mac);
	peer_announces_arp("10.88.0.10", peer_mac, CMSHA_ARP_OP_REQUEST);      /* barrier */
	ck_assert(pump_until_seen(w, 1));
	assert_seen(0, 0, peer_mac);
	ck_assert_uint_eq(n_seen, 1);
	cmsha_conflict_watch_close(w);
}
END_TEST

static bool netwatch_says_local(void *ctx, const uint8_t mac[6])
{
	return cmsha_netwatch_is_local_mac(ctx, mac);
}

/* Take netlink events until the links cache knows mac as local. */
static void wait_until_local(struct cmsha_netwatch *nw, const uint8_t mac[6])
{
	long deadline = now_ms() + DEADLINE_MS;
	struct pollfd p = { .fd = cmsha_netwatch_fd(nw), .events = POLLIN };

	while (!cmsha_netwatch_is_local_mac(nw, mac)) {
		ck_assert_msg(now_ms() < deadline, "the link event did not come");
		poll(&p, 1, 100);
		cmsha_netwatch_process(nw);
	}
}

/* The links cache, kept by link events, judges claims: no kernel dump per claim. */
START_TEST(local_macs_come_from_the_links_cache)
{
	static const uint8_t new_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct cmsha_netwatch *nw = cmsha_netwatch_open(NULL, NULL, err, sizeof(err));
	struct cmsha_conflict_watch *w = open_watch(NULL);

	ck_assert_msg(nw, "%s", err);
	cmsha_conflict_watch_use_local_macs(w, netwatch_says_local, nw);
	ck_assert_int_eq(system("ip link set dev cm9 address 02:00:00:00:00:99"), 0);
	wait_until_local(nw, new_mac);
	getifaddrs_calls = 0;
	peer_announces_arp("10.88.0.10", new_mac, CMSHA_ARP_OP_REQUEST);       /* a local port's */
	peer_announces_arp("10.88.0.10", our_mac, CMSHA_ARP_OP_REQUEST);
	peer_announces_arp("10.88.0.10", peer_mac, CMSHA_ARP_OP_REQUEST);      /* barrier */
	ck_assert(pump_until_seen(w, 1));
	assert_seen(0, 0, peer_mac);
	ck_assert_uint_eq(n_seen, 1);
	ck_assert_int_eq(getifaddrs_calls, 0);
	cmsha_conflict_watch_close(w);
	cmsha_netwatch_close(nw);
}
END_TEST

/* RFC 5227 2.1.1 / RFC 4862 5.4.2: another host's probe; our kernel answers it. */
START_TEST(probes_from_unspecified_are_not_reported)
{
	struct cmsha_conflict_watch *w = open_watch(NULL);
	const struct in_addr unspecified = { 0 };
	uint8_t frame[CMSHA_PKT_MAX_LEN];
	struct cmsha_inet a4, a6;

	ck_assert(cmsha_inet_parse("10.88.0.10", &a4) && cmsha_inet_parse("fd88::10", &a6));
	peer_sends(frame, cmsha_pkt_build_arp(frame, sizeof(frame), CMSHA_ARP_OP_REQUEST, peer_mac,
					      broadcast, &unspecified, zero_mac, &a4.u.v4));
	peer_sends(frame, cmsha_pkt_build_ns_probe(frame, sizeof(frame), peer_mac, &a6.u.v6));
	peer_announces_na("fd88::10", stranger);                               /* barrier */
	ck_assert(pump_until_seen(w, 1));
	assert_seen(0, 1, stranger);
	ck_assert_uint_eq(n_seen, 1);
	cmsha_conflict_watch_close(w);
}
END_TEST

START_TEST(only_watched_aliases_are_reported)
{
	const bool watched[3] = { false, true, true };
	struct cmsha_conflict_watch *w = open_watch(watched);

	peer_announces_arp("10.88.0.10", peer_mac, CMSHA_ARP_OP_REQUEST);      /* not watched */
	peer_announces_arp("10.88.0.20", peer_mac, CMSHA_ARP_OP_REQUEST);      /* barrier */
	ck_assert(pump_until_seen(w, 1));
	assert_seen(0, 2, peer_mac);           /* the caller's index, not the watch's */
	ck_assert_uint_eq(n_seen, 1);
	cmsha_conflict_watch_close(w);
	/* A new watch has forgotten the stations seen: the same claim is news again. */
	w = open_watch(watched);
	peer_announces_arp("10.88.0.20", peer_mac, CMSHA_ARP_OP_REQUEST);
	ck_assert(pump_until_seen(w, 2));
	assert_seen(1, 2, peer_mac);
	cmsha_conflict_watch_close(w);
}
END_TEST

START_TEST(open_errors)
{
	const bool none[3] = { false, false, false };

	ck_assert(cmsha_conflict_watch_open(aliases, 3, none, on_conflict, NULL, err,
					    sizeof(err)) == NULL);
	ck_assert_msg(strstr(err, "no alias to watch"), "%s", err);
	aliases[1] = alias_on("nosuch0", "fd88::10");
	ck_assert(cmsha_conflict_watch_open(aliases, 3, NULL, on_conflict, NULL, err,
					    sizeof(err)) == NULL);
	ck_assert_msg(strstr(err, "nosuch0"), "%s", err);
	/* A link that is down can still be listened on. */
	aliases[1] = alias_on("cm0", "fd88::10");
	netns_set_link_up("cm0", false);
	cmsha_conflict_watch_close(open_watch(NULL));
}
END_TEST

int main(int argc, char **argv)
{
	(void)argc;
	netns_require_or_skip(argv[0]);
	Suite *s = suite_create("conflict");
	TCase *tc = tcase_create("kernel");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, gratuitous_arp_from_another_mac_is_reported);
	tcase_add_test(tc, unsolicited_na_from_another_mac_is_reported);
	tcase_add_test(tc, our_own_macs_are_not_reported);
	tcase_add_test(tc, probes_from_unspecified_are_not_reported);
	tcase_add_test(tc, only_watched_aliases_are_reported);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, local_macs_come_from_the_links_cache);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
