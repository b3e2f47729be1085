#include "autoconfig.h"
#include "clients.h"

#include <stdlib.h>
#include <string.h>

static size_t slots_for(size_t max)
{
	size_t n = 16;

	while (n < 2 * max)
		n *= 2;
	return n;
}

bool cmsha_clients_init(struct cmsha_clients *c, size_t max, unsigned keep_s)
{
	memset(c, 0, sizeof(*c));
	c->n_slots = slots_for(max);
	c->rows = calloc(max ? max : 1, sizeof(*c->rows));
	c->slot = calloc(c->n_slots, sizeof(*c->slot));
	if (!c->rows || !c->slot) {
		cmsha_clients_free(c);
		return false;
	}
	c->max = max;
	c->keep_s = keep_s;
	c->next_id = 1;
	return true;
}

void cmsha_clients_free(struct cmsha_clients *c)
{
	free(c->rows);
	free(c->slot);
	memset(c, 0, sizeof(*c));
}

void cmsha_clients_copy(struct cmsha_clients *dst, const struct cmsha_clients *src)
{
	struct cmsha_client *rows = dst->rows;
	uint32_t *slot = dst->slot;

	memcpy(rows, src->rows, src->n * sizeof(*rows));
	memcpy(slot, src->slot, src->n_slots * sizeof(*slot));
	*dst = *src;
	dst->rows = rows;
	dst->slot = slot;
}

static bool same_peer(const struct cmsha_client_seen *a, const struct cmsha_client_seen *b)
{
	return a->proto == b->proto && a->local_port == b->local_port &&
	       cmsha_inet_equal(&a->remote, &b->remote) && cmsha_inet_equal(&a->local, &b->local);
}

/* FNV-1a over what makes a row: remote and local address, protocol, port. */
static size_t hash_peer(const struct cmsha_client_seen *s)
{
	uint32_t h = 2166136261u;
	const struct cmsha_inet *parts[] = { &s->remote, &s->local };

	for (size_t p = 0; p < 2; p++)
		for (size_t i = 0; i < cmsha_inet_len(parts[p]); i++)
			h = (h ^ parts[p]->u.bytes[i]) * 16777619u;
	h = (h ^ s->proto) * 16777619u;
	h = (h ^ (s->local_port & 0xff)) * 16777619u;
	return (h ^ (s->local_port >> 8)) * 16777619u;
}

/* The slot holding s's row, or the empty slot where it would go. */
static uint32_t *find_slot(const struct cmsha_clients *c, const struct cmsha_client_seen *s)
{
	size_t mask = c->n_slots - 1, i = hash_peer(s) & mask;

	while (c->slot[i] && !same_peer(&c->rows[c->slot[i] - 1].seen, s))
		i = (i + 1) & mask;
	return &c->slot[i];
}

void cmsha_clients_seen(struct cmsha_clients *c, const struct cmsha_client_seen *s,
			const struct timespec *now)
{
	uint32_t *slot = find_slot(c, s);
	struct cmsha_client *row;

	if (*slot) {
		row = &c->rows[*slot - 1];
		row->seen.remote_port = s->remote_port;
		row->last_seen = *now;
		return;
	}
	/* Full: the rows already there are the older work, keep them and count
	 * the newcomer (it is seen again at the next refresh if still there). */
	if (c->n == c->max || c->next_id == UINT32_MAX) {
		c->dropped++;
		return;
	}
	row = &c->rows[c->n++];
	*slot = (uint32_t)c->n;
	row->id = c->next_id++;
	row->seen = *s;
	row->first_seen = row->last_seen = *now;
}

static bool expired(const struct cmsha_clients *c, const struct cmsha_client *row,
		    const struct timespec *now)
{
	return now->tv_sec - row->last_seen.tv_sec > (time_t)c->keep_s;
}

size_t cmsha_clients_expire(struct cmsha_clients *c, const struct timespec *now)
{
	size_t kept = 0, before = c->n;

	for (size_t i = 0; i < c->n; i++)
		if (!expired(c, &c->rows[i], now))
			c->rows[kept++] = c->rows[i];   /* order, hence id order, kept */
	c->n = kept;
	if (kept == before)
		return 0;
	/* Rows moved: index them again (linear, once per refresh). */
	memset(c->slot, 0, c->n_slots * sizeof(*c->slot));
	for (size_t i = 0; i < c->n; i++)
		*find_slot(c, &c->rows[i].seen) = (uint32_t)(i + 1);
	return before - kept;
}

static int by_id(const void *key, const void *elem)
{
	uint32_t id = *(const uint32_t *)key, other = ((const struct cmsha_client *)elem)->id;

	return id < other ? -1 : id > other;
}

const struct cmsha_client *cmsha_clients_find(const struct cmsha_clients *c, uint32_t id)
{
	return c->n ? bsearch(&id, c->rows, c->n, sizeof(*c->rows), by_id) : NULL;
}

bool cmsha_clients_is_service(const struct cmsha_inet *svc, size_t n,
			      const struct cmsha_inet *addr)
{
	for (size_t i = 0; i < n; i++)
		if (cmsha_inet_equal(&svc[i], addr))
			return true;
	return false;
}

bool cmsha_clients_wanted(const struct cmsha_client_filter *f,
			  const struct cmsha_client_seen *s)
{
	return cmsha_clients_is_service(f->svc, f->n_svc, &s->local) &&
	       !cmsha_clients_is_service(f->peer, f->n_peer, &s->remote);
}

static size_t add_once(struct cmsha_inet *out, size_t n, size_t max,
		       const struct cmsha_inet *addr)
{
	if (n == max || cmsha_clients_is_service(out, n, addr))
		return n;
	out[n] = *addr;
	return n + 1;
}

size_t cmsha_clients_service_addresses(const struct cmsha_config *cfg,
				       struct cmsha_inet *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_aliases; i++)
		n = add_once(out, n, max, &cfg->aliases[i].addr);
	for (size_t i = 0; i < cfg->n_dns; i++)
		n = add_once(out, n, max, &cfg->dns[i].address);
	return n;
}

void cmsha_clients_unmap_v4(struct cmsha_inet *addr)
{
	struct in_addr v4;

	if (addr->family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&addr->u.v6))
		return;
	memcpy(&v4, &addr->u.bytes[12], sizeof(v4));
	memset(addr, 0, sizeof(*addr));
	addr->family = AF_INET;
	addr->u.v4 = v4;
}

const char *cmsha_client_proto_name(uint8_t proto)
{
	return proto == CMSHA_CLIENT_TCP ? "tcp" : proto == CMSHA_CLIENT_UDP ? "udp" : "other";
}
