#include "autoconfig.h"
#include "netns_fixture.h"
#include "netns_key.h"

#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void netns_require_or_skip(const char *program)
{
	const char *ci = getenv("CI");
	const char *why = NULL;
	pid_t pid;
	int status = 0;

	if (geteuid() != 0)
		why = "not running as root";
	else if ((pid = fork()) == 0)
		_exit(unshare(CLONE_NEWNET) == 0 ? 0 : 1);
	else if (pid < 0 || waitpid(pid, &status, 0) < 0 || status != 0)
		why = "cannot create a network namespace";
	if (!why)
		return;
	if (ci && strcmp(ci, "true") == 0) {
		fprintf(stderr, "FAIL: %s: %s (CI=true: integration tests must run)\n", program, why);
		exit(1);
	}
	fprintf(stderr, "SKIP: %s: %s (netlink tests need root and network namespaces)\n",
		program, why);
	exit(77);
}

void netns_enter_private(void)
{
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare: %s", strerror(errno));
	cmsha_netns_key_moved();
	netns_set_link_up("lo", true);
}

static struct nl_sock *route_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	ck_assert_ptr_nonnull(sk);
	ck_assert_int_eq(nl_connect(sk, NETLINK_ROUTE), 0);
	return sk;
}

/* veth, not dummy: the dummy driver is not in every kernel (nor in our CI's). */
void netns_add_veth(const char *ifname, const char *peer_name)
{
	struct nl_sock *sk = route_socket();
	int rc = rtnl_link_veth_add(sk, ifname, peer_name, getpid());

	ck_assert_msg(rc == 0, "add veth %s/%s: %s", ifname, peer_name, nl_geterror(rc));
	nl_socket_free(sk);
	netns_set_link_up(peer_name, true);
}

void netns_set_link_up(const char *ifname, bool up)
{
	struct nl_sock *sk = route_socket();
	struct rtnl_link *link, *change = rtnl_link_alloc();
	int rc = rtnl_link_get_kernel(sk, 0, ifname, &link);

	ck_assert_msg(rc == 0, "get link %s: %s", ifname, nl_geterror(rc));
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	rc = rtnl_link_change(sk, link, change, 0);
	ck_assert_msg(rc == 0, "set %s %s: %s", ifname, up ? "up" : "down", nl_geterror(rc));
	rtnl_link_put(link);
	rtnl_link_put(change);
	nl_socket_free(sk);
}

void netns_change_address(const char *ifname, const char *prefix_text, bool add)
{
	struct nl_sock *sk = route_socket();
	struct rtnl_addr *addr = rtnl_addr_alloc();
	struct nl_addr *local;
	int rc;

	ck_assert_int_eq(nl_addr_parse(prefix_text, AF_UNSPEC, &local), 0);
	rtnl_addr_set_ifindex(addr, (int)if_nametoindex(ifname));
	rtnl_addr_set_local(addr, local);
	rtnl_addr_set_flags(addr, IFA_F_NODAD);
	rc = add ? rtnl_addr_add(sk, addr, 0) : rtnl_addr_delete(sk, addr, 0);
	ck_assert_msg(rc == 0, "%s %s on %s: %s", add ? "add" : "delete", prefix_text, ifname,
		      nl_geterror(rc));
	nl_addr_put(local);
	rtnl_addr_put(addr);
	nl_socket_free(sk);
}

