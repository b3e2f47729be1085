#include "autoconfig.h"
#include "realtime.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

void realtime_allow(unsigned priority)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_RTPRIO, &lim) != 0 || lim.rlim_cur >= priority)
		return;
	lim.rlim_cur = priority;
	if (lim.rlim_max < priority)
		lim.rlim_max = priority;
	/* Without CAP_SYS_RESOURCE this fails: realtime_apply says so. */
	(void)setrlimit(RLIMIT_RTPRIO, &lim);
}

/*
 * At normal priority the loop's waits end on time, not up to 50 us later:
 * the kernel lets a select() timeout expire anywhere within the thread's
 * timer slack (50 us by default, and again after leaving SCHED_FIFO, which
 * has none) to batch wake-ups, and a switch-over's probe wait and release
 * lead end on such a timeout.
 */
static void exact_timers(void)
{
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0) != 0)
		snmp_log(LOG_WARNING, "timer slack: %s\n", strerror(errno));
}

void realtime_apply(unsigned priority)
{
	struct sched_param sp = { .sched_priority = (int)priority };
	/* Kept when going back to normal: unprivileged, it cannot be cleared. */
	int policy = (priority ? SCHED_FIFO : SCHED_OTHER) | SCHED_RESET_ON_FORK;

	if (sched_setscheduler(0, policy, &sp) != 0)
		snmp_log(LOG_WARNING, "realtime %u: %s (needs RLIMIT_RTPRIO >= %u, e.g. systemd's "
			 "LimitRTPRIO=, or CAP_SYS_NICE); the event loop's scheduling is "
			 "unchanged\n", priority, strerror(errno), priority);
	else if (priority)
		snmp_log(LOG_INFO, "event loop at real-time priority %u (SCHED_FIFO)\n", priority);
	else
		snmp_log(LOG_INFO, "event loop at normal priority (realtime off)\n");
	if (!realtime_current())
		exact_timers();         /* SCHED_FIFO has no slack */
}

unsigned realtime_current(void)
{
	struct sched_param sp;

	if ((sched_getscheduler(0) & ~SCHED_RESET_ON_FORK) != SCHED_FIFO ||
	    sched_getparam(0, &sp) != 0)
		return 0;
	return (unsigned)sp.sched_priority;
}
