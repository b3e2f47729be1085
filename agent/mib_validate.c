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
		rc = netsnmp_check_vb_int_range(vb, CMSHA_CMD_TAKEOVER, CMSHA_CMD_FORCE_TAKEOVER);
	return rc;
}
