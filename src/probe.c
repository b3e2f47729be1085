#include "autoconfig.h"
#include "probe.h"
#include "announce.h"
#include "packet_tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct probe_target {
	struct cmsha_inet addr;
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint8_t mac[CMSHA_MAC_LEN];             /* ours, on that interface */
	uint8_t seen[CMSHA_PROBE_MAX_MACS][CMSHA_MAC_LEN];
	size_t n_seen;
	bool contended;
};

/* The namespace's kept packet socket (packet_tap.h): no socket of its own. */
struct cmsha_probe {
	struct cmsha_packet_tap *tap;
	struct cmsha_tap_listener listener;
	bool attached;
	size_t n;
	struct probe_target t[];
};

static void note_frame(void *arg, int ifindex, const uint8_t *frame, size_t len);

static bool init_target(struct probe_target *t, const struct cmsha_alias_conf *a,
			char *err, size_t errlen)
{
	char text[CMSHA_INET_STRLEN];

	if (a->addr.family != AF_INET && a->addr.family != AF_INET6) {
		snprintf(err, errlen, "alias without an address");
		return false;
	}
	t->addr = a->addr;
	memcpy(t->ifname, a->ifname, sizeof(t->ifname));
	t->ifname[sizeof(t->ifname) - 1] = '\0';
	if (!cmsha_link_hwaddr(a->ifname, &t->ifindex, t->mac, err, errlen)) {
		size_t used = strlen(err);
		snprintf(err + used, errlen - used, " (probing %s)",
			 cmsha_inet_ntop(&a->addr, text, sizeof(text)));
		return false;
	}
	return true;
}

struct cmsha_probe *cmsha_probe_listen(const struct cmsha_alias_conf *aliases, size_t n,
				       char *err, size_t errlen)
{
	struct cmsha_probe *p = calloc(1, sizeof(*p) + n * sizeof(p->t[0]));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->n = n;
	for (size_t i = 0; i < n; i++)
		if (!init_target(&p->t[i], &aliases[i], err, errlen))
			goto fail;
	if (!(p->tap = cmsha_packet_tap_get(err, errlen)))
		goto fail;
	p->listener = (struct cmsha_tap_listener){ .frame = note_frame, .arg = p, .room = n };
	cmsha_packet_tap_attach(p->tap, &p->listener);
	p->attached = true;
	return p;
fail:
	cmsha_probe_free(p);
	return NULL;
}

struct cmsha_probe *cmsha_probe_start(const struct cmsha_alias_conf *aliases, size_t n,
				      char *err, size_t errlen)
{
	struct cmsha_probe *p = cmsha_probe_listen(aliases, n, err, errlen);

	if (p && !cmsha_probe_send_round(p, err, errlen)) {
		cmsha_probe_free(p);
		return NULL;
	}
	return p;
}

