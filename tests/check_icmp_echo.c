/*
 * ICMP and ICMPv6 echo (src/icmp_echo.c): the packet formats, and real
 * echoes to 127.0.0.1 and ::1 in a private network namespace per test,
 * where the kernel answers them.  Waits are on the socket with deadlines.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "icmp_echo.h"
#include "netns_fixture.h"

#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define DEADLINE_MS 2000        /* for what must happen */
#define QUIET_MS    200         /* for what must not */

static char err[256];
static uint16_t got[16];
static size_t n_got;

/* ---- packet formats ------------------------------------------------------ */

/* An IPv4 packet as a raw socket receives it: 20-byte header (+ options), then msg. */
static size_t ipv4_packet(uint8_t *pkt, const uint8_t *icmp, size_t len, size_t options)
{
	memset(pkt, 0, 20 + options);
	pkt[0] = (uint8_t)(0x40 | (5 + options / 4));
	pkt[9] = IPPROTO_ICMP;
	memcpy(pkt + 20 + options, icmp, len);
	return 20 + options + len;
}

/* RFC 1071, written out again here so the test does not trust the code's. */
static uint16_t rfc1071(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Turn a request we built into the reply a host makes of it (type, checksum). */
static void make_reply(uint8_t *icmp, int family)
{
	uint16_t sum;

	if (family == AF_INET6) {
		icmp[0] = 129;
		return;
	}
	ck_assert_uint_eq(rfc1071(icmp, CMSHA_ICMP_ECHO_LEN), 0);     /* as built */
	icmp[0] = 0;
	icmp[2] = icmp[3] = 0;
	sum = rfc1071(icmp, CMSHA_ICMP_ECHO_LEN);
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
}

START_TEST(build_and_parse_ipv4)
{
	uint8_t req[CMSHA_ICMP_ECHO_LEN], pkt[128];
	uint16_t seq = 0;
	size_t len;

	ck_assert_uint_eq(cmsha_icmp_echo_build(AF_INET, 0x1234, 77, req, sizeof(req)),
			  CMSHA_ICMP_ECHO_LEN);
	ck_assert_uint_eq(req[0], 8);
	len = ipv4_packet(pkt, req, sizeof(req), 0);
	ck_assert_msg(!cmsha_icmp_echo_parse_reply(AF_INET, pkt, len, 0x1234, &seq),
		      "a request is not a reply");
	make_reply(req, AF_INET);
	len = ipv4_packet(pkt, req, sizeof(req), 0);
	ck_assert(cmsha_icmp_echo_parse_reply(AF_INET, pkt, len, 0x1234, &seq));
	ck_assert_uint_eq(seq, 77);
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET, pkt, len, 0x1235, &seq));
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET, pkt, len - 1, 0x1234, &seq));
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET6, pkt, len, 0x1234, &seq));
	/* IP options move the ICMP message. */
	len = ipv4_packet(pkt, req, sizeof(req), 8);
	ck_assert(cmsha_icmp_echo_parse_reply(AF_INET, pkt, len, 0x1234, &seq));
	/* A damaged reply: the checksum tells. */
	pkt[len - 1] ^= 0x01;
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET, pkt, len, 0x1234, &seq));
}
END_TEST

START_TEST(parse_rejects_malformed_ipv4)
{
	uint8_t req[CMSHA_ICMP_ECHO_LEN], pkt[128];
	uint16_t seq;
	size_t len;

	cmsha_icmp_echo_build(AF_INET, 1, 2, req, sizeof(req));
	make_reply(req, AF_INET);
	len = ipv4_packet(pkt, req, sizeof(req), 0);
	pkt[0] = 0x45 + 0x10;                     /* version 5 */
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET, pkt, len, 1, &seq));
	pkt[0] = 0x44;                            /* header shorter than 20 bytes */
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET, pkt, len, 1, &seq));
	pkt[0] = 0x4f;                            /* header past the packet */
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET, pkt, 40, 1, &seq));
	pkt[0] = 0x45;
	pkt[9] = IPPROTO_UDP;
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET, pkt, len, 1, &seq));
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET, pkt, 10, 1, &seq));
}
END_TEST

START_TEST(build_and_parse_ipv6)
{
	uint8_t req[CMSHA_ICMP_ECHO_LEN], other[CMSHA_ICMP_ECHO_LEN];
	uint16_t seq = 0;

	ck_assert_uint_eq(cmsha_icmp_echo_build(AF_INET6, 0xbeef, 65535, req, sizeof(req)),
			  CMSHA_ICMP_ECHO_LEN);
	ck_assert_uint_eq(req[0], 128);
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET6, req, sizeof(req), 0xbeef, &seq));
	make_reply(req, AF_INET6);
	ck_assert(cmsha_icmp_echo_parse_reply(AF_INET6, req, sizeof(req), 0xbeef, &seq));
	ck_assert_uint_eq(seq, 65535);
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET6, req, sizeof(req), 0xbeee, &seq));
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET6, req, 8, 0xbeef, &seq));
	/* Another program's echo with our identifier but not our tag. */
	memcpy(other, req, sizeof(other));
	other[15] ^= 0xff;
	ck_assert(!cmsha_icmp_echo_parse_reply(AF_INET6, other, sizeof(other), 0xbeef, &seq));
	ck_assert_uint_eq(cmsha_icmp_echo_build(AF_INET6, 1, 1, req, 8), 0);
	ck_assert_uint_eq(cmsha_icmp_echo_build(AF_UNIX, 1, 1, req, sizeof(req)), 0);
}
END_TEST

