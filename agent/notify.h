/* CMS-HA-MIB notifications, sent through the master snmpd (its trap2sink/trapsess). */
#ifndef CMSHA_NOTIFY_H
#define CMSHA_NOTIFY_H

#include "history.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void notify_command_finished(const struct cmsha_history_entry *e);
void notify_oper_state_changed(const char *why);
/* At start: the state cmshad found (a restart is news for the NOC too). */
void notify_started(void);
void notify_peer_reachability(bool reachable);
void notify_alias_lost(size_t alias_index);
/* cmsHaAliasConflict: another station, with MAC mac, claims alias alias_index (from 0). */
void notify_alias_conflict(size_t alias_index, const uint8_t mac[6]);
/* cmsHaComponentDown (up false) or cmsHaComponentUp for component index (from 0). */
void notify_component(size_t component_index, bool up);
/* cmsHaSplitBrain: both servers hold the aliases; why says who keeps them. */
void notify_split_brain(const char *why);
/* cmsHaDnsUnexpectedAnswer: the name (index from 0) points neither here nor to the peer. */
void notify_dns_unexpected_answer(size_t dns_index);

#endif
