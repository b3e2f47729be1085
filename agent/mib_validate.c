#include "autoconfig.h"
#include "mib_validate.h"

#include "history.h"

int mib_command_validate(const netsnmp_variable_list *vb)
{
	int rc = netsnmp_check_vb_type(vb, ASN_INTEGER);

	if (rc == SNMP_ERR_NOERROR)
		rc = netsnmp_check_vb_int_range(vb, CMSHA_CMD_TAKEOVER, CMSHA_CMD_TEST);
	return rc;
}

/* Only what one agent asks of the other: the values are cmsHaSwitchoverCommand's. */
int mib_peer_request_validate(const netsnmp_variable_list *vb)
{
	int rc = netsnmp_check_vb_type(vb, ASN_INTEGER);

	if (rc == SNMP_ERR_NOERROR)
		rc = netsnmp_check_vb_int_range(vb, CMSHA_CMD_TAKEOVER, CMSHA_CMD_TEST);
	/* switchAway is a manager's: no agent asks it of the other */
	if (rc == SNMP_ERR_NOERROR && *vb->val.integer == CMSHA_CMD_SWITCH_AWAY)
		rc = SNMP_ERR_WRONGVALUE;
	return rc;
}
