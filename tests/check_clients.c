/*
 * The clients' worklist: merge, expiry, cap; a refresh round's state
 * machine (in flight, done, cut); and real non-blocking inet_diag scans
 * driven by a poll() loop, one of many sessions in a network namespace;
 * the refresh schedule on that loop (src/client_refresh.c).
 */
#include "autoconfig.h"
#include "check_run.h"
#include "client_refresh.h"
#include "client_scan.h"
#include "netns_key.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static struct cmsha_client_seen peer(const char *remote, uint8_t proto, uint16_t port,
				     uint16_t remote_port)
{
	struct cmsha_client_seen s = { .proto = proto, .local_port = port,
				       .remote_port = remote_port };

	ck_assert(cmsha_inet_parse(remote, &s.remote));
	ck_assert(cmsha_inet_parse("10.77.0.10", &s.local));
	return s;
}

static struct timespec at(time_t sec)
{
	return (struct timespec){ .tv_sec = sec };
}

START_TEST(same_peer_is_one_row)
{
	struct cmsha_clients c;
	struct cmsha_client_seen a = peer("10.77.0.50", CMSHA_CLIENT_TCP, 5000, 40001);

	ck_assert(cmsha_clients_init(&c, 10, 60));
	cmsha_clients_seen(&c, &a, &(struct timespec){ 100, 0 });
	a.remote_port = 40002;              /* the client reconnected */
	cmsha_clients_seen(&c, &a, &(struct timespec){ 130, 0 });
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.rows[0].id, 1);
	ck_assert_int_eq(c.rows[0].first_seen.tv_sec, 100);
	ck_assert_int_eq(c.rows[0].last_seen.tv_sec, 130);
	ck_assert_uint_eq(c.rows[0].seen.remote_port, 40002);
	cmsha_clients_free(&c);
}
END_TEST

START_TEST(protocol_port_and_address_make_rows)
{
	struct cmsha_clients c;
	struct cmsha_client_seen s[] = {
		peer("10.77.0.50", CMSHA_CLIENT_TCP, 5000, 1),
		peer("10.77.0.50", CMSHA_CLIENT_UDP, 5000, 1),
		peer("10.77.0.50", CMSHA_CLIENT_TCP, 5001, 1),
		peer("fd77::50", CMSHA_CLIENT_TCP, 5000, 1),
	};
	struct timespec t = at(1);

	ck_assert(cmsha_clients_init(&c, 10, 60));
	for (size_t i = 0; i < 4; i++)
		cmsha_clients_seen(&c, &s[i], &t);
	ck_assert_uint_eq(c.n, 4);
	ck_assert_uint_eq(cmsha_clients_find(&c, 3)->seen.local_port, 5001);
	ck_assert_ptr_null(cmsha_clients_find(&c, 5));
	cmsha_clients_free(&c);
}
END_TEST

START_TEST(expire_after_keep_only)
{
	struct cmsha_clients c;
	struct cmsha_client_seen a = peer("10.77.0.50", CMSHA_CLIENT_TCP, 5000, 1);
	struct cmsha_client_seen b = peer("10.77.0.51", CMSHA_CLIENT_UDP, 5000, 1);

	ck_assert(cmsha_clients_init(&c, 10, 60));
	cmsha_clients_seen(&c, &a, &(struct timespec){ 100, 0 });
	cmsha_clients_seen(&c, &b, &(struct timespec){ 150, 0 });
	ck_assert_uint_eq(cmsha_clients_expire(&c, &(struct timespec){ 160, 0 }), 0);
	ck_assert_uint_eq(cmsha_clients_expire(&c, &(struct timespec){ 161, 0 }), 1);
	ck_assert_uint_eq(c.n, 1);
	/* The row left keeps its id: an SNMP index never changes meaning. */
	ck_assert_uint_eq(c.rows[0].id, 2);
	ck_assert_ptr_nonnull(cmsha_clients_find(&c, 2));
	ck_assert_ptr_null(cmsha_clients_find(&c, 1));
	/* Seen again after expiry: a new row, a new id, a new first-seen. */
	cmsha_clients_seen(&c, &a, &(struct timespec){ 170, 0 });
	ck_assert_uint_eq(c.rows[1].id, 3);
	ck_assert_int_eq(c.rows[1].first_seen.tv_sec, 170);
	cmsha_clients_free(&c);
}
END_TEST

