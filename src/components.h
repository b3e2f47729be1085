/*
 * Component monitoring: every 'probe interval' each configured component is
 * checked (tcp connect, pidfile, exec) and its cmsha_component_runtime
 * (up/down/unknown, last change) updated.  Like the switch-over engine it
 * runs inside the agent's event loop through hooks and never blocks: a tcp
 * connect or a command in progress is a descriptor in one epoll set, which
 * the loop watches as a single readable fd (net-snmp's loop takes only 32
 * external fds), with a one-shot timer as its deadline.
 *
 * exec checks are fork + execve of the command's words (no shell unless the
 * command starts with 'sh -c'), in a process group of their own; the exit is
 * seen through a pidfd (Linux 5.3+), the child is reaped with a non-blocking
 * waitpid(), and at the timeout the whole group gets SIGKILL.  No SIGCHLD
 * handler is installed.
 */
#ifndef CMSHA_COMPONENTS_H
#define CMSHA_COMPONENTS_H

#include "config.h"
#include "event_loop.h"
#include "ha.h"

#include <stdbool.h>
#include <stddef.h>

/* The checks need the event loop and nothing else. */
struct cmsha_component_env {
	CMSHA_LOOP_HOOKS
	void *ctx;
};

/* Told of every change of a component's state, e.g. to log it or send a notification. */
struct cmsha_component_observer {
	/* why: the check's result in words, e.g. "connect: Connection refused" */
	void (*changed)(void *arg, size_t index, enum cmsha_component_state from,
			enum cmsha_component_state to, const char *why);
	void *arg;
};

struct cmsha_components;

/*
 * Start checking cfg's components; rt has one entry per component (the
 * ha's components, all unknown).  The first round runs from the loop at
 * once (a timer of 0 ms), the next every cfg->probe_interval_ms.  Host
 * names of tcp checks are resolved here, once (getaddrinfo may block).
 * NULL with err when something cannot be set up.
 */
struct cmsha_components *cmsha_components_start(const struct cmsha_config *cfg,
						struct cmsha_component_runtime *rt,
						const struct cmsha_component_env *env,
						const struct cmsha_component_observer *obs,
						char *err, size_t errlen);

/* Abort every check (commands in progress are killed and reaped), free all. */
void cmsha_components_stop(struct cmsha_components *m);

const char *cmsha_component_state_name(enum cmsha_component_state st);

#endif
