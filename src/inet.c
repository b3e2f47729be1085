#include "autoconfig.h"
#include "inet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t cmsha_inet_len(const struct cmsha_inet *a)
{
	return a->family == AF_INET6 ? 16 : a->family == AF_INET ? 4 : 0;
}

unsigned cmsha_inet_max_prefix(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

bool cmsha_inet_parse(const char *text, struct cmsha_inet *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, &out->u.v4) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, &out->u.v6) == 1) {
		out->family = AF_INET6;
		return true;
	}
	return false;
}

static bool parse_prefix_length(const char *text, int family, unsigned *prefix)
{
	char *end;
	unsigned long value;

	if (*text < '0' || *text > '9')
		return false;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || *end || value > cmsha_inet_max_prefix(family))
		return false;
	*prefix = (unsigned)value;
	return true;
}

bool cmsha_inet_parse_prefix(const char *text, struct cmsha_inet *addr,
			     unsigned *prefix, char *err, size_t errlen)
{
	char host[CMSHA_PREFIX_STRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t hostlen = slash ? (size_t)(slash - text) : 0;

	if (!slash || hostlen == 0 || hostlen >= sizeof(host)) {
		snprintf(err, errlen, "expected ADDRESS/PREFIX, got '%s'", text);
		return false;
	}
	memcpy(host, text, hostlen);
	host[hostlen] = '\0';
	if (!cmsha_inet_parse(host, addr)) {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", host);
		return false;
	}
	if (!parse_prefix_length(slash + 1, addr->family, prefix)) {
		snprintf(err, errlen, "prefix length '%s' out of range 0..%u for %s",
			 slash + 1, cmsha_inet_max_prefix(addr->family), host);
		return false;
	}
	return true;
}

/* Strip a transport prefix such as "udp:" or "udp6:" (but not an IPv6 address). */
static const char *skip_transport(const char *agent)
{
	static const char *const transports[] = { "udp:", "udp6:", "udpv6:", "tcp:",
						  "tcp6:", "tcpv6:", NULL };
	for (const char *const *t = transports; *t; t++) {
		size_t n = strlen(*t);
		if (strncasecmp(agent, *t, n) == 0)
			return agent + n;
	}
	return agent;
}

bool cmsha_inet_parse_agent(const char *agent, struct cmsha_inet *out)
{
	char host[CMSHA_INET_STRLEN + 8];
	const char *rest = skip_transport(agent);
	const char *end;

	if (strlen(rest) >= sizeof(host))
		return false;
	if (cmsha_inet_parse(rest, out))        /* bare IPv4 or IPv6 */
		return true;
	if (*rest == '[') {                     /* [v6] or [v6]:port */
		end = strchr(rest, ']');
		if (!end || (end[1] && end[1] != ':'))
			return false;
		rest++;
	} else {                                /* v4:port */
		end = strrchr(rest, ':');
		if (!end)
			return false;
	}
	memcpy(host, rest, (size_t)(end - rest));
	host[end - rest] = '\0';
	return cmsha_inet_parse(host, out);
}

bool cmsha_inet_equal(const struct cmsha_inet *a, const struct cmsha_inet *b)
{
	return a->family == b->family &&
	       memcmp(a->u.bytes, b->u.bytes, cmsha_inet_len(a)) == 0;
}

struct cmsha_inet cmsha_inet_network(const struct cmsha_inet *addr, unsigned prefix)
{
	struct cmsha_inet net = *addr;
	size_t len = cmsha_inet_len(addr);

	for (size_t i = 0; i < len; i++) {
		unsigned bits_before = (unsigned)i * 8;
		if (prefix <= bits_before)
			net.u.bytes[i] = 0;
		else if (prefix < bits_before + 8)
			net.u.bytes[i] &= (unsigned char)(0xff << (8 - (prefix - bits_before)));
	}
	return net;
}

bool cmsha_inet_in_subnet(const struct cmsha_inet *addr,
			  const struct cmsha_inet *net, unsigned prefix)
{
	if (addr->family != net->family || !addr->family)
		return false;
	struct cmsha_inet a = cmsha_inet_network(addr, prefix);
	struct cmsha_inet n = cmsha_inet_network(net, prefix);
	return cmsha_inet_equal(&a, &n);
}

const char *cmsha_inet_ntop(const struct cmsha_inet *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, a->u.bytes, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}