/* A full table of many peers, refreshed, thinned by expiry, refreshed again. */
START_TEST(many_peers_merge_after_expiry)
{
	enum { N = 60000 };
	struct cmsha_clients c;
	struct cmsha_client_seen s = peer("10.77.0.50", CMSHA_CLIENT_UDP, 5060, 1);

	ck_assert(cmsha_clients_init(&c, N, 10));
	for (int round = 0; round < 2; round++)
		for (uint32_t i = 0; i < N; i++) {
			s.remote.u.v4.s_addr = htonl(0x0a000000u + i);
			/* the even peers are seen again later, the odd ones not */
			cmsha_clients_seen(&c, &s, &(struct timespec){ round && i % 2 ? 100 : 105, 0 });
		}
	ck_assert_uint_eq(c.n, N);
	ck_assert_uint_eq(cmsha_clients_expire(&c, &(struct timespec){ 111, 0 }), N / 2);
	for (uint32_t i = 0; i < N; i += 2) {
		s.remote.u.v4.s_addr = htonl(0x0a000000u + i);
		cmsha_clients_seen(&c, &s, &(struct timespec){ 112, 0 });
	}
	ck_assert_uint_eq(c.n, N / 2);                 /* found again, not added */
	ck_assert_uint_eq(c.dropped, 0);
	ck_assert_int_eq(c.rows[N / 2 - 1].last_seen.tv_sec, 112);
	cmsha_clients_free(&c);
}
END_TEST

START_TEST(cap_keeps_the_first_and_counts_the_rest)
{
	struct cmsha_clients c;
	char addr[32];
	struct timespec t = at(1);

	ck_assert(cmsha_clients_init(&c, 3, 60));
	for (int i = 0; i < 5; i++) {
		struct cmsha_client_seen s;

		snprintf(addr, sizeof(addr), "10.77.0.%d", 50 + i);
		s = peer(addr, CMSHA_CLIENT_TCP, 5000, 1);
		cmsha_clients_seen(&c, &s, &t);
		cmsha_clients_seen(&c, &s, &t);   /* each refresh counts again */
	}
	ck_assert_uint_eq(c.n, 3);
	ck_assert_uint_eq(c.dropped, 4);
	/* A known peer is still refreshed when the table is full. */
	struct cmsha_client_seen first = peer("10.77.0.50", CMSHA_CLIENT_TCP, 5000, 9);
	cmsha_clients_seen(&c, &first, &(struct timespec){ 2, 0 });
	ck_assert_int_eq(c.rows[0].last_seen.tv_sec, 2);
	ck_assert_uint_eq(c.dropped, 4);
	cmsha_clients_free(&c);
}
END_TEST

START_TEST(service_addresses_are_aliases_and_dns_addresses)
{
	struct cmsha_config cfg;
	struct cmsha_inet out[8];
	char err[256], text[CMSHA_INET_STRLEN];

	cmsha_config_init(&cfg);
	ck_assert_msg(cmsha_config_apply(&cfg, "alias", "10.77.0.10/24 dev lo", err, sizeof(err)),
		      "%s", err);
	ck_assert(cmsha_config_apply(&cfg, "alias", "fd77::10/64 dev lo", err, sizeof(err)));
	/* A dns line's address (the same as an alias's here: listed once). */
	cfg.dns = calloc(2, sizeof(*cfg.dns));
	ck_assert_ptr_nonnull(cfg.dns);
	ck_assert(cmsha_inet_parse("10.78.0.10", &cfg.dns[0].address));
	ck_assert(cmsha_inet_parse("10.77.0.10", &cfg.dns[1].address));
	cfg.n_dns = 2;
	ck_assert_uint_eq(cmsha_clients_service_addresses(&cfg, out, 8), 3);
	ck_assert_str_eq(cmsha_inet_ntop(&out[2], text, sizeof(text)), "10.78.0.10");
	ck_assert_uint_eq(cmsha_clients_service_addresses(&cfg, out, 1), 1);
	cmsha_config_free(&cfg);
}
END_TEST

START_TEST(only_peers_of_service_addresses_not_the_peer_server)
{
	struct cmsha_inet svc, peer_server;
	struct cmsha_client_filter f = { &svc, 1, &peer_server, 1 };
	struct cmsha_client_seen client = peer("10.77.0.50", CMSHA_CLIENT_TCP, 5000, 1);
	struct cmsha_client_seen probe = peer("10.78.0.12", CMSHA_CLIENT_UDP, 161, 1);
	struct cmsha_client_seen host = peer("10.77.0.50", CMSHA_CLIENT_TCP, 22, 1);

	ck_assert(cmsha_inet_parse("10.77.0.10", &svc));
	ck_assert(cmsha_inet_parse("10.78.0.12", &peer_server));
	ck_assert(cmsha_inet_parse("10.77.0.11", &host.local));   /* the host's own address */
	ck_assert(cmsha_clients_wanted(&f, &client));
	ck_assert(!cmsha_clients_wanted(&f, &probe));
	ck_assert(!cmsha_clients_wanted(&f, &host));
}
END_TEST

