/*
 * libFuzzer harness for the value check of a SET of cmsHaSwitchoverCommand
 * (mib_command_validate(), what the handler runs in RESERVE1), without an
 * agent.  Each input is tried two ways:
 *   - as a typed value: the first byte is the ASN.1 type, the rest the
 *     value, set with snmp_set_var_typed_value() (host byte order for the
 *     integer types, as net-snmp stores them);
 *   - as an SNMP PDU (the part after the community or the v3 header, from
 *     its tag 0xa3 for a SET), parsed by net-snmp's snmp_pdu_parse(); every
 *     varbind aimed at cmsHaSwitchoverCommand.0 is checked.
 * The verdict must be noError for an INTEGER from 2 to 6, wrongType for any
 * other type, wrongValue for any other INTEGER, and nothing else; but for
 * an INTEGER of a length other than a long's, which only the typed-value
 * view can make (snmp_set_var_typed_value with no value), wrongLength.
 */
#include "autoconfig.h"
#include "mib_oids.h"
#include "mib_validate.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) fail_check(#cond, __LINE__); } while (0)

static void fail_check(const char *what, int line)
{
	fprintf(stderr, "fuzz_set_value.c:%d: invariant violated: %s\n", line, what);
	abort();
}

static void check_verdict(const netsnmp_variable_list *vb)
{
	int rc = mib_command_validate(vb);
	bool integer = vb->type == ASN_INTEGER;
	bool sized = integer && vb->val.integer && vb->val_len == sizeof(long);
	bool in_range = sized && *vb->val.integer >= 2 && *vb->val.integer <= 6;

	if (integer && !sized) {        /* documented; no PDU gives such a varbind */
		CHECK(rc == SNMP_ERR_WRONGLENGTH);
		return;
	}
	CHECK(rc == SNMP_ERR_NOERROR || rc == SNMP_ERR_WRONGTYPE || rc == SNMP_ERR_WRONGVALUE);
	CHECK((rc == SNMP_ERR_NOERROR) == in_range);
	CHECK((rc == SNMP_ERR_WRONGTYPE) == !integer);
}

static void try_typed_value(const uint8_t *data, size_t size)
{
	netsnmp_variable_list vb;

	if (size < 1)
		return;
	memset(&vb, 0, sizeof(vb));
	/* Sizes net-snmp refuses (an INTEGER of 3 bytes, ...) never reach a handler. */
	if (snmp_set_var_typed_value(&vb, data[0], data + 1, size - 1) == 0)
		check_verdict(&vb);
	snmp_free_var_internals(&vb);
}

static bool aimed_at_command(const netsnmp_variable_list *vb)
{
	static const oid instance[] = { CMSHA_MIB_ROOT, 1, 4, 1, 0 };
	const struct cmsha_mib_object *obj = &cmsha_mib[MIB_SWITCHOVER_COMMAND];

	/* mib_oids.c and this copy must agree, or the harness checks nothing. */
	CHECK(snmp_oid_compare(obj->oid, obj->oid_len, instance, OID_LENGTH(instance) - 1) == 0);
	return snmp_oid_compare(vb->name, vb->name_length, instance, OID_LENGTH(instance)) == 0;
}

static void try_pdu(const uint8_t *data, size_t size)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_SET);
	u_char *copy = malloc(size ? size : 1);
	size_t len = size;

	if (!pdu || !copy)
		abort();
	memcpy(copy, data, size);
	pdu->version = SNMP_VERSION_2c;
	if (snmp_pdu_parse(pdu, copy, &len) == 0)
		for (netsnmp_variable_list *vb = pdu->variables; vb; vb = vb->next_variable)
			if (aimed_at_command(vb)) {
				CHECK(vb->type != ASN_INTEGER || vb->val_len == sizeof(long));
				check_verdict(vb);
			}
	snmp_free_pdu(pdu);
	free(copy);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* net-snmp's complaints about bad values go nowhere (without a handler: stderr). */
	if (!netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_DEBUG))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try_typed_value(data, size);
	try_pdu(data, size);
	return 0;
}
