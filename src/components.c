/* The component monitor: rounds of checks, their results, the epoll set of checks in progress. */
#include "autoconfig.h"
#include "components_private.h"
#include "enum_names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

/* Ready checks taken per wake-up; more stay readable for the next one. */
#define EVENTS_PER_WAKEUP 16

const char *cmsha_component_state_name(enum cmsha_component_state st)
{
	static const char *const names[] = { "?", "up", "down", "unknown" };

	return CMSHA_ENUM_NAME(names, st);
}

void cmsha_check_report(struct cmsha_check *c, enum cmsha_component_state st, const char *why)
{
	struct cmsha_components *m = c->mon;
	struct cmsha_component_runtime *rt = &m->rt[c->index];
	enum cmsha_component_state was = rt->state;

	if (st == was)
		return;
	rt->state = st;
	clock_gettime(CLOCK_REALTIME, &rt->last_change);
	if (m->obs.changed)
		m->obs.changed(m->obs.arg, c->index, was, st, why);
}

void cmsha_check_end(struct cmsha_check *c)
{
	struct cmsha_components *m = c->mon;

	if (c->deadline)
		m->env.timer_cancel(m->env.ctx, c->deadline);
	c->deadline = 0;
	if (c->fd >= 0) {
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->busy = false;
}

void cmsha_check_done(struct cmsha_check *c, enum cmsha_component_state st, const char *why)
{
	cmsha_check_report(c, st, why);
	cmsha_check_end(c);
}

bool cmsha_check_watch(struct cmsha_check *c, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (epoll_ctl(c->mon->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		return false;
	c->fd = fd;
	return true;
}

static void on_deadline(void *arg)
{
	struct cmsha_check *c = arg;

	c->deadline = 0;            /* one-shot: it is gone */
	c->ops->expired(c);
}

bool cmsha_check_deadline(struct cmsha_check *c, unsigned ms)
{
	c->deadline = c->mon->env.timer_add(c->mon->env.ctx, ms, on_deadline, c);
	return c->deadline != 0;
}

static void on_epoll_readable(void *arg)
{
	struct cmsha_components *m = arg;
	struct epoll_event ev[EVENTS_PER_WAKEUP];
	int n = epoll_wait(m->epfd, ev, EVENTS_PER_WAKEUP, 0);

	for (int i = 0; i < n; i++) {
		struct cmsha_check *c = ev[i].data.ptr;

		if (c->fd >= 0)
			c->ops->ready(c);
	}
}

/* Without a timer there are no more rounds: say so rather than show stale states. */
static void rounds_stopped(struct cmsha_components *m)
{
	for (size_t i = 0; i < m->n; i++)
		cmsha_check_report(&m->checks[i], CMSHA_COMPONENT_UNKNOWN,
				   "checks stopped: cannot arm the next round's timer");
}

static void on_round(void *arg)
{
	struct cmsha_components *m = arg;

	/* Armed first: rounds keep their pace however long the checks take. */
	m->round_timer = m->env.timer_add(m->env.ctx, m->cfg->probe_interval_ms, on_round, m);
	for (size_t i = 0; i < m->n; i++) {
		struct cmsha_check *c = &m->checks[i];

		/* A check still in progress (a slow command) is not started twice. */
		if (c->busy)
			continue;
		c->busy = true;
		c->ops->run(c);
	}
	if (!m->round_timer)
		rounds_stopped(m);
}

static const struct cmsha_check_ops *ops_of(enum cmsha_check_kind kind)
{
	switch (kind) {
	case CMSHA_CHECK_TCP: return &cmsha_tcp_check_ops;
	case CMSHA_CHECK_PIDFILE: return &cmsha_pidfile_check_ops;
	case CMSHA_CHECK_EXEC: return &cmsha_exec_check_ops;
	}
	return NULL;
}

/* m->n counts the checks prepared so far: on failure stop releases those. */
static bool prepare_checks(struct cmsha_components *m, char *err, size_t errlen)
{
	size_t n = m->cfg->n_components;
	char why[CMSHA_CHECK_WHY_LEN];

	for (m->n = 0; m->n < n; m->n++) {
		struct cmsha_check *c = &m->checks[m->n];

		*c = (struct cmsha_check){ .mon = m, .index = m->n, .fd = -1,
					   .conf = &m->cfg->components[m->n] };
		c->ops = ops_of(c->conf->kind);
		if (!c->ops || !c->ops->prepare(c, why, sizeof(why))) {
			snprintf(err, errlen, "component %s: %s", c->conf->name,
				 c->ops ? why : "unknown check kind");
			return false;
		}
	}
	return true;
}

static bool watch_and_schedule(struct cmsha_components *m, char *err, size_t errlen)
{
	if (!m->env.fd_watch(m->env.ctx, m->epfd, on_epoll_readable, m)) {
		snprintf(err, errlen, "component checks: cannot watch their epoll fd");
		return false;
	}
	m->watching = true;
	m->round_timer = m->env.timer_add(m->env.ctx, 0, on_round, m);
	if (!m->round_timer) {
		snprintf(err, errlen, "component checks: cannot arm a timer");
		return false;
	}
	return true;
}

struct cmsha_components *cmsha_components_start(const struct cmsha_config *cfg,
						struct cmsha_component_runtime *rt,
						const struct cmsha_component_env *env,
						const struct cmsha_component_observer *obs,
						char *err, size_t errlen)
{
	struct cmsha_components *m = calloc(1, sizeof(*m));

	if (!m || !(m->checks = calloc(cfg->n_components + 1, sizeof(*m->checks)))) {
		free(m);
		snprintf(err, errlen, "component checks: out of memory");
		return NULL;
	}
	m->cfg = cfg;
	m->rt = rt;
	m->env = *env;
	if (obs)
		m->obs = *obs;
	m->epfd = -1;
	if (cfg->n_components == 0)
		return m;           /* nothing to check: no timer wakes the loop */
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (m->epfd < 0) {
		snprintf(err, errlen, "component checks: epoll_create1: %s", strerror(errno));
		cmsha_components_stop(m);
		return NULL;
	}
	if (!prepare_checks(m, err, errlen) || !watch_and_schedule(m, err, errlen)) {
		cmsha_components_stop(m);
		return NULL;
	}
	return m;
}

void cmsha_components_stop(struct cmsha_components *m)
{
	if (!m)
		return;
	if (m->round_timer)
		m->env.timer_cancel(m->env.ctx, m->round_timer);
	for (size_t i = 0; i < m->n; i++)
		m->checks[i].ops->release(&m->checks[i]);
	if (m->watching)
		m->env.fd_unwatch(m->env.ctx, m->epfd);
	if (m->epfd >= 0)
		close(m->epfd);
	free(m->checks);
	free(m);
}
