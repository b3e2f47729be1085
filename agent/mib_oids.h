/*
 * Every CMS-HA-MIB object and notification cmshad knows, by name and OID.
 * The module root is defined here and nowhere else in C; it must match
 * cmsHaMIB in mibs/CMS-HA-MIB.txt (make check compares the two).
 */
#ifndef CMSHA_MIB_OIDS_H
#define CMSHA_MIB_OIDS_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

/* netSnmpPlaypen.77 until an enterprise number is assigned. */
#define CMSHA_MIB_ROOT     1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 77
#define CMSHA_MIB_ROOT_LEN 10
#define CMSHA_MIB_MAX_LEN  (CMSHA_MIB_ROOT_LEN + 4)

enum cmsha_mib_id {
#define CMSHA_MIB_OBJECT(id, name, ...) id,
#include "mib_objects.def"
#undef CMSHA_MIB_OBJECT
	MIB_ID_COUNT
};

struct cmsha_mib_object {
	const char *name;
	oid oid[CMSHA_MIB_MAX_LEN];
	size_t oid_len;
};

extern const struct cmsha_mib_object cmsha_mib[MIB_ID_COUNT];

/*
 * An instance of object id: its OID and one arc more, 0 for a scalar's .0
 * or a row's index; returns the length written to name.
 */
#define CMSHA_MIB_INSTANCE_MAX_LEN (CMSHA_MIB_MAX_LEN + 1)
size_t cmsha_mib_instance(enum cmsha_mib_id id, oid index, oid name[CMSHA_MIB_INSTANCE_MAX_LEN]);

#endif
