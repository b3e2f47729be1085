/*
 * cmsHaSwitchoverCommand and cmsHaSwitchoverSpinLock: the writable objects,
 * through net-snmp's SET phases.  RESERVE1 checks type and value, RESERVE2
 * asks the engine whether the command can run now and holds it for this
 * request (so of two managers exactly one wins), COMMIT starts it, FREE
 * lets go of a hold that was never used.
 */
#include "autoconfig.h"
#include "clock.h"
#include "mib_control.h"
#include "mib_oids.h"
#include "mib_validate.h"
#include "mib_values.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOLD_KEY "cmsha-hold"
#define SPIN_LOCK_MAX 2147483647L

/* One SET phase of one writable object, its state from the handler's myvoid. */
typedef int phase_fn(struct cmshad_mib *mib, netsnmp_agent_request_info *reqinfo,
		     netsnmp_request_info *r);

#ifdef CMSHA_TEST_HOOKS
/*
 * Only in tests/cmshad-test-hooks (never installed): CMSHA_TEST_STALL_COMMIT_MS
 * makes the agent stall that long before a command's commit, as a stopped
 * or swapped-out agent would, so that the stale-commit guard can be tested.
 */
static void test_stall_before_commit(void)
{
	const char *ms = getenv("CMSHA_TEST_STALL_COMMIT_MS");
	struct timespec stall;

	if (!ms || atol(ms) <= 0)
		return;
	stall.tv_sec = atol(ms) / 1000;
	stall.tv_nsec = atol(ms) % 1000 * 1000000L;
	snmp_log(LOG_WARNING, "test hook: stalling %s ms before the commit\n", ms);
	while (nanosleep(&stall, &stall) != 0)
		;
}

/*
 * CMSHA_TEST_FAIL_SPIN_LOCK_ACTION makes a SET of cmsHaSwitchoverSpinLock
 * fail in its ACTION phase, so that a release in the same SET is undone.
 */
static bool test_fail_spin_lock_action(void)
{
	return getenv("CMSHA_TEST_FAIL_SPIN_LOCK_ACTION") != NULL;
}
#else
static void test_stall_before_commit(void) {}
static bool test_fail_spin_lock_action(void) { return false; }
#endif

static int fail(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r, int error)
{
	netsnmp_set_request_error(reqinfo, r, error);
	return SNMP_ERR_NOERROR;
}

/* What a SET of the command holds between its phases. */
struct hold {
	struct timespec checked_at;     /* RESERVE2 */
	unsigned reservation;           /* the engine's hold for this SET */
	bool released;                  /* release carried out in ACTION */
	enum cmsha_initiator by;        /* snmp: cmsHaSwitchoverCommand; peer: cmsHaPeerRequest */
	uint32_t request_id;            /* the peer's cmsHaPeerRequestId (0: a manager's) */
};

