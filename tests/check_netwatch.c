/*
 * The netlink watch against a real kernel: each test runs in its own
 * network namespace with a veth interface, and waits on events with a
 * deadline (never a fixed sleep).
 */
#include "autoconfig.h"
#include "check_run.h"
#include "netns_fixture.h"
#include "alias_ctl.h"
#include "netwatch.h"
#include "link_cache.h"
#include "netns_key.h"
#include "packet_tap.h"

#include <net/if.h>
#include <netlink/route/link.h>

#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define DEADLINE_MS 2000

static struct cmsha_alias_conf alias;
static struct cmsha_netwatch *watch;
static int changes;

static void on_change(void *arg) { (void)arg; changes++; }

static void setup(void)
{
	char err[256];
	unsigned prefix;

	netns_enter_private();
	netns_add_veth("dum0", "dum0peer");
	netns_set_link_up("dum0", true);
	netns_wait_link_running("dum0", true, DEADLINE_MS);    /* carrier comes a moment later */
	netns_change_address("dum0", "10.77.0.11/24", true);
	memset(&alias, 0, sizeof(alias));
	ck_assert(cmsha_inet_parse_prefix("10.77.0.10/24", &alias.addr, &prefix, err, sizeof(err)));
	alias.prefix = prefix;
	strcpy(alias.ifname, "dum0");
	watch = cmsha_netwatch_open(on_change, NULL, err, sizeof(err));
	ck_assert_msg(watch != NULL, "%s", err);
	changes = 0;
}

static void teardown(void) { cmsha_netwatch_close(watch); }

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Take netlink events until the alias looks as wanted, or fail at the deadline. */
static void wait_for(bool link_up, bool present)
{
	struct cmsha_alias_observation o;
	long deadline = now_ms() + DEADLINE_MS;

	for (;;) {
		cmsha_netwatch_observe(watch, &alias, &o);
		if (o.link_up == link_up && o.present == present)
			return;
		long left = deadline - now_ms();
		ck_assert_msg(left > 0, "timed out: link_up=%d present=%d", o.link_up, o.present);
		struct pollfd p = { .fd = cmsha_netwatch_fd(watch), .events = POLLIN };
		if (poll(&p, 1, (int)left) > 0)
			cmsha_netwatch_process(watch);
	}
}

START_TEST(sees_existing_state_at_open)
{
	struct cmsha_alias_observation o;
	cmsha_netwatch_observe(watch, &alias, &o);
	ck_assert(o.link_exists && o.link_up && !o.present);
}
END_TEST

START_TEST(follows_alias_add_and_delete)
{
	netns_change_address("dum0", "10.77.0.10/24", true);
	wait_for(true, true);
	ck_assert_int_gt(changes, 0);
	netns_change_address("dum0", "10.77.0.10/24", false);
	wait_for(true, false);
}
END_TEST

START_TEST(ignores_same_address_with_other_prefix)
{
	netns_change_address("dum0", "10.77.0.10/32", true);
	netns_change_address("dum0", "10.77.0.99/24", true);     /* a later event to wait on */
	struct cmsha_local_addr *l;
	long deadline = now_ms() + DEADLINE_MS;
	size_t n;
	for (;;) {
		n = cmsha_netwatch_local_addrs(watch, &l);
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen |= l[i].addr.u.bytes[3] == 99;
		free(l);
		if (seen)
			break;
		ck_assert_msg(now_ms() < deadline, "address event not seen");
		struct pollfd p = { .fd = cmsha_netwatch_fd(watch), .events = POLLIN };
		if (poll(&p, 1, 50) > 0)
			cmsha_netwatch_process(watch);
	}
	struct cmsha_alias_observation o;
	cmsha_netwatch_observe(watch, &alias, &o);
	ck_assert(!o.present);
}
END_TEST

START_TEST(follows_link_down_and_up)
{
	netns_change_address("dum0", "10.77.0.10/24", true);
	wait_for(true, true);
	netns_set_link_up("dum0", false);
	wait_for(false, true);
	netns_set_link_up("dum0", true);
	wait_for(true, true);
}
END_TEST

/*
 * The release's confirmation does not wait (CMSHA_RELEASE_CONFIRM_MS): it
 * relies on the kernel queueing RTM_DELADDR before it ACKs the delete.
 */
static void removal_is_queued_by_its_ack(const char *prefix_text)
{
	struct cmsha_alias_ctl *ctl;
	struct cmsha_alias_observation o;
	char err[256];
	unsigned prefix;

	ck_assert(cmsha_inet_parse_prefix(prefix_text, &alias.addr, &prefix, err, sizeof(err)));
	alias.prefix = prefix;
	ck_assert_msg((ctl = cmsha_alias_ctl_open(err, sizeof(err))) != NULL, "%s", err);
	ck_assert_msg(cmsha_alias_add(ctl, &alias, err, sizeof(err)), "%s", err);
	wait_for(true, true);
	ck_assert_msg(cmsha_alias_del(ctl, &alias, err, sizeof(err)), "%s", err);
	cmsha_netwatch_process(watch);          /* what is queued now; no wait */
	cmsha_netwatch_observe(watch, &alias, &o);
	ck_assert(!o.present);
	cmsha_alias_ctl_close(ctl);
}

