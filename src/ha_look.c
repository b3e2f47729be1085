#include "autoconfig.h"
#include "ha_look.h"

#include <stdlib.h>

bool cmsha_ha_look(const struct cmsha_ha *ha, const struct cmsha_netwatch *nw,
		   struct cmsha_ha_look *look)
{
	size_t n = ha->cfg->n_aliases;

	*look = (struct cmsha_ha_look){ calloc(n ? n : 1, sizeof(*look->obs)), n, NULL, 0 };
	if (!look->obs)
		return false;
	for (size_t i = 0; i < n; i++)
		cmsha_netwatch_observe(nw, &ha->cfg->aliases[i], &look->obs[i]);
	look->n_locals = cmsha_netwatch_local_addrs(nw, &look->locals);
	return true;
}

void cmsha_ha_refresh_from_look(struct cmsha_ha *ha, struct cmsha_ha_look *look)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	cmsha_ha_refresh(ha, look->obs, look->locals, look->n_locals, &now);
	free(look->locals);
	free(look->obs);
	*look = (struct cmsha_ha_look){ NULL, 0, NULL, 0 };
}
