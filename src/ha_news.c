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

static void told_alias(void *arg, size_t index, enum cmsha_alias_state from,
		       enum cmsha_alias_state to)
{
	struct cmsha_ha_teller *t = arg;
	struct cmsha_ha_news n;

	cmsha_ha_news_of_alias(t->ha, index, from, to, *t->by_command, &n);
	t->say(t->arg, &n);
	if (t->alias_changed)
		t->alias_changed(t->alias_arg, index, from, to);
	t->page(t->arg, &n, index);
}

static void told_oper(void *arg, enum cmsha_oper_state from, enum cmsha_oper_state to)
{
	struct cmsha_ha_teller *t = arg;
	struct cmsha_ha_news n;

	cmsha_ha_news_of_oper(t->ha, from, to, *t->by_command, &n);
	t->say(t->arg, &n);
	t->page(t->arg, &n, 0);
}

static void told_mode(void *arg, enum cmsha_mode to, const char *reason)
{
	struct cmsha_ha_teller *t = arg;
	struct cmsha_ha_news n;

	cmsha_ha_news_of_mode(to, reason, &n);
	t->say(t->arg, &n);
}

struct cmsha_ha_observer cmsha_ha_news_observer(struct cmsha_ha_teller *t)
{
	return (struct cmsha_ha_observer){ told_alias, told_oper, told_mode, t };
}
