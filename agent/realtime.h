/*
 * The event loop at a real-time priority ('realtime' in cmshad.conf,
 * SCHED_FIFO): a switch-over's steps (the SET's probe, the probe's end, the
 * peer's answer, on the peer its deletes and answer) run when they are due
 * instead of after whatever else holds the CPU.  On a busy two-vCPU lab
 * that halved the time in which neither server holds the address.
 * corosync runs at a real-time priority by default, keepalived when told.
 */
#ifndef CMSHA_REALTIME_H
#define CMSHA_REALTIME_H

/*
 * While still privileged (before dropping root or capabilities): raise
 * RLIMIT_RTPRIO to priority (with CAP_SYS_RESOURCE), so that the
 * unprivileged process may set it again on a reload (say, after
 * 'realtime off').  Under systemd, without root, the unit's LimitRTPRIO=
 * gives it.
 */
void realtime_allow(unsigned priority);

/*
 * The calling thread (the event loop) at SCHED_FIFO priority, or normal
 * scheduling for 0; at normal scheduling its timer slack is 1 ns.
 * Children (component checks) and threads started later get normal
 * scheduling (SCHED_RESET_ON_FORK).  Logs what it set; a refusal (no
 * RLIMIT_RTPRIO or CAP_SYS_NICE for it) is logged as a warning and leaves
 * the loop's scheduling as it was (normal, at start).
 */
void realtime_apply(unsigned priority);

/* The calling thread's SCHED_FIFO priority now; 0 when it runs normally. */
unsigned realtime_current(void);

#endif
