#include "autoconfig.h"
#include "conflict_watch.h"
#include "probe.h"

#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct cmsha_conflict_watch {
	struct cmsha_probe *probe;
	cmsha_conflict_cb cb;
	void *arg;
	size_t n;               /* aliases the probe listens for */
	size_t *index;          /* probe target -> caller's alias index */
	size_t *reported;       /* probe answers already handled, per target */
	cmsha_local_mac_fn is_local_mac;        /* NULL: ask getifaddrs() */
	void *local_ctx;
};

static void report_claims(void *arg);

/* Pick the watched aliases; false when there is none. */
static bool pick(struct cmsha_conflict_watch *w, const struct cmsha_alias_conf *aliases,
		 size_t n, const bool *watched, struct cmsha_alias_conf *picked)
{
	for (size_t i = 0; i < n; i++)
		if (!watched || watched[i]) {
			picked[w->n] = aliases[i];
			w->index[w->n++] = i;
		}
	return w->n > 0;
}

struct cmsha_conflict_watch *cmsha_conflict_watch_open(const struct cmsha_alias_conf *aliases,
						       size_t n, const bool *watched,
						       cmsha_conflict_cb cb, void *arg,
						       char *err, size_t errlen)
{
	struct cmsha_conflict_watch *w = calloc(1, sizeof(*w));
	struct cmsha_alias_conf *picked = calloc(n ? n : 1, sizeof(*picked));

	if (w) {
		w->index = calloc(n ? n : 1, sizeof(*w->index));
		w->reported = calloc(n ? n : 1, sizeof(*w->reported));
	}
	if (!w || !picked || !w->index || !w->reported) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	w->cb = cb;
	w->arg = arg;
	if (!pick(w, aliases, n, watched, picked)) {
		snprintf(err, errlen, "no alias to watch");
		goto fail;
	}
	if (!(w->probe = cmsha_probe_listen(picked, w->n, err, errlen)))
		goto fail;
	cmsha_probe_on_frames(w->probe, report_claims, w);
	free(picked);
	return w;
fail:
	free(picked);
	cmsha_conflict_watch_close(w);
	return NULL;
}

void cmsha_conflict_watch_use_local_macs(struct cmsha_conflict_watch *w, cmsha_local_mac_fn fn,
					 void *ctx)
{
	w->is_local_mac = fn;
	w->local_ctx = ctx;
}

int cmsha_conflict_watch_fd(const struct cmsha_conflict_watch *w)
{
	return cmsha_probe_fd(w->probe);
}

/*
 * The probe already ignores the MACs of the aliases' interfaces; any other
 * interface of this host (another port on the same segment, a bond's
 * member) is not a rival either.  Without the caller's view of the links
 * (cmsha_conflict_watch_use_local_macs), asked afresh.
 */
static bool kernel_says_local_mac(const uint8_t mac[CMSHA_MAC_LEN])
{
	struct ifaddrs *all, *ifa;
	bool found = false;

	if (getifaddrs(&all) != 0)
		return false;
	for (ifa = all; ifa && !found; ifa = ifa->ifa_next) {
		const struct sockaddr_ll *ll = (const struct sockaddr_ll *)ifa->ifa_addr;

		found = ll && ll->sll_family == AF_PACKET && ll->sll_halen == CMSHA_MAC_LEN &&
			memcmp(ll->sll_addr, mac, CMSHA_MAC_LEN) == 0;
	}
	freeifaddrs(all);
	return found;
}

/* After any read of the shared socket that brought frames (whoever read it). */
static void report_claims(void *arg)
{
	struct cmsha_conflict_watch *w = arg;
	uint8_t macs[CMSHA_PROBE_MAX_MACS][CMSHA_MAC_LEN];

	for (size_t t = 0; t < w->n; t++) {
		size_t seen = cmsha_probe_answers(w->probe, t, macs, CMSHA_PROBE_MAX_MACS);

		for (size_t j = w->reported[t]; j < seen; j++)
			if (!(w->is_local_mac ? w->is_local_mac(w->local_ctx, macs[j]) :
			      kernel_says_local_mac(macs[j])))
				w->cb(w->arg, w->index[t], macs[j]);
		w->reported[t] = seen;
	}
}

void cmsha_conflict_watch_on_readable(struct cmsha_conflict_watch *w)
{
	cmsha_probe_on_readable(w->probe);
}

void cmsha_conflict_watch_close(struct cmsha_conflict_watch *w)
{
	if (!w)
		return;
	cmsha_probe_free(w->probe);
	free(w->index);
	free(w->reported);
	free(w);
}
