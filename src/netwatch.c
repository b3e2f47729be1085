#include "autoconfig.h"
#include "netwatch.h"
#include "link_cache.h"

#include <net/if_arp.h>

#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/*
 * Room for a burst of notifications: a switch-over of hundreds of aliases
 * brings one notification per address at once, and the default receive
 * buffer (rmem_default) holds only a few hundred; the kernel drops the rest
 * (ENOBUFS).  SO_RCVBUFFORCE needs CAP_NET_ADMIN, which cmshad keeps;
 * without it SO_RCVBUF gives what rmem_max allows.
 */
#define NETWATCH_RCVBUF (4 * 1024 * 1024)

struct cmsha_netwatch {
	struct nl_cache_mngr *mngr;
	struct nl_cache *links;
	struct nl_cache *addrs;
	cmsha_netwatch_changed_fn changed;
	void *arg;
	bool dirty;
	bool links_dirty;               /* a link event: feed cmsha_link_cache again */
};

static void on_cache_change(struct nl_cache *cache, struct nl_object *obj, int action,
			    void *arg)
{
	struct cmsha_netwatch *w = arg;

	(void)obj;
	(void)action;
	w->dirty = true;
	if (cache == w->links)
		w->links_dirty = true;
}

/*
 * The links as the kernel last reported them, into cmsha_link_cache: the
 * switch-over's probe, alias changes and announcements then find each
 * interface's index and address without a socket of their own.
 */
static void feed_link_cache(struct cmsha_netwatch *w)
{
	cmsha_link_cache_clear();
	for (struct nl_object *o = nl_cache_get_first(w->links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *link = (struct rtnl_link *)o;
		struct nl_addr *ll = rtnl_link_get_addr(link);
		bool ether = rtnl_link_get_arptype(link) == ARPHRD_ETHER && ll &&
			     nl_addr_get_len(ll) == CMSHA_MAC_LEN;

		if (rtnl_link_get_name(link))
			cmsha_link_cache_set(rtnl_link_get_name(link), rtnl_link_get_ifindex(link),
					     ether ? nl_addr_get_binary_addr(ll) : NULL);
	}
	w->links_dirty = false;
}

static void enlarge_receive_buffer(int fd)
{
	int size = NETWATCH_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

/*
 * Reading the notifications failed (ENOBUFS, NLE_NOMEM in libnl: the kernel
 * dropped some): the caches may miss changes, so read both again in full.
 */
static void resync(struct cmsha_netwatch *w)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (sk && nl_connect(sk, NETLINK_ROUTE) == 0) {
		nl_cache_refill(sk, w->links);
		nl_cache_refill(sk, w->addrs);
	}
	nl_socket_free(sk);
	w->dirty = true;
	w->links_dirty = true;
}

struct cmsha_netwatch *cmsha_netwatch_open(cmsha_netwatch_changed_fn changed, void *arg,
					   char *err, size_t errlen)
{
	struct cmsha_netwatch *w = calloc(1, sizeof(*w));
	int rc;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->changed = changed;
	w->arg = arg;
	rc = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, NL_AUTO_PROVIDE, &w->mngr);
	if (rc == 0)
		rc = nl_cache_mngr_add(w->mngr, "route/link", on_cache_change, w, &w->links);
	if (rc == 0)
		rc = nl_cache_mngr_add(w->mngr, "route/addr", on_cache_change, w, &w->addrs);
	if (rc < 0) {
		snprintf(err, errlen, "netlink route cache: %s", nl_geterror(rc));
		cmsha_netwatch_close(w);
		return NULL;
	}
	enlarge_receive_buffer(nl_cache_mngr_get_fd(w->mngr));
	feed_link_cache(w);
	return w;
}

void cmsha_netwatch_close(struct cmsha_netwatch *w)
{
	if (!w)
		return;
	if (w->mngr)
		nl_cache_mngr_free(w->mngr);     /* frees the caches it provides */
	free(w);
}