static size_t build_probe(const struct probe_target *t, uint8_t *buf, size_t len)
{
	static const uint8_t broadcast[CMSHA_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[CMSHA_MAC_LEN];
	const struct in_addr unspecified = { 0 };

	if (t->addr.family == AF_INET6)
		return cmsha_pkt_build_ns_probe(buf, len, t->mac, &t->addr.u.v6);
	return cmsha_pkt_build_arp(buf, len, CMSHA_ARP_OP_REQUEST, t->mac, broadcast,
				   &unspecified, zero, &t->addr.u.v4);
}

/* Ready to send, asked once for a run of targets on the same interface. */
static bool link_ready_for(int fd, const struct probe_target *t, const char **ready_ifname,
			   char *err, size_t errlen)
{
	if (*ready_ifname && strcmp(*ready_ifname, t->ifname) == 0)
		return true;
	*ready_ifname = NULL;
	if (!cmsha_link_ready(fd, t->ifname, err, errlen))
		return false;
	*ready_ifname = t->ifname;
	return true;
}

static void keep_first_error(bool *ok, const char *one_err, char *err, size_t errlen)
{
	if (*ok)
		snprintf(err, errlen, "%s", one_err);
	*ok = false;
}

/* The round's frames go out CMSHA_FRAME_BATCH to a system call: the round's
 * wait counts from its last frame, which a send at a time delays. */
bool cmsha_probe_send_round(struct cmsha_probe *p, char *err, size_t errlen)
{
	struct cmsha_frame_batch b = { .n = 0 };
	const char *ready_ifname = NULL;
	char one_err[256];
	int fd = cmsha_packet_tap_fd(p->tap);
	bool ok = true;

	for (size_t i = 0; i < p->n; i++) {
		const struct probe_target *t = &p->t[i];

		/* A probe lost on a link without carrier would read as "address free". */
		if (!link_ready_for(fd, t, &ready_ifname, one_err, sizeof(one_err))) {
			keep_first_error(&ok, one_err, err, errlen);
			continue;
		}
		b.ifindex[b.n] = t->ifindex;
		b.len[b.n] = build_probe(t, b.frame[b.n], sizeof(b.frame[b.n]));
		if (++b.n == CMSHA_FRAME_BATCH &&
		    !cmsha_frame_batch_send(fd, &b, one_err, sizeof(one_err)))
			keep_first_error(&ok, one_err, err, errlen);
	}
	if (b.n && !cmsha_frame_batch_send(fd, &b, one_err, sizeof(one_err)))
		keep_first_error(&ok, one_err, err, errlen);
	return ok;
}

int cmsha_probe_fd(const struct cmsha_probe *p)
{
	return cmsha_packet_tap_fd(p->tap);
}

void cmsha_probe_on_frames(struct cmsha_probe *p, void (*fn)(void *arg), void *arg)
{
	p->listener.batch = fn;
	p->listener.batch_arg = arg;
}

static bool from_us(const struct cmsha_probe *p, const struct cmsha_pkt_info *pi)
{
	for (size_t i = 0; i < p->n; i++)
		if (memcmp(p->t[i].mac, pi->eth_src, CMSHA_MAC_LEN) == 0 ||
		    memcmp(p->t[i].mac, pi->sender_mac, CMSHA_MAC_LEN) == 0)
			return true;
	return false;
}

enum verdict { UNRELATED, ANSWER, RIVAL_PROBE };

/* What pi says about address a; see cmsha_probe_on_readable in probe.h. */
static enum verdict classify(const struct cmsha_pkt_info *pi, const struct cmsha_inet *a)
{
	const struct cmsha_inet none = { .family = pi->sender_ip.family };
	bool by_a = cmsha_inet_equal(&pi->sender_ip, a);
	bool for_a = cmsha_inet_equal(&pi->target_ip, a);
	bool from_none = cmsha_inet_equal(&pi->sender_ip, &none);

	switch (pi->kind) {
	case CMSHA_PKT_ARP_REPLY:
		return by_a ? ANSWER : UNRELATED;
	case CMSHA_PKT_ARP_REQUEST:
	case CMSHA_PKT_ND_NS:
		if (by_a)
			return ANSWER;          /* the holder resolving someone, or announcing */
		return for_a && from_none ? RIVAL_PROBE : UNRELATED;
	case CMSHA_PKT_ND_NA:
		return for_a ? ANSWER : UNRELATED;
	}
	return UNRELATED;
}

static void add_mac(struct probe_target *t, const uint8_t mac[CMSHA_MAC_LEN])
{
	for (size_t i = 0; i < t->n_seen; i++)
		if (memcmp(t->seen[i], mac, CMSHA_MAC_LEN) == 0)
			return;
	if (t->n_seen < CMSHA_PROBE_MAX_MACS)
		memcpy(t->seen[t->n_seen++], mac, CMSHA_MAC_LEN);
}

static void note_frame(void *arg, int ifindex, const uint8_t *frame, size_t len)
{
	struct cmsha_probe *p = arg;
	struct cmsha_pkt_info pi;

	/* Our own frames, looped back through another port, are nobody's answer. */
	if (!cmsha_pkt_parse(frame, len, &pi) || from_us(p, &pi))
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct probe_target *t = &p->t[i];

		if (t->ifindex != ifindex)
			continue;
		switch (classify(&pi, &t->addr)) {
		case ANSWER:
			add_mac(t, pi.sender_mac);
			break;
		case RIVAL_PROBE:
			t->contended = true;
			break;
		case UNRELATED:
			break;
		}
	}
}

void cmsha_probe_on_readable(struct cmsha_probe *p)
{
	cmsha_packet_tap_on_readable(p->tap);
}

size_t cmsha_probe_answers(const struct cmsha_probe *p, size_t alias_index,
			   uint8_t (*macs)[CMSHA_MAC_LEN], size_t max)
{
	const struct probe_target *t;

	if (alias_index >= p->n)
		return 0;
	t = &p->t[alias_index];
	if (max > t->n_seen)
		max = t->n_seen;
	for (size_t i = 0; i < max; i++)
		memcpy(macs[i], t->seen[i], CMSHA_MAC_LEN);
	return max;
}

bool cmsha_probe_contended(const struct cmsha_probe *p, size_t alias_index)
{
	return alias_index < p->n && p->t[alias_index].contended;
}

bool cmsha_probe_in_use(const struct cmsha_probe *p, size_t alias_index)
{
	return alias_index < p->n && (p->t[alias_index].n_seen > 0 || p->t[alias_index].contended);
}

void cmsha_probe_free(struct cmsha_probe *p)
{
	if (!p)
		return;
	if (p->attached)
		cmsha_packet_tap_detach(p->tap, &p->listener);
	cmsha_packet_tap_put(p->tap);
	free(p);
}
