/*
 * What a switchAway from this (active) server would meet, for the test
 * command: the peer's state, mode and required components as its agent
 * reports them, then the peer's own dry run of the takeover it would be
 * asked for.  Each check has a name, which the verdict quotes.
 */
#ifndef CMSHA_SWITCH_AWAY_CHECK_H
#define CMSHA_SWITCH_AWAY_CHECK_H

#include "config.h"
#include "history.h"

#include <stdbool.h>
#include <stddef.h>

/* The peer's agent's answer to one request (cmsHaOperState, mode, components). */
struct cmsha_peer_view {
	bool answered;
	char error[128];                /* why not, when not answered */
	int oper_state;                 /* CmsHaOperState; 0 when not sent */
	int mode;                       /* cmsHaSwitchoverMode: 1 software, 2 manual */
	char mode_reason[256];
	/* the first required component whose state is down(2) there; "" if none */
	char required_down[CMSHA_COMPONENT_NAMELEN + 1];
};

/* The peer's verdict on its own test (a takeover's checks and probe). */
struct cmsha_peer_test {
	bool answered;
	char error[128];
	int status;                     /* cmsHaSwitchoverStatus: 3 succeeded, 4 failed, ... */
	char reason[CMSHA_HISTORY_REASON_LEN];
};

/* NULL when the peer's view lets a switchAway go on; else the failing check's name, and why. */
const char *cmsha_switch_away_check_view(const struct cmsha_peer_view *v, char *why, size_t len);

/* NULL when the peer's test says it would take over; else "peer takeover test", and why. */
const char *cmsha_switch_away_check_test(const struct cmsha_peer_test *t, char *why, size_t len);

#endif