/* ---- real echoes in a private namespace ---------------------------------- */

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void record(void *arg, uint16_t seq)
{
	(void)arg;
	ck_assert_uint_lt(n_got, sizeof(got) / sizeof(got[0]));
	got[n_got++] = seq;
}

/* Take replies until seq shows up (true) or wait_ms pass (false). */
static bool wait_reply(struct cmsha_icmp_echo *e, uint16_t seq, int wait_ms)
{
	long deadline = now_ms() + wait_ms;
	struct pollfd p = { .fd = cmsha_icmp_echo_fd(e), .events = POLLIN };

	for (;;) {
		for (size_t i = 0; i < n_got; i++)
			if (got[i] == seq)
				return true;
		long left = deadline - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return false;
		cmsha_icmp_echo_on_readable(e, record, NULL);
	}
}

static struct cmsha_icmp_echo *open_to(const char *addr, uint16_t id)
{
	struct cmsha_inet target;
	struct cmsha_icmp_echo *e;

	ck_assert(cmsha_inet_parse(addr, &target));
	e = cmsha_icmp_echo_open(&target, id, err, sizeof(err));
	ck_assert_msg(e != NULL, "%s: %s", addr, err);
	return e;
}

static void setup(void)
{
	netns_enter_private();
	n_got = 0;
}

static void echo_is_answered(const char *addr)
{
	struct cmsha_icmp_echo *e = open_to(addr, 0x4242);

	for (uint16_t seq = 1; seq <= 3; seq++) {
		ck_assert_msg(cmsha_icmp_echo_send(e, seq, err, sizeof(err)), "%s", err);
		ck_assert_msg(wait_reply(e, seq, DEADLINE_MS), "%s: no reply to seq %u", addr, seq);
	}
	ck_assert_uint_eq(n_got, 3);          /* our own requests are not replies */
	cmsha_icmp_echo_close(e);
}

START_TEST(echo_to_ipv4_loopback)
{
	echo_is_answered("127.0.0.1");
}
END_TEST

START_TEST(echo_to_ipv6_loopback)
{
	echo_is_answered("::1");
}
END_TEST

/*
 * Replies to another identifier, or from another address, are not ours.
 * Loopback keeps the order: by the time our reply is in, the other one,
 * sent before, has been seen (and must have been dropped).
 */
static void only_ours(const char *addr, const char *other_addr)
{
	struct cmsha_icmp_echo *e = open_to(addr, 0x1111);
	struct cmsha_icmp_echo *same_addr = open_to(addr, 0x2222);
	struct cmsha_icmp_echo *same_id = open_to(other_addr, 0x1111);

	ck_assert(cmsha_icmp_echo_send(same_addr, 7, err, sizeof(err)));
	ck_assert(cmsha_icmp_echo_send(same_id, 8, err, sizeof(err)));
	ck_assert(cmsha_icmp_echo_send(e, 9, err, sizeof(err)));
	ck_assert_msg(wait_reply(e, 9, DEADLINE_MS), "no reply to seq 9");
	ck_assert_uint_eq(n_got, 1);
	ck_assert_uint_eq(got[0], 9);
	cmsha_icmp_echo_close(e);
	cmsha_icmp_echo_close(same_addr);
	cmsha_icmp_echo_close(same_id);
}

START_TEST(other_identifiers_and_addresses_are_ignored_ipv4)
{
	only_ours("127.0.0.1", "127.0.0.2");
}
END_TEST

START_TEST(other_identifiers_and_addresses_are_ignored_ipv6)
{
	netns_change_address("lo", "fd99::2/128", true);
	only_ours("::1", "fd99::2");
}
END_TEST

/* A host that does not answer echoes: nothing is made up. */
START_TEST(no_reply_when_the_host_ignores_echoes)
{
	struct cmsha_icmp_echo *e;

	netns_sysctl_net("ipv4/icmp_echo_ignore_all", "1");
	e = open_to("127.0.0.1", 0x3333);
	ck_assert(cmsha_icmp_echo_send(e, 1, err, sizeof(err)));
	ck_assert(!wait_reply(e, 1, QUIET_MS));
	ck_assert_uint_eq(n_got, 0);
	cmsha_icmp_echo_close(e);
}
END_TEST

/* An unroutable target: the send fails with a reason, and nothing waits. */
START_TEST(send_to_an_unroutable_address_fails)
{
	struct cmsha_icmp_echo *e = open_to("10.99.0.1", 0x4444);

	ck_assert(!cmsha_icmp_echo_send(e, 1, err, sizeof(err)));
	ck_assert_msg(strstr(err, "unreachable") != NULL, "%s", err);
	cmsha_icmp_echo_close(e);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("icmp_echo");
	TCase *formats = tcase_create("formats");
	TCase *live = tcase_create("live");

	(void)argc;
	tcase_add_test(formats, build_and_parse_ipv4);
	tcase_add_test(formats, parse_rejects_malformed_ipv4);
	tcase_add_test(formats, build_and_parse_ipv6);
	suite_add_tcase(s, formats);
	netns_require_or_skip(argv[0]);
	tcase_add_checked_fixture(live, setup, NULL);
	tcase_add_test(live, echo_to_ipv4_loopback);
	tcase_add_test(live, echo_to_ipv6_loopback);
	tcase_add_test(live, other_identifiers_and_addresses_are_ignored_ipv4);
	tcase_add_test(live, other_identifiers_and_addresses_are_ignored_ipv6);
	tcase_add_test(live, no_reply_when_the_host_ignores_echoes);
	tcase_add_test(live, send_to_an_unroutable_address_fails);
	suite_add_tcase(s, live);
	return cmsha_run_suite(s);
}