START_TEST(a_removal_is_seen_once_acked)
{
	removal_is_queued_by_its_ack("10.77.0.10/24");
	removal_is_queued_by_its_ack("fd77::10/64");
}
END_TEST

START_TEST(ipv6_alias)
{
	char err[256];
	unsigned prefix;
	ck_assert(cmsha_inet_parse_prefix("fd77::10/64", &alias.addr, &prefix, err, sizeof(err)));
	alias.prefix = prefix;
	netns_change_address("dum0", "fd77::10/64", true);
	wait_for(true, true);
	netns_change_address("dum0", "fd77::10/64", false);
	wait_for(true, false);
}
END_TEST

START_TEST(lists_local_addresses_with_interface)
{
	struct cmsha_local_addr *l;
	size_t n = cmsha_netwatch_local_addrs(watch, &l);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		found |= strcmp(l[i].ifname, "dum0") == 0 && l[i].prefix == 24 &&
			 l[i].addr.family == AF_INET;
	free(l);
	ck_assert(found);
}
END_TEST

START_TEST(missing_interface_is_not_up)
{
	struct cmsha_alias_observation o;
	strcpy(alias.ifname, "nosuch0");
	cmsha_netwatch_observe(watch, &alias, &o);
	ck_assert(!o.link_exists && !o.link_up && !o.present);
}
END_TEST

/* N addresses 10.79.x.y/16 on dum0, added while the watch reads nothing. */
static void add_burst(int n)
{
	char text[32];

	for (int i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "10.79.%d.%d/16", i / 250, i % 250 + 1);
		netns_change_address("dum0", text, true);
	}
}

/* How many of the watch's local addresses are in 10.79.0.0/16. */
static int burst_addresses_seen(void)
{
	struct cmsha_local_addr *l;
	size_t n = cmsha_netwatch_local_addrs(watch, &l);
	int seen = 0;

	for (size_t i = 0; i < n; i++)
		seen += l[i].addr.family == AF_INET && l[i].addr.u.bytes[0] == 10 &&
			l[i].addr.u.bytes[1] == 79;
	free(l);
	return seen;
}

