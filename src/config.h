/*
 * cmshad's configuration model.  The agent feeds it one config line at a
 * time (through net-snmp's config handlers, which add file:line to errors);
 * nothing here knows about SNMP.
 */
#ifndef CMSHA_CONFIG_H
#define CMSHA_CONFIG_H

#include "dns_key.h"
#include "inet.h"

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

enum cmsha_role { CMSHA_ROLE_UNSET = 0, CMSHA_ROLE_PRIMARY = 1, CMSHA_ROLE_SECONDARY = 2 };

enum cmsha_check_kind { CMSHA_CHECK_TCP, CMSHA_CHECK_PIDFILE, CMSHA_CHECK_EXEC };

#define CMSHA_MAX_ALIASES      1024
#define CMSHA_MAX_COMPONENTS   64
#define CMSHA_MAX_PEER_ADDRS   8
#define CMSHA_COMPONENT_NAMELEN 64

struct cmsha_alias_conf {
	struct cmsha_inet addr;
	unsigned prefix;
	char ifname[IF_NAMESIZE];
	char label[IF_NAMESIZE];       /* IPv4 only; empty when none */
};

struct cmsha_component_conf {
	char name[CMSHA_COMPONENT_NAMELEN + 1];
	bool required;
	enum cmsha_check_kind kind;
	char *target;                  /* HOST:PORT, PATH or COMMAND */
	unsigned timeout_ms;           /* exec only */
};

/* 'dns NAME address ADDR peeraddress ADDR server ADDR[#PORT] key FILE [zone ZONE] [ttl S]
 *  [timeout MS]' */
#define CMSHA_MAX_DNS 64
#define CMSHA_DEFAULT_DNS_TTL 60
#define CMSHA_DEFAULT_DNS_PORT 53
#define CMSHA_DEFAULT_DNS_TIMEOUT_MS 2000
struct cmsha_dns_conf {
	char name[CMSHA_DNS_NAMELEN];       /* fully qualified, final dot */
	struct cmsha_inet address;          /* NAME's address while this server is active */
	struct cmsha_inet peer_address;     /* ... while the peer is */
	struct cmsha_inet server;
	unsigned port;
	char key_file[1024];
	struct cmsha_tsig_key key;          /* read from key_file with the line */
	char zone[CMSHA_DNS_NAMELEN];       /* final dot; NAME's parent unless given */
	unsigned ttl;
	unsigned timeout_ms;                /* for each exchange with the server */
};

struct cmsha_config {
	enum cmsha_role role;
	struct cmsha_alias_conf *aliases;
	size_t n_aliases;
	char *peer_args;               /* snmpcmd-style arguments, as written */
	/* The peer's addresses: [0] is its agent address; the rest come
	 * from 'peeraddress' lines (its addresses on the alias subnets). */
	struct cmsha_inet peer_addrs[CMSHA_MAX_PEER_ADDRS];
	size_t n_peer_addrs;
	unsigned probe_interval_ms, probe_failures;
	unsigned announce_count, announce_interval_ms;
	/* Probe rounds before a takeover (and a shorter one before forceTakeover). */
	unsigned preflight_count, preflight_wait_ms;
	unsigned forceprobe_count, forceprobe_wait_ms;
	unsigned release_timeout_ms;   /* peer's confirmation of its release */
	/* 'peerport': the UDP port of the peer channel (0: none), cmshad to cmshad */
	unsigned peer_port;
	/* 'realtime': the event loop's SCHED_FIFO priority (0: off, normal scheduling) */
	unsigned realtime_priority;
	struct cmsha_component_conf *components;
	size_t n_components;
	bool autofailover;
	unsigned holddown_ms;           /* no automatic move this soon after a switch-over */
	unsigned history_size;
	struct cmsha_dns_conf *dns;     /* service names moved by DNS UPDATE */
	size_t n_dns;
	/* 'clients keep S max N interval MS': the peers of the service addresses */
	unsigned clients_keep_s, clients_max, clients_interval_ms;
};

/* Defaults, also documented in cmshad.conf(5). */
#define CMSHA_DEFAULT_PROBE_INTERVAL_MS    1000
#define CMSHA_DEFAULT_PROBE_FAILURES       3
#define CMSHA_DEFAULT_ANNOUNCE_COUNT       3
#define CMSHA_DEFAULT_ANNOUNCE_INTERVAL_MS 100
#define CMSHA_DEFAULT_HISTORY_SIZE         100
#define CMSHA_DEFAULT_PREFLIGHT_COUNT      1
#define CMSHA_DEFAULT_PREFLIGHT_WAIT_MS    5
#define CMSHA_DEFAULT_FORCEPROBE_COUNT     1
#define CMSHA_DEFAULT_FORCEPROBE_WAIT_MS   5
#define CMSHA_DEFAULT_RELEASE_TIMEOUT_MS   2000
/* Above every normal process, below the kernel's threaded interrupts (50). */
#define CMSHA_DEFAULT_REALTIME_PRIORITY    10
#define CMSHA_MAX_REALTIME_PRIORITY        99
#define CMSHA_DEFAULT_HOLDDOWN_MS          60000
#define CMSHA_DEFAULT_CLIENTS_KEEP_S       3600
#define CMSHA_DEFAULT_CLIENTS_MAX          1000
#define CMSHA_DEFAULT_CLIENTS_INTERVAL_MS  5000

void cmsha_config_init(struct cmsha_config *cfg);
void cmsha_config_free(struct cmsha_config *cfg);

/* The i-th token cmshad.conf understands; NULL past the last. */
const char *cmsha_config_token_at(size_t i);

/*
 * Apply one line: token and its arguments.  On error returns false, leaves
 * cfg unchanged and writes what was expected into err.
 */
bool cmsha_config_apply(struct cmsha_config *cfg, const char *token,
			const char *args, char *err, size_t errlen);

/*
 * Take back the alias the last 'alias' line added: its line was rejected
 * after the core accepted it (the agent found no such interface).
 */
void cmsha_config_drop_last_alias(struct cmsha_config *cfg);

/* After all lines: are the required tokens there?  false with err if not. */
bool cmsha_config_check_complete(const struct cmsha_config *cfg, char *err, size_t errlen);

const char *cmsha_role_name(enum cmsha_role role);

/* Is addr one of the configured aliases' addresses? */
bool cmsha_config_has_alias(const struct cmsha_config *cfg, const struct cmsha_inet *addr);

/* Copy the settings read at each use (announce, preflight, forceprobe,
 * release timeout, autofailover and its hold-down) from fresh into running. */
void cmsha_config_update_live(struct cmsha_config *running, const struct cmsha_config *fresh);

#endif
