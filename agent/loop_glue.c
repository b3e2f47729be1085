#include "autoconfig.h"
#include "loop_glue.h"
#include "dns_exchange.h"                 /* struct cmsha_loop */

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdlib.h>

struct pending {
	loop_callback fn;
	void *arg;
	unsigned id;                /* timers only */
	struct pending *next;
};

/*
 * net-snmp's loop is one per process, and so is this: the armed timers (so
 * that cancelling one can free what it carries) and each fd's watcher (the
 * fd itself finds its callback).
 */
#define MAX_WATCHED_FD 1024
static struct {
	struct pending *timers;
	struct pending *watchers[MAX_WATCHED_FD];
} loop;

static void unlink_timer(struct pending *p)
{
	for (struct pending **pp = &loop.timers; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			return;
		}
}

static void on_alarm(unsigned int reg, void *clientarg)
{
	struct pending p = *(struct pending *)clientarg;

	(void)reg;
	unlink_timer(clientarg);
	free(clientarg);            /* one-shot: net-snmp forgets the alarm now */
	p.fn(p.arg);
}

static unsigned timer_add_tv(struct timeval tv, loop_callback fn, void *arg)
{
	struct pending *p = malloc(sizeof(*p));
	unsigned id;

	if (!p)
		return 0;
	*p = (struct pending){ fn, arg, 0, loop.timers };
	id = snmp_alarm_register_hr(tv, 0, on_alarm, p);
	if (!id) {
		free(p);
		return 0;
	}
	p->id = id;
	loop.timers = p;
	return id;
}

unsigned loop_timer_add(void *ctx, unsigned ms, loop_callback fn, void *arg)
{
	(void)ctx;
	return timer_add_tv((struct timeval){ (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 },
			    fn, arg);
}

/* snmp_alarm_register_hr keeps microseconds: net-snmp's loop sleeps until then. */
unsigned loop_timer_add_us(void *ctx, unsigned long us, loop_callback fn, void *arg)
{
	(void)ctx;
	return timer_add_tv((struct timeval){ (time_t)(us / 1000000), (suseconds_t)(us % 1000000) },
			    fn, arg);
}

void loop_timer_cancel(void *ctx, unsigned id)
{
	(void)ctx;
	for (struct pending *p = loop.timers; p; p = p->next)
		if (p->id == id) {
			snmp_alarm_unregister(id);
			unlink_timer(p);
			free(p);
			return;
		}
}

static void on_readable(int fd, void *clientarg)
{
	struct pending *p = clientarg;

	(void)fd;
	p->fn(p->arg);
}

bool loop_fd_watch(void *ctx, int fd, loop_callback fn, void *arg)
{
	struct pending *p;

	(void)ctx;
	if (fd < 0 || fd >= MAX_WATCHED_FD)
		return false;
	if (!(p = malloc(sizeof(*p))))
		return false;
	*p = (struct pending){ fn, arg, 0, NULL };
	if (register_readfd(fd, on_readable, p) != 0) {
		free(p);
		return false;
	}
	loop.watchers[fd] = p;
	return true;
}

void loop_fd_unwatch(void *ctx, int fd)
{
	(void)ctx;
	if (fd < 0 || fd >= MAX_WATCHED_FD || !loop.watchers[fd])
		return;
	unregister_readfd(fd);
	free(loop.watchers[fd]);
	loop.watchers[fd] = NULL;
}

const struct cmsha_loop loop_glue_hooks = {
	loop_timer_add, loop_timer_cancel, loop_fd_watch, loop_fd_unwatch, NULL
};
