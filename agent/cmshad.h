/* The agent's one context: configuration, HA state and the kernel watch. */
#ifndef CMSHAD_H
#define CMSHAD_H

#include "alias_ctl.h"
#include "config.h"
#include "ha.h"
#include "history.h"
#include "netwatch.h"
#include "start_claim.h"
#include "switchover.h"

#include <stdbool.h>

struct cmsha_components;
struct cmsha_autofailover;
struct cmsha_conflict_monitor;
struct mib_table;

/*
 * The MIB handlers' state: each handler reaches its part through its
 * handler's myvoid; the syncs after a reload or a refresh find it here.
 */
struct cmshad_mib {
	struct mib_table *aliases, *components, *history, *clients;
	struct cmsha_switchover *sw;    /* the writable objects' engine */
	long spin_lock;                 /* cmsHaSwitchoverSpinLock (TestAndIncr) */
};

struct cmshad {
	struct cmsha_config cfg;
	struct cmsha_ha ha;
	struct cmsha_netwatch *netwatch;
	struct cmsha_history history;
	struct cmsha_alias_ctl *alias_ctl;
	struct cmsha_switchover sw;
	struct cmsha_components *components;   /* the component checks */
	struct cmsha_autofailover *autofailover;   /* its rules' memory; NULL when stopped */
	struct cmsha_conflict_monitor *conflicts;   /* conflict_glue.c's, while it runs */
	bool config_failed;          /* a config line was rejected */
	bool refresh_by_command;     /* the kernel changes being read are a command's */
	struct cmsha_peer_edges peer_edges;     /* what the peer's edges told (start_claim.h) */
	struct cmshad_mib mib;
};

/*
 * The glue and the MIB's value getters reach the agent's state here (net-snmp's
 * callbacks carry no argument of ours); the MIB handlers' own state comes
 * through their myvoid (struct cmshad_mib).
 */
extern struct cmshad cmshad;

/* agent_config.c, sighup.c */
void cmshad_config_register(void);
/* Read PATH's lines into scratch instead of the running config; false on errors. */
bool cmshad_config_read_into(struct cmsha_config *scratch, const char *path);
void cmshad_config_reload(const char *path);
/* The first error logged while the last file was read ("FILE: line N: ..."). */
const char *cmshad_config_first_error(void);
/* A command ended: a reload that waited for it goes on; a reload's failed probe ends it. */
void cmshad_config_reload_command_finished(const struct cmsha_history_entry *e);

/* mib_*.c */
void cmshad_mib_register_scalars(void);
void cmshad_mib_register_tables(void);
/* The writable objects, on mib's engine (mib->sw) and spin lock. */
void cmshad_mib_register_control(struct cmshad_mib *mib);
void cmshad_mib_register_history(void);
void cmshad_mib_history_sync(void);
/* After a reload: one alias and component row per configured one. */
void cmshad_mib_tables_sync(void);
void cmshad_mib_register_dns(void);
/* mib_clients.c: cmsHaClientTable and the cmsHaClients scalars */
void cmshad_mib_register_clients(void);
/* After each refresh of the worklist: rows follow it. */
void cmshad_mib_clients_sync(void);

/* agentx_shutdown.c: close the master session before snmp_shutdown() */
void cmshad_agentx_close(void);

/* switchover_glue.c */
bool cmshad_switchover_start(void);
void cmshad_switchover_stop(void);
/* A reload changed the peer or the probe: new sessions from cmshad.cfg. */
bool cmshad_switchover_peer_restart(char *err, size_t errlen);

/*
 * startup_glue.c: each edge of the peer's reachability (peer_session_start's
 * edge): logged, notified, the start-up claim on the first, autofailover.
 */
void cmshad_startup_peer_edge(bool reachable);

/* history_glue.c: the switch-over history's file and its saves (before switchover_start) */
bool cmshad_history_open(void);
/* History saves off the event loop; after daemonizing and dropping privileges. */
void cmshad_switchover_start_history_writer(void);
/* After the engine's shutdown: the last save waited for, the file closed. */
void cmshad_history_close(void);
/*
 * The saves' write function: NULL, the real one; in tests/cmshad-test-hooks
 * only, tests/slow_history.c's slower one (CMSHA_TEST_SLOW_HISTORY_MS).
 */
#ifdef CMSHA_TEST_HOOKS
cmsha_history_write_fn cmshad_test_history_write_fn(void);
#else
#define cmshad_test_history_write_fn() NULL
#endif

/* component_glue.c: component checks in the agent's loop, log and notifications */
bool cmshad_components_start(void);
void cmshad_components_stop(void);
/* After a reload: from[i] is the old index of component i (or CMSHA_RELOAD_NEW). */
bool cmshad_components_restart(const size_t *from, size_t n);

/* packet_glue.c: the kept ARP/ND packet socket (before switchover_start) */
bool cmshad_packet_start(void);
void cmshad_packet_log_counts(const char *when);
void cmshad_packet_stop(void);

/* conflict_glue.c: listen for other stations claiming the aliases held (after switchover_start) */
bool cmshad_conflict_start(void);
void cmshad_conflict_command_finished(const struct cmsha_history_entry *e);
void cmshad_conflict_stop(void);

/* autofailover_glue.c: automatic failover and split-brain handling */
bool cmshad_autofailover_start(void);
void cmshad_autofailover_evaluate(void);
void cmshad_autofailover_command_finished(const struct cmsha_history_entry *e);
void cmshad_autofailover_stop(void);
/* After a reload that changed the probe interval. */
void cmshad_autofailover_retime(void);

/* dns_glue.c: the dns names' checks, log and notification (after switchover_start) */
bool cmshad_dns_start(void);
void cmshad_dns_stop(void);
/* NULL when there is no 'dns' line */
const struct cmsha_dns_names *cmshad_dns_names(void);

/* clients_glue.c: the peers of the service addresses, refreshed on a timer */
struct cmsha_clients;
bool cmshad_clients_start(void);
void cmshad_clients_stop(void);
const struct cmsha_clients *cmshad_clients(void);
const struct timespec *cmshad_clients_last_refresh(void);
const char *cmshad_clients_refresh_error(void);   /* "" when both sources answered */

/* kernel_glue.c: netlink fd in the agent's select loop, state refresh */
bool cmshad_kernel_watch_start(void);
void cmshad_kernel_refresh(void);
void cmshad_kernel_watch_stop(void);
/*
 * One listener told of each alias state change, after the kernel glue's
 * log line (fn NULL: none): how the conflict glue follows the aliases
 * without the kernel glue knowing of it.
 */
typedef void (*cmshad_alias_listener)(void *arg, size_t index, enum cmsha_alias_state from,
				      enum cmsha_alias_state to);
void cmshad_kernel_on_alias_change(cmshad_alias_listener fn, void *arg);

#endif