/* A dual-stack listener's IPv4 clients: ::ffff:10.77.0.50 is 10.77.0.50. */
START_TEST(v4_mapped_is_ipv4)
{
	struct cmsha_inet mapped, v4, v6;
	char text[CMSHA_INET_STRLEN];

	ck_assert(cmsha_inet_parse("::ffff:10.77.0.50", &mapped));
	ck_assert(cmsha_inet_parse("10.77.0.50", &v4));
	ck_assert(cmsha_inet_parse("fd77::50", &v6));
	cmsha_clients_unmap_v4(&mapped);
	ck_assert(cmsha_inet_equal(&mapped, &v4));
	ck_assert_str_eq(cmsha_inet_ntop(&mapped, text, sizeof(text)), "10.77.0.50");
	cmsha_clients_unmap_v4(&v6);
	ck_assert_str_eq(cmsha_inet_ntop(&v6, text, sizeof(text)), "fd77::50");
	cmsha_clients_unmap_v4(&v4);
	ck_assert_str_eq(cmsha_inet_ntop(&v4, text, sizeof(text)), "10.77.0.50");
}
END_TEST

/* --- a refresh round's state machine ----------------------------------- */

static const struct cmsha_client_filter *service_10_77_0_10(void)
{
	static struct cmsha_inet svc;
	static struct cmsha_client_filter f = { &svc, 1, NULL, 0 };

	ck_assert(cmsha_inet_parse("10.77.0.10", &svc));
	return &f;
}

/* The dump in flight shows a session from remote to 10.77.0.10:5000. */
static void see(struct cmsha_client_round *r, const char *remote)
{
	struct cmsha_client_seen s = peer(remote, CMSHA_CLIENT_TCP, 5000, 1);

	cmsha_client_round_seen(r, &s);
}

/* A round at t that sees the peers named and ends with DONE for both sources. */
static void full_round(struct cmsha_client_round *r, time_t t, const char *const *remotes)
{
	struct timespec now = at(t);

	ck_assert(cmsha_client_round_begin(r, service_10_77_0_10(), &now));
	for (; *remotes; remotes++)
		see(r, *remotes);
	ck_assert(cmsha_client_round_source_ended(r, CMSHA_CLIENT_DUMP_DONE, NULL));
	ck_assert(!cmsha_client_round_source_ended(r, CMSHA_CLIENT_DUMP_DONE, NULL));
}

/* Begin a round at t (the test's clock, seconds). */
static bool begin(struct cmsha_client_round *r, time_t t)
{
	struct timespec now = at(t);

	return cmsha_client_round_begin(r, service_10_77_0_10(), &now);
}

/* A round's table holding one row, 10.77.0.50's, last seen at 10. */
static void table_of_one(struct cmsha_client_round *r)
{
	ck_assert(cmsha_client_round_init(r, 10, 60));
	full_round(r, 10, (const char *[]){ "10.77.0.50", NULL });
	ck_assert_uint_eq(r->table.n, 1);
}

/* Over that table, a round at 20 whose inet_diag dump is done: conntrack's in flight. */
static void conntrack_dumping(struct cmsha_client_round *r)
{
	table_of_one(r);
	ck_assert(begin(r, 20));
	ck_assert(cmsha_client_round_source_ended(r, CMSHA_CLIENT_DUMP_DONE, NULL));
	ck_assert_int_eq(r->source, CMSHA_CLIENT_SRC_UDP);
}

static bool has_peer(const struct cmsha_clients *c, const char *remote)
{
	struct cmsha_inet a;

	ck_assert(cmsha_inet_parse(remote, &a));
	for (size_t i = 0; i < c->n; i++)
		if (cmsha_inet_equal(&c->rows[i].seen.remote, &a))
			return true;
	return false;
}

START_TEST(round_in_flight_refuses_a_second)
{
	struct cmsha_client_round r;

	ck_assert(cmsha_client_round_init(&r, 10, 60));
	ck_assert(begin(&r, 1));
	ck_assert(cmsha_client_round_source_ended(&r, CMSHA_CLIENT_DUMP_DONE, NULL));
	/* Due again while the second source dumps: refused, the round goes on. */
	ck_assert(!begin(&r, 2));
	ck_assert(r.in_flight);
	ck_assert_int_eq(r.source, CMSHA_CLIENT_SRC_UDP);
	ck_assert_int_eq(r.now.tv_sec, 1);
	ck_assert(!cmsha_client_round_source_ended(&r, CMSHA_CLIENT_DUMP_DONE, NULL));
	ck_assert(!r.in_flight);
	ck_assert(begin(&r, 2));                     /* now it may */
	cmsha_client_round_free(&r);
}
END_TEST

