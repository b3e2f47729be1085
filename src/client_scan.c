#include "autoconfig.h"
#include "client_scan.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netlink/idiag/idiagnl.h>
#include <netlink/idiag/msg.h>
#include <netlink/msg.h>
#include <netlink/netfilter/ct.h>
#include <netlink/netfilter/nfnl.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <string.h>

static const char *const source_name[CMSHA_CLIENT_N_SOURCES] = { "inet_diag", "conntrack" };

/*
 * The scan whose nl_recvmsgs() runs now: libnl's recv hook has no argument
 * of its own.  Set only for the length of that call.
 */
static _Thread_local struct cmsha_client_scan *reading;

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

/* A TCP socket: its local end (src) may be a service address. */
static bool socket_seen(struct nlmsghdr *h, struct cmsha_client_seen *seen)
{
	struct idiagnl_msg *m = NULL;
	bool ok;

	if (idiagnl_msg_parse(h, &m) < 0)
		return false;
	/* libnl (3.7) hands inet_diag's ports on as the kernel wrote them, in
	 * network order; check_clients fails if that ever changes. */
	*seen = (struct cmsha_client_seen){ .proto = CMSHA_CLIENT_TCP,
					    .local_port = ntohs(idiagnl_msg_get_sport(m)),
					    .remote_port = ntohs(idiagnl_msg_get_dport(m)) };
	ok = from_nl_addr(idiagnl_msg_get_src(m), &seen->local) &&
	     from_nl_addr(idiagnl_msg_get_dst(m), &seen->remote);
	idiagnl_msg_put(m);
	return ok;
}

/* A UDP flow: its original destination may be a service address. */
static bool flow_seen(struct nlmsghdr *h, struct cmsha_client_seen *seen)
{
	struct nfnl_ct *ct = NULL;
	bool udp = nfnlmsg_ct_parse(h, &ct) == 0 && nfnl_ct_get_proto(ct) == IPPROTO_UDP;

	if (udp) {
		*seen = (struct cmsha_client_seen){ .proto = CMSHA_CLIENT_UDP,
						    .local_port = nfnl_ct_get_dst_port(ct, 0),
						    .remote_port = nfnl_ct_get_src_port(ct, 0) };
		udp = from_nl_addr(nfnl_ct_get_dst(ct, 0), &seen->local) &&
		      from_nl_addr(nfnl_ct_get_src(ct, 0), &seen->remote);
	}
	if (ct)
		nfnl_ct_put(ct);
	return udp;
}

/* One message of the dump in flight, parsed by libnl. */
static int on_message(struct nl_msg *msg, void *arg)
{
	struct cmsha_client_scan *s = arg;
	struct cmsha_client_seen seen;
	bool ok = s->round.source == CMSHA_CLIENT_SRC_TCP ? socket_seen(nlmsg_hdr(msg), &seen) :
							     flow_seen(nlmsg_hdr(msg), &seen);

	if (ok)
		cmsha_client_round_seen(&s->round, &seen);
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct cmsha_client_scan *)arg)->dump_finished = true;
	return NL_OK;
}

/* The kernel's tables changed under the dump (NLM_F_DUMP_INTR): read on to
 * NLMSG_DONE, then the round again.  NL_OK, not NL_SKIP: the flag may be on
 * NLMSG_DONE itself, which must still end the dump (what the cut round
 * merged is thrown away with it). */
static int on_dump_interrupted(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct cmsha_client_scan *)arg)->dump_interrupted = true;
	return NL_OK;
}

/* libnl's nl_recv(), at most reads_left times per nl_recvmsgs(): 0 after
 * that is "nothing more now", as EAGAIN is; the fd stays readable. */
static int recv_some(struct nl_sock *sk, struct sockaddr_nl *nla, unsigned char **buf,
		     struct ucred **creds)
{
	if (!reading || reading->reads_left == 0)
		return 0;
	reading->reads_left--;
	reading->round.res.reads++;
	return nl_recv(sk, nla, buf, creds);
}

static void on_readable(struct cmsha_client_scan *s, enum cmsha_client_source src);
static void on_tcp_readable(void *arg) { on_readable(arg, CMSHA_CLIENT_SRC_TCP); }
static void on_udp_readable(void *arg) { on_readable(arg, CMSHA_CLIENT_SRC_UDP); }

static int set_callbacks(struct cmsha_client_scan *s, struct nl_sock *sk)
{
	struct nl_cb *cb = nl_socket_get_cb(sk);
	int rc;

	if (!cb)
		return -NLE_NOMEM;
	rc = nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_message, s);
	if (rc == 0)
		rc = nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, s);
	if (rc == 0)
		rc = nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_interrupted, s);
	nl_cb_overwrite_recv(cb, recv_some);
	nl_cb_put(cb);
	return rc;
}

/* The source's socket, non-blocking, its fd watched by the loop. */
static int open_source(struct cmsha_client_scan *s, enum cmsha_client_source src)
{
	static const cmsha_callback readable[CMSHA_CLIENT_N_SOURCES] = {
		on_tcp_readable, on_udp_readable
	};
	struct nl_sock *sk = nl_socket_alloc();
	int rc = !sk ? -NLE_NOMEM :
		 src == CMSHA_CLIENT_SRC_TCP ? idiagnl_connect(sk) : nfnl_connect(sk);

	if (rc == 0)
		rc = nl_socket_set_nonblocking(sk);
	if (rc == 0)
		rc = set_callbacks(s, sk);
	if (rc == 0 && !s->loop->fd_watch(s->loop->ctx, nl_socket_get_fd(sk), readable[src], s))
		rc = -NLE_FAILURE;
	if (rc < 0) {
		nl_socket_free(sk);
		return rc;
	}
	s->sk[src] = sk;
	return 0;
}

