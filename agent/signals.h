/*
 * cmshad's signals: SIGTERM and SIGINT ask it to stop, SIGHUP to reload its
 * configuration.  A handler sets a flag and wakes the event loop through a
 * self-pipe that net-snmp's select() watches: a signal that arrives after
 * the loop tested the flags, but before it blocked in select(), would
 * otherwise wait for the next timer (up to a probe interval).
 */
#ifndef CMSHAD_SIGNALS_H
#define CMSHAD_SIGNALS_H

#include <stdbool.h>

/* Install the handlers and watch the pipe in the agent's loop; false on error. */
bool signals_install(void);
bool signals_stop_requested(void);
/* Was a reload asked for since the last call? */
bool signals_take_reload(void);

#endif
