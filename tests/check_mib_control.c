/*
 * The writable objects' SET phases, driven directly as net-snmp's agent
 * drives them (in the way of lldpd's tests/check_snmp.c, which calls its
 * handlers with hand-made requests): RESERVE1 -> RESERVE2 -> ACTION ->
 * COMMIT -> FREE, and RESERVE1 -> ... -> UNDO -> FREE.  The handler reaches
 * a switch-over engine of the test's own through its myvoid: the errors
 * (wrongType, wrongValue, inconsistentValue, resourceUnavailable) and what
 * each phase leaves in the engine (its hold, its history rows, the peer's
 * request ids) are checked without an agent or a kernel.  The engine's
 * environment is a fake: no alias is configured, so a release needs no
 * kernel (its rules are the same).
 */
#include "autoconfig.h"
#include "check_run.h"
#include "mib_control.h"

#include <check.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct cmsha_config cfg;
static struct cmsha_ha ha;
static struct cmsha_history history;
static struct cmsha_switchover sw;
static struct cmshad_mib mib;
/* The writable objects as cmshad registers them (with net-snmp's scalar helper). */
static const enum cmsha_mib_id writable[] = {
	MIB_SWITCHOVER_COMMAND, MIB_SWITCHOVER_SPIN_LOCK, MIB_PEER_REQUEST, MIB_PEER_REQUEST_ID,
};
static netsnmp_handler_registration *regs[MIB_ID_COUNT];
static int finished_calls;

/* The next calloc fails (the hold of a SET that finds no memory). */
static bool fail_next_calloc;
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size)
{
	if (fail_next_calloc) {
		fail_next_calloc = false;
		return NULL;
	}
	return __real_calloc(n, size);
}

static bool peer_up;
static bool fake_peer_reachable(void *ctx) { (void)ctx; return peer_up; }
static void fake_refresh(void *ctx) { (void)ctx; }
static void fake_finished(void *ctx, const struct cmsha_history_entry *e)
{
	(void)ctx, (void)e;
	finished_calls++;
}
/* The held records' timer and the announcements': never due within a test. */
static unsigned fake_timer_add(void *ctx, unsigned ms, cmsha_callback fn, void *arg)
{
	(void)ctx, (void)ms, (void)fn, (void)arg;
	return 1;
}
static void fake_timer_cancel(void *ctx, unsigned id) { (void)ctx, (void)id; }

static const struct cmsha_switchover_env env = {
	.peer_reachable = fake_peer_reachable, .refresh = fake_refresh,
	.finished = fake_finished,
	/* a release here has no alias to remove: the kernel is never reached */
	.kernel = &cmsha_switchover_kernel_real,
	.timer_add = fake_timer_add, .timer_cancel = fake_timer_cancel,
};

/* An active server with no alias (a release needs no kernel) and its peer. */
static void setup(void)
{
	struct timespec now = { 1, 0 };
	char err[256];

	finished_calls = 0;
	fail_next_calloc = false;
	peer_up = true;
	cmsha_config_init(&cfg);
	ck_assert(cmsha_config_apply(&cfg, "peer", "10.77.0.12", err, sizeof(err)));
	ck_assert(cmsha_history_open(&history, 10, NULL, err, sizeof(err)));
	ck_assert(cmsha_ha_init(&ha, &cfg, &now));
	ha.oper = CMSHA_OPER_ACTIVE;
	ha.mode = CMSHA_MODE_SOFTWARE;
	cmsha_switchover_init(&sw, &cfg, &ha, &history, NULL, &env);
	mib = (struct cmshad_mib){ .sw = &sw };
	for (size_t i = 0; i < sizeof(writable) / sizeof(writable[0]); i++) {
		regs[writable[i]] = mib_control_registration(&mib, writable[i]);
		ck_assert_ptr_nonnull(regs[writable[i]]);
		ck_assert_int_eq(netsnmp_register_scalar(regs[writable[i]]), MIB_REGISTERED_OK);
	}
}

