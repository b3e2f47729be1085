#include "autoconfig.h"
#include "signals.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested, reload_requested;
static int wake_pipe[2] = { -1, -1 };

static void wake_loop(void)
{
	int saved_errno = errno;

	/* Full (EAGAIN): the loop is woken already. */
	(void)!write(wake_pipe[1], "", 1);
	errno = saved_errno;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	wake_loop();
}

static void on_reload_signal(int sig)
{
	(void)sig;
	reload_requested = 1;
	wake_loop();
}

static void drain_wake_pipe(int fd, void *arg)
{
	char buf[64];

	(void)arg;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

bool signals_install(void)
{
	struct sigaction sa;

	if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		snmp_log(LOG_ERR, "signals: pipe: %s\n", strerror(errno));
		return false;
	}
	if (register_readfd(wake_pipe[0], drain_wake_pipe, NULL) != 0) {
		snmp_log(LOG_ERR, "signals: cannot watch the wake-up pipe\n");
		return false;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_reload_signal;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return true;
}

bool signals_stop_requested(void)
{
	return stop_requested;
}

bool signals_take_reload(void)
{
	if (!reload_requested)
		return false;
	reload_requested = 0;
	return true;
}
