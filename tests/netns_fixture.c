#include "autoconfig.h"
#include "netns_fixture.h"

#include <check.h>
#include <errno.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <sched.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