static void teardown(void)
{
	for (size_t i = 0; i < sizeof(writable) / sizeof(writable[0]); i++)
		netsnmp_unregister_handler(regs[writable[i]]);
	cmsha_switchover_shutdown(&sw);
	cmsha_history_close(&history);
	cmsha_ha_free(&ha);
	cmsha_config_free(&cfg);
}

/* One SET as the agent holds it between phases: its PDU and one request per object. */
struct set {
	netsnmp_pdu *pdu;
	netsnmp_agent_session asp;
	netsnmp_agent_request_info reqinfo;
	netsnmp_request_info requests[2];
	enum cmsha_mib_id ids[2];
	size_t n;
};

static void set_add(struct set *s, enum cmsha_mib_id id, u_char type, const void *value,
		    size_t len)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[id];
	oid name[CMSHA_MIB_MAX_LEN + 1];
	netsnmp_variable_list *vb;

	memcpy(name, obj->oid, obj->oid_len * sizeof(oid));
	name[obj->oid_len] = 0;
	vb = snmp_pdu_add_variable(s->pdu, name, obj->oid_len + 1, type, value, len);
	ck_assert_ptr_nonnull(vb);
	s->ids[s->n] = id;
	s->requests[s->n].requestvb = vb;
	s->requests[s->n].agent_req_info = &s->reqinfo;
	s->n++;
}

static void set_integer(struct set *s, enum cmsha_mib_id id, long value)
{
	set_add(s, id, ASN_INTEGER, &value, sizeof(value));
}

static void set_start(struct set *s)
{
	memset(s, 0, sizeof(*s));
	s->pdu = snmp_pdu_create(SNMP_MSG_SET);
	ck_assert_ptr_nonnull(s->pdu);
	s->asp.pdu = s->pdu;
	s->reqinfo.asp = &s->asp;
}

static void set_end(struct set *s)
{
	for (size_t i = 0; i < s->n; i++)
		netsnmp_free_list_data(s->requests[i].parent_data);
	snmp_free_pdu(s->pdu);
}

/*
 * Phase mode of varbind i, through the registration's handler chain as
 * the agent calls it; the error set (SNMP_ERR_NOERROR: none).
 */
static int phase(struct set *s, size_t i, int mode)
{
	netsnmp_request_info *r = &s->requests[i];

	s->reqinfo.mode = mode;
	r->status = SNMP_ERR_NOERROR;
	ck_assert_int_eq(netsnmp_call_handlers(regs[s->ids[i]], &s->reqinfo, r), SNMP_ERR_NOERROR);
	return r->status;
}

/* RESERVE1's verdict on a SET of object id alone. */
static int reserve1_alone(enum cmsha_mib_id id, u_char type, const void *value, size_t len)
{
	struct set s;
	int rc;

	set_start(&s);
	set_add(&s, id, type, value, len);
	rc = phase(&s, 0, MODE_SET_RESERVE1);
	phase(&s, 0, MODE_SET_FREE);
	set_end(&s);
	return rc;
}

static int integer_reserve1_alone(enum cmsha_mib_id id, long value)
{
	return reserve1_alone(id, ASN_INTEGER, &value, sizeof(value));
}

static void passes(struct set *s, size_t i, int mode)
{
	ck_assert_int_eq(phase(s, i, mode), SNMP_ERR_NOERROR);
}

/* A manager's SET of cmsHaSwitchoverCommand = cmd through RESERVE1 and RESERVE2. */
static void command_reserved(struct set *s, long cmd)
{
	set_start(s);
	set_integer(s, MIB_SWITCHOVER_COMMAND, cmd);
	passes(s, 0, MODE_SET_RESERVE1);
	passes(s, 0, MODE_SET_RESERVE2);
}

/* What the engine's last history row says. */
static const struct cmsha_history_entry *last_row(void)
{
	ck_assert_uint_gt(history.count, 0);
	return cmsha_history_at(&history, history.count - 1);
}

START_TEST(command_wrong_type)
{
	struct set s;

	set_start(&s);
	set_add(&s, MIB_SWITCHOVER_COMMAND, ASN_OCTET_STR, "takeover", 8);
	ck_assert_int_eq(phase(&s, 0, MODE_SET_RESERVE1), SNMP_ERR_WRONGTYPE);
	phase(&s, 0, MODE_SET_FREE);
	ck_assert(!cmsha_switchover_is_reserved(&sw));
	ck_assert_uint_eq(history.count, 0);
	set_end(&s);
}
END_TEST

