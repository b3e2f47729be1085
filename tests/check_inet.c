#include "autoconfig.h"
#include "check_run.h"
#include "inet.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct cmsha_inet addr(const char *text)
{
	struct cmsha_inet a;
	ck_assert_msg(cmsha_inet_parse(text, &a), "parse %s", text);
	return a;
}

START_TEST(parses_ipv4_and_ipv6)
{
	struct cmsha_inet a;
	ck_assert(cmsha_inet_parse("10.77.0.10", &a) && a.family == AF_INET);
	ck_assert(cmsha_inet_parse("fd77::10", &a) && a.family == AF_INET6);
	ck_assert(!cmsha_inet_parse("10.77.0", &a));
	ck_assert(!cmsha_inet_parse("host.example", &a));
}
END_TEST

START_TEST(prefix_bounds_per_family)
{
	struct cmsha_inet a;
	unsigned p;
	char err[128];
	ck_assert(cmsha_inet_parse_prefix("10.0.0.1/32", &a, &p, err, sizeof(err)) && p == 32);
	ck_assert(!cmsha_inet_parse_prefix("10.0.0.1/33", &a, &p, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "out of range 0..32"));
	ck_assert(cmsha_inet_parse_prefix("fd77::1/128", &a, &p, err, sizeof(err)));
	ck_assert(!cmsha_inet_parse_prefix("fd77::1/129", &a, &p, err, sizeof(err)));
	ck_assert(!cmsha_inet_parse_prefix("10.0.0.1", &a, &p, err, sizeof(err)));
	ck_assert(!cmsha_inet_parse_prefix("10.0.0.1/-1", &a, &p, err, sizeof(err)));
	ck_assert(!cmsha_inet_parse_prefix("10.0.0.1/2x", &a, &p, err, sizeof(err)));
}
END_TEST

START_TEST(agent_forms)
{
	struct cmsha_inet a, want4 = addr("10.77.0.12"), want6 = addr("fd77::12");
	ck_assert(cmsha_inet_parse_agent("10.77.0.12", &a) && cmsha_inet_equal(&a, &want4));
	ck_assert(cmsha_inet_parse_agent("udp:10.77.0.12:161", &a) && cmsha_inet_equal(&a, &want4));
	ck_assert(cmsha_inet_parse_agent("10.77.0.12:1161", &a) && cmsha_inet_equal(&a, &want4));
	ck_assert(cmsha_inet_parse_agent("fd77::12", &a) && cmsha_inet_equal(&a, &want6));
	ck_assert(cmsha_inet_parse_agent("udp6:[fd77::12]:161", &a) && cmsha_inet_equal(&a, &want6));
	ck_assert(cmsha_inet_parse_agent("[fd77::12]", &a) && cmsha_inet_equal(&a, &want6));
	ck_assert(!cmsha_inet_parse_agent("peer.example", &a));
	ck_assert(!cmsha_inet_parse_agent("udp6:[fd77::12", &a));
}
END_TEST

START_TEST(subnet_membership_ipv4)
{
	struct cmsha_inet net = addr("10.77.0.10"), in = addr("10.77.0.200"),
			  out = addr("10.78.0.12");
	ck_assert(cmsha_inet_in_subnet(&in, &net, 24));
	ck_assert(!cmsha_inet_in_subnet(&out, &net, 24));
	ck_assert(cmsha_inet_in_subnet(&out, &net, 14));
	ck_assert(!cmsha_inet_in_subnet(&in, &net, 32));
}
END_TEST

START_TEST(subnet_membership_ipv6_and_mixed)
{
	struct cmsha_inet net = addr("fd77::10"), in = addr("fd77::ffff:1"),
			  out = addr("fd78::12"), v4 = addr("10.77.0.12");
	ck_assert(cmsha_inet_in_subnet(&in, &net, 64));
	ck_assert(!cmsha_inet_in_subnet(&out, &net, 64));
	ck_assert(cmsha_inet_in_subnet(&out, &net, 12));       /* fd70::/12 holds both */
	ck_assert(!cmsha_inet_in_subnet(&v4, &net, 0));        /* families never mix */
}
END_TEST

START_TEST(network_address_clears_host_bits)
{
	struct cmsha_inet a = addr("10.77.3.130"), n = cmsha_inet_network(&a, 25);
	char text[CMSHA_INET_STRLEN];
	ck_assert_str_eq(cmsha_inet_ntop(&n, text, sizeof(text)), "10.77.3.128");
	a = addr("fd77:1:2:3:4::1");
	n = cmsha_inet_network(&a, 52);
	ck_assert_str_eq(cmsha_inet_ntop(&n, text, sizeof(text)), "fd77:1:2::");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inet");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, parses_ipv4_and_ipv6);
	tcase_add_test(tc, prefix_bounds_per_family);
	tcase_add_test(tc, agent_forms);
	tcase_add_test(tc, subnet_membership_ipv4);
	tcase_add_test(tc, subnet_membership_ipv6_and_mixed);
	tcase_add_test(tc, network_address_clears_host_bits);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