static int command_reserve2(struct cmsha_switchover *sw, netsnmp_agent_request_info *reqinfo,
			    netsnmp_request_info *r, enum cmsha_initiator by, uint32_t request_id)
{
	enum cmsha_command cmd = (enum cmsha_command)*r->requestvb->val.integer;
	char reason[CMSHA_HISTORY_REASON_LEN];
	enum cmsha_verdict v = cmsha_switchover_check(sw, cmd, by, reason, sizeof(reason));
	struct hold *hold;

	if (v == CMSHA_VERDICT_REFUSE) {
		DEBUGMSGTL(("cmsha:mib", "%s refused: %s\n", cmsha_command_name(cmd), reason));
		cmsha_switchover_set_request_id(sw, request_id);
		cmsha_switchover_refuse(sw, cmd, by, reason);
		return fail(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE);
	}
	if (!(hold = calloc(1, sizeof(*hold))))
		return fail(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
	hold->by = by;
	hold->request_id = request_id;
	cmsha_clock_now(&hold->checked_at);
	hold->reservation = cmsha_switchover_reserve(sw, &hold->checked_at);
	netsnmp_request_add_list_data(r, netsnmp_create_data_list(HOLD_KEY, hold, free));
	/* A takeover's probe goes out now, not two AgentX exchanges later. */
	cmsha_switchover_probe_early(sw, cmd, v);
	return SNMP_ERR_NOERROR;
}

static bool stale(const struct hold *hold, enum cmsha_command cmd)
{
	struct timespec now;

	test_stall_before_commit();
	cmsha_clock_now(&now);
	if (!cmsha_switchover_commit_stale(&hold->checked_at, &now))
		return false;
	snmp_log(LOG_WARNING, "%s: stale request (its checks ran more than %d ms ago; the "
		 "manager has given up): not carried out\n", cmsha_command_name(cmd),
		 CMSHA_STALE_COMMIT_MS);
	return true;
}

/* Run the command once; false (the SET fails) when stale or a release failed. */
static bool carry_out(struct cmsha_switchover *sw, netsnmp_request_info *r, struct hold *hold)
{
	enum cmsha_command cmd = (enum cmsha_command)*r->requestvb->val.integer;

	if (stale(hold, cmd)) {
		cmsha_switchover_unreserve(sw, hold->reservation);
		return false;
	}
	hold->released = cmd == CMSHA_CMD_RELEASE;
	cmsha_switchover_set_request_id(sw, hold->request_id);
	bool ok = cmsha_switchover_run(sw, cmd, hold->by);

	if (hold->request_id)
		cmsha_switchover_peer_request_done(sw, hold->request_id, ok);
	return ok;
}

/*
 * release runs in ACTION: over AgentX that is the CommitSet, which the
 * master waits for before it answers, so the answer confirms the aliases
 * are gone; its records (history file, notification) follow in COMMIT, the
 * CleanupSet, which the master sends as it answers.  The others start in
 * COMMIT and run on in the event loop.
 */
static int command_set_phase(struct cmsha_switchover *sw, netsnmp_agent_request_info *reqinfo,
			     netsnmp_request_info *r)
{
	struct hold *hold = netsnmp_request_get_list_data(r, HOLD_KEY);
	bool is_release = *r->requestvb->val.integer == CMSHA_CMD_RELEASE;

	if (!hold)
		return SNMP_ERR_NOERROR;
	switch (reqinfo->mode) {
	case MODE_SET_ACTION:
		/* The history file and the notification wait until after the answer. */
		if (is_release)
			cmsha_switchover_hold_records(sw);
		if (is_release && !carry_out(sw, r, hold))
			return fail(reqinfo, r, SNMP_ERR_COMMITFAILED);
		break;
	case MODE_SET_UNDO:        /* another varbind failed: put the aliases back */
		if (hold->released)
			cmsha_switchover_undo_release(sw);
		hold->released = false;
		cmsha_switchover_flush_records(sw);
		break;
	case MODE_SET_COMMIT:
		cmsha_switchover_flush_records(sw);
		if (!is_release && !carry_out(sw, r, hold))
			return fail(reqinfo, r, SNMP_ERR_COMMITFAILED);
		break;
	case MODE_SET_FREE:        /* a hold never used is given back */
		cmsha_switchover_flush_records(sw);
		if (!hold->released)
			cmsha_switchover_unreserve(sw, hold->reservation);
		netsnmp_request_remove_list_data(r, HOLD_KEY);
		break;
	}
	return SNMP_ERR_NOERROR;
}

/* The varbind of object id in the same SET, or NULL. */
static netsnmp_variable_list *same_set_varbind(netsnmp_agent_request_info *reqinfo,
					       enum cmsha_mib_id id)
{
	oid name[CMSHA_MIB_INSTANCE_MAX_LEN];
	size_t len = cmsha_mib_instance(id, 0, name);

	for (netsnmp_variable_list *v = reqinfo->asp->pdu->variables; v; v = v->next_variable)
		if (snmp_oid_compare(v->name, v->name_length, name, len) == 0)
			return v;
	return NULL;
}

/* cmsHaPeerRequestId's value in this SET: 0 when absent or not a valid id. */
static uint32_t peer_request_id(netsnmp_agent_request_info *reqinfo)
{
	netsnmp_variable_list *v = same_set_varbind(reqinfo, MIB_PEER_REQUEST_ID);

	if (!v || v->type != ASN_UNSIGNED || v->val_len != sizeof(long))
		return 0;
	return (uint32_t)*v->val.integer;
}

int mib_peer_request_seen(enum cmsha_command cmd, uint32_t id, bool ok)
{
	snmp_log(LOG_NOTICE, "the peer's request %s (id %u) was carried out already (%s): "
		 "not again\n", cmsha_command_name(cmd), id, ok ? "succeeded" : "failed");
	return ok ? SNMP_ERR_NOERROR : SNMP_ERR_INCONSISTENTVALUE;
}

/* A request id seen before: answered with its outcome, not carried out again. */
static int peer_request_reserve2(struct cmsha_switchover *sw,
				 netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r)
{
	uint32_t id = peer_request_id(reqinfo);
	bool ok;
	int rc;

	if (!cmsha_switchover_peer_request_seen(sw, id, &ok))
		return command_reserve2(sw, reqinfo, r, CMSHA_BY_PEER, id);
	rc = mib_peer_request_seen((enum cmsha_command)*r->requestvb->val.integer, id, ok);
	return rc == SNMP_ERR_NOERROR ? rc : fail(reqinfo, r, rc);
}

/* RESERVE1 of cmsHaPeerRequest: a value one agent asks of the other, with its id. */
static int peer_request_reserve1(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r)
{
	int rc = mib_peer_request_validate(r->requestvb);

	/* Without its id a request could be carried out twice (the id's own
	 * handler checks its type and value). */
	if (rc == SNMP_ERR_NOERROR && !same_set_varbind(reqinfo, MIB_PEER_REQUEST_ID))
		rc = SNMP_ERR_INCONSISTENTVALUE;
	return rc;
}

/*
 * cmsHaSwitchoverCommand (a manager's) and cmsHaPeerRequest (the peer's):
 * both actions, not states, read as noCommand; they differ in RESERVE1 and
 * RESERVE2 only.
 */
static int action_phase(struct cmshad_mib *mib, netsnmp_agent_request_info *reqinfo,
			netsnmp_request_info *r, bool by_peer)
{
	int rc;

	switch (reqinfo->mode) {
	case MODE_GET:
		mib_set_integer(r->requestvb, CMSHA_CMD_NONE);
		return SNMP_ERR_NOERROR;
	case MODE_SET_RESERVE1:
		rc = by_peer ? peer_request_reserve1(reqinfo, r) : mib_command_validate(r->requestvb);
		return rc == SNMP_ERR_NOERROR ? rc : fail(reqinfo, r, rc);
	case MODE_SET_RESERVE2:
		return by_peer ? peer_request_reserve2(mib->sw, reqinfo, r)
			       : command_reserve2(mib->sw, reqinfo, r, CMSHA_BY_SNMP, 0);
	default:
		return command_set_phase(mib->sw, reqinfo, r);
	}
}

static int command_phase(struct cmshad_mib *mib, netsnmp_agent_request_info *reqinfo,
			 netsnmp_request_info *r)
{
	return action_phase(mib, reqinfo, r, false);
}

static int peer_request_phase(struct cmshad_mib *mib, netsnmp_agent_request_info *reqinfo,
			      netsnmp_request_info *r)
{
	return action_phase(mib, reqinfo, r, true);
}

static int peer_request_id_phase(struct cmshad_mib *mib, netsnmp_agent_request_info *reqinfo,
				 netsnmp_request_info *r)
{
	u_long none = 0;
	int rc;

	(void)mib;
	switch (reqinfo->mode) {
	case MODE_GET:
		snmp_set_var_typed_value(r->requestvb, ASN_UNSIGNED, &none, sizeof(none));
		return SNMP_ERR_NOERROR;
	case MODE_SET_RESERVE1:
		if ((rc = netsnmp_check_vb_type(r->requestvb, ASN_UNSIGNED)) != SNMP_ERR_NOERROR)
			return fail(reqinfo, r, rc);
		if (*r->requestvb->val.integer == 0)
			return fail(reqinfo, r, SNMP_ERR_WRONGVALUE);
		/* An id alone asks nothing. */
		if (!same_set_varbind(reqinfo, MIB_PEER_REQUEST))
			return fail(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE);
		return SNMP_ERR_NOERROR;
	default:
		return SNMP_ERR_NOERROR;
	}
}

static int spin_lock_phase(struct cmshad_mib *mib, netsnmp_agent_request_info *reqinfo,
			   netsnmp_request_info *r)
{
	int rc;

	switch (reqinfo->mode) {
	case MODE_GET:
		mib_set_integer(r->requestvb, mib->spin_lock);
		break;
	case MODE_SET_RESERVE1:
		if ((rc = netsnmp_check_vb_type(r->requestvb, ASN_INTEGER)) != SNMP_ERR_NOERROR ||
		    (rc = netsnmp_check_vb_int_range(r->requestvb, 0, SPIN_LOCK_MAX)) != SNMP_ERR_NOERROR)
			return fail(reqinfo, r, rc);
		break;
	case MODE_SET_RESERVE2:           /* TestAndIncr: only the current value may be set */
		if (*r->requestvb->val.integer != mib->spin_lock)
			return fail(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE);
		break;
	case MODE_SET_ACTION:
		if (test_fail_spin_lock_action())
			return fail(reqinfo, r, SNMP_ERR_COMMITFAILED);
		break;
	case MODE_SET_COMMIT:
		mib->spin_lock = mib->spin_lock == SPIN_LOCK_MAX ? 0 : mib->spin_lock + 1;
		break;
	default:
		break;
	}
	return SNMP_ERR_NOERROR;
}

static const struct {
	enum cmsha_mib_id id;
	phase_fn *phase;
} writables[] = {
	{ MIB_SWITCHOVER_COMMAND, command_phase },
	{ MIB_SWITCHOVER_SPIN_LOCK, spin_lock_phase },
	{ MIB_PEER_REQUEST, peer_request_phase },
	{ MIB_PEER_REQUEST_ID, peer_request_id_phase },
};

static const char *phase_name(int mode)
{
	switch (mode) {
	case MODE_SET_RESERVE1: return "RESERVE1";
	case MODE_SET_RESERVE2: return "RESERVE2";
	case MODE_SET_ACTION: return "ACTION";
	case MODE_SET_COMMIT: return "COMMIT";
	case MODE_SET_FREE: return "FREE";
	case MODE_SET_UNDO: return "UNDO";
	default: return "GET";
	}
}

/* -Dcmsha:mib: each SET phase of each writable object, its value and verdict. */
static void trace_phase(const netsnmp_handler_registration *reg,
			const netsnmp_agent_request_info *reqinfo, const netsnmp_request_info *r)
{
	const netsnmp_variable_list *vb = r->requestvb;

	if (reqinfo->mode == MODE_GET)
		return;
	if ((vb->type == ASN_INTEGER || vb->type == ASN_UNSIGNED) && vb->val_len == sizeof(long))
		DEBUGMSGTL(("cmsha:mib", "%s %s = %ld: %s\n", reg->handlerName,
			    phase_name(reqinfo->mode), *vb->val.integer,
			    r->status ? snmp_errstring(r->status) : "ok"));
	else
		DEBUGMSGTL(("cmsha:mib", "%s %s = (type 0x%02x, %zu octets): %s\n",
			    reg->handlerName, phase_name(reqinfo->mode), vb->type, vb->val_len,
			    r->status ? snmp_errstring(r->status) : "ok"));
}

/*
 * The writable objects' one handler: the object by the registration's OID
 * (netsnmp_register_scalar() has added the instance's .0 to it).
 */
static int control_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
			   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	netsnmp_request_info *r = requests;      /* a scalar: one varbind */

	for (size_t i = 0; i < sizeof(writables) / sizeof(writables[0]); i++) {
		const struct cmsha_mib_object *obj = &cmsha_mib[writables[i].id];
		int rc;

		if (netsnmp_oid_is_subtree(obj->oid, obj->oid_len, reg->rootoid, reg->rootoid_len))
			continue;
		rc = writables[i].phase(handler->myvoid, reqinfo, r);
		trace_phase(reg, reqinfo, r);
		return rc;
	}
	return SNMP_ERR_GENERR;
}

netsnmp_handler_registration *mib_control_registration(struct cmshad_mib *mib,
						       enum cmsha_mib_id id)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[id];
	netsnmp_handler_registration *reg =
		netsnmp_create_handler_registration(obj->name, control_handler, obj->oid,
						    obj->oid_len, HANDLER_CAN_RWRITE);

	if (reg)
		reg->handler->myvoid = mib;
	return reg;
}

void cmshad_mib_register_control(struct cmshad_mib *mib)
{
	for (size_t i = 0; i < sizeof(writables) / sizeof(writables[0]); i++) {
		netsnmp_handler_registration *reg = mib_control_registration(mib, writables[i].id);

		if (!reg || netsnmp_register_scalar(reg) != MIB_REGISTERED_OK)
			snmp_log(LOG_ERR, "cannot register %s\n", cmsha_mib[writables[i].id].name);
	}
}
