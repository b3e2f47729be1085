/*
 * What the HA state's changes tell (src/ha_news.c): the log line, how loud,
 * and which ones page; and one look at the kernel for a refresh
 * (src/ha_look.c), in a private network namespace.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "ha_look.h"
#include "ha_news.h"
#include "netns_fixture.h"

#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cmsha_config cfg;
static struct cmsha_ha ha;

static void setup(void)
{
	struct timespec t0 = { 1000, 0 };
	char err[256];

	cmsha_config_init(&cfg);
	ck_assert(cmsha_config_apply(&cfg, "alias", "10.77.0.10/24 dev dum0", err, sizeof(err)));
	ck_assert(cmsha_ha_init(&ha, &cfg, &t0));
}

static void teardown(void)
{
	cmsha_ha_free(&ha);
	cmsha_config_free(&cfg);
}

START_TEST(an_active_servers_alias_gone_by_itself_is_lost)
{
	struct cmsha_ha_news n;

	ha.oper = CMSHA_OPER_ACTIVE;
	cmsha_ha_news_of_alias(&ha, 0, CMSHA_ALIAS_PRESENT, CMSHA_ALIAS_ABSENT, false, &n);
	ck_assert_str_eq(n.text, "alias 10.77.0.10/24 on dum0: present -> absent");
	ck_assert(!n.warning);
	ck_assert_int_eq(n.notice, CMSHA_HA_NOTICE_ALIAS_LOST);
	cmsha_ha_news_of_alias(&ha, 0, CMSHA_ALIAS_CONFLICT, CMSHA_ALIAS_INTERFACE_DOWN, false, &n);
	ck_assert_int_eq(n.notice, CMSHA_HA_NOTICE_ALIAS_LOST);
}
END_TEST

START_TEST(an_alias_change_pages_nobody_otherwise)
{
	struct cmsha_ha_news n;

	ha.oper = CMSHA_OPER_ACTIVE;       /* a command took it: its own notification tells */
	cmsha_ha_news_of_alias(&ha, 0, CMSHA_ALIAS_PRESENT, CMSHA_ALIAS_ABSENT, true, &n);
	ck_assert_str_eq(n.text, "alias 10.77.0.10/24 on dum0: present -> absent");
	ck_assert_int_eq(n.notice, CMSHA_HA_NOTICE_NONE);
	ha.oper = CMSHA_OPER_FAILED;       /* not active: nothing of its own to lose */
	cmsha_ha_news_of_alias(&ha, 0, CMSHA_ALIAS_PRESENT, CMSHA_ALIAS_ABSENT, false, &n);
	ck_assert_int_eq(n.notice, CMSHA_HA_NOTICE_NONE);
	ha.oper = CMSHA_OPER_ACTIVE;       /* still held */
	cmsha_ha_news_of_alias(&ha, 0, CMSHA_ALIAS_PRESENT, CMSHA_ALIAS_CONFLICT, false, &n);
	ck_assert_int_eq(n.notice, CMSHA_HA_NOTICE_NONE);
	cmsha_ha_news_of_alias(&ha, 0, CMSHA_ALIAS_ABSENT, CMSHA_ALIAS_PRESENT, false, &n);
	ck_assert_str_eq(n.text, "alias 10.77.0.10/24 on dum0: absent -> present");
	ck_assert_int_eq(n.notice, CMSHA_HA_NOTICE_NONE);
}
END_TEST

START_TEST(an_oper_change_without_a_command_pages_with_why)
{
	struct cmsha_ha_news n;

	cmsha_ha_news_of_oper(&ha, CMSHA_OPER_ACTIVE, CMSHA_OPER_FAILED, false, &n);
	ck_assert_str_eq(n.text, "operational state: active -> failed");
	ck_assert(!n.warning);
	ck_assert_int_eq(n.notice, CMSHA_HA_NOTICE_OPER_CHANGED);
	ck_assert_str_eq(n.why, "operational state changed from active to failed without a "
			 "command (aliases changed outside cmshad)");
	cmsha_ha_news_of_oper(&ha, CMSHA_OPER_ACTIVE, CMSHA_OPER_FAILED, true, &n);
	ck_assert_str_eq(n.text, "operational state: active -> failed");
	ck_assert_int_eq(n.notice, CMSHA_HA_NOTICE_NONE);
	cmsha_ha_news_of_oper(&ha, CMSHA_OPER_STANDBY, CMSHA_OPER_SWITCHING_OVER, false, &n);
	ck_assert_int_eq(n.notice, CMSHA_HA_NOTICE_NONE);
}
END_TEST

START_TEST(manual_mode_is_a_warning_with_its_reason)
{
	struct cmsha_ha_news n;

	cmsha_ha_news_of_mode(CMSHA_MODE_MANUAL, "the peer is on another subnet", &n);
	ck_assert_str_eq(n.text, "switch-over mode: manual: the peer is on another subnet");
	ck_assert(n.warning);
	ck_assert_int_eq(n.notice, CMSHA_HA_NOTICE_NONE);
	cmsha_ha_news_of_mode(CMSHA_MODE_SOFTWARE, "ignored", &n);
	ck_assert_str_eq(n.text, "switch-over mode: software");
	ck_assert(!n.warning);
}
END_TEST

/* ---- the teller: the observer calls as news, in order ---- */

static char told[512];

static void note(const char *what, const char *text, size_t n)
{
	size_t used = strlen(told);

	snprintf(told + used, sizeof(told) - used, "%s %s%s%.0zu|", what, text, n ? " " : "", n);
}

static void t_say(void *arg, const struct cmsha_ha_news *n)
{
	(void)arg;
	note("say", n->text, 0);
}

