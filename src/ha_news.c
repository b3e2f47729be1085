#include "autoconfig.h"
#include "ha_news.h"

#include <stdio.h>

void cmsha_ha_news_of_alias(const struct cmsha_ha *ha, size_t index, enum cmsha_alias_state from,
			    enum cmsha_alias_state to, bool by_command, struct cmsha_ha_news *n)
{
	const struct cmsha_alias_conf *a = &ha->cfg->aliases[index];
	char addr[CMSHA_INET_STRLEN];

	cmsha_inet_ntop(&a->addr, addr, sizeof(addr));
	*n = (struct cmsha_ha_news){ .notice = CMSHA_HA_NOTICE_NONE };
	snprintf(n->text, sizeof(n->text), "alias %s/%u on %s: %s -> %s", addr, a->prefix,
		 a->ifname, cmsha_alias_state_name(from), cmsha_alias_state_name(to));
	/* Lost: an active server's alias went away and no command took it. */
	if (!by_command && ha->oper == CMSHA_OPER_ACTIVE && cmsha_alias_state_is_held(from) &&
	    !cmsha_alias_state_is_held(to))
		n->notice = CMSHA_HA_NOTICE_ALIAS_LOST;
}

void cmsha_ha_news_of_oper(const struct cmsha_ha *ha, enum cmsha_oper_state from,
			   enum cmsha_oper_state to, bool by_command, struct cmsha_ha_news *n)
{
	*n = (struct cmsha_ha_news){ .notice = CMSHA_HA_NOTICE_NONE };
	snprintf(n->text, sizeof(n->text), "operational state: %s -> %s",
		 cmsha_oper_state_name(from), cmsha_oper_state_name(to));
	if (cmsha_oper_change_is_news(ha->cfg->n_aliases, from, to, by_command, n->why,
				      sizeof(n->why)))
		n->notice = CMSHA_HA_NOTICE_OPER_CHANGED;
}

void cmsha_ha_news_of_mode(enum cmsha_mode to, const char *reason, struct cmsha_ha_news *n)
{
	bool software = to == CMSHA_MODE_SOFTWARE;

	*n = (struct cmsha_ha_news){ .warning = !software, .notice = CMSHA_HA_NOTICE_NONE };
	snprintf(n->text, sizeof(n->text), "switch-over mode: %s%s", software ? "software" :
		 "manual: ", software ? "" : reason);
}
