/*
 * Wires the component checks to the agent: net-snmp's loop for timers and
 * the checks' one epoll fd, the log, and cmsHaComponentDown/Up.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "components.h"
#include "loop_glue.h"
#include "notify.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <string.h>

/* cmsHaComponentUp only ends a cmsHaComponentDown: after one was sent. */
static bool down_sent[CMSHA_MAX_COMPONENTS];

static const struct cmsha_component_env env = {
	loop_timer_add, loop_timer_cancel, loop_fd_watch, loop_fd_unwatch, NULL
};

static void on_component_change(void *arg, size_t index, enum cmsha_component_state from,
				enum cmsha_component_state to, const char *why)
{
	const struct cmsha_component_conf *c = &cmshad.cfg.components[index];

	(void)arg;
	snmp_log(to == CMSHA_COMPONENT_UP ? LOG_NOTICE : LOG_WARNING,
		 "component %s (%s): %s -> %s: %s\n", c->name, c->required ? "required" : "optional",
		 cmsha_component_state_name(from), cmsha_component_state_name(to), why);
	if (to == CMSHA_COMPONENT_DOWN) {
		notify_component(index, false);
		down_sent[index] = true;
	} else if (to == CMSHA_COMPONENT_UP && down_sent[index]) {
		notify_component(index, true);
		down_sent[index] = false;
	}
	DEBUGMSGTL(("cmsha:components", "%s: %s -> %s (%s); down notification outstanding: %s\n",
		    c->name, cmsha_component_state_name(from), cmsha_component_state_name(to), why,
		    down_sent[index] ? "yes" : "no"));
	if (c->required)
		cmshad_autofailover_evaluate();
}

bool cmshad_components_start(void)
{
	static const struct cmsha_component_observer observer = { on_component_change, NULL };
	char err[512];

	cmshad.components = cmsha_components_start(&cmshad.cfg, cmshad.ha.components, &env,
						   &observer, err, sizeof(err));
	if (!cmshad.components) {
		snmp_log(LOG_ERR, "%s\n", err);
		return false;
	}
	DEBUGMSGTL(("cmsha:components", "%zu component checks started\n", cmshad.cfg.n_components));
	return true;
}

bool cmshad_components_restart(const size_t *from, size_t n)
{
	bool was_sent[CMSHA_MAX_COMPONENTS];

	memcpy(was_sent, down_sent, sizeof(was_sent));
	for (size_t i = 0; i < CMSHA_MAX_COMPONENTS; i++)
		down_sent[i] = i < n && from[i] < CMSHA_MAX_COMPONENTS && was_sent[from[i]];
	return cmshad_components_start();
}

void cmshad_components_stop(void)
{
	cmsha_components_stop(cmshad.components);
	cmshad.components = NULL;
}