/* After an error: whatever the kernel still sends there is of no use. */
static void close_source(struct cmsha_client_scan *s, enum cmsha_client_source src)
{
	if (!s->sk[src])
		return;
	s->loop->fd_unwatch(s->loop->ctx, nl_socket_get_fd(s->sk[src]));
	nl_socket_free(s->sk[src]);
	s->sk[src] = NULL;
}

/*
 * Sessions the peer still holds: not the listeners, and not those closed
 * by either end (CLOSE_WAIT: the client has gone even if the CMS has not
 * closed its socket yet; FIN_WAIT: the CMS has closed it).
 */
#define TCP_STATES ((1 << IDIAG_SS_ESTABLISHED) | (1 << IDIAG_SS_SYN_RECV))

/* Ask src's dump; a negative libnl error when it cannot be asked. */
static int request_dump(struct cmsha_client_scan *s, enum cmsha_client_source src)
{
	int rc = s->sk[src] ? 0 : open_source(s, src);

	s->dump_finished = s->dump_interrupted = false;
	/* AF_UNSPEC, no extensions: both families' sockets, addresses and ports only. */
	if (rc == 0)
		rc = src == CMSHA_CLIENT_SRC_TCP ?
			     idiagnl_send_simple(s->sk[src], NLM_F_DUMP, AF_UNSPEC, TCP_STATES, 0) :
			     nfnl_ct_dump_request(s->sk[src]);
	if (rc < 0)
		close_source(s, src);
	return rc < 0 ? rc : 0;
}

/*
 * Ask the round's current source, or the next ones when one cannot be
 * asked.  False when the round is over (done() called).
 */
static bool ask_current(struct cmsha_client_scan *s)
{
	for (;;) {
		enum cmsha_client_source src = s->round.source;
		int rc = request_dump(s, src);
		char err[128];

		if (rc == 0)
			return true;
		snprintf(err, sizeof(err), "%s: %s", source_name[src], nl_geterror(rc));
		if (!cmsha_client_round_source_ended(&s->round, CMSHA_CLIENT_DUMP_FAILED, err))
			break;
	}
	s->done(s->arg, &s->round.res);
	return false;
}

/* A lost or inconsistent answer is worth another round; anything else is
 * the source saying it cannot be read. */
static enum cmsha_client_dump_end dump_error_end(int rc)
{
	switch (-rc) {
	case NLE_NOMEM:          /* ENOBUFS: the kernel dropped some of it */
	case NLE_INTR:
	case NLE_DUMP_INTR:
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
		return CMSHA_CLIENT_DUMP_CUT;
	default:
		return CMSHA_CLIENT_DUMP_FAILED;
	}
}

/* The end of src's dump has been read (or an error): the round goes on. */
static void dump_ended(struct cmsha_client_scan *s, enum cmsha_client_source src, int rc)
{
	enum cmsha_client_dump_end end = CMSHA_CLIENT_DUMP_DONE;
	char err[128] = "";

	if (rc < 0) {
		end = dump_error_end(rc);
		snprintf(err, sizeof(err), "%s: %s", source_name[src], nl_geterror(rc));
		close_source(s, src);
	} else if (s->dump_interrupted) {
		end = CMSHA_CLIENT_DUMP_CUT;
		snprintf(err, sizeof(err), "%s: %s", source_name[src], nl_geterror(NLE_DUMP_INTR));
	}
	if (cmsha_client_round_source_ended(&s->round, end, err))
		ask_current(s);
	else
		s->done(s->arg, &s->round.res);
}

static void on_readable(struct cmsha_client_scan *s, enum cmsha_client_source src)
{
	int rc;

	/* Nothing is asked of this socket now: what it holds is stray. */
	if (!s->round.in_flight || s->round.source != src) {
		close_source(s, src);
		return;
	}
	s->reads_left = CMSHA_CLIENT_SCAN_READS_PER_WAKEUP;
	reading = s;
	rc = nl_recvmsgs_default(s->sk[src]);
	reading = NULL;
	if (rc < 0 || s->dump_finished)
		dump_ended(s, src, rc);
	else if (s->partial)
		s->partial(s->arg, source_name[src], s->round.res.reads);
}

bool cmsha_client_scan_init(struct cmsha_client_scan *s, const struct cmsha_loop *loop,
			    size_t max, unsigned keep_s, cmsha_client_scan_done done, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->done = done;
	s->arg = arg;
	return cmsha_client_round_init(&s->round, max, keep_s);
}

void cmsha_client_scan_free(struct cmsha_client_scan *s)
{
	for (size_t src = 0; src < CMSHA_CLIENT_N_SOURCES; src++)
		close_source(s, src);
	cmsha_client_round_free(&s->round);
}

void cmsha_client_scan_abandon(struct cmsha_client_scan *s, const char *why)
{
	if (!s->round.in_flight)
		return;
	close_source(s, s->round.source);     /* its answer, if it ever comes, is stray */
	cmsha_client_round_abandon(&s->round, why);
	s->done(s->arg, &s->round.res);
}

enum cmsha_client_scan_start cmsha_client_scan_start(struct cmsha_client_scan *s,
						     const struct cmsha_client_filter *f,
						     const struct timespec *now)
{
	if (!cmsha_client_round_begin(&s->round, f, now))
		return CMSHA_CLIENT_SCAN_BUSY;
	return ask_current(s) ? CMSHA_CLIENT_SCAN_STARTED : CMSHA_CLIENT_SCAN_ENDED;
}
