/* The one way every Check program runs its suite: exit status for automake. */
#ifndef CMSHA_CHECK_RUN_H
#define CMSHA_CHECK_RUN_H

#include <check.h>
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

#endif
