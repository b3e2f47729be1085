/*
 * Reading a server_view: one GET of the scalars, then GETBULKs down the
 * alias and component columns until each leaves its column.  The two
 * agents' requests are in flight together, so one slow agent costs the
 * check one timeout, not two.
 */
#include "pair_query.h"

#include <stdarg.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "mib_oids.h"

/* The scalars, in the order fill_scalar() stores them. */
static const enum cmsha_mib_id scalar_ids[] = {
	MIB_SERVER_ROLE, MIB_OPER_STATE, MIB_SWITCHOVER_MODE, MIB_PEER_REACHABLE,
	MIB_PEER_OPER_STATE, MIB_PEER_RTT, MIB_PEER_PROBE_FAILURES, MIB_SWITCHOVER_COUNT,
	MIB_SWITCHOVER_LAST_DURATION,
};
enum { N_SCALARS = sizeof scalar_ids / sizeof scalar_ids[0] };

static const enum cmsha_mib_id column_ids[] = {
	MIB_ALIAS_STATE, MIB_COMPONENT_NAME, MIB_COMPONENT_REQUIREMENT, MIB_COMPONENT_STATE,
};
enum { N_COLUMNS = sizeof column_ids / sizeof column_ids[0], BULK_REPETITIONS = 16 };

struct agent_query {
	struct server_view *view;
	netsnmp_session *ss;
	long deadline_us;              /* CLOCK_MONOTONIC */
	int done;
	int reading_columns;           /* past the scalars' GET */
	int column_open[N_COLUMNS];
	oid next[N_COLUMNS][MAX_OID_LEN];
	size_t next_len[N_COLUMNS];
};

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

