#include "autoconfig.h"
#include "ha.h"

#include <stdlib.h>
#include <string.h>

bool cmsha_ha_init(struct cmsha_ha *ha, const struct cmsha_config *cfg,
		   const struct timespec *now)
{
	memset(ha, 0, sizeof(*ha));
	ha->cfg = cfg;
	ha->aliases = calloc(cfg->n_aliases ? cfg->n_aliases : 1, sizeof(*ha->aliases));
	ha->components = calloc(cfg->n_components ? cfg->n_components : 1,
				sizeof(*ha->components));
	if (!ha->aliases || !ha->components) {
		cmsha_ha_free(ha);
		return false;
	}
	for (size_t i = 0; i < cfg->n_aliases; i++)
		ha->aliases[i] = (struct cmsha_alias_runtime){ CMSHA_ALIAS_ABSENT, *now, false };
	for (size_t i = 0; i < cfg->n_components; i++)
		ha->components[i] = (struct cmsha_component_runtime){ CMSHA_COMPONENT_UNKNOWN, *now };
	ha->oper = cfg->n_aliases ? CMSHA_OPER_STANDBY : CMSHA_OPER_FAILED;
	ha->oper_last_change = *now;
	ha->mode = CMSHA_MODE_MANUAL;
	strcpy(ha->mode_reason, "not yet determined");
	return true;
}

void cmsha_ha_free(struct cmsha_ha *ha)
{
	free(ha->aliases);
	ha->aliases = NULL;
	free(ha->components);
	ha->components = NULL;
}

static void refresh_aliases(struct cmsha_ha *ha, const struct cmsha_alias_observation *obs,
			    enum cmsha_alias_state *states, const struct timespec *now)
{
	const struct cmsha_ha_observer *ob = &ha->observer;

	for (size_t i = 0; i < ha->cfg->n_aliases; i++) {
		struct cmsha_alias_runtime *a = &ha->aliases[i];
		enum cmsha_alias_state was = a->state;

		/* A conflict ends when we no longer hold the address. */
		if (!obs[i].present)
			a->conflict = false;
		a->state = cmsha_alias_state_of(&obs[i], a->conflict);
		states[i] = a->state;
		if (a->state == was)
			continue;
		a->last_change = *now;
		if (ob->alias_changed)
			ob->alias_changed(ob->arg, i, was, a->state);
	}
}

static void refresh_mode(struct cmsha_ha *ha, const struct cmsha_local_addr *locals,
			 size_t n_locals)
{
	char reason[CMSHA_REASON_LEN];
	enum cmsha_mode mode = cmsha_switchover_mode_of(ha->cfg, locals, n_locals,
							reason, sizeof(reason));

	if (mode == ha->mode && strcmp(reason, ha->mode_reason) == 0)
		return;
	ha->mode = mode;
	strcpy(ha->mode_reason, reason);
	if (ha->observer.mode_changed)
		ha->observer.mode_changed(ha->observer.arg, mode, reason);
}

/* A name that points here counts as a held alias would. */
static enum cmsha_oper_state oper_of_names(const struct cmsha_ha *ha)
{
	enum cmsha_alias_state held[CMSHA_MAX_DNS];
	size_t n = ha->cfg->n_dns;

	for (size_t i = 0; i < n; i++)
		held[i] = ha->names->rt[i].state == CMSHA_DNS_POINTS_HERE ?
			  CMSHA_ALIAS_PRESENT : CMSHA_ALIAS_ABSENT;
	return cmsha_oper_state_of(held, n, ha->switching_over);
}

void cmsha_ha_refresh(struct cmsha_ha *ha, const struct cmsha_alias_observation *obs,
		      const struct cmsha_local_addr *locals, size_t n_locals,
		      const struct timespec *now)
{
	enum cmsha_alias_state *states = calloc(ha->cfg->n_aliases + 1, sizeof(*states));
	enum cmsha_oper_state was = ha->oper;

	if (!states)
		return;        /* keep the last known state; the next event retries */
	refresh_aliases(ha, obs, states, now);
	refresh_mode(ha, locals, n_locals);
	if (ha->cfg->n_aliases == 0 && ha->names)
		ha->oper = oper_of_names(ha);
	else
		ha->oper = cmsha_oper_state_of(states, ha->cfg->n_aliases, ha->switching_over);
	free(states);
	if (ha->oper == was)
		return;
	ha->oper_last_change = *now;
	if (ha->observer.oper_changed)
		ha->observer.oper_changed(ha->observer.arg, was, ha->oper);
}

const char *cmsha_ha_required_component_down(const struct cmsha_ha *ha)
{
	for (size_t i = 0; i < ha->cfg->n_components; i++)
		if (ha->cfg->components[i].required &&
		    ha->components[i].state == CMSHA_COMPONENT_DOWN)
			return ha->cfg->components[i].name;
	return NULL;
}
