/* One-shot timers and fd callbacks on net-snmp's agent loop (snmp_alarm, register_readfd). */
#ifndef CMSHA_LOOP_GLUE_H
#define CMSHA_LOOP_GLUE_H

#include <stdbool.h>

typedef void (*loop_callback)(void *arg);

/* 0 when it could not be armed. */
unsigned loop_timer_add(unsigned ms, loop_callback fn, void *arg);
void loop_timer_cancel(unsigned id);
bool loop_fd_watch(int fd, loop_callback fn, void *arg);
void loop_fd_unwatch(int fd);

#endif
