/*
 * DateAndTime both ways: what cmshad publishes and what it reads back from
 * its peer must give the same tenth of a second, whatever the time zone,
 * because both servers of a split brain compare those values.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "mib_values.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t round_trip(const char *tz, time_t sec, long nsec)
{
	struct timespec when = { sec, nsec };
	u_char octets[11];
	int64_t ds = -1;

	setenv("TZ", tz, 1);
	tzset();
	ck_assert_uint_eq(mib_date_and_time(&when, octets), 11);
	ck_assert(mib_date_and_time_to_ds(octets, 11, &ds));
	return ds;
}

START_TEST(same_tenth_of_a_second_in_every_zone)
{
	static const char *const zones[] = { "UTC", "Asia/Kolkata", "America/St_Johns",
					     "Pacific/Chatham", "Europe/Berlin" };
	const time_t t = 1795616527;               /* 2026-11-25 */

	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		ck_assert_int_eq(round_trip(zones[i], t, 499999999), (int64_t)t * 10 + 4);
		ck_assert_int_eq(round_trip(zones[i], t + 86400 * 200, 0),
				 (int64_t)(t + 86400 * 200) * 10);   /* summer time too */
	}
}
END_TEST

START_TEST(never_and_malformed_are_refused)
{
	u_char never[8] = { 0 };
	u_char octets[11];
	int64_t ds = 7;

	ck_assert_uint_eq(mib_date_and_time(&(struct timespec){ 0, 0 }, octets), 8);
	ck_assert(!mib_date_and_time_to_ds(never, sizeof(never), &ds));
	ck_assert(mib_date_and_time(&(struct timespec){ 1795616527, 0 }, octets) == 11);
	ck_assert(!mib_date_and_time_to_ds(octets, 10, &ds));
	octets[8] = '*';                                  /* no direction from UTC */
	ck_assert(!mib_date_and_time_to_ds(octets, 11, &ds));
	octets[8] = '+';
	octets[2] = 13;                                   /* month 13 */
	ck_assert(!mib_date_and_time_to_ds(octets, 11, &ds));
	ck_assert_int_eq(ds, 7);                          /* untouched */
}
END_TEST

/* cmsHaAliasAddressText: the text an operator types, never hex. */
static void assert_text(const char *address)
{
	netsnmp_variable_list var;
	struct cmsha_inet a;

	memset(&var, 0, sizeof(var));
	ck_assert(cmsha_inet_parse(address, &a));
	mib_set_inet_text(&var, &a);
	ck_assert_uint_eq(var.type, ASN_OCTET_STR);
	ck_assert_uint_eq(var.val_len, strlen(address));
	ck_assert_mem_eq(var.val.string, address, var.val_len);
	snmp_free_var_internals(&var);
}

START_TEST(alias_address_as_text)
{
	assert_text("10.77.0.10");
	assert_text("fd77::10");
	assert_text("2001:db8:0:1::1");           /* RFC 5952: lower case, :: once */
	assert_text("::ffff:10.77.0.10");
	assert_text("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mib_values");
	TCase *tc = tcase_create("DateAndTime");
	tcase_add_test(tc, same_tenth_of_a_second_in_every_zone);
	tcase_add_test(tc, never_and_malformed_are_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("InetAddress text");
	tcase_add_test(tc, alias_address_as_text);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
