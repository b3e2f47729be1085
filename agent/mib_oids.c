#include "autoconfig.h"
#include "mib_oids.h"

#include <string.h>

/* CMSHA_MIB_OBJECT(id, name, arcs below cmsHaMIB...): see mib_objects.def */
#define NARGS(...) NARGS_(__VA_ARGS__, 4, 3, 2, 1, 0)
#define NARGS_(a, b, c, d, n, ...) n
#define CMSHA_MIB_OBJECT(id, name, ...) \
	[id] = { name, { CMSHA_MIB_ROOT, __VA_ARGS__ }, CMSHA_MIB_ROOT_LEN + NARGS(__VA_ARGS__) },

const struct cmsha_mib_object cmsha_mib[MIB_ID_COUNT] = {
#include "mib_objects.def"
};

size_t cmsha_mib_instance(enum cmsha_mib_id id, oid index, oid name[CMSHA_MIB_INSTANCE_MAX_LEN])
{
	const struct cmsha_mib_object *obj = &cmsha_mib[id];

	memcpy(name, obj->oid, obj->oid_len * sizeof(oid));
	name[obj->oid_len] = index;
	return obj->oid_len + 1;
}
