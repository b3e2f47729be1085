#include "autoconfig.h"
#include "mib_oids.h"

#include <string.h>

/* OBJ(id, name, arcs below cmsHaMIB...) */
#define NARGS(...) NARGS_(__VA_ARGS__, 4, 3, 2, 1, 0)
#define NARGS_(a, b, c, d, n, ...) n
#define OBJ(id, name, ...) \
	[id] = { name, { CMSHA_MIB_ROOT, __VA_ARGS__ }, CMSHA_MIB_ROOT_LEN + NARGS(__VA_ARGS__) }

const struct cmsha_mib_object cmsha_mib[MIB_ID_COUNT] = {
	OBJ(MIB_N_SWITCHOVER_COMPLETED, "cmsHaSwitchoverCompleted", 0, 1),
	OBJ(MIB_N_SWITCHOVER_FAILED, "cmsHaSwitchoverFailed", 0, 2),
	OBJ(MIB_N_SWITCHOVER_REFUSED, "cmsHaSwitchoverRefused", 0, 3),
	OBJ(MIB_N_OPER_STATE_CHANGED, "cmsHaOperStateChanged", 0, 4),
	OBJ(MIB_N_PEER_UNREACHABLE, "cmsHaPeerUnreachable", 0, 5),
	OBJ(MIB_N_PEER_REACHABLE_AGAIN, "cmsHaPeerReachableAgain", 0, 6),
	OBJ(MIB_N_ALIAS_CONFLICT, "cmsHaAliasConflict", 0, 7),
	OBJ(MIB_N_ALIAS_LOST, "cmsHaAliasLost", 0, 8),
	OBJ(MIB_N_COMPONENT_DOWN, "cmsHaComponentDown", 0, 9),
	OBJ(MIB_N_COMPONENT_UP, "cmsHaComponentUp", 0, 10),
	OBJ(MIB_N_SPLIT_BRAIN, "cmsHaSplitBrain", 0, 11),
	OBJ(MIB_N_CONFIG_CHANGED, "cmsHaConfigChanged", 0, 12),
	OBJ(MIB_N_CONFIG_REJECTED, "cmsHaConfigRejected", 0, 13),

	OBJ(MIB_SERVER_ROLE, "cmsHaServerRole", 1, 1, 1),
	OBJ(MIB_OPER_STATE, "cmsHaOperState", 1, 1, 2),
	OBJ(MIB_OPER_STATE_LAST_CHANGE, "cmsHaOperStateLastChange", 1, 1, 3),
	OBJ(MIB_SWITCHOVER_MODE, "cmsHaSwitchoverMode", 1, 1, 4),
	OBJ(MIB_SWITCHOVER_MODE_REASON, "cmsHaSwitchoverModeReason", 1, 1, 5),
	OBJ(MIB_LAST_TAKEOVER_TIME, "cmsHaLastTakeoverTime", 1, 1, 6),

	OBJ(MIB_PEER_ADDRESS_TYPE, "cmsHaPeerAddressType", 1, 2, 1),
	OBJ(MIB_PEER_ADDRESS, "cmsHaPeerAddress", 1, 2, 2),
	OBJ(MIB_PEER_REACHABLE, "cmsHaPeerReachable", 1, 2, 3),
	OBJ(MIB_PEER_OPER_STATE, "cmsHaPeerOperState", 1, 2, 4),
	OBJ(MIB_PEER_LAST_SEEN, "cmsHaPeerLastSeen", 1, 2, 5),
	OBJ(MIB_PEER_RTT, "cmsHaPeerRtt", 1, 2, 6),
	OBJ(MIB_PEER_PROBE_FAILURES, "cmsHaPeerProbeFailures", 1, 2, 7),

	OBJ(MIB_ALIAS_TABLE, "cmsHaAliasTable", 1, 3),
	OBJ(MIB_ALIAS_ENTRY, "cmsHaAliasEntry", 1, 3, 1),
	OBJ(MIB_ALIAS_INDEX, "cmsHaAliasIndex", 1, 3, 1, 1),
	OBJ(MIB_ALIAS_ADDRESS_TYPE, "cmsHaAliasAddressType", 1, 3, 1, 2),
	OBJ(MIB_ALIAS_ADDRESS, "cmsHaAliasAddress", 1, 3, 1, 3),
	OBJ(MIB_ALIAS_PREFIX_LENGTH, "cmsHaAliasPrefixLength", 1, 3, 1, 4),
	OBJ(MIB_ALIAS_IF_NAME, "cmsHaAliasIfName", 1, 3, 1, 5),
	OBJ(MIB_ALIAS_STATE, "cmsHaAliasState", 1, 3, 1, 6),
	OBJ(MIB_ALIAS_LAST_CHANGE, "cmsHaAliasLastChange", 1, 3, 1, 7),
	OBJ(MIB_ALIAS_ADDRESS_TEXT, "cmsHaAliasAddressText", 1, 3, 1, 8),

	OBJ(MIB_SWITCHOVER_COMMAND, "cmsHaSwitchoverCommand", 1, 4, 1),
	OBJ(MIB_SWITCHOVER_STATUS, "cmsHaSwitchoverStatus", 1, 4, 2),
	OBJ(MIB_SWITCHOVER_LAST_REASON, "cmsHaSwitchoverLastReason", 1, 4, 3),
	OBJ(MIB_SWITCHOVER_COUNT, "cmsHaSwitchoverCount", 1, 4, 4),
	OBJ(MIB_SWITCHOVER_LAST_DURATION, "cmsHaSwitchoverLastDuration", 1, 4, 5),
	OBJ(MIB_SWITCHOVER_SPIN_LOCK, "cmsHaSwitchoverSpinLock", 1, 4, 6),

	OBJ(MIB_HISTORY_TABLE, "cmsHaHistoryTable", 1, 5),
	OBJ(MIB_HISTORY_ENTRY, "cmsHaHistoryEntry", 1, 5, 1),
	OBJ(MIB_HISTORY_INDEX, "cmsHaHistoryIndex", 1, 5, 1, 1),
	OBJ(MIB_HISTORY_TIME, "cmsHaHistoryTime", 1, 5, 1, 2),
	OBJ(MIB_HISTORY_COMMAND, "cmsHaHistoryCommand", 1, 5, 1, 3),
	OBJ(MIB_HISTORY_INITIATOR, "cmsHaHistoryInitiator", 1, 5, 1, 4),
	OBJ(MIB_HISTORY_RESULT, "cmsHaHistoryResult", 1, 5, 1, 5),
	OBJ(MIB_HISTORY_DURATION, "cmsHaHistoryDuration", 1, 5, 1, 6),
	OBJ(MIB_HISTORY_REASON, "cmsHaHistoryReason", 1, 5, 1, 7),

	OBJ(MIB_COMPONENT_TABLE, "cmsHaComponentTable", 1, 6),
	OBJ(MIB_COMPONENT_ENTRY, "cmsHaComponentEntry", 1, 6, 1),
	OBJ(MIB_COMPONENT_INDEX, "cmsHaComponentIndex", 1, 6, 1, 1),
	OBJ(MIB_COMPONENT_NAME, "cmsHaComponentName", 1, 6, 1, 2),
	OBJ(MIB_COMPONENT_REQUIREMENT, "cmsHaComponentRequirement", 1, 6, 1, 3),
	OBJ(MIB_COMPONENT_STATE, "cmsHaComponentState", 1, 6, 1, 4),
	OBJ(MIB_COMPONENT_LAST_CHANGE, "cmsHaComponentLastChange", 1, 6, 1, 5),

	OBJ(MIB_NOTIFY_INITIATOR, "cmsHaNotifyInitiator", 1, 7, 1),
	OBJ(MIB_NOTIFY_CONFLICT_MAC, "cmsHaNotifyConflictMac", 1, 7, 2),
	OBJ(MIB_NOTIFY_COMPONENT_NAME, "cmsHaNotifyComponentName", 1, 7, 3),

	OBJ(MIB_N_DNS_UNEXPECTED_ANSWER, "cmsHaDnsUnexpectedAnswer", 0, 14),
	OBJ(MIB_DNS_TABLE, "cmsHaDnsTable", 1, 8),
	OBJ(MIB_DNS_ENTRY, "cmsHaDnsEntry", 1, 8, 1),
	OBJ(MIB_DNS_INDEX, "cmsHaDnsIndex", 1, 8, 1, 1),
	OBJ(MIB_DNS_NAME, "cmsHaDnsName", 1, 8, 1, 2),
	OBJ(MIB_DNS_SERVER_ADDRESS_TYPE, "cmsHaDnsServerAddressType", 1, 8, 1, 3),
	OBJ(MIB_DNS_SERVER_ADDRESS, "cmsHaDnsServerAddress", 1, 8, 1, 4),
	OBJ(MIB_DNS_SERVER_PORT, "cmsHaDnsServerPort", 1, 8, 1, 5),
	OBJ(MIB_DNS_ANSWER_TYPE, "cmsHaDnsAnswerType", 1, 8, 1, 6),
	OBJ(MIB_DNS_ANSWER, "cmsHaDnsAnswer", 1, 8, 1, 7),
	OBJ(MIB_DNS_STATE, "cmsHaDnsState", 1, 8, 1, 8),
	OBJ(MIB_DNS_STATE_LAST_CHANGE, "cmsHaDnsStateLastChange", 1, 8, 1, 9),
	OBJ(MIB_DNS_LAST_UPDATE_RESULT, "cmsHaDnsLastUpdateResult", 1, 8, 1, 10),
	OBJ(MIB_DNS_LAST_UPDATE_TIME, "cmsHaDnsLastUpdateTime", 1, 8, 1, 11),
	OBJ(MIB_DNS_LAST_UPDATE_REASON, "cmsHaDnsLastUpdateReason", 1, 8, 1, 12),

	OBJ(MIB_PEER_REQUEST, "cmsHaPeerRequest", 1, 4, 7),
	OBJ(MIB_PEER_REQUEST_ID, "cmsHaPeerRequestId", 1, 4, 8),
	OBJ(MIB_HISTORY_REQUEST_ID, "cmsHaHistoryRequestId", 1, 5, 1, 8),
	OBJ(MIB_CLIENT_TABLE, "cmsHaClientTable", 1, 9),
	OBJ(MIB_CLIENT_ENTRY, "cmsHaClientEntry", 1, 9, 1),
	OBJ(MIB_CLIENT_INDEX, "cmsHaClientIndex", 1, 9, 1, 1),
	OBJ(MIB_CLIENT_ADDRESS_TYPE, "cmsHaClientAddressType", 1, 9, 1, 2),
	OBJ(MIB_CLIENT_ADDRESS, "cmsHaClientAddress", 1, 9, 1, 3),
	OBJ(MIB_CLIENT_PROTOCOL, "cmsHaClientProtocol", 1, 9, 1, 4),
	OBJ(MIB_CLIENT_SERVICE_ADDRESS_TYPE, "cmsHaClientServiceAddressType", 1, 9, 1, 5),
	OBJ(MIB_CLIENT_SERVICE_ADDRESS, "cmsHaClientServiceAddress", 1, 9, 1, 6),
	OBJ(MIB_CLIENT_SERVICE_PORT, "cmsHaClientServicePort", 1, 9, 1, 7),
	OBJ(MIB_CLIENT_PORT, "cmsHaClientPort", 1, 9, 1, 8),
	OBJ(MIB_CLIENT_FIRST_SEEN, "cmsHaClientFirstSeen", 1, 9, 1, 9),
	OBJ(MIB_CLIENT_LAST_SEEN, "cmsHaClientLastSeen", 1, 9, 1, 10),
	OBJ(MIB_CLIENT_MAX, "cmsHaClientMax", 1, 10, 1),
	OBJ(MIB_CLIENT_COUNT, "cmsHaClientCount", 1, 10, 2),
	OBJ(MIB_CLIENT_DROPPED, "cmsHaClientDropped", 1, 10, 3),
	OBJ(MIB_CLIENT_KEEP_TIME, "cmsHaClientKeepTime", 1, 10, 4),
	OBJ(MIB_CLIENT_LAST_REFRESH, "cmsHaClientLastRefresh", 1, 10, 5),
	OBJ(MIB_CLIENT_REFRESH_ERROR, "cmsHaClientRefreshError", 1, 10, 6),
};

size_t cmsha_mib_instance(enum cmsha_mib_id id, oid index, oid name[CMSHA_MIB_INSTANCE_MAX_LEN])
{
	const struct cmsha_mib_object *obj = &cmsha_mib[id];

	memcpy(name, obj->oid, obj->oid_len * sizeof(oid));
	name[obj->oid_len] = index;
	return obj->oid_len + 1;
}
