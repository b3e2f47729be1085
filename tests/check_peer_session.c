/*
 * The peer's SNMP requests when memory runs out: a request whose PDU
 * cannot be built is not sent (an empty SET would be answered noError,
 * having done nothing) and its done() is never called; the caller is told
 * by the return value.  net-snmp's allocating calls made by
 * agent/peer_session.c are wrapped (-Wl,--wrap) to fail on demand.  The
 * same holds for agent/peer_facts.c's requests (the test command's).
 * And what the cmsha:peer debug token shows of the requests and rounds.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "clock.h"
#include "peer_session.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

static bool out_of_memory;
static int strdup_left = -1;    /* strdup()s that still succeed; -1: all */
static int done_calls;

netsnmp_variable_list *__real_snmp_pdu_add_variable(netsnmp_pdu *pdu, const oid *name,
						    size_t name_length, u_char type,
						    const void *value, size_t len);
netsnmp_variable_list *__wrap_snmp_pdu_add_variable(netsnmp_pdu *pdu, const oid *name,
						    size_t name_length, u_char type,
						    const void *value, size_t len);
netsnmp_variable_list *__wrap_snmp_pdu_add_variable(netsnmp_pdu *pdu, const oid *name,
						    size_t name_length, u_char type,
						    const void *value, size_t len)
{
	if (out_of_memory)
		return NULL;
	return __real_snmp_pdu_add_variable(pdu, name, name_length, type, value, len);
}

netsnmp_variable_list *__real_snmp_add_null_var(netsnmp_pdu *pdu, const oid *name,
						size_t name_length);
netsnmp_variable_list *__wrap_snmp_add_null_var(netsnmp_pdu *pdu, const oid *name,
						size_t name_length);
netsnmp_variable_list *__wrap_snmp_add_null_var(netsnmp_pdu *pdu, const oid *name,
						size_t name_length)
{
	if (out_of_memory)
		return NULL;
	return __real_snmp_add_null_var(pdu, name, name_length);
}

char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s);
char *__wrap_strdup(const char *s)
{
	if (strdup_left == 0)
		return NULL;
	if (strdup_left > 0)
		strdup_left--;
	return __real_strdup(s);
}

static void on_command_done(void *arg, bool ok, const char *reason)
{
	(void)arg, (void)ok, (void)reason;
	done_calls++;
}

static void on_takeover_time(void *arg, bool ok, int64_t when_ds)
{
	(void)arg, (void)ok, (void)when_ds;
	done_calls++;
}

static void on_view(void *arg, const struct cmsha_peer_view *v)
{
	(void)arg, (void)v;
	done_calls++;
}

static void on_edge(bool reachable) { (void)reachable; }

static struct cmsha_config cfg;

/* What cmshad -Dcmsha:peer would print: net-snmp's log, captured. */
static char logged[8192];

static int on_log(int major, int minor, void *server_arg, void *client_arg)
{
	const struct snmp_log_message *m = server_arg;

	(void)major, (void)minor, (void)client_arg;
	strncat(logged, m->msg, sizeof(logged) - strlen(logged) - 1);
	return 0;
}

/* net-snmp's loop, as cmshad's, until the requests have ended or ms have passed. */
static void run_until_done(int calls, unsigned ms)
{
	struct timespec t0;

	cmsha_clock_now(&t0);
	while (done_calls < calls && cmsha_ms_since(&t0) < ms) {
		struct timeval tv = { 0, 10000 }, small = { 0, 10000 };
		int nfds = 0, block = 0;
		fd_set readable;

		FD_ZERO(&readable);
		snmp_select_info(&nfds, &readable, &tv, &block);
		if (select(nfds, &readable, NULL, NULL, &small) > 0)
			snmp_read(&readable);
		else
			snmp_timeout();
	}
}

