#include "autoconfig.h"
#include "autofailover_sources.h"

void cmsha_af_facts_of(const struct cmsha_switchover *sw, int64_t took_over_ds,
		       struct cmsha_af_facts *f)
{
	const struct cmsha_config *cfg = sw->cfg;

	*f = (struct cmsha_af_facts){
		.enabled = cfg->autofailover, .role = cfg->role,
		.oper = sw->ha->oper, .oper_changed = sw->ha->oper_last_change,
		.took_over_ds = took_over_ds, .mode = sw->ha->mode,
		.running = sw->job != NULL, .reserved = cmsha_switchover_is_reserved(sw),
		.required_down = cmsha_ha_required_component_down(sw->ha),
		.names_only = cfg->n_aliases == 0, .holddown_ms = cfg->holddown_ms,
	};
	cmsha_inet_ntop(&cfg->peer_addrs[0], f->peer_name, sizeof(f->peer_name));
}

enum cmsha_verdict cmsha_af_check_automatic(void *sw, enum cmsha_command cmd, char *reason,
					    size_t len)
{
	return cmsha_switchover_check(sw, cmd, CMSHA_BY_AUTOMATIC, reason, len);
}

void cmsha_af_run_automatic(void *sw, enum cmsha_command cmd, const char *why)
{
	cmsha_switchover_run_automatic(sw, cmd, why);
}

void cmsha_af_refuse_automatic(void *sw, enum cmsha_command cmd, const char *refusal)
{
	cmsha_switchover_refuse(sw, cmd, CMSHA_BY_AUTOMATIC, refusal);
}

void cmsha_af_announce(void *sw)
{
	cmsha_switchover_announce(sw);
}
