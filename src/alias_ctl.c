#include "autoconfig.h"
#include "alias_ctl.h"
#include "link_cache.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <stdio.h>
#include <stdlib.h>

/* An ACK carries the request back (and, for an error, the kernel's reason). */
#define ACK_BUFFER 16384

struct cmsha_alias_ctl {
	struct nl_sock *sk;
};

struct cmsha_alias_ctl *cmsha_alias_ctl_open(char *err, size_t errlen)
{
	struct cmsha_alias_ctl *c = calloc(1, sizeof(*c));
	int rc;

	if (!c || !(c->sk = nl_socket_alloc()))
		snprintf(err, errlen, "out of memory");
	else if ((rc = nl_connect(c->sk, NETLINK_ROUTE)) < 0)
		snprintf(err, errlen, "netlink: %s", nl_geterror(rc));
	else {
		/* Only ACKs come back here, each far smaller than the buffer:
		 * read each once, not peeked at first to size the buffer (libnl's
		 * default: a second recvmsg per ACK, on the switch-over's path). */
		nl_socket_disable_msg_peek(c->sk);
		nl_socket_set_msg_buf_size(c->sk, ACK_BUFFER);
		return c;
	}
	cmsha_alias_ctl_close(c);
	return NULL;
}

void cmsha_alias_ctl_close(struct cmsha_alias_ctl *c)
{
	if (!c)
		return;
	nl_socket_free(c->sk);
	free(c);
}

static struct rtnl_addr *build_address(const struct cmsha_alias_conf *a, char *err,
				       size_t errlen)
{
	unsigned ifindex = cmsha_link_index(a->ifname);
	struct rtnl_addr *ra;
	struct nl_addr *local;

	if (!ifindex) {
		snprintf(err, errlen, "interface %s does not exist", a->ifname);
		return NULL;
	}
	ra = rtnl_addr_alloc();
	local = nl_addr_build(a->addr.family, a->addr.u.bytes, cmsha_inet_len(&a->addr));
	if (!ra || !local) {
		snprintf(err, errlen, "out of memory");
		rtnl_addr_put(ra);
		nl_addr_put(local);
		return NULL;
	}
	nl_addr_set_prefixlen(local, (int)a->prefix);
	rtnl_addr_set_ifindex(ra, (int)ifindex);
	rtnl_addr_set_local(ra, local);
	rtnl_addr_set_prefixlen(ra, (int)a->prefix);
	nl_addr_put(local);
	return ra;
}

static void describe(const struct cmsha_alias_conf *a, const char *what, int rc,
		     char *err, size_t errlen)
{
	char text[CMSHA_INET_STRLEN];

	snprintf(err, errlen, "cannot %s %s/%u on %s: %s", what,
		 cmsha_inet_ntop(&a->addr, text, sizeof(text)), a->prefix, a->ifname,
		 nl_geterror(rc));
}

/* Adding what is there already, or removing what is not, is done. */
static bool already_so(bool add, int rc)
{
	if (add)
		return rc == -NLE_EXIST;
	return rc == -NLE_NOADDR || rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV;
}

static bool alias_request(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a, bool add,
			  char *err, size_t errlen)
{
	struct rtnl_addr *ra = build_address(a, err, errlen);
	int rc;

	if (!ra)
		return false;
	/* Label and NODAD describe a new address: a delete matches it by address. */
	if (add && a->label[0])
		rtnl_addr_set_label(ra, a->label);
	if (add && a->addr.family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	rc = add ? rtnl_addr_add(c->sk, ra, NLM_F_EXCL) : rtnl_addr_delete(c->sk, ra, 0);
	rtnl_addr_put(ra);
	if (already_so(add, rc))
		rc = 0;
	if (rc < 0)
		describe(a, add ? "add" : "remove", rc, err, errlen);
	return rc == 0;
}

bool cmsha_alias_add(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a,
		     char *err, size_t errlen)
{
	return alias_request(c, a, true, err, errlen);
}

bool cmsha_alias_del(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a,
		     char *err, size_t errlen)
{
	return alias_request(c, a, false, err, errlen);
}