/* Sessions to a local port nobody answers on: requests leave, none returns. */
static void setup(void)
{
	char err[512];

	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	init_snmp("check_peer_session");
	cmsha_config_init(&cfg);
	ck_assert(cmsha_config_apply(&cfg, "peer", "127.0.0.1", err, sizeof(err)));
	ck_assert_msg(peer_session_parse("-v2c -c private 127.0.0.1:9", err, sizeof(err)), "%s", err);
	ck_assert_msg(peer_session_start(&cfg, on_edge, err, sizeof(err)), "%s", err);
	done_calls = 0;
}

static void teardown(void)
{
	out_of_memory = false;
	peer_session_stop();
	peer_session_free();
	cmsha_config_free(&cfg);
}

START_TEST(a_command_without_its_varbind_is_not_sent)
{
	out_of_memory = true;
	ck_assert(!peer_session_command(CMSHA_CMD_RELEASE, 100, on_command_done, NULL));
	ck_assert(!peer_session_get_last_takeover(on_takeover_time, NULL));
	out_of_memory = false;
	ck_assert_int_eq(done_calls, 0);
	/* with memory, the same request leaves */
	ck_assert(peer_session_command(CMSHA_CMD_RELEASE, 100, on_command_done, NULL));
}
END_TEST

/* The test command's GETBULK without its varbinds would be answered, telling nothing. */
START_TEST(a_view_without_its_varbinds_is_not_sent)
{
	out_of_memory = true;
	ck_assert(!peer_facts_view(NULL, 100, on_view, NULL));
	out_of_memory = false;
	ck_assert_int_eq(done_calls, 0);
	ck_assert(peer_facts_view(NULL, 100, on_view, NULL));
}
END_TEST

/* cmsha:peer shows the rounds and each request, sent and ended (here: timed out), once. */
START_TEST(the_peer_debug_token_shows_rounds_and_requests)
{
	netsnmp_log_handler *h = netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
	char err[256];

	ck_assert_ptr_nonnull(h);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log, NULL);
	debug_register_tokens("cmsha:peer");
	snmp_set_do_debugging(1);
	peer_session_stop();            /* started again: the first round, logged */
	logged[0] = '\0';
	ck_assert_msg(peer_session_start(&cfg, on_edge, err, sizeof(err)), "%s", err);
	ck_assert(peer_session_command(CMSHA_CMD_RELEASE, 100, on_command_done, NULL));
	run_until_done(1, 3000);
	snmp_set_do_debugging(0);
	ck_assert_int_eq(done_calls, 1);
	ck_assert_msg(strstr(logged, "round 1: sending echo 1 and the GET"), "%s", logged);
	ck_assert_msg(strstr(logged, "probe GET cmsHaOperState: sent, waiting"), "%s", logged);
	ck_assert_msg(strstr(logged, "SET cmsHaPeerRequest: sent, waiting 100 ms"), "%s", logged);
	ck_assert_msg(strstr(logged, "SET cmsHaPeerRequest: timed out"), "%s", logged);
}
END_TEST

START_TEST(peer_words_out_of_memory_are_an_error)
{
	char err[256];

	strdup_left = 2;                /* "peer", "-v2c", then nothing */
	ck_assert(!peer_session_parse("-v2c -c private 127.0.0.1:9", err, sizeof(err)));
	ck_assert_str_eq(err, "peer: out of memory");
	strdup_left = -1;
}
END_TEST

int main(void)
{
	Suite *s = suite_create("peer_session");
	TCase *tc = tcase_create("out of memory");
	TCase *words = tcase_create("words");
	TCase *debug = tcase_create("debug token");

	setenv("MIBS", "", 1);          /* no MIB is needed: no parser noise */

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_command_without_its_varbind_is_not_sent);
	tcase_add_test(tc, a_view_without_its_varbinds_is_not_sent);
	tcase_add_test(words, peer_words_out_of_memory_are_an_error);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, words);
	tcase_add_checked_fixture(debug, setup, teardown);
	tcase_add_test(debug, the_peer_debug_token_shows_rounds_and_requests);
	suite_add_tcase(s, debug);
	return cmsha_run_suite(s);
}
