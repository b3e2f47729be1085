/* The one way every Check program runs its suite: exit status for automake. */
#ifndef CMSHA_CHECK_RUN_H
#define CMSHA_CHECK_RUN_H

#include <check.h>
#include <stddef.h>
#include <stdlib.h>

static inline int cmsha_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A test case of s, named name, running tests[0..n) (with a checked fixture unless both NULL). */
static inline void cmsha_add_tcase(Suite *s, const char *name, SFun setup, SFun teardown,
				   const TTest *const *tests, size_t n)
{
	TCase *tc = tcase_create(name);

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
}

#define CMSHA_N_TESTS(tests) (sizeof(tests) / sizeof((tests)[0]))

#endif
