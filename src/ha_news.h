/*
 * What a change of the HA state tells the operators: its log line, how
 * loud it is, and which notification it pages with, if any.  A change a
 * command made (or the state found at start) is logged but pages nobody:
 * the command's own notification tells of it.  The agent only writes the
 * line and sends the notification.
 */
#ifndef CMSHA_HA_NEWS_H
#define CMSHA_HA_NEWS_H

#include "ha.h"

#include <stdbool.h>
#include <stddef.h>

enum cmsha_ha_notice {
	CMSHA_HA_NOTICE_NONE,
	CMSHA_HA_NOTICE_ALIAS_LOST,     /* cmsHaAliasLost for the alias */
	CMSHA_HA_NOTICE_OPER_CHANGED,   /* cmsHaOperStateChanged with why */
};

struct cmsha_ha_news {
	char text[CMSHA_REASON_LEN + 128];   /* the log line, without its newline */
	bool warning;                        /* a warning, else a notice */
	enum cmsha_ha_notice notice;
	char why[CMSHA_REASON_LEN];          /* with CMSHA_HA_NOTICE_OPER_CHANGED */
};

/* Alias index (from 0) went from -> to; ha is the state after the refresh so far. */
void cmsha_ha_news_of_alias(const struct cmsha_ha *ha, size_t index, enum cmsha_alias_state from,
			    enum cmsha_alias_state to, bool by_command, struct cmsha_ha_news *n);
void cmsha_ha_news_of_oper(const struct cmsha_ha *ha, enum cmsha_oper_state from,
			   enum cmsha_oper_state to, bool by_command, struct cmsha_ha_news *n);
/* Manual mode is a warning: a switch-over can no longer move the aliases. */
void cmsha_ha_news_of_mode(enum cmsha_mode to, const char *reason, struct cmsha_ha_news *n);

/*
 * The HA state's observer calls turned into news for the one who tells it:
 * each change's line (say), then its page (page: n->notice says whether
 * one is due), and alias changes also to an optional listener, between the
 * two.  Changes made while *by_command holds are a command's.
 */
struct cmsha_ha_teller {
	void (*say)(void *arg, const struct cmsha_ha_news *n);
	void (*page)(void *arg, const struct cmsha_ha_news *n, size_t alias_index);
	void *arg;
	const struct cmsha_ha *ha;
	const bool *by_command;
	void (*alias_changed)(void *arg, size_t index, enum cmsha_alias_state from,
			      enum cmsha_alias_state to);
	void *alias_arg;
};

/* An observer for ha->observer that tells t (t must outlive it). */
struct cmsha_ha_observer cmsha_ha_news_observer(struct cmsha_ha_teller *t);

#endif
