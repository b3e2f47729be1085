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

int main(void)
{
	Suite *s = suite_create("mib_values");
	TCase *tc = tcase_create("DateAndTime");
	tcase_add_test(tc, same_tenth_of_a_second_in_every_zone);
	tcase_add_test(tc, never_and_malformed_are_refused);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