/* The child: a new namespace, "ready" on one pipe, then wait for EOF on the other. */
static void peer_child(int ready_fd, int hold_fd)
{
	char c;

	if (unshare(CLONE_NEWNET) != 0 || write(ready_fd, "r", 1) != 1)
		_exit(1);
	while (read(hold_fd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

void netns_peer_start(struct netns_peer *peer)
{
	int ready[2], hold[2];
	char path[64], c;

	ck_assert(pipe2(ready, O_CLOEXEC) == 0 && pipe2(hold, O_CLOEXEC) == 0);
	peer->home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(peer->home_fd, 0);
	peer->pid = fork();
	ck_assert_int_ge(peer->pid, 0);
	if (peer->pid == 0) {
		close(ready[0]);
		close(hold[1]);
		peer_child(ready[1], hold[0]);
	}
	close(ready[1]);
	close(hold[0]);
	ck_assert_msg(read(ready[0], &c, 1) == 1, "peer namespace not created");
	close(ready[0]);
	peer->hold_fd = hold[1];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)peer->pid);
	peer->ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(peer->ns_fd >= 0, "%s: %s", path, strerror(errno));
}

void netns_peer_enter(const struct netns_peer *peer)
{
	ck_assert_msg(setns(peer->ns_fd, CLONE_NEWNET) == 0, "setns: %s", strerror(errno));
	cmsha_netns_key_moved();
}

void netns_peer_leave(const struct netns_peer *peer)
{
	ck_assert_msg(setns(peer->home_fd, CLONE_NEWNET) == 0, "setns: %s", strerror(errno));
	cmsha_netns_key_moved();
}

void netns_peer_stop(struct netns_peer *peer)
{
	if (peer->pid <= 0)
		return;
	(void)setns(peer->home_fd, CLONE_NEWNET);
	cmsha_netns_key_moved();
	close(peer->hold_fd);
	kill(peer->pid, SIGKILL);
	while (waitpid(peer->pid, NULL, 0) < 0 && errno == EINTR)
		;
	close(peer->ns_fd);
	close(peer->home_fd);
	peer->pid = 0;
}

void netns_peer_add_veth(const struct netns_peer *peer, const char *ifname,
			 const char *peer_name)
{
	struct nl_sock *sk = route_socket();
	int rc = rtnl_link_veth_add(sk, ifname, peer_name, peer->pid);

	ck_assert_msg(rc == 0, "add veth %s/%s: %s", ifname, peer_name, nl_geterror(rc));
	nl_socket_free(sk);
}

void netns_sysctl_net(const char *path, const char *value)
{
	char full[256];
	FILE *f;

	snprintf(full, sizeof(full), "/proc/sys/net/%s", path);
	f = fopen(full, "w");
	ck_assert_msg(f != NULL, "%s: %s", full, strerror(errno));
	int written = fputs(value, f), closed = fclose(f);
	ck_assert_msg(written >= 0 && closed == 0, "write %s: %s", full, strerror(errno));
}

void netns_neigh_set(const char *ifname, const char *addr_text, const uint8_t mac[6],
		     int state)
{
	struct nl_sock *sk = route_socket();
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *dst, *ll = nl_addr_build(AF_LLC, mac, 6);
	int rc;

	ck_assert_int_eq(nl_addr_parse(addr_text, AF_UNSPEC, &dst), 0);
	rtnl_neigh_set_ifindex(n, (int)if_nametoindex(ifname));
	rtnl_neigh_set_dst(n, dst);
	rtnl_neigh_set_lladdr(n, ll);
	rtnl_neigh_set_state(n, state);
	rc = rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE);
	ck_assert_msg(rc == 0, "neighbour %s on %s: %s", addr_text, ifname, nl_geterror(rc));
	nl_addr_put(dst);
	nl_addr_put(ll);
	rtnl_neigh_put(n);
	nl_socket_free(sk);
}

bool netns_neigh_get(const char *ifname, const char *addr_text, uint8_t mac[6], int *state)
{
	struct nl_sock *sk = route_socket();
	struct nl_cache *cache;
	struct nl_addr *dst, *ll;
	struct rtnl_neigh *n;
	bool found = false;

	ck_assert_int_eq(rtnl_neigh_alloc_cache(sk, &cache), 0);
	ck_assert_int_eq(nl_addr_parse(addr_text, AF_UNSPEC, &dst), 0);
	n = rtnl_neigh_get(cache, (int)if_nametoindex(ifname), dst);
	if (n && (ll = rtnl_neigh_get_lladdr(n)) && nl_addr_get_len(ll) == 6) {
		memcpy(mac, nl_addr_get_binary_addr(ll), 6);
		*state = rtnl_neigh_get_state(n);
		found = true;
	}
	if (n)
		rtnl_neigh_put(n);
	nl_addr_put(dst);
	nl_cache_free(cache);
	nl_socket_free(sk);
	return found;
}

