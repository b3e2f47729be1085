#include "autoconfig.h"
#include "client_scan.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netlink/cache.h>
#include <netlink/idiag/idiagnl.h>
#include <netlink/idiag/msg.h>
#include <netlink/netfilter/ct.h>
#include <netlink/netfilter/nfnl.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <string.h>

struct scan {
	struct cmsha_clients *clients;
	const struct cmsha_client_filter *filter;
	const struct timespec *now;
};

static bool from_nl_addr(struct nl_addr *a, struct cmsha_inet *out)
{
	memset(out, 0, sizeof(*out));
	if (!a)
		return false;
	out->family = nl_addr_get_family(a);
	/* inet_diag's addresses come in its 16-octet field, IPv4 in the first 4. */
	if ((out->family != AF_INET && out->family != AF_INET6) ||
	    nl_addr_get_len(a) < cmsha_inet_len(out))
		return false;
	memcpy(out->u.bytes, nl_addr_get_binary_addr(a), cmsha_inet_len(out));
	cmsha_clients_unmap_v4(out);
	return true;
}

static void merge(struct scan *s, struct cmsha_client_seen *seen)
{
	if (cmsha_clients_wanted(s->filter, seen))
		cmsha_clients_seen(s->clients, seen, s->now);
}

/* A TCP socket whose local end (src) is a service address. */
static void on_socket(struct nl_object *obj, void *arg)
{
	struct idiagnl_msg *m = (struct idiagnl_msg *)obj;
	struct cmsha_client_seen seen = { .proto = CMSHA_CLIENT_TCP };

	if (!from_nl_addr(idiagnl_msg_get_src(m), &seen.local) ||
	    !from_nl_addr(idiagnl_msg_get_dst(m), &seen.remote))
		return;
	/* libnl (3.7) hands inet_diag's ports on as the kernel wrote them, in
	 * network order; check_clients fails if that ever changes. */
	seen.local_port = ntohs(idiagnl_msg_get_sport(m));
	seen.remote_port = ntohs(idiagnl_msg_get_dport(m));
	merge(arg, &seen);
}

/*
 * Sessions the peer still holds: not the listeners, and not those closed
 * by either end (CLOSE_WAIT: the client has gone even if the CMS has not
 * closed its socket yet; FIN_WAIT: the CMS has closed it).
 */
#define TCP_STATES ((1 << IDIAG_SS_ESTABLISHED) | (1 << IDIAG_SS_SYN_RECV))

static bool scan_tcp(struct scan *s, char *err, size_t errlen)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct nl_sock *sk = nl_socket_alloc();
	int rc = sk ? idiagnl_connect(sk) : -NLE_NOMEM;

	for (size_t f = 0; rc == 0 && f < 2; f++) {
		struct nl_cache *cache = NULL;

		rc = idiagnl_msg_alloc_cache(sk, families[f], TCP_STATES, &cache);
		if (rc == 0)
			nl_cache_foreach(cache, on_socket, s);
		nl_cache_free(cache);
	}
	if (rc < 0)
		snprintf(err, errlen, "inet_diag: %s", nl_geterror(rc));
	nl_socket_free(sk);
	return rc >= 0;
}

/* A UDP flow whose original destination is a service address. */
static void on_flow(struct nl_object *obj, void *arg)
{
	struct nfnl_ct *ct = (struct nfnl_ct *)obj;
	struct cmsha_client_seen seen = { .proto = CMSHA_CLIENT_UDP };

	if (nfnl_ct_get_proto(ct) != IPPROTO_UDP ||
	    !from_nl_addr(nfnl_ct_get_dst(ct, 0), &seen.local) ||
	    !from_nl_addr(nfnl_ct_get_src(ct, 0), &seen.remote))
		return;
	seen.local_port = nfnl_ct_get_dst_port(ct, 0);
	seen.remote_port = nfnl_ct_get_src_port(ct, 0);
	merge(arg, &seen);
}

static bool scan_udp(struct scan *s, char *err, size_t errlen)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	int rc = sk ? nfnl_connect(sk) : -NLE_NOMEM;

	if (rc == 0)
		rc = nfnl_ct_alloc_cache(sk, &cache);
	if (rc == 0)
		nl_cache_foreach(cache, on_flow, s);
	else
		snprintf(err, errlen, "conntrack: %s", nl_geterror(rc));
	nl_cache_free(cache);
	nl_socket_free(sk);
	return rc == 0;
}

void cmsha_client_scan(struct cmsha_clients *c, const struct cmsha_client_filter *f,
		       const struct timespec *now, struct cmsha_client_scan_result *res)
{
	struct scan s = { c, f, now };

	memset(res, 0, sizeof(*res));
	res->tcp_ok = scan_tcp(&s, res->tcp_err, sizeof(res->tcp_err));
	res->udp_ok = scan_udp(&s, res->udp_err, sizeof(res->udp_err));
	cmsha_clients_expire(c, now);
}