START_TEST(command_wrong_value)
{
	long values[] = { 0, CMSHA_CMD_NONE, CMSHA_CMD_TEST + 1, -2 };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		ck_assert_int_eq(integer_reserve1_alone(MIB_SWITCHOVER_COMMAND, values[i]),
				 SNMP_ERR_WRONGVALUE);
	ck_assert(!cmsha_switchover_is_reserved(&sw));
	ck_assert_uint_eq(history.count, 0);
}
END_TEST

/* switchAway to an unreachable peer: refused in RESERVE2, with a row that says so. */
START_TEST(command_refused_is_inconsistent)
{
	struct set s;

	peer_up = false;
	set_start(&s);
	set_integer(&s, MIB_SWITCHOVER_COMMAND, CMSHA_CMD_SWITCH_AWAY);
	ck_assert_int_eq(phase(&s, 0, MODE_SET_RESERVE1), SNMP_ERR_NOERROR);
	ck_assert_int_eq(phase(&s, 0, MODE_SET_RESERVE2), SNMP_ERR_INCONSISTENTVALUE);
	phase(&s, 0, MODE_SET_FREE);
	ck_assert(!cmsha_switchover_is_reserved(&sw));
	ck_assert_int_eq(sw.status, CMSHA_STATUS_REFUSED);
	ck_assert_int_eq(last_row()->command, CMSHA_CMD_SWITCH_AWAY);
	ck_assert_int_eq(last_row()->result, CMSHA_RESULT_REFUSED);
	ck_assert_msg(strstr(last_row()->reason, "unreachable"), "reason: %s", last_row()->reason);
	set_end(&s);
}
END_TEST

/* No memory for the SET's hold: resourceUnavailable, and the engine is not held. */
START_TEST(command_without_memory)
{
	struct set s;

	set_start(&s);
	set_integer(&s, MIB_SWITCHOVER_COMMAND, CMSHA_CMD_RELEASE);
	ck_assert_int_eq(phase(&s, 0, MODE_SET_RESERVE1), SNMP_ERR_NOERROR);
	fail_next_calloc = true;
	ck_assert_int_eq(phase(&s, 0, MODE_SET_RESERVE2), SNMP_ERR_RESOURCEUNAVAILABLE);
	ck_assert(!fail_next_calloc);
	ck_assert(!cmsha_switchover_is_reserved(&sw));
	phase(&s, 0, MODE_SET_FREE);
	ck_assert_uint_eq(history.count, 0);
	set_end(&s);
}
END_TEST

/*
 * Of two managers' SETs, the first to pass RESERVE2 holds the engine: the
 * other's is inconsistent.  A hold never used (another varbind failed) is
 * given back in FREE: the next SET passes.
 */
START_TEST(reserve2_holds_free_gives_back)
{
	struct set a, b, c;

	command_reserved(&a, CMSHA_CMD_RELEASE);
	ck_assert(cmsha_switchover_is_reserved(&sw));

	set_start(&b);
	set_integer(&b, MIB_SWITCHOVER_COMMAND, CMSHA_CMD_RELEASE);
	ck_assert_int_eq(phase(&b, 0, MODE_SET_RESERVE1), SNMP_ERR_NOERROR);
	ck_assert_int_eq(phase(&b, 0, MODE_SET_RESERVE2), SNMP_ERR_INCONSISTENTVALUE);
	phase(&b, 0, MODE_SET_FREE);
	ck_assert(cmsha_switchover_is_reserved(&sw));     /* b's FREE leaves a's hold */

	phase(&a, 0, MODE_SET_FREE);
	ck_assert(!cmsha_switchover_is_reserved(&sw));
	ck_assert_int_eq(ha.oper, CMSHA_OPER_ACTIVE);      /* never carried out */

	command_reserved(&c, CMSHA_CMD_RELEASE);
	phase(&c, 0, MODE_SET_FREE);
	set_end(&a), set_end(&b), set_end(&c);
}
END_TEST

