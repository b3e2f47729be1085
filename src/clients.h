/*
 * The worklist for a manual switch-over: the peers seen using this
 * server's service addresses (aliases and dns lines' addresses), merged
 * from one kernel snapshot after another, kept for a while after they were
 * last seen, and capped.  Pure rules: no netlink here (client_scan.c reads
 * the kernel), no SNMP.
 */
#ifndef CMSHA_CLIENTS_H
#define CMSHA_CLIENTS_H

#include "config.h"
#include "inet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum cmsha_client_proto { CMSHA_CLIENT_TCP = 6, CMSHA_CLIENT_UDP = 17 };

/* One peer as the kernel shows it now. */
struct cmsha_client_seen {
	struct cmsha_inet remote;
	struct cmsha_inet local;          /* the service address it talks to */
	uint8_t proto;                    /* enum cmsha_client_proto */
	uint16_t local_port, remote_port;
};

/*
 * A row: one remote address using one local service port over one
 * protocol.  A client that reconnects (a new ephemeral port) stays one row;
 * remote_port is the latest seen.
 */
struct cmsha_client {
	uint32_t id;                      /* stable row index, from 1, never reused */
	struct cmsha_client_seen seen;
	struct timespec first_seen, last_seen;
};

struct cmsha_clients {
	struct cmsha_client *rows;        /* ids ascending */
	size_t n, max;
	/* Open addressing over rows (row index + 1; 0 empty), so that a refresh
	 * of many sessions into a large table stays linear. */
	uint32_t *slot;
	size_t n_slots;                   /* a power of two, at least 2 * max */
	unsigned keep_s;                  /* kept this long after last seen */
	uint32_t next_id;
	uint64_t dropped;                 /* new peers not kept: the table was full */
};

bool cmsha_clients_init(struct cmsha_clients *c, size_t max, unsigned keep_s);
void cmsha_clients_free(struct cmsha_clients *c);
/* dst becomes a copy of src; both were made by init with the same max. */
void cmsha_clients_copy(struct cmsha_clients *dst, const struct cmsha_clients *src);

/* Merge one observation: refresh its row, or add one, or count it dropped. */
void cmsha_clients_seen(struct cmsha_clients *c, const struct cmsha_client_seen *s,
			const struct timespec *now);

/* Remove the rows last seen more than keep_s before now; returns how many. */
size_t cmsha_clients_expire(struct cmsha_clients *c, const struct timespec *now);

/* The row with this id, or NULL. */
const struct cmsha_client *cmsha_clients_find(const struct cmsha_clients *c, uint32_t id);

/* Is addr one of the n service addresses? */
bool cmsha_clients_is_service(const struct cmsha_inet *svc, size_t n,
			      const struct cmsha_inet *addr);

/* Which of the kernel's sessions and flows are the worklist's. */
struct cmsha_client_filter {
	const struct cmsha_inet *svc;     /* this server's service addresses */
	size_t n_svc;
	const struct cmsha_inet *peer;    /* the peer server's addresses */
	size_t n_peer;
};

/*
 * A peer of a service address, other than the peer server (its probes and
 * commands are the pair's own traffic, no client to re-point).
 */
bool cmsha_clients_wanted(const struct cmsha_client_filter *f,
			  const struct cmsha_client_seen *s);

/*
 * This server's service addresses, each once: the aliases' addresses and
 * the dns lines' 'address'es.  At most max into out; returns how many.
 */
size_t cmsha_clients_service_addresses(const struct cmsha_config *cfg,
				       struct cmsha_inet *out, size_t max);

/*
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it is:
 * a service listening on "::" sees its IPv4 clients that way.
 */
void cmsha_clients_unmap_v4(struct cmsha_inet *addr);

const char *cmsha_client_proto_name(uint8_t proto);

#endif