/* A switch-over of hundreds of aliases: no notification may be lost. */
/* The switch-over's lookups of dum0 take what netwatch fed: no socket, no ioctl. */
START_TEST(link_cache_is_fed_by_netwatch)
{
	unsigned long before = cmsha_link_cache_lookups();
	uint8_t mac[CMSHA_MAC_LEN];
	char err[256];
	int ifindex;

	ck_assert_msg(cmsha_link_hwaddr("dum0", &ifindex, mac, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(cmsha_link_index("dum0"), (unsigned)ifindex);
	ck_assert_int_eq(cmsha_link_cache_lookups(), before);
	ck_assert_int_eq(ifindex, (int)if_nametoindex("dum0"));
}
END_TEST

static void set_mac(const char *ifname, const uint8_t mac[CMSHA_MAC_LEN])
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *want = rtnl_link_alloc(), *link = NULL;
	struct nl_addr *ll = nl_addr_build(AF_LLC, mac, CMSHA_MAC_LEN);

	ck_assert(sk && want && ll && nl_connect(sk, NETLINK_ROUTE) == 0);
	ck_assert_int_eq(rtnl_link_get_kernel(sk, 0, ifname, &link), 0);
	rtnl_link_set_addr(want, ll);
	ck_assert_int_eq(rtnl_link_change(sk, link, want, 0), 0);
	nl_addr_put(ll);
	rtnl_link_put(link);
	rtnl_link_put(want);
	nl_socket_free(sk);
}

static bool has_mac(const uint8_t want[CMSHA_MAC_LEN])
{
	uint8_t mac[CMSHA_MAC_LEN];
	char err[256];
	int ifindex;

	return cmsha_link_hwaddr("dum0", &ifindex, mac, err, sizeof(err)) &&
	       memcmp(mac, want, CMSHA_MAC_LEN) == 0;
}

/* A new hardware address reaches the cache by the link event, not by a lookup. */
START_TEST(link_cache_follows_a_new_address)
{
	static const uint8_t fresh[CMSHA_MAC_LEN] = { 0x02, 0x77, 0x00, 0x00, 0x0a, 0x0b };
	unsigned long before = cmsha_link_cache_lookups();
	long deadline = now_ms() + DEADLINE_MS;

	ck_assert(!has_mac(fresh));
	set_mac("dum0", fresh);
	while (!has_mac(fresh)) {
		long left = deadline - now_ms();
		ck_assert_msg(left > 0, "timed out waiting for the new address in the cache");
		struct pollfd p = { .fd = cmsha_netwatch_fd(watch), .events = POLLIN };
		if (poll(&p, 1, (int)left) > 0)
			cmsha_netwatch_process(watch);
	}
	ck_assert_int_eq(cmsha_link_cache_lookups(), before);
}
END_TEST

/* Not fed: one kernel lookup, then the kept answer. */
START_TEST(link_cache_looks_up_once)
{
	uint8_t mac[CMSHA_MAC_LEN];
	unsigned long before;
	char err[256];
	int ifindex;

	cmsha_link_cache_clear();
	before = cmsha_link_cache_lookups();
	ck_assert_msg(cmsha_link_hwaddr("dum0", &ifindex, mac, err, sizeof(err)), "%s", err);
	ck_assert_msg(cmsha_link_hwaddr("dum0", &ifindex, mac, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(cmsha_link_index("dum0"), (unsigned)ifindex);
	ck_assert_int_eq(cmsha_link_cache_lookups(), before + 1);
	ck_assert(!cmsha_link_hwaddr("nosuch0", &ifindex, mac, err, sizeof(err)));
	ck_assert_int_eq(cmsha_link_index("nosuch0"), 0);
}
END_TEST

/* A switch-over looks links and the packet tap up several times: the
 * namespace, their key, is read from /proc once, not at each lookup. */
START_TEST(lookups_read_the_namespace_once)
{
	struct cmsha_packet_tap *tap;
	uint8_t mac[CMSHA_MAC_LEN];
	unsigned long reads;
	char err[256];
	int ifindex;

	ck_assert_msg(cmsha_link_hwaddr("dum0", &ifindex, mac, err, sizeof(err)), "%s", err);
	reads = cmsha_netns_key_reads();
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(cmsha_link_hwaddr("dum0", &ifindex, mac, err, sizeof(err)), "%s", err);
		ck_assert_int_eq(cmsha_link_index("dum0"), (unsigned)ifindex);
		ck_assert_msg((tap = cmsha_packet_tap_get(err, sizeof(err))), "%s", err);
		cmsha_packet_tap_put(tap);
	}
	ck_assert_int_eq(cmsha_netns_key_reads(), reads);
}
END_TEST

/* Links are kept per namespace: after a move (the fixture tells the key),
 * the namespace left behind's dum0 is not taken for this one's. */
START_TEST(link_cache_keeps_namespaces_apart)
{
	struct netns_peer peer;
	unsigned home = cmsha_link_index("dum0");

	ck_assert_uint_ne(home, 0);
	netns_peer_start(&peer);
	netns_peer_enter(&peer);
	ck_assert_uint_eq(cmsha_link_index("dum0"), 0);
	netns_peer_leave(&peer);
	ck_assert_uint_eq(cmsha_link_index("dum0"), home);
	netns_peer_stop(&peer);
}
END_TEST

START_TEST(sees_every_address_of_a_burst)
{
	add_burst(1000);
	netns_change_address("dum0", "10.77.0.10/24", true);
	wait_for(true, true);
	ck_assert_int_eq(burst_addresses_seen(), 1000);
}
END_TEST

/* Notifications the kernel dropped (ENOBUFS) are made up by a full re-read. */
START_TEST(reads_everything_again_after_an_overrun)
{
	int small = 4096;

	ck_assert_int_eq(setsockopt(cmsha_netwatch_fd(watch), SOL_SOCKET, SO_RCVBUF, &small,
				    sizeof(small)), 0);
	add_burst(300);
	netns_change_address("dum0", "10.77.0.10/24", true);
	wait_for(true, true);
	ck_assert_int_eq(burst_addresses_seen(), 300);
}
END_TEST

int main(int argc, char **argv)
{
	(void)argc;
	netns_require_or_skip(argv[0]);
	Suite *s = suite_create("netwatch");
	TCase *tc = tcase_create("kernel");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sees_existing_state_at_open);
	tcase_add_test(tc, follows_alias_add_and_delete);
	tcase_add_test(tc, ignores_same_address_with_other_prefix);
	tcase_add_test(tc, follows_link_down_and_up);
	tcase_add_test(tc, ipv6_alias);
	tcase_add_test(tc, a_removal_is_seen_once_acked);
	tcase_add_test(tc, lists_local_addresses_with_interface);
	tcase_add_test(tc, missing_interface_is_not_up);
	tcase_add_test(tc, sees_every_address_of_a_burst);
	tcase_add_test(tc, reads_everything_again_after_an_overrun);
	tcase_add_test(tc, link_cache_is_fed_by_netwatch);
	tcase_add_test(tc, link_cache_follows_a_new_address);
	tcase_add_test(tc, link_cache_looks_up_once);
	tcase_add_test(tc, lookups_read_the_namespace_once);
	tcase_add_test(tc, link_cache_keeps_namespaces_apart);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
