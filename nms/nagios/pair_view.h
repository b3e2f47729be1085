/*
 * What check_cmsha reads from one server's agent (CMS-HA-MIB), and the
 * verdict on the pair.  No SNMP in here: pair_query.c fills the views,
 * pair_verdict.c judges them, so the rules can be tested on their own.
 */
#ifndef CMSHA_PAIR_VIEW_H
#define CMSHA_PAIR_VIEW_H

#include <stddef.h>

enum { PAIR_MAX_ROWS = 64, PAIR_NAME_MAX = 64 };

/* Nagios plugin exit codes. */
enum plugin_status { PLUGIN_OK = 0, PLUGIN_WARNING = 1, PLUGIN_CRITICAL = 2, PLUGIN_UNKNOWN = 3 };

/* CMS-HA-MIB enumerations the verdict uses. */
enum { ROLE_PRIMARY = 1, ROLE_SECONDARY = 2 };
enum { STATE_ACTIVE = 1, STATE_STANDBY = 2, STATE_SWITCHING = 3, STATE_FAILED = 4,
       STATE_UNKNOWN = 5 };
enum { MODE_SOFTWARE = 1, MODE_MANUAL = 2 };
enum { TRUTH_TRUE = 1, TRUTH_FALSE = 2 };
enum { ALIAS_PRESENT = 1, ALIAS_ABSENT = 2, ALIAS_CONFLICT = 3, ALIAS_IF_DOWN = 4 };
enum { COMPONENT_REQUIRED = 1, COMPONENT_NOT_REQUIRED = 2 };
enum { COMPONENT_UP = 1, COMPONENT_DOWN = 2, COMPONENT_UNKNOWN = 3 };

struct pair_component {
	unsigned long index;
	char name[PAIR_NAME_MAX + 1];
	long requirement, state;
};

struct pair_alias {
	unsigned long index;
	long state;
};

struct server_view {
	const char *agent;             /* as given on the command line */
	int answered;                  /* every object below was read */
	char error[160];               /* why not, when !answered */
	long role, oper_state, mode, peer_reachable, peer_oper_state;
	unsigned long peer_rtt_us, peer_probe_failures;
	unsigned long switchover_count, last_duration_ms;
	size_t n_aliases, n_components;
	struct pair_alias aliases[PAIR_MAX_ROWS];
	struct pair_component components[PAIR_MAX_ROWS];
};

enum { VERDICT_MAX_REASONS = 12, VERDICT_TEXT_MAX = 1024 };

struct verdict {
	enum plugin_status status;
	size_t n_reasons;
	struct {
		enum plugin_status status;
		char text[200];
	} reasons[VERDICT_MAX_REASONS];
};

/* Judge the pair; expected_mode is MODE_SOFTWARE or MODE_MANUAL. */
void pair_verdict(const struct server_view view[2], long expected_mode, struct verdict *out);

/* The status line's text after "CMSHA STATUS - ": the reasons, worst
 * first, or the pair's summary when all is well. */
void verdict_text(const struct server_view view[2], long expected_mode,
		  const struct verdict *v, char *buf, size_t len);

/* Performance data (without the leading '|'). */
void pair_perfdata(const struct server_view view[2], char *buf, size_t len);

const char *plugin_status_name(enum plugin_status status);
const char *state_name(long state);

#endif
