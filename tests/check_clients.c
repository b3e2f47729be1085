/* The clients' worklist: merge, expiry, cap; and one real inet_diag scan. */
#include "autoconfig.h"
#include "check_run.h"
#include "client_scan.h"

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

/* A real TCP session on loopback, seen through inet_diag, only on its address. */
START_TEST(scan_sees_a_tcp_session_on_a_service_address)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int lsn = socket(AF_INET, SOCK_STREAM, 0), cli = socket(AF_INET, SOCK_STREAM, 0), srv;
	struct cmsha_clients c;
	struct cmsha_inet svc[2];
	struct cmsha_client_scan_result res;
	struct timespec now = at(1000);
	bool found = false;

	ck_assert(bind(lsn, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lsn, 1) == 0);
	ck_assert(getsockname(lsn, (struct sockaddr *)&sa, &len) == 0);
	ck_assert(connect(cli, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	ck_assert((srv = accept(lsn, NULL, NULL)) >= 0);
	ck_assert(cmsha_inet_parse("127.0.0.1", &svc[0]));
	ck_assert(cmsha_inet_parse("fd77::10", &svc[1]));
	ck_assert(cmsha_clients_init(&c, 100000, 60));
	cmsha_client_scan(&c, &(struct cmsha_client_filter){ svc, 2, NULL, 0 }, &now, &res);
	ck_assert_msg(res.tcp_ok, "%s", res.tcp_err);
	for (size_t i = 0; i < c.n; i++) {
		ck_assert(cmsha_inet_equal(&c.rows[i].seen.local, &svc[0]));
		found |= c.rows[i].seen.local_port == ntohs(sa.sin_port) &&
			 c.rows[i].seen.proto == CMSHA_CLIENT_TCP;
	}
	ck_assert_msg(found, "the session to port %u is not in the table", ntohs(sa.sin_port));
	/* Only the service addresses: with none, nothing is listed. */
	cmsha_clients_free(&c);
	ck_assert(cmsha_clients_init(&c, 100000, 60));
	cmsha_client_scan(&c, &(struct cmsha_client_filter){ svc + 1, 1, NULL, 0 }, &now, &res);
	ck_assert_uint_eq(c.n, 0);
	cmsha_clients_free(&c);
	close(srv);
	close(cli);
	close(lsn);
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
	tcase_add_test(tc, scan_sees_a_tcp_session_on_a_service_address);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
