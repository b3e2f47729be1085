/* Prints every CMS-HA-MIB OID compiled into cmshad: "name .1.3.6...". */
#include "autoconfig.h"
#include "mib_oids.h"

#include <stdio.h>

int main(void)
{
	for (size_t i = 0; i < MIB_ID_COUNT; i++) {
		printf("%s ", cmsha_mib[i].name);
		for (size_t k = 0; k < cmsha_mib[i].oid_len; k++)
			printf(".%lu", (unsigned long)cmsha_mib[i].oid[k]);
		printf("\n");
	}
	return 0;
}
