#include "autoconfig.h"
#include "client_refresh.h"
#include "clock.h"

#include <stdio.h>
#include <string.h>

void cmsha_client_refresh_errors_of(const struct cmsha_client_scan_result *res, char *out,
				    size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	/* A source not reached (a round given up before it) has no error of its own. */
	for (size_t src = 0; src < CMSHA_CLIENT_N_SOURCES; src++)
		if (!res->ok[src] && res->err[src][0] && used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s", used ? "; " : "",
						 res->err[src]);
}

static void on_round_done(void *arg, const struct cmsha_client_scan_result *res)
{
	struct cmsha_client_refresh *r = arg;
	char now[sizeof(r->errors)];
	bool changed;

	if (res->committed)
		r->last_refresh = r->round_time;
	cmsha_client_refresh_errors_of(res, now, sizeof(now));
	changed = strcmp(now, r->errors) != 0;
	memcpy(r->errors, now, sizeof(r->errors));
	r->observer.round_done(r->observer.arg, res, cmsha_ms_since(&r->round_start),
			       changed ? r->errors : NULL);
}

static void on_partial(void *arg, const char *source, unsigned long reads)
{
	struct cmsha_client_refresh *r = arg;

	r->observer.partial(r->observer.arg, source, reads);
}

static void refresh(struct cmsha_client_refresh *r)
{
	struct cmsha_inet svc[CMSHA_MAX_ALIASES + CMSHA_MAX_DNS];
	struct cmsha_client_filter filter = {
		svc, cmsha_clients_service_addresses(r->cfg, svc, sizeof(svc) / sizeof(svc[0])),
		r->cfg->peer_addrs, r->cfg->n_peer_addrs
	};

	/* The dumps are read from the loop: one still in flight is let finish,
	 * unless the kernel has left it unanswered for far too long. */
	if (cmsha_client_scan_in_flight(&r->scan) &&
	    cmsha_ms_since(&r->round_start) > (double)r->give_up_ms) {
		char why[64];

		snprintf(why, sizeof(why), "no answer from the kernel for %d s",
			 CMSHA_CLIENT_ROUND_GIVE_UP_S);
		cmsha_client_scan_abandon(&r->scan, why);
	}
	r->observer.due(r->observer.arg, !cmsha_client_scan_in_flight(&r->scan), filter.n_svc);
	if (cmsha_client_scan_in_flight(&r->scan))
		return;
	clock_gettime(CLOCK_REALTIME, &r->round_time);
	cmsha_clock_now(&r->round_start);
	cmsha_client_scan_start(&r->scan, &filter, &r->round_time);
}

static void on_refresh(void *arg)
{
	struct cmsha_client_refresh *r = arg;

	refresh(r);
	r->timer = r->scan.loop->timer_add(r->scan.loop->ctx, r->cfg->clients_interval_ms,
					   on_refresh, r);
}

bool cmsha_client_refresh_start(struct cmsha_client_refresh *r, const struct cmsha_loop *loop,
				const struct cmsha_config *cfg,
				const struct cmsha_client_refresh_observer *observer)
{
	*r = (struct cmsha_client_refresh){
		.cfg = cfg, .observer = *observer, .give_up_ms = CMSHA_CLIENT_ROUND_GIVE_UP_S * 1000
	};
	if (!cmsha_client_scan_init(&r->scan, loop, cfg->clients_max, cfg->clients_keep_s,
				    on_round_done, r))
		return false;
	r->scan.partial = observer->partial ? on_partial : NULL;
	r->started = true;
	on_refresh(r);                        /* the first look at once */
	return true;
}

void cmsha_client_refresh_stop(struct cmsha_client_refresh *r)
{
	if (r->started) {
		r->scan.loop->timer_cancel(r->scan.loop->ctx, r->timer);
		cmsha_client_scan_free(&r->scan);
	}
	memset(r, 0, sizeof(*r));
}
