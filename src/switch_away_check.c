/* The switchAway checks of the test command, in the order a switchAway meets them. */
#include "autoconfig.h"
#include "switch_away_check.h"
#include "ha_rules.h"

#include <stdio.h>
#include <string.h>

#define FAIL(check, ...) do { snprintf(why, len, __VA_ARGS__); return (check); } while (0)

const char *cmsha_switch_away_check_view(const struct cmsha_peer_view *v, char *why, size_t len)
{
	if (!v->answered)
		FAIL("peer reachability", "the peer's agent did not answer (%s)", v->error);
	if (v->oper_state != CMSHA_OPER_STANDBY)
		FAIL("peer state", "the peer is %s, not standby",
		     v->oper_state ? cmsha_oper_state_name((enum cmsha_oper_state)v->oper_state)
				   : "of unknown state");
	if (v->mode != CMSHA_MODE_SOFTWARE)
		FAIL("peer mode", "the peer's switch-over mode is manual: %s",
		     v->mode_reason[0] ? v->mode_reason : "no reason given");
	if (v->required_down[0])
		FAIL("peer components", "required component %s is down on the peer",
		     v->required_down);
	why[0] = '\0';
	return NULL;
}

const char *cmsha_switch_away_check_test(const struct cmsha_peer_test *t, char *why, size_t len)
{
	if (!t->answered)
		FAIL("peer takeover test", "the peer did not run its test (%s)", t->error);
	/* The peer's own words: "test: a takeover would be refused: ..." */
	if (t->status != 3 || strncmp(t->reason, "test: a takeover would proceed", 30) != 0)
		FAIL("peer takeover test", "the peer would not take over: %s", t->reason);
	why[0] = '\0';
	return NULL;
}
