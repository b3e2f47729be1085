/*
 * Wires the peer's reachability edges to the agent: the log, the
 * cmsHaPeerUnreachable/Reachable notifications, the start-up claim (its
 * rules in src/start_claim.c) on the first verdict, and autofailover.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "notify.h"
#include "peer_session.h"
#include "start_claim.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

/* Start-up adopts what the kernel shows: src/start_claim.c decides, this logs it. */
static void claim_at_start(void)
{
	enum cmsha_start_claim claim = cmsha_start_claim_decide(&cmshad.sw,
								peer_session_status());
	char text[CMSHA_HISTORY_REASON_LEN];
	bool warning = cmsha_start_claim_text(&cmshad.sw, claim, text, sizeof(text));

	if (text[0])
		snmp_log(warning ? LOG_WARNING : LOG_NOTICE, "%s\n", text);
	cmsha_start_claim_act(&cmshad.sw, claim);
}

void cmshad_startup_peer_edge(bool reachable)
{
	struct cmsha_peer_edge_acts acts = cmsha_peer_edge(&cmshad.peer_edges, reachable);
	char peer[CMSHA_INET_STRLEN];

	cmsha_inet_ntop(&cmshad.cfg.peer_addrs[0], peer, sizeof(peer));
	snmp_log(reachable ? LOG_NOTICE : LOG_WARNING, "peer agent %s is %s\n", peer,
		 reachable ? "reachable" : "unreachable");
	if (acts.notify)
		notify_peer_reachability(reachable);
	if (acts.claim)
		claim_at_start();
	cmshad_autofailover_evaluate();
}