static void finish(struct agent_query *q, const char *fmt, ...)
{
	va_list ap;

	q->done = 1;
	if (!fmt) {
		q->view->answered = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(q->view->error, sizeof q->view->error, fmt, ap);
	va_end(ap);
}

static int send_pdu(struct agent_query *q, netsnmp_pdu *pdu);

/* The first five scalars are INTEGERs (enumerations), the rest Counter32
 * or Unsigned32 (a Gauge32 on the wire). */
static int scalar_type_ok(size_t i, u_char type)
{
	return i < 5 ? type == ASN_INTEGER : type == ASN_COUNTER || type == ASN_GAUGE;
}

static void fill_scalar(struct server_view *v, size_t i, const netsnmp_variable_list *vb)
{
	unsigned long u = (unsigned long)*vb->val.integer;
	long *longs[] = { &v->role, &v->oper_state, &v->mode, &v->peer_reachable,
			  &v->peer_oper_state };
	unsigned long *counts[] = { &v->peer_rtt_us, &v->peer_probe_failures,
				    &v->switchover_count, &v->last_duration_ms };

	if (i < 5)
		*longs[i] = *vb->val.integer;
	else
		*counts[i - 5] = u & 0xffffffffUL;
}

static int scalars_received(struct agent_query *q, netsnmp_pdu *resp)
{
	const netsnmp_variable_list *vb;
	size_t i = 0;

	for (vb = resp->variables; vb && i < N_SCALARS; vb = vb->next_variable, i++) {
		if (vb->type == SNMP_NOSUCHOBJECT || vb->type == SNMP_NOSUCHINSTANCE ||
		    vb->type == SNMP_ENDOFMIBVIEW) {
			finish(q, "no CMS-HA-MIB (%s): is cmshad running?",
			       cmsha_mib[scalar_ids[i]].name);
			return 0;
		}
		if (!scalar_type_ok(i, vb->type)) {
			finish(q, "%s has an unexpected type", cmsha_mib[scalar_ids[i]].name);
			return 0;
		}
		fill_scalar(q->view, i, vb);
	}
	if (i < N_SCALARS) {
		finish(q, "short answer (%zu of %d objects)", i, N_SCALARS);
		return 0;
	}
	return 1;
}

static struct pair_component *component_row(struct server_view *v, unsigned long index)
{
	size_t i;

	for (i = 0; i < v->n_components; i++)
		if (v->components[i].index == index)
			return &v->components[i];
	if (v->n_components == PAIR_MAX_ROWS)
		return NULL;
	v->components[v->n_components].index = index;
	return &v->components[v->n_components++];
}

static void store_cell(struct server_view *v, size_t column, const netsnmp_variable_list *vb)
{
	unsigned long index = vb->name[vb->name_length - 1];
	struct pair_component *c;
	long value = vb->type == ASN_INTEGER ? *vb->val.integer : 0;

	if (column == 0) {
		if (v->n_aliases < PAIR_MAX_ROWS) {
			v->aliases[v->n_aliases].index = index;
			v->aliases[v->n_aliases++].state = value;
		}
		return;
	}
	if (!(c = component_row(v, index)))
		return;
	if (column == 1 && vb->type != ASN_OCTET_STR) {
		strcpy(c->name, "?");
	} else if (column == 1) {
		size_t n = vb->val_len < PAIR_NAME_MAX ? vb->val_len : PAIR_NAME_MAX;

		memcpy(c->name, vb->val.string, n);
		c->name[n] = '\0';
	} else if (column == 2) {
		c->requirement = value;
	} else {
		c->state = value;
	}
}

/* One cell of a GETBULK answer: store it if it is still in its column. */
static void column_cell(struct agent_query *q, size_t column, const netsnmp_variable_list *vb)
{
	const struct cmsha_mib_object *col = &cmsha_mib[column_ids[column]];

	if (!q->column_open[column])
		return;
	/* Past the column, or not forward (a broken agent): the column ends. */
	if (vb->type == SNMP_ENDOFMIBVIEW || vb->name_length != col->oid_len + 1 ||
	    snmp_oid_ncompare(vb->name, vb->name_length, col->oid, col->oid_len,
			      col->oid_len) != 0 ||
	    snmp_oid_compare(vb->name, vb->name_length, q->next[column],
			     q->next_len[column]) <= 0) {
		q->column_open[column] = 0;
		return;
	}
	store_cell(q->view, column, vb);
	memcpy(q->next[column], vb->name, vb->name_length * sizeof(oid));
	q->next_len[column] = vb->name_length;
}

/* The columns still open, in order, as the GETBULK asked for them. */
static size_t open_columns(const struct agent_query *q, size_t which[N_COLUMNS])
{
	size_t n = 0, c;

	for (c = 0; c < N_COLUMNS; c++)
		if (q->column_open[c])
			which[n++] = c;
	return n;
}

static void columns_received(struct agent_query *q, netsnmp_pdu *resp)
{
	size_t which[N_COLUMNS], n = open_columns(q, which), i = 0;
	const netsnmp_variable_list *vb;

	for (vb = resp->variables; vb; vb = vb->next_variable, i++)
		column_cell(q, which[i % n], vb);
	if (i == 0)
		for (i = 0; i < n; i++)
			q->column_open[which[i]] = 0;
}

static int send_columns(struct agent_query *q)
{
	size_t which[N_COLUMNS], n = open_columns(q, which), i;
	netsnmp_pdu *pdu;

	if (n == 0) {
		finish(q, NULL);
		return 1;
	}
	pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
	pdu->non_repeaters = 0;
	pdu->max_repetitions = BULK_REPETITIONS;
	for (i = 0; i < n; i++)
		snmp_add_null_var(pdu, q->next[which[i]], q->next_len[which[i]]);
	return send_pdu(q, pdu);
}

static void start_columns(struct agent_query *q)
{
	size_t c;

	q->reading_columns = 1;
	for (c = 0; c < N_COLUMNS; c++) {
		const struct cmsha_mib_object *col = &cmsha_mib[column_ids[c]];

		q->column_open[c] = 1;
		memcpy(q->next[c], col->oid, col->oid_len * sizeof(oid));
		q->next_len[c] = col->oid_len;
	}
}

static const char *error_of(const netsnmp_pdu *resp)
{
	if (resp->command == SNMP_MSG_REPORT)
		return "refused the request (SNMPv3 report: check user, level, passphrases)";
	return snmp_errstring(resp->errstat);
}

static int on_response(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *resp, void *magic)
{
	struct agent_query *q = magic;

	(void)ss, (void)reqid;
	if (q->done)
		return 1;
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		finish(q, "no answer");
		return 1;
	}
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
		finish(q, op == NETSNMP_CALLBACK_OP_SEC_ERROR
			  ? "SNMPv3 authentication failed (user, level, passphrases?)"
			  : "request failed");
		return 1;
	}
	if (resp->command != SNMP_MSG_RESPONSE || resp->errstat != SNMP_ERR_NOERROR) {
		finish(q, "%s", error_of(resp));
		return 1;
	}
	if (q->reading_columns) {
		columns_received(q, resp);
	} else {
		if (!scalars_received(q, resp))
			return 1;
		start_columns(q);
	}
	send_columns(q);
	return 1;
}

