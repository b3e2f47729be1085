/*
 * A reload's kernel part against a real kernel, in a private network
 * namespace: aliases added, removed, moved to another interface and given
 * another label end as the new config says; a step that fails undoes the
 * ones before it, so the kernel holds the running config's aliases again.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "netns_fixture.h"
#include "reload_plan.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct cmsha_config running, fresh;
static struct cmsha_alias_ctl *ctl;
static char err[256];

static void line(struct cmsha_config *c, const char *token, const char *args)
{
	ck_assert_msg(cmsha_config_apply(c, token, args, err, sizeof(err)), "%s: %s", args, err);
}

static void pair(struct cmsha_config *c)
{
	cmsha_config_init(c);
	line(c, "role", "primary");
	line(c, "peer", "10.77.0.12");
}

/* ip(8) in the test's namespace: is ADDRESS/24 on IFNAME (with LABEL)? */
static bool kernel_has(const char *ifname, const char *label, const char *address)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip -o -4 addr show dev %s %s %s | grep -q ' %s/24 '",
		 ifname, label ? "label" : "", label ? label : "", address);
	return system(cmd) == 0;
}

static void setup(void)
{
	netns_enter_private();
	netns_add_veth("dum0", "dum0peer");
	netns_add_veth("dum1", "dum1peer");
	netns_set_link_up("dum0", true);
	netns_set_link_up("dum1", true);
	ctl = cmsha_alias_ctl_open(err, sizeof(err));
	ck_assert_msg(ctl != NULL, "%s", err);
	pair(&running);
	line(&running, "alias", "10.77.0.10/24 dev dum0");
	line(&running, "alias", "10.77.0.20/24 dev dum0");
	line(&running, "alias", "10.77.0.30/24 dev dum0 label dum0:old");
	for (size_t i = 0; i < running.n_aliases; i++)
		ck_assert_msg(cmsha_alias_add(ctl, &running.aliases[i], err, sizeof(err)), "%s", err);
	pair(&fresh);
}

static void teardown(void)
{
	cmsha_alias_ctl_close(ctl);
	cmsha_config_free(&running);
	cmsha_config_free(&fresh);
}

START_TEST(the_kernel_ends_as_the_new_config_says)
{
	struct cmsha_reload_plan plan;

	line(&fresh, "alias", "10.77.0.10/24 dev dum1");               /* moved */
	line(&fresh, "alias", "10.77.0.30/24 dev dum0 label dum0:new"); /* relabelled */
	line(&fresh, "alias", "10.77.0.40/24 dev dum0");               /* added; .20 removed */
	ck_assert(cmsha_reload_plan_make(&plan, &running, &fresh, err, sizeof(err)));
	ck_assert_msg(cmsha_reload_plan_apply_aliases(&plan, ctl, &running, &fresh, err,
						      sizeof(err)), "%s", err);
	ck_assert(kernel_has("dum1", NULL, "10.77.0.10"));
	ck_assert(!kernel_has("dum0", NULL, "10.77.0.10"));
	ck_assert(!kernel_has("dum0", NULL, "10.77.0.20"));
	ck_assert(kernel_has("dum0", "dum0:new", "10.77.0.30"));
	ck_assert(!kernel_has("dum0", "dum0:old", "10.77.0.30"));
	ck_assert(kernel_has("dum0", NULL, "10.77.0.40"));
	cmsha_reload_plan_free(&plan);
}
END_TEST

START_TEST(a_failed_step_undoes_the_steps_before_it)
{
	struct cmsha_reload_plan plan;

	line(&fresh, "alias", "10.77.0.10/24 dev dum1");
	line(&fresh, "alias", "10.77.0.30/24 dev dum0 label dum0:new");
	line(&fresh, "alias", "10.77.0.40/24 dev nope0");              /* no such interface */
	ck_assert(cmsha_reload_plan_make(&plan, &running, &fresh, err, sizeof(err)));
	ck_assert(!cmsha_reload_plan_apply_aliases(&plan, ctl, &running, &fresh, err, sizeof(err)));
	ck_assert_msg(strstr(err, "alias 10.77.0.40/24 dev nope0: ") == err, "%s", err);
	ck_assert(kernel_has("dum0", NULL, "10.77.0.10"));
	ck_assert(!kernel_has("dum1", NULL, "10.77.0.10"));
	ck_assert(kernel_has("dum0", NULL, "10.77.0.20"));
	ck_assert(kernel_has("dum0", "dum0:old", "10.77.0.30"));
	ck_assert(!kernel_has("dum0", NULL, "10.77.0.40"));
	cmsha_reload_plan_free(&plan);
}
END_TEST

int main(int argc, char **argv)
{
	(void)argc;
	netns_require_or_skip(argv[0]);
	Suite *s = suite_create("reload_apply");
	TCase *tc = tcase_create("kernel");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_kernel_ends_as_the_new_config_says);
	tcase_add_test(tc, a_failed_step_undoes_the_steps_before_it);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