static void t_page(void *arg, const struct cmsha_ha_news *n, size_t alias_index)
{
	(void)arg;
	if (n->notice != CMSHA_HA_NOTICE_NONE)
		note("page", n->notice == CMSHA_HA_NOTICE_ALIAS_LOST ? "lost" : n->why,
		     alias_index + 1);
}

static void t_listener(void *arg, size_t index, enum cmsha_alias_state from,
		       enum cmsha_alias_state to)
{
	(void)arg, (void)from, (void)to;
	note("listener", "", index + 1);
}

START_TEST(the_teller_says_tells_the_listener_then_pages)
{
	bool by_command = false;
	struct cmsha_ha_teller t = { t_say, t_page, NULL, &ha, &by_command, NULL, NULL };
	struct cmsha_ha_observer o = cmsha_ha_news_observer(&t);

	ha.oper = CMSHA_OPER_ACTIVE;
	told[0] = '\0';
	o.alias_changed(o.arg, 0, CMSHA_ALIAS_PRESENT, CMSHA_ALIAS_ABSENT);
	ck_assert_str_eq(told, "say alias 10.77.0.10/24 on dum0: present -> absent|page lost 1|");
	t.alias_changed = t_listener;
	told[0] = '\0';
	o.alias_changed(o.arg, 0, CMSHA_ALIAS_PRESENT, CMSHA_ALIAS_ABSENT);
	ck_assert_str_eq(told, "say alias 10.77.0.10/24 on dum0: present -> absent|listener  1|"
			 "page lost 1|");
	by_command = true;
	told[0] = '\0';
	o.oper_changed(o.arg, CMSHA_OPER_ACTIVE, CMSHA_OPER_STANDBY);
	ck_assert_str_eq(told, "say operational state: active -> standby|");
	by_command = false;
	told[0] = '\0';
	o.oper_changed(o.arg, CMSHA_OPER_ACTIVE, CMSHA_OPER_STANDBY);
	ck_assert_str_eq(told, "say operational state: active -> standby|page operational state "
			 "changed from active to standby without a command (aliases changed "
			 "outside cmshad) 1|");
	told[0] = '\0';
	o.mode_changed(o.arg, CMSHA_MODE_SOFTWARE, "");
	ck_assert_str_eq(told, "say switch-over mode: software|");
}
END_TEST

/* ---- one look at the kernel ---- */

static unsigned oper_changes;
static enum cmsha_oper_state oper_to;

static void on_oper(void *arg, enum cmsha_oper_state from, enum cmsha_oper_state to)
{
	(void)arg;
	(void)from;
	oper_changes++;
	oper_to = to;
}

static void nothing_changed(void *arg) { (void)arg; }

static void look_and_refresh(struct cmsha_netwatch *w)
{
	struct cmsha_ha_look look;
	struct pollfd p = { cmsha_netwatch_fd(w), POLLIN, 0 };

	while (poll(&p, 1, 200) > 0)            /* the address' event, if not read yet */
		cmsha_netwatch_process(w);
	ck_assert(cmsha_ha_look(&ha, w, &look));
	ck_assert_uint_eq(look.n_obs, 1);
	ck_assert(look.n_locals >= 1);
	cmsha_ha_refresh_from_look(&ha, &look);
	ck_assert_ptr_null(look.obs);
	ck_assert_ptr_null(look.locals);
}

START_TEST(a_look_refreshes_the_state_from_the_kernel)
{
	char err[256];
	struct cmsha_netwatch *w;

	netns_enter_private();
	netns_add_veth("dum0", "dum0peer");
	netns_set_link_up("dum0", true);
	netns_wait_link_running("dum0", true, 5000);
	netns_change_address("dum0", "10.77.0.11/24", true);
	w = cmsha_netwatch_open(nothing_changed, NULL, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	ha.observer = (struct cmsha_ha_observer){ NULL, on_oper, NULL, NULL };
	look_and_refresh(w);
	ck_assert_int_eq(ha.aliases[0].state, CMSHA_ALIAS_ABSENT);
	ck_assert_int_eq(ha.oper, CMSHA_OPER_STANDBY);
	netns_change_address("dum0", "10.77.0.10/24", true);
	look_and_refresh(w);
	ck_assert_int_eq(ha.aliases[0].state, CMSHA_ALIAS_PRESENT);
	ck_assert_int_eq(ha.oper, CMSHA_OPER_ACTIVE);
	ck_assert_uint_ge(oper_changes, 1);
	ck_assert_int_eq(oper_to, CMSHA_OPER_ACTIVE);
	cmsha_netwatch_close(w);
}
END_TEST

static TCase *case_of(const char *name, const TTest *const *tests, size_t n)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	return tc;
}

int main(int argc, char **argv)
{
	const TTest *const rules[] = {
		an_active_servers_alias_gone_by_itself_is_lost, an_alias_change_pages_nobody_otherwise,
		an_oper_change_without_a_command_pages_with_why,
		manual_mode_is_a_warning_with_its_reason, the_teller_says_tells_the_listener_then_pages,
	};
	const TTest *const kernel[] = { a_look_refreshes_the_state_from_the_kernel };
	Suite *s = suite_create("ha_news");

	(void)argc;
	suite_add_tcase(s, case_of("rules", rules, sizeof(rules) / sizeof(rules[0])));
	/* The look needs a namespace of its own: root (in CI, a failure without it). */
	netns_require_or_skip(argv[0]);
	suite_add_tcase(s, case_of("kernel", kernel, 1));
	return cmsha_run_suite(s);
}