static long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A raw rtnetlink socket on groups (RTMGRP_*), to wait on with poll. */
static int event_socket(unsigned groups)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };

	ck_assert_int_ge(fd, 0);
	ck_assert_msg(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "bind: %s",
		      strerror(errno));
	return fd;
}

/* Wait for the next events until deadline; false when it passed. */
static bool wait_event(int fd, long deadline, char *buf, size_t len, ssize_t *got)
{
	long left = deadline - monotonic_ms();
	struct pollfd p = { .fd = fd, .events = POLLIN };

	*got = 0;
	if (left <= 0 || poll(&p, 1, (int)left) <= 0)
		return false;
	*got = recv(fd, buf, len, 0);
	return true;
}

/*
 * Has linkwatch handled ifname's carrier-on?  It sets the operational state
 * and attaches the qdiscs to the transmit queues in one go, under RTNL (as
 * the query below runs): the root qdisc that "tc qdisc show" lists is set
 * at "link up" already, so it tells nothing.
 */
static bool link_oper_up(const char *ifname)
{
	struct nl_sock *sk = route_socket();
	struct rtnl_link *link;
	bool up;

	ck_assert_int_eq(rtnl_link_get_kernel(sk, 0, ifname, &link), 0);
	up = rtnl_link_get_operstate(link) == 6;        /* IF_OPER_UP, RFC 2863 "up" */
	rtnl_link_put(link);
	nl_socket_free(sk);
	return up;
}

void netns_wait_link_running(const char *ifname, bool running, int timeout_ms)
{
	/* linkwatch announces the change (RTM_NEWLINK) when it is done. */
	int fd = event_socket(RTMGRP_LINK);
	long deadline = monotonic_ms() + timeout_ms;
	char buf[8192];
	ssize_t got;

	while (link_oper_up(ifname) != running)
		ck_assert_msg(wait_event(fd, deadline, buf, sizeof(buf), &got),
			      "%s: still %s after %d ms", ifname, running ? "not running" : "running",
			      timeout_ms);
	close(fd);
}

/* Is there an RTM_NEWADDR for addr (16 bytes) in these messages? */
static bool has_newaddr(const char *buf, ssize_t len, const struct in6_addr *addr)
{
	for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; NLMSG_OK(h, len);
	     h = NLMSG_NEXT(h, len)) {
		const struct ifaddrmsg *ifa = NLMSG_DATA(h);
		int alen = (int)IFA_PAYLOAD(h);

		if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET6)
			continue;
		for (const struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
			if (a->rta_type == IFA_ADDRESS && RTA_PAYLOAD(a) == 16 &&
			    memcmp(RTA_DATA(a), addr, 16) == 0)
				return true;
	}
	return false;
}

void netns_add_address_ready(const char *ifname, const char *prefix_text, int timeout_ms)
{
	char host[64], buf[8192];
	struct in6_addr a6;
	long deadline;
	ssize_t got;
	int fd;

	snprintf(host, sizeof(host), "%s", prefix_text);
	host[strcspn(host, "/")] = '\0';
	if (inet_pton(AF_INET6, host, &a6) != 1) {
		netns_change_address(ifname, prefix_text, true);   /* IPv4: ready at once */
		return;
	}
	fd = event_socket(RTMGRP_IPV6_IFADDR);
	netns_change_address(ifname, prefix_text, true);
	deadline = monotonic_ms() + timeout_ms;
	do
		ck_assert_msg(wait_event(fd, deadline, buf, sizeof(buf), &got),
			      "%s: no RTM_NEWADDR after %d ms", prefix_text, timeout_ms);
	while (!has_newaddr(buf, got, &a6));
	close(fd);
}
