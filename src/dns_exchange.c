#include "autoconfig.h"
#include "dns_exchange.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return NULL; } while (0)

struct cmsha_dns_exchange {
	const struct cmsha_loop *loop;
	const struct cmsha_dns_conf *d;
	struct cmsha_dns_request req;
	int fd;
	unsigned timer, timeout_ms;
	cmsha_dns_done done;
	void *arg;
};

uint16_t cmsha_dns_new_id(void)
{
	uint16_t id;

	/* An unpredictable id keeps off-path forged replies out (RFC 5452). */
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = (uint16_t)(rand() ^ getpid());
	return id;
}

void cmsha_dns_exchange_cancel(struct cmsha_dns_exchange *x)
{
	if (!x)
		return;
	if (x->timer)
		x->loop->timer_cancel(x->loop->ctx, x->timer);
	if (x->fd >= 0) {
		x->loop->fd_unwatch(x->loop->ctx, x->fd);
		close(x->fd);
	}
	cmsha_dns_request_free(&x->req);
	free(x);
}

/* End the exchange first: done() may start the next one. */
static void finish(struct cmsha_dns_exchange *x, const struct cmsha_dns_reply *reply,
		   const char *err)
{
	cmsha_dns_done done = x->done;
	void *arg = x->arg;

	cmsha_dns_exchange_cancel(x);
	done(arg, reply, err);
}

static void on_timeout(void *arg)
{
	struct cmsha_dns_exchange *x = arg;
	char err[160], server[CMSHA_INET_STRLEN];

	x->timer = 0;
	snprintf(err, sizeof(err), "no answer from DNS server %s#%u within %u ms",
		 cmsha_inet_ntop(&x->d->server, server, sizeof(server)), x->d->port,
		 x->timeout_ms);
	finish(x, NULL, err);
}

static void on_readable(void *arg)
{
	struct cmsha_dns_exchange *x = arg;
	uint8_t buf[4096];
	struct cmsha_dns_reply reply;
	char err[256], server[CMSHA_INET_STRLEN];
	ssize_t n = recv(x->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		snprintf(err, sizeof(err), "DNS server %s#%u: %s",
			 cmsha_inet_ntop(&x->d->server, server, sizeof(server)), x->d->port,
			 strerror(errno));
		finish(x, NULL, err);
		return;
	}
	/* A stray or forged datagram is dropped; the real reply may still come. */
	if (!cmsha_dns_parse_reply(x->d, &x->req, buf, (size_t)n, &reply, err, sizeof(err)))
		return;
	finish(x, &reply, NULL);
}

static int open_connected(const struct cmsha_dns_conf *d, char *err, size_t errlen)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd = socket(d->server.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (d->server.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)d->port);
		sin->sin_addr = d->server.u.v4;
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)d->port);
		sin6->sin6_addr = d->server.u.v6;
		len = sizeof(*sin6);
	}
	/* connect(): only the server's datagrams reach us, and ICMP errors do. */
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		snprintf(err, errlen, "DNS socket: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct cmsha_dns_exchange *cmsha_dns_exchange_start(const struct cmsha_loop *loop,
						    const struct cmsha_dns_conf *d,
						    struct cmsha_dns_request *req,
						    unsigned timeout_ms, cmsha_dns_done done,
						    void *arg, char *err, size_t errlen)
{
	struct cmsha_dns_exchange *x = calloc(1, sizeof(*x));

	if (!x) {
		cmsha_dns_request_free(req);
		FAIL("out of memory");
	}
	*x = (struct cmsha_dns_exchange){ loop, d, *req, -1, 0, timeout_ms, done, arg };
	memset(req, 0, sizeof(*req));
	if ((x->fd = open_connected(d, err, errlen)) < 0) {
		cmsha_dns_exchange_cancel(x);
		return NULL;
	}
	if (send(x->fd, x->req.wire, x->req.len, 0) != (ssize_t)x->req.len) {
		snprintf(err, errlen, "cannot send to the DNS server: %s", strerror(errno));
		cmsha_dns_exchange_cancel(x);
		return NULL;
	}
	if (!loop->fd_watch(loop->ctx, x->fd, on_readable, x) ||
	    !(x->timer = loop->timer_add(loop->ctx, timeout_ms, on_timeout, x))) {
		cmsha_dns_exchange_cancel(x);
		FAIL("cannot watch the DNS socket in the event loop");
	}
	return x;
}