/* Each request may take what is left of the check's time. */
static int send_pdu(struct agent_query *q, netsnmp_pdu *pdu)
{
	long left = q->deadline_us - now_us();

	q->ss->timeout = left > 1000 ? left : 1000;
	if (snmp_async_send(q->ss, pdu, on_response, q))
		return 1;
	snmp_free_pdu(pdu);
	finish(q, "cannot send: %s", snmp_api_errstring(snmp_errno));
	return 0;
}

static void start_query(struct agent_query *q, netsnmp_session *session)
{
	netsnmp_pdu *pdu;
	size_t i;
	long left = q->deadline_us - now_us();

	/* SNMPv3: snmp_open discovers the engine ID, in the remaining time. */
	session->timeout = left > 1000 ? left : 1000;
	session->retries = 0;
	if (!(q->ss = snmp_open(session))) {
		finish(q, "cannot open a session: %s", snmp_api_errstring(snmp_errno));
		return;
	}
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	for (i = 0; i < N_SCALARS; i++) {
		const struct cmsha_mib_object *o = &cmsha_mib[scalar_ids[i]];
		oid name[MAX_OID_LEN];

		memcpy(name, o->oid, o->oid_len * sizeof(oid));
		name[o->oid_len] = 0;
		snmp_add_null_var(pdu, name, o->oid_len + 1);
	}
	send_pdu(q, pdu);
}

/* Wait for the sessions' answers or their timeouts, up to the deadline. */
static void run_until_done(struct agent_query q[2], long deadline_us)
{
	while (!(q[0].done && q[1].done)) {
		long left = deadline_us - now_us();
		struct timeval tv = { left / 1000000L, left % 1000000L };
		int maxfd = 0, block = 0, n;
		fd_set fds;

		if (left <= 0)
			break;
		FD_ZERO(&fds);
		snmp_select_info(&maxfd, &fds, &tv, &block);
		if (block || tv.tv_sec * 1000000L + tv.tv_usec > left)
			tv = (struct timeval){ left / 1000000L, left % 1000000L };
		n = select(maxfd, &fds, NULL, NULL, &tv);
		if (n > 0)
			snmp_read(&fds);
		else if (n == 0)
			snmp_timeout();
	}
}

void pair_query(netsnmp_session session[2], struct server_view view[2], long timeout_us)
{
	struct agent_query q[2];
	long deadline = now_us() + timeout_us;
	int i;

	memset(q, 0, sizeof q);
	for (i = 0; i < 2; i++) {
		q[i].view = &view[i];
		q[i].deadline_us = deadline;
		start_query(&q[i], &session[i]);
	}
	run_until_done(q, deadline);
	for (i = 0; i < 2; i++) {
		if (!q[i].done)
			finish(&q[i], "no answer");
		if (q[i].ss)
			snmp_close(q[i].ss);
	}
}