START_TEST(round_replaces_the_table_when_every_source_ended)
{
	struct cmsha_client_round r;

	conntrack_dumping(&r);
	see(&r, "10.77.0.51");
	/* In flight: the MIB still reads the previous table. */
	ck_assert_uint_eq(r.table.n, 1);
	ck_assert(!has_peer(&r.table, "10.77.0.51"));
	ck_assert(!cmsha_client_round_source_ended(&r, CMSHA_CLIENT_DUMP_DONE, NULL));
	ck_assert(r.res.committed && r.res.ok[0] && r.res.ok[1]);
	ck_assert_uint_eq(r.res.attempts, 1);
	ck_assert_uint_eq(r.table.n, 2);
	ck_assert(has_peer(&r.table, "10.77.0.51"));
	/* The row not seen this round keeps its last seen. */
	ck_assert_int_eq(r.table.rows[0].last_seen.tv_sec, 10);
	cmsha_client_round_free(&r);
}
END_TEST

START_TEST(round_cut_keeps_the_previous_table_and_starts_again)
{
	struct cmsha_client_round r;

	conntrack_dumping(&r);
	see(&r, "10.77.0.52");                        /* from the dump that is cut */
	ck_assert(cmsha_client_round_source_ended(&r, CMSHA_CLIENT_DUMP_CUT, "conntrack: x"));
	ck_assert(r.in_flight);
	ck_assert_int_eq(r.source, CMSHA_CLIENT_SRC_TCP);   /* the whole round again */
	ck_assert_uint_eq(r.res.attempts, 2);
	see(&r, "10.77.0.53");
	ck_assert(cmsha_client_round_source_ended(&r, CMSHA_CLIENT_DUMP_DONE, NULL));
	ck_assert(!cmsha_client_round_source_ended(&r, CMSHA_CLIENT_DUMP_DONE, NULL));
	ck_assert(r.res.committed && r.res.ok[0] && r.res.ok[1]);
	ck_assert(has_peer(&r.table, "10.77.0.53"));
	ck_assert_msg(!has_peer(&r.table, "10.77.0.52"), "a cut dump's rows were kept");
	ck_assert_uint_eq(r.table.n, 2);
	cmsha_client_round_free(&r);
}
END_TEST

START_TEST(round_cut_every_time_keeps_the_previous_table)
{
	struct cmsha_client_round r;
	unsigned cuts = 0;

	table_of_one(&r);
	ck_assert(begin(&r, 200));              /* past the keep time of the row */
	do {
		see(&r, "10.77.0.52");
		cuts++;
	} while (cmsha_client_round_source_ended(&r, CMSHA_CLIENT_DUMP_CUT, "inet_diag: cut"));
	ck_assert_uint_eq(cuts, CMSHA_CLIENT_ROUND_ATTEMPTS);
	ck_assert(!r.in_flight && !r.res.committed && !r.res.ok[0]);
	ck_assert_str_eq(r.res.err[0], "inet_diag: cut");
	/* As it was: the old row not expired, the cut rounds' peer not added. */
	ck_assert_uint_eq(r.table.n, 1);
	ck_assert(has_peer(&r.table, "10.77.0.50"));
	ck_assert_int_eq(r.table.rows[0].last_seen.tv_sec, 10);
	ck_assert(begin(&r, 201));
	cmsha_client_round_free(&r);
}
END_TEST

START_TEST(round_failed_source_is_said_and_the_others_go_on)
{
	struct cmsha_client_round r;

	ck_assert(cmsha_client_round_init(&r, 10, 60));
	ck_assert(begin(&r, 20));
	ck_assert(cmsha_client_round_source_ended(&r, CMSHA_CLIENT_DUMP_FAILED,
						  "inet_diag: Operation not permitted"));
	see(&r, "10.77.0.51");
	ck_assert(!cmsha_client_round_source_ended(&r, CMSHA_CLIENT_DUMP_DONE, NULL));
	ck_assert(r.res.committed && !r.res.ok[0] && r.res.ok[1]);
	ck_assert_str_eq(r.res.err[0], "inet_diag: Operation not permitted");
	ck_assert_str_eq(r.res.err[1], "");
	ck_assert(has_peer(&r.table, "10.77.0.51"));
	cmsha_client_round_free(&r);
}
END_TEST

START_TEST(round_abandoned_keeps_the_previous_table)
{
	struct cmsha_client_round r;

	conntrack_dumping(&r);
	see(&r, "10.77.0.51");
	cmsha_client_round_abandon(&r, "no answer");
	ck_assert(!r.in_flight && !r.res.committed);
	ck_assert(r.res.ok[CMSHA_CLIENT_SRC_TCP] && !r.res.ok[CMSHA_CLIENT_SRC_UDP]);
	ck_assert_str_eq(r.res.err[CMSHA_CLIENT_SRC_UDP], "no answer");
	ck_assert_uint_eq(r.table.n, 1);
	ck_assert(!has_peer(&r.table, "10.77.0.51"));
	ck_assert(begin(&r, 30));
	cmsha_client_round_free(&r);
}
END_TEST

/* --- real scans, driven by a poll() loop as the agent's loop drives them -- */