int cmsha_netwatch_fd(const struct cmsha_netwatch *w)
{
	return nl_cache_mngr_get_fd(w->mngr);
}

void cmsha_netwatch_process(struct cmsha_netwatch *w)
{
	if (nl_cache_mngr_data_ready(w->mngr) < 0)
		resync(w);
	if (w->links_dirty)
		feed_link_cache(w);
	if (w->dirty) {
		w->dirty = false;
		if (w->changed)
			w->changed(w->arg);
	}
}

static bool address_matches(struct rtnl_addr *ra, int ifindex, const struct cmsha_alias_conf *a)
{
	struct nl_addr *local = rtnl_addr_get_local(ra);

	return rtnl_addr_get_ifindex(ra) == ifindex &&
	       rtnl_addr_get_family(ra) == a->addr.family &&
	       local && nl_addr_get_len(local) == cmsha_inet_len(&a->addr) &&
	       memcmp(nl_addr_get_binary_addr(local), a->addr.u.bytes,
		      cmsha_inet_len(&a->addr)) == 0 &&
	       (unsigned)rtnl_addr_get_prefixlen(ra) == a->prefix;
}

static bool address_present(const struct cmsha_netwatch *w, int ifindex,
			    const struct cmsha_alias_conf *a)
{
	for (struct nl_object *o = nl_cache_get_first(w->addrs); o; o = nl_cache_get_next(o))
		if (address_matches((struct rtnl_addr *)o, ifindex, a))
			return true;
	return false;
}

void cmsha_netwatch_observe(const struct cmsha_netwatch *w, const struct cmsha_alias_conf *a,
			    struct cmsha_alias_observation *out)
{
	struct rtnl_link *link = rtnl_link_get_by_name(w->links, a->ifname);
	unsigned flags;

	memset(out, 0, sizeof(*out));
	if (!link)
		return;
	flags = rtnl_link_get_flags(link);
	out->link_exists = true;
	out->link_up = (flags & IFF_UP) && (flags & IFF_RUNNING);
	out->present = address_present(w, rtnl_link_get_ifindex(link), a);
	rtnl_link_put(link);
}

static bool to_local_addr(const struct cmsha_netwatch *w, struct rtnl_addr *ra,
			  struct cmsha_local_addr *out)
{
	struct nl_addr *local = rtnl_addr_get_local(ra);
	int family = rtnl_addr_get_family(ra);
	size_t len = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	if (!local || !len || nl_addr_get_len(local) != len)
		return false;
	memset(out, 0, sizeof(*out));
	if (!rtnl_link_i2name(w->links, rtnl_addr_get_ifindex(ra), out->ifname,
			      sizeof(out->ifname)))
		return false;
	out->addr.family = family;
	memcpy(out->addr.u.bytes, nl_addr_get_binary_addr(local), len);
	out->prefix = (unsigned)rtnl_addr_get_prefixlen(ra);
	return true;
}

bool cmsha_netwatch_is_local_mac(const struct cmsha_netwatch *w, const uint8_t mac[6])
{
	for (struct nl_object *o = nl_cache_get_first(w->links); o; o = nl_cache_get_next(o)) {
		struct nl_addr *ll = rtnl_link_get_addr((struct rtnl_link *)o);

		if (ll && nl_addr_get_len(ll) == 6 && memcmp(nl_addr_get_binary_addr(ll), mac, 6) == 0)
			return true;
	}
	return false;
}

size_t cmsha_netwatch_local_addrs(const struct cmsha_netwatch *w, struct cmsha_local_addr **out)
{
	size_t n = 0, max = (size_t)nl_cache_nitems(w->addrs);
	struct cmsha_local_addr *list = calloc(max ? max : 1, sizeof(*list));

	*out = list;
	if (!list)
		return 0;
	for (struct nl_object *o = nl_cache_get_first(w->addrs); o && n < max;
	     o = nl_cache_get_next(o))
		n += to_local_addr(w, (struct rtnl_addr *)o, &list[n]);
	return n;
}