/*
 * release: carried out in ACTION (the answer confirms it), its records
 * (finished(): log, notification) held until COMMIT, the hold gone by FREE.
 */
START_TEST(release_action_commit_free)
{
	struct set s;

	command_reserved(&s, CMSHA_CMD_RELEASE);
	ck_assert_uint_eq(history.count, 0);
	passes(&s, 0, MODE_SET_ACTION);
	ck_assert_uint_eq(history.count, 1);
	ck_assert_int_eq(last_row()->command, CMSHA_CMD_RELEASE);
	ck_assert_int_eq(last_row()->initiator, CMSHA_BY_SNMP);
	ck_assert_int_eq(last_row()->result, CMSHA_RESULT_SUCCEEDED);
	ck_assert_int_eq(finished_calls, 0);
	passes(&s, 0, MODE_SET_COMMIT);
	ck_assert_int_eq(finished_calls, 1);
	passes(&s, 0, MODE_SET_FREE);
	ck_assert(!cmsha_switchover_is_reserved(&sw));
	ck_assert_uint_eq(history.count, 1);
	ck_assert_ptr_null(netsnmp_request_get_list_data(&s.requests[0], "cmsha-hold"));
	set_end(&s);
}
END_TEST

/* Another varbind of the SET failed after the release's ACTION: UNDO puts it back. */
START_TEST(release_undo)
{
	struct set s;

	command_reserved(&s, CMSHA_CMD_RELEASE);
	passes(&s, 0, MODE_SET_ACTION);
	passes(&s, 0, MODE_SET_UNDO);
	ck_assert_int_eq(finished_calls, 1);
	ck_assert_int_eq(last_row()->command, CMSHA_CMD_RELEASE);
	ck_assert_int_eq(last_row()->result, CMSHA_RESULT_FAILED);
	ck_assert_msg(strstr(last_row()->reason, "undone"), "reason: %s", last_row()->reason);
	ck_assert_uint_eq(history.switchover_count, 0);
	passes(&s, 0, MODE_SET_FREE);
	ck_assert(!cmsha_switchover_is_reserved(&sw));
	set_end(&s);
}
END_TEST

/* cmsHaPeerRequest alone (no cmsHaPeerRequestId) could run twice: refused. */
START_TEST(peer_request_needs_its_id)
{
	ck_assert_int_eq(integer_reserve1_alone(MIB_PEER_REQUEST, CMSHA_CMD_RELEASE),
			 SNMP_ERR_INCONSISTENTVALUE);
	/* switchAway: a manager's only */
	ck_assert_int_eq(integer_reserve1_alone(MIB_PEER_REQUEST, CMSHA_CMD_SWITCH_AWAY),
			 SNMP_ERR_WRONGVALUE);
	ck_assert_uint_eq(history.count, 0);
}
END_TEST

static void peer_release(struct set *s, u_long id)
{
	set_start(s);
	set_integer(s, MIB_PEER_REQUEST, CMSHA_CMD_RELEASE);
	set_add(s, MIB_PEER_REQUEST_ID, ASN_UNSIGNED, &id, sizeof(id));
	/* as the agent does: each phase for every varbind, the id's first */
	for (int mode = MODE_SET_RESERVE1; mode <= MODE_SET_FREE; mode++)
		for (size_t i = 2; i-- > 0;)
			passes(s, i, mode);
	set_end(s);
}

/* The peer's release: its id in the row; the same id again is answered, not run again. */
START_TEST(peer_request_once_per_id)
{
	struct set s;

	peer_release(&s, 7);
	ck_assert_uint_eq(history.count, 1);
	ck_assert_int_eq(last_row()->initiator, CMSHA_BY_PEER);
	ck_assert_uint_eq(last_row()->request_id, 7);
	peer_release(&s, 7);
	ck_assert_uint_eq(history.count, 1);
	ck_assert(!cmsha_switchover_is_reserved(&sw));
	peer_release(&s, 8);
	ck_assert_uint_eq(history.count, 2);
}
END_TEST

