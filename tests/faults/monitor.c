/*
 * tests/faults/monitor: the fault runner's witness in the lab's LAN
 * namespace.  It watches, from outside the agents:
 *
 *   - every address added to or removed from the servers' kernels: one
 *     rtnetlink socket (libnl-3) opened inside each server's namespace
 *     (setns() on /var/run/netns/NAME, socket, setns() back), subscribed to
 *     the IPv4 and IPv6 address groups, after a dump of what is there;
 *   - every ARP and Neighbor Advertisement on the bridge (a packet socket on
 *     it, frames parsed with cmsha's own parser, src/packet.c).
 *
 * One line per event on stdout, flushed at once, time first (ms since the
 * epoch, CLOCK_REALTIME, so it merges with the runner's own log).  The time
 * is that of the wake-up that read the event: events of different sockets
 * read in one wake-up happened in an order the monitor cannot know (it was
 * not running), so they carry the same time rather than their reading
 * order, which could show, say, the taker's add before the releaser's
 * delete that preceded it.  The resolution is the monitor's wake-up delay.
 *
 *   1700000000123.456 addr pri add 10.77.0.10/24
 *   1700000000123.789 addr sec del fd77::10/64
 *   1700000000124.001 arp 02:77:00:00:00:12 10.77.0.10 10.77.0.10 request
 *   1700000000124.100 na 02:77:00:00:00:12 fd77::10
 *   1700000000124.200 overrun pri       (netlink lost events: state unknown)
 *
 * Usage: monitor BRIDGE NAME=NETNS [NAME=NETNS...]   (runs until killed)
 * Built by make check, not installed.
 */
#include "packet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/rtnl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_NODES 4

struct node {
	const char *name;
	struct nl_sock *sk;
};

static struct timespec woke;          /* when poll() last returned */

static void wake_up(void)
{
	clock_gettime(CLOCK_REALTIME, &woke);
}

static void stamp(void)
{
	printf("%lld.%03ld ", (long long)woke.tv_sec * 1000 + woke.tv_nsec / 1000000,
	       (woke.tv_nsec / 1000) % 1000);
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "monitor: %s: %s\n", what, detail);
	exit(1);
}

/* One address message: print it if it is a global address. */
static void on_addr_object(struct nl_object *obj, void *arg)
{
	const struct node *n = arg;
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct nl_addr *local = rtnl_addr_get_local(a);
	char text[INET6_ADDRSTRLEN + 8];
	int type = nl_object_get_msgtype(obj);

	if (!local || rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE)
		return;
	nl_addr2str(local, text, sizeof(text));
	stamp();
	printf("addr %s %s %s\n", n->name, type == RTM_DELADDR ? "del" : "add", text);
}

static int on_message(struct nl_msg *msg, void *arg)
{
	nl_msg_parse(msg, on_addr_object, arg);
	return NL_OK;
}

static int enter_ns(const char *netns)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/var/run/netns/%s", netns);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die(path, strerror(errno));
	if (setns(fd, CLONE_NEWNET) < 0)
		die("setns", strerror(errno));
	return fd;
}

/* A netlink socket living in netns, subscribed, with a dump requested. */
static void open_node(struct node *n, const char *netns, int home_fd)
{
	int fd = enter_ns(netns), err;

	if (!(n->sk = nl_socket_alloc()))
		die("nl_socket_alloc", "out of memory");
	nl_socket_disable_seq_check(n->sk);
	nl_socket_modify_cb(n->sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, n);
	if ((err = nl_connect(n->sk, NETLINK_ROUTE)) < 0)
		die("nl_connect", nl_geterror(err));
	if (setns(home_fd, CLONE_NEWNET) < 0)
		die("setns back", strerror(errno));
	close(fd);
	nl_socket_set_buffer_size(n->sk, 4 << 20, 0);
	nl_socket_set_nonblocking(n->sk);
	if ((err = nl_socket_add_memberships(n->sk, RTNLGRP_IPV4_IFADDR,
					     RTNLGRP_IPV6_IFADDR, 0)) < 0)
		die("nl_socket_add_memberships", nl_geterror(err));
	if ((err = nl_rtgen_request(n->sk, RTM_GETADDR, AF_UNSPEC, NLM_F_DUMP)) < 0)
		die("address dump", nl_geterror(err));
}

static void read_node(struct node *n)
{
	int err = nl_recvmsgs_default(n->sk);

	/* Lost events: say so, the analyzer cannot trust this node's state. */
	if (err == -NLE_NOMEM || err == -NLE_MSG_OVERFLOW) {
		stamp();
		printf("overrun %s\n", n->name);
	}
}

static int open_bridge(const char *bridge)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	if (fd < 0)
		die("packet socket", strerror(errno));
	if (!(sll.sll_ifindex = (int)if_nametoindex(bridge)))
		die(bridge, "no such interface");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind", strerror(errno));
	return fd;
}

static const char *mac_text(const uint8_t m[CMSHA_MAC_LEN], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

static void read_bridge(int fd)
{
	uint8_t frame[2048];
	struct cmsha_pkt_info p;
	char mac[24], a[CMSHA_INET_STRLEN], b[CMSHA_INET_STRLEN];
	ssize_t n = recv(fd, frame, sizeof(frame), MSG_DONTWAIT);

	if (n <= 0 || !cmsha_pkt_parse(frame, (size_t)n, &p))
		return;
	mac_text(p.sender_mac, mac, sizeof(mac));
	if (p.kind == CMSHA_PKT_ARP_REQUEST || p.kind == CMSHA_PKT_ARP_REPLY) {
		stamp();
		printf("arp %s %s %s %s\n", mac, cmsha_inet_ntop(&p.sender_ip, a, sizeof(a)),
		       cmsha_inet_ntop(&p.target_ip, b, sizeof(b)),
		       p.kind == CMSHA_PKT_ARP_REQUEST ? "request" : "reply");
	} else if (p.kind == CMSHA_PKT_ND_NA) {
		stamp();
		printf("na %s %s\n", mac, cmsha_inet_ntop(&p.target_ip, a, sizeof(a)));
	}
}

int main(int argc, char **argv)
{
	struct node nodes[MAX_NODES];
	struct pollfd pfd[MAX_NODES + 1];
	int home_fd, n_nodes = argc - 2;

	if (argc < 3 || n_nodes > MAX_NODES)
		die("usage", "monitor BRIDGE NAME=NETNS [NAME=NETNS...]");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		die("/proc/self/ns/net", strerror(errno));
	for (int i = 0; i < n_nodes; i++) {
		char *eq = strchr(argv[i + 2], '=');

		if (!eq)
			die("not NAME=NETNS", argv[i + 2]);
		*eq = '\0';
		nodes[i].name = argv[i + 2];
		open_node(&nodes[i], eq + 1, home_fd);
		pfd[i] = (struct pollfd){ .fd = nl_socket_get_fd(nodes[i].sk), .events = POLLIN };
	}
	pfd[n_nodes] = (struct pollfd){ .fd = open_bridge(argv[1]), .events = POLLIN };
	wake_up();
	stamp();
	printf("monitor started\n");
	for (;;) {
		if (poll(pfd, (nfds_t)n_nodes + 1, -1) < 0 && errno != EINTR)
			die("poll", strerror(errno));
		wake_up();
		for (int i = 0; i < n_nodes; i++)
			if (pfd[i].revents & POLLIN)
				read_node(&nodes[i]);
		if (pfd[n_nodes].revents & POLLIN)
			read_bridge(pfd[n_nodes].fd);
	}
}
