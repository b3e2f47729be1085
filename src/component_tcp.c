/*
 * 'tcp HOST:PORT': up when a non-blocking connect() completes within
 * min(probe interval, 1000 ms); down on refusal, another error or no answer.
 * The connection is closed at once.  HOST is resolved once, at start.
 */
#include "autoconfig.h"
#include "components_private.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define TCP_WAIT_MAX_MS 1000

/* HOST:PORT, HOST possibly an IPv6 address, bare or in brackets. */
static bool split_target(const char *target, char *host, size_t hostlen, const char **port)
{
	const char *colon = strrchr(target, ':');   /* the config parser made sure of it */
	const char *h = target;
	size_t n;

	if (!colon)
		return false;
	n = (size_t)(colon - target);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n == 0 || n >= hostlen)
		return false;
	memcpy(host, h, n);
	host[n] = '\0';
	*port = colon + 1;
	return true;
}

/*
 * A name that does not resolve is not fatal: the component is down (with
 * the reason) until cmshad is restarted, rather than cmshad not starting.
 */
static bool tcp_prepare(struct cmsha_check *c, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res;
	char host[256];
	const char *port;
	int rc;

	if (!split_target(c->conf->target, host, sizeof(host), &port)) {
		snprintf(err, errlen, "tcp check needs HOST:PORT, got '%s'", c->conf->target);
		return false;
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(c->target_error, sizeof(c->target_error),
			 "cannot resolve %.120s: %s (names are resolved once, at start)", host,
			 gai_strerror(rc));
		return true;
	}
	memcpy(&c->addr, res->ai_addr, res->ai_addrlen);
	c->addr_len = res->ai_addrlen;
	freeaddrinfo(res);
	return true;
}

static unsigned tcp_wait_ms(const struct cmsha_check *c)
{
	unsigned interval = c->mon->cfg->probe_interval_ms;

	return interval < TCP_WAIT_MAX_MS ? interval : TCP_WAIT_MAX_MS;
}

static void tcp_fail(struct cmsha_check *c, const char *what, int error)
{
	char why[CMSHA_CHECK_WHY_LEN];

	snprintf(why, sizeof(why), "%s %s: %s", what, c->conf->target, strerror(error));
	cmsha_check_done(c, CMSHA_COMPONENT_DOWN, why);
}

static void tcp_up(struct cmsha_check *c)
{
	char why[CMSHA_CHECK_WHY_LEN];

	snprintf(why, sizeof(why), "connected to %s", c->conf->target);
	cmsha_check_done(c, CMSHA_COMPONENT_UP, why);
}

static void tcp_run(struct cmsha_check *c)
{
	int fd, error;

	if (c->target_error[0]) {
		cmsha_check_done(c, CMSHA_COMPONENT_DOWN, c->target_error);
		return;
	}
	fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		tcp_fail(c, "socket for", errno);
		return;
	}
	if (connect(fd, (const struct sockaddr *)&c->addr, c->addr_len) == 0) {
		close(fd);
		tcp_up(c);
		return;
	}
	error = errno;
	if (error != EINPROGRESS || !cmsha_check_watch(c, fd, EPOLLOUT)) {
		close(fd);
		tcp_fail(c, "connect to", error != EINPROGRESS ? error : errno);
		return;
	}
	if (!cmsha_check_deadline(c, tcp_wait_ms(c)))
		tcp_fail(c, "no timer for the connect to", ENOMEM);
}

/* Writable (or in error): the connect is over, SO_ERROR says how. */
static void tcp_ready(struct cmsha_check *c)
{
	int error = 0;
	socklen_t len = sizeof(error);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0)
		error = errno;
	if (error == 0)
		tcp_up(c);
	else
		tcp_fail(c, "connect to", error);
}

static void tcp_expired(struct cmsha_check *c)
{
	char why[CMSHA_CHECK_WHY_LEN];

	snprintf(why, sizeof(why), "connect to %s: no answer within %u ms", c->conf->target,
		 tcp_wait_ms(c));
	cmsha_check_done(c, CMSHA_COMPONENT_DOWN, why);
}

static void tcp_release(struct cmsha_check *c)
{
	cmsha_check_end(c);
}

const struct cmsha_check_ops cmsha_tcp_check_ops = {
	tcp_prepare, tcp_run, tcp_ready, tcp_expired, tcp_release
};