struct poll_loop {
	struct pollfd pfd[CMSHA_CLIENT_N_SOURCES + 1];
	cmsha_callback fn[CMSHA_CLIENT_N_SOURCES + 1];
	void *arg[CMSHA_CLIENT_N_SOURCES + 1];
	size_t n;
	unsigned wakeups;                 /* callbacks run */
	bool done;
	struct cmsha_client_scan_result res;
};

static struct poll_loop the_loop;

static unsigned no_timer(void *ctx, unsigned ms, cmsha_callback fn, void *arg)
{
	(void)ctx, (void)ms, (void)fn, (void)arg;
	return 0;
}

static void no_cancel(void *ctx, unsigned id)
{
	(void)ctx, (void)id;
}

static bool watch(void *ctx, int fd, cmsha_callback fn, void *arg)
{
	struct poll_loop *l = ctx;

	ck_assert_uint_lt(l->n, CMSHA_CLIENT_N_SOURCES + 1);
	l->pfd[l->n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	l->fn[l->n] = fn;
	l->arg[l->n++] = arg;
	return true;
}

static void unwatch(void *ctx, int fd)
{
	struct poll_loop *l = ctx;

	for (size_t i = 0; i < l->n; i++)
		if (l->pfd[i].fd == fd) {
			l->n--;
			l->pfd[i] = l->pfd[l->n];
			l->fn[i] = l->fn[l->n];
			l->arg[i] = l->arg[l->n];
			return;
		}
}

static const struct cmsha_loop poll_hooks = {
	no_timer, no_cancel, watch, unwatch, &the_loop
};

static void on_done(void *arg, const struct cmsha_client_scan_result *res)
{
	struct poll_loop *l = arg;

	l->done = true;
	l->res = *res;
}

/* One turn of the loop: the callbacks of the fds readable within 2 s. */
static void turn(struct poll_loop *l)
{
	ck_assert_msg(poll(l->pfd, l->n, 2000) > 0, "no answer from the kernel within 2 s");
	for (size_t i = 0; i < l->n; i++)
		if (l->pfd[i].revents & POLLIN) {
			l->wakeups++;
			l->fn[i](l->arg[i]);
			return;           /* the set may have changed */
		}
}

static void scan_to_the_end(struct cmsha_client_scan *s, const struct cmsha_client_filter *f)
{
	struct timespec now = at(1000);

	the_loop.done = false;
	the_loop.wakeups = 0;
	ck_assert_int_eq(cmsha_client_scan_start(s, f, &now), CMSHA_CLIENT_SCAN_STARTED);
	while (!the_loop.done)
		turn(&the_loop);
}

/* A real TCP session on loopback, seen through inet_diag, only on its address. */
START_TEST(scan_sees_a_tcp_session_on_a_service_address)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int lsn = socket(AF_INET, SOCK_STREAM, 0), cli = socket(AF_INET, SOCK_STREAM, 0), srv;
	struct cmsha_client_scan s;
	struct cmsha_inet svc[2];
	const struct cmsha_clients *c = cmsha_client_scan_table(&s);
	bool found = false;

	ck_assert(bind(lsn, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lsn, 1) == 0);
	ck_assert(getsockname(lsn, (struct sockaddr *)&sa, &len) == 0);
	ck_assert(connect(cli, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	ck_assert((srv = accept(lsn, NULL, NULL)) >= 0);
	ck_assert(cmsha_inet_parse("127.0.0.1", &svc[0]));
	ck_assert(cmsha_inet_parse("fd77::10", &svc[1]));
	ck_assert(cmsha_client_scan_init(&s, &poll_hooks, 100000, 60, on_done, &the_loop));
	scan_to_the_end(&s, &(struct cmsha_client_filter){ svc, 2, NULL, 0 });
	ck_assert_msg(the_loop.res.ok[CMSHA_CLIENT_SRC_TCP], "%s", the_loop.res.err[0]);
	for (size_t i = 0; i < c->n; i++) {
		ck_assert(cmsha_inet_equal(&c->rows[i].seen.local, &svc[0]));
		found |= c->rows[i].seen.local_port == ntohs(sa.sin_port) &&
			 c->rows[i].seen.proto == CMSHA_CLIENT_TCP;
	}
	ck_assert_msg(found, "the session to port %u is not in the table", ntohs(sa.sin_port));
	cmsha_client_scan_free(&s);
	/* Only the service addresses: with none of the sessions', nothing is listed. */
	ck_assert(cmsha_client_scan_init(&s, &poll_hooks, 100000, 60, on_done, &the_loop));
	scan_to_the_end(&s, &(struct cmsha_client_filter){ svc + 1, 1, NULL, 0 });
	ck_assert_uint_eq(cmsha_client_scan_table(&s)->n, 0);
	cmsha_client_scan_free(&s);
	ck_assert_uint_eq(the_loop.n, 0);     /* the sockets' fds no longer watched */
	close(srv);
	close(cli);
	close(lsn);
}
END_TEST

/* A network namespace of the test's own (Check runs each test in a child),
 * its loopback up: nobody else's sessions in the dumps. */
static void own_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd;

	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): %s (run as root)",
		      strerror(errno));
	cmsha_netns_key_moved();
	ck_assert((fd = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	ck_assert(ioctl(fd, SIOCGIFFLAGS, &ifr) == 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert(ioctl(fd, SIOCSIFFLAGS, &ifr) == 0);
	close(fd);
}

enum { MANY = 3000 };

/* MANY sessions to 127.0.0.1:port, each from an address of its own
 * (127.1.x.y): MANY rows on the service address 127.0.0.1. */
static void open_many_sessions(int lsn, const struct sockaddr_in *to)
{
	for (int i = 0; i < MANY; i++) {
		struct sockaddr_in from = { .sin_family = AF_INET,
					    .sin_addr.s_addr = htonl(0x7f010000u |
								     (uint32_t)(i / 250) << 8 |
								     (uint32_t)(i % 250 + 1)) };
		int cli = socket(AF_INET, SOCK_STREAM, 0);

		ck_assert(cli >= 0);
		ck_assert(bind(cli, (struct sockaddr *)&from, sizeof(from)) == 0);
		ck_assert_msg(connect(cli, (const struct sockaddr *)to, sizeof(*to)) == 0,
			      "session %d: %s", i, strerror(errno));
		ck_assert(accept(lsn, NULL, NULL) >= 0);
	}
}

/*
 * A dump of many sessions is read over many turns of the loop, not at once:
 * after the first turn the round is in flight, the table still the previous
 * one, and a refresh due then starts nothing; at the end every session is
 * there, the sockets stay open for the next round.
 */
START_TEST(scan_of_many_sessions_spans_many_wakeups)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct rlimit fds;
	const rlim_t need = 2 * MANY + 64;        /* both ends, and a few */
	struct cmsha_inet svc;
	struct cmsha_client_filter f = { &svc, 1, NULL, 0 };
	struct cmsha_client_scan s;
	struct timespec now = at(1000);
	int lsn, tcp_fd;

	own_netns();
	ck_assert(getrlimit(RLIMIT_NOFILE, &fds) == 0);
	fds.rlim_cur = need;
	fds.rlim_max = fds.rlim_max < need ? need : fds.rlim_max;
	ck_assert_msg(setrlimit(RLIMIT_NOFILE, &fds) == 0, "%lu fds: %s", (unsigned long)need,
		      strerror(errno));
	ck_assert((lsn = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	ck_assert(bind(lsn, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lsn, 64) == 0);
	ck_assert(getsockname(lsn, (struct sockaddr *)&sa, &len) == 0);
	open_many_sessions(lsn, &sa);
	ck_assert(cmsha_inet_parse("127.0.0.1", &svc));
	ck_assert(cmsha_client_scan_init(&s, &poll_hooks, 2 * MANY, 60, on_done, &the_loop));
	the_loop.done = false;
	the_loop.wakeups = 0;
	ck_assert_int_eq(cmsha_client_scan_start(&s, &f, &now), CMSHA_CLIENT_SCAN_STARTED);
	turn(&the_loop);
	ck_assert_msg(!the_loop.done, "the whole dump was read in one wake-up");
	ck_assert_int_eq(s.round.source, CMSHA_CLIENT_SRC_TCP);   /* inet_diag still dumping */
	ck_assert(cmsha_client_scan_in_flight(&s));
	ck_assert_uint_eq(cmsha_client_scan_table(&s)->n, 0);
	ck_assert_int_eq(cmsha_client_scan_start(&s, &f, &now), CMSHA_CLIENT_SCAN_BUSY);
	while (!the_loop.done)
		turn(&the_loop);
	ck_assert_msg(the_loop.res.ok[CMSHA_CLIENT_SRC_TCP], "%s", the_loop.res.err[0]);
	ck_assert(the_loop.res.committed);
	ck_assert_uint_eq(cmsha_client_scan_table(&s)->n, MANY);
	ck_assert_uint_ge(the_loop.res.reads, 10);
	ck_assert_uint_ge(the_loop.wakeups, 10);
	/* The next round on the same socket, kept open. */
	tcp_fd = the_loop.pfd[0].fd;
	scan_to_the_end(&s, &f);
	ck_assert_int_eq(the_loop.pfd[0].fd, tcp_fd);
	ck_assert_uint_eq(cmsha_client_scan_table(&s)->n, MANY);
	ck_assert_uint_eq(cmsha_client_scan_table(&s)->dropped, 0);
	cmsha_client_scan_free(&s);
}
END_TEST
/*
 * A round the kernel leaves unanswered is given up: its socket closed (no
 * longer watched), the table as it was, done() told why; the next round
 * opens a new socket and completes.
 */
START_TEST(scan_abandoned_closes_its_socket_and_starts_afresh)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f010001) };
	socklen_t len = sizeof(sa);
	int lsn, cli;
	struct cmsha_inet svc;
	struct cmsha_client_filter f = { &svc, 1, NULL, 0 };
	struct cmsha_client_scan s;
	struct timespec now = at(1000);

	own_netns();
	ck_assert((lsn = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	ck_assert(bind(lsn, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lsn, 1) == 0);
	ck_assert(getsockname(lsn, (struct sockaddr *)&sa, &len) == 0);
	ck_assert((cli = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	ck_assert(bind(cli, (struct sockaddr *)&from, sizeof(from)) == 0);   /* 127.1.0.1 */
	ck_assert(connect(cli, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	ck_assert(cmsha_inet_parse("127.0.0.1", &svc));
	ck_assert(cmsha_client_scan_init(&s, &poll_hooks, 10, 60, on_done, &the_loop));
	the_loop.done = false;
	ck_assert_int_eq(cmsha_client_scan_start(&s, &f, &now), CMSHA_CLIENT_SCAN_STARTED);
	ck_assert_uint_eq(the_loop.n, 1);
	cmsha_client_scan_abandon(&s, "no answer from the kernel for 30 s");
	ck_assert(the_loop.done && !the_loop.res.committed);
	ck_assert_str_eq(the_loop.res.err[CMSHA_CLIENT_SRC_TCP], "no answer from the kernel for 30 s");
	ck_assert_uint_eq(the_loop.n, 0);
	ck_assert(!cmsha_client_scan_in_flight(&s));
	ck_assert_uint_eq(cmsha_client_scan_table(&s)->n, 0);
	scan_to_the_end(&s, &f);
	ck_assert(the_loop.res.committed && the_loop.res.ok[CMSHA_CLIENT_SRC_TCP]);
	ck_assert_uint_eq(cmsha_client_scan_table(&s)->n, 1);     /* the server's end, from 127.1.0.1 */
	cmsha_client_scan_free(&s);
}
END_TEST

/* --- the refresh schedule: the poll loop above, with its timers recorded --- */

struct refresh_seen {
	unsigned timer_ms, timers;        /* the last timer armed, how many */
	cmsha_callback timer_fn;
	void *timer_arg;
	unsigned due, started, rounds, errors_told;
	char errors[300];
	bool committed;
};

static struct refresh_seen seen;

static unsigned record_timer(void *ctx, unsigned ms, cmsha_callback fn, void *arg)
{
	(void)ctx;
	seen.timer_ms = ms;
	seen.timer_fn = fn;
	seen.timer_arg = arg;
	return ++seen.timers;
}

static const struct cmsha_loop refresh_hooks = {
	record_timer, no_cancel, watch, unwatch, &the_loop
};

static void seen_due(void *arg, bool started, size_t n_svc)
{
	(void)arg;
	ck_assert_uint_eq(n_svc, 1);
	seen.due++;
	seen.started += started;
}

static void seen_round(void *arg, const struct cmsha_client_scan_result *res, double ms,
		       const char *errors)
{
	(void)arg;
	ck_assert(ms >= 0);
	seen.rounds++;
	seen.committed = res->committed;
	the_loop.done = true;
	if (errors) {
		seen.errors_told++;
		snprintf(seen.errors, sizeof(seen.errors), "%s", errors);
	}
}

static const struct cmsha_client_refresh_observer refresh_observer = {
	seen_due, seen_round, NULL, NULL
};

static void refresh_start(struct cmsha_client_refresh *r, struct cmsha_config *cfg)
{
	char err[128];

	own_netns();
	memset(&seen, 0, sizeof(seen));
	memset(&the_loop, 0, sizeof(the_loop));
	cmsha_config_init(cfg);
	ck_assert(cmsha_config_apply(cfg, "alias", "127.0.0.1/8 dev lo", err, sizeof(err)));
	cfg->clients_interval_ms = 4321;
	ck_assert(cmsha_client_refresh_start(r, &refresh_hooks, cfg, &refresh_observer));
}

/* The first round at once, the next one due an interval later; the table dated. */
START_TEST(refresh_at_once_then_every_interval)
{
	struct cmsha_client_refresh r;
	struct cmsha_config cfg;

	refresh_start(&r, &cfg);
	ck_assert_uint_eq(seen.started, 1);
	ck_assert_uint_eq(seen.timers, 1);
	ck_assert_uint_eq(seen.timer_ms, 4321);
	ck_assert(cmsha_client_scan_in_flight(&r.scan));
	ck_assert_int_eq(r.last_refresh.tv_sec, 0);
	while (!the_loop.done)
		turn(&the_loop);
	ck_assert(seen.rounds == 1 && seen.committed);
	ck_assert(r.last_refresh.tv_sec == r.round_time.tv_sec && r.last_refresh.tv_sec > 0);
	the_loop.done = false;
	seen.timer_fn(seen.timer_arg);
	ck_assert_uint_eq(seen.started, 2);
	ck_assert_uint_eq(seen.timers, 2);
	cmsha_client_refresh_stop(&r);
	ck_assert(!r.started);
	cmsha_config_free(&cfg);
}
END_TEST

/*
 * Due while a round is in flight: not doubled, just due again an interval
 * later; left unanswered too long: given up (its error told once), and a
 * new round starts.
 */
START_TEST(refresh_lets_a_round_finish_then_gives_it_up)
{
	struct cmsha_client_refresh r;
	struct cmsha_config cfg;

	refresh_start(&r, &cfg);
	seen.timer_fn(seen.timer_arg);
	ck_assert(seen.due == 2 && seen.started == 1 && seen.rounds == 0);
	ck_assert_uint_eq(seen.timers, 2);
	r.give_up_ms = 0;
	seen.timer_fn(seen.timer_arg);
	ck_assert(seen.due == 3 && seen.started == 2 && seen.rounds == 1 && !seen.committed);
	ck_assert_uint_eq(seen.errors_told, 1);
	ck_assert_str_eq(seen.errors, "no answer from the kernel for 30 s");
	ck_assert_str_eq(r.errors, "no answer from the kernel for 30 s");
	ck_assert_int_eq(r.last_refresh.tv_sec, 0);
	the_loop.done = false;
	while (!the_loop.done)
		turn(&the_loop);
	ck_assert(seen.rounds == 2 && seen.committed);
	ck_assert_uint_eq(seen.errors_told, 2);    /* read again: told once, as "" */
	ck_assert_str_eq(seen.errors, "");
	r.give_up_ms = CMSHA_CLIENT_ROUND_GIVE_UP_S * 1000;
	the_loop.done = false;
	seen.timer_fn(seen.timer_arg);
	while (!the_loop.done)
		turn(&the_loop);
	ck_assert_uint_eq(seen.rounds, 3);
	ck_assert_uint_eq(seen.errors_told, 2);    /* unchanged: not told again */
	cmsha_client_refresh_stop(&r);
	cmsha_config_free(&cfg);
}
END_TEST

START_TEST(refresh_errors_are_the_failed_sources_ones)
{
	struct cmsha_client_scan_result res = { .ok = { false, false } };
	char line[300];

	snprintf(res.err[0], sizeof(res.err[0]), "inet_diag: denied");
	snprintf(res.err[1], sizeof(res.err[1]), "conntrack: no module");
	cmsha_client_refresh_errors_of(&res, line, sizeof(line));
	ck_assert_str_eq(line, "inet_diag: denied; conntrack: no module");
	res.ok[0] = true;
	cmsha_client_refresh_errors_of(&res, line, sizeof(line));
	ck_assert_str_eq(line, "conntrack: no module");
	res.ok[0] = false;
	res.err[1][0] = '\0';                      /* not reached: no error of its own */
	cmsha_client_refresh_errors_of(&res, line, sizeof(line));
	ck_assert_str_eq(line, "inet_diag: denied");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("clients");
	TCase *tc = tcase_create("worklist");

	tcase_add_test(tc, same_peer_is_one_row);
	tcase_add_test(tc, protocol_port_and_address_make_rows);
	tcase_add_test(tc, expire_after_keep_only);
	tcase_add_test(tc, cap_keeps_the_first_and_counts_the_rest);
	tcase_add_test(tc, many_peers_merge_after_expiry);
	tcase_add_test(tc, service_addresses_are_aliases_and_dns_addresses);
	tcase_add_test(tc, only_peers_of_service_addresses_not_the_peer_server);
	tcase_add_test(tc, v4_mapped_is_ipv4);
	tcase_add_test(tc, round_in_flight_refuses_a_second);
	tcase_add_test(tc, round_replaces_the_table_when_every_source_ended);
	tcase_add_test(tc, round_cut_keeps_the_previous_table_and_starts_again);
	tcase_add_test(tc, round_cut_every_time_keeps_the_previous_table);
	tcase_add_test(tc, round_failed_source_is_said_and_the_others_go_on);
	tcase_add_test(tc, round_abandoned_keeps_the_previous_table);
	tcase_add_test(tc, refresh_errors_are_the_failed_sources_ones);
	suite_add_tcase(s, tc);
	tc = tcase_create("kernel");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, scan_sees_a_tcp_session_on_a_service_address);
	tcase_add_test(tc, scan_of_many_sessions_spans_many_wakeups);
	tcase_add_test(tc, scan_abandoned_closes_its_socket_and_starts_afresh);
	tcase_add_test(tc, refresh_at_once_then_every_interval);
	tcase_add_test(tc, refresh_lets_a_round_finish_then_gives_it_up);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
