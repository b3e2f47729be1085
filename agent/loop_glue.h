/* One-shot timers and fd callbacks on net-snmp's agent loop (snmp_alarm, register_readfd). */
#ifndef CMSHA_LOOP_GLUE_H
#define CMSHA_LOOP_GLUE_H

#include <stdbool.h>

typedef void (*loop_callback)(void *arg);

/*
 * ctx is unused: it is there so that these functions are the core's env
 * hooks (struct cmsha_switchover_env, struct cmsha_component_env) as they are.
 */
/* 0 when it could not be armed. */
unsigned loop_timer_add(void *ctx, unsigned ms, loop_callback fn, void *arg);
unsigned loop_timer_add_us(void *ctx, unsigned long us, loop_callback fn, void *arg);
void loop_timer_cancel(void *ctx, unsigned id);
bool loop_fd_watch(void *ctx, int fd, loop_callback fn, void *arg);
void loop_fd_unwatch(void *ctx, int fd);

/* The millisecond timer and the rest as the core's struct cmsha_loop (dns names, clients' scan). */
struct cmsha_loop;
extern const struct cmsha_loop loop_glue_hooks;

#endif