START_TEST(peer_request_id_checks)
{
	u_long zero = 0, seven = 7;

	ck_assert_int_eq(integer_reserve1_alone(MIB_PEER_REQUEST_ID, 7), SNMP_ERR_WRONGTYPE);
	ck_assert_int_eq(reserve1_alone(MIB_PEER_REQUEST_ID, ASN_UNSIGNED, &zero, sizeof(zero)),
			 SNMP_ERR_WRONGVALUE);
	/* an id alone asks nothing */
	ck_assert_int_eq(reserve1_alone(MIB_PEER_REQUEST_ID, ASN_UNSIGNED, &seven, sizeof(seven)),
			 SNMP_ERR_INCONSISTENTVALUE);
}
END_TEST

/* TestAndIncr: only the current value may be set; COMMIT moves it on (in the handler's state). */
START_TEST(spin_lock_test_and_incr)
{
	struct set s;

	set_start(&s);
	set_integer(&s, MIB_SWITCHOVER_SPIN_LOCK, 1);
	ck_assert_int_eq(phase(&s, 0, MODE_SET_RESERVE1), SNMP_ERR_NOERROR);
	ck_assert_int_eq(phase(&s, 0, MODE_SET_RESERVE2), SNMP_ERR_INCONSISTENTVALUE);
	set_end(&s);

	set_start(&s);
	set_integer(&s, MIB_SWITCHOVER_SPIN_LOCK, 0);
	for (int mode = MODE_SET_RESERVE1; mode <= MODE_SET_COMMIT; mode++)
		passes(&s, 0, mode);
	ck_assert_int_eq(mib.spin_lock, 1);
	phase(&s, 0, MODE_SET_FREE);
	set_end(&s);

	ck_assert_int_eq(integer_reserve1_alone(MIB_SWITCHOVER_SPIN_LOCK, -1), SNMP_ERR_WRONGVALUE);
}
END_TEST

/* -Dcmsha:mib: each phase with the object, the value and the verdict. */
START_TEST(set_phases_traced)
{
	char logged[4096] = "";
	FILE *out = tmpfile();
	int saved[2] = { dup(STDOUT_FILENO), dup(STDERR_FILENO) };
	struct set s;

	/* net-snmp's debug output goes where its log goes: stdout or stderr here */
	ck_assert(out && saved[0] >= 0 && saved[1] >= 0);
	fflush(stdout), fflush(stderr);
	dup2(fileno(out), STDOUT_FILENO), dup2(fileno(out), STDERR_FILENO);
	debug_register_tokens("cmsha:mib");
	snmp_set_do_debugging(1);
	ck_assert_int_eq(integer_reserve1_alone(MIB_SWITCHOVER_COMMAND, 9), SNMP_ERR_WRONGVALUE);
	command_reserved(&s, CMSHA_CMD_RELEASE);
	phase(&s, 0, MODE_SET_FREE);
	set_end(&s);
	snmp_set_do_debugging(0);
	fflush(stdout), fflush(stderr);
	dup2(saved[0], STDOUT_FILENO), dup2(saved[1], STDERR_FILENO);
	rewind(out);
	logged[fread(logged, 1, sizeof(logged) - 1, out)] = '\0';
	fclose(out);
	ck_assert_msg(strstr(logged, "cmsHaSwitchoverCommand RESERVE1 = 9: wrongValue"), "%s", logged);
	ck_assert_msg(strstr(logged, "cmsHaSwitchoverCommand RESERVE2 = 3: ok"), "%s", logged);
	ck_assert_msg(strstr(logged, "cmsHaSwitchoverCommand FREE = 3: ok"), "%s", logged);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
		command_wrong_type, command_wrong_value, command_refused_is_inconsistent,
		command_without_memory, reserve2_holds_free_gives_back,
		release_action_commit_free, release_undo, peer_request_needs_its_id,
		peer_request_once_per_id, peer_request_id_checks, spin_lock_test_and_incr,
		set_phases_traced,
	};
	Suite *s = suite_create("mib_control");
	TCase *tc = tcase_create("set phases");

	tcase_add_checked_fixture(tc, setup, teardown);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
