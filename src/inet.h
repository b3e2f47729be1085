/* IPv4/IPv6 addresses and prefixes, as the config and the subnet rule need them. */
#ifndef CMSHA_INET_H
#define CMSHA_INET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct cmsha_inet {
	int family;                   /* AF_INET or AF_INET6; 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		unsigned char bytes[16];
	} u;
};

/* Longest text form of an address, or of an address with "/prefix". */
#define CMSHA_INET_STRLEN   (INET6_ADDRSTRLEN)
#define CMSHA_PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

size_t cmsha_inet_len(const struct cmsha_inet *a);
unsigned cmsha_inet_max_prefix(int family);

/* Numeric address of either family; false when text is not one. */
bool cmsha_inet_parse(const char *text, struct cmsha_inet *out);

/* "ADDR/PREFIX"; false with a reason in err when malformed or out of range. */
bool cmsha_inet_parse_prefix(const char *text, struct cmsha_inet *addr,
			     unsigned *prefix, char *err, size_t errlen);

/*
 * The host part of an snmpcmd-style agent specification, as in
 * "10.0.0.2", "udp:10.0.0.2:161", "udp6:[fd00::2]:161" or "fd00::2".
 * Only numeric addresses: a CMS pair's peer must not depend on DNS.
 */
bool cmsha_inet_parse_agent(const char *agent, struct cmsha_inet *out);

bool cmsha_inet_equal(const struct cmsha_inet *a, const struct cmsha_inet *b);

/* Is addr inside net/prefix?  Different families are never inside. */
bool cmsha_inet_in_subnet(const struct cmsha_inet *addr,
			  const struct cmsha_inet *net, unsigned prefix);

/* The network address of addr/prefix (host bits cleared). */
struct cmsha_inet cmsha_inet_network(const struct cmsha_inet *addr, unsigned prefix);

const char *cmsha_inet_ntop(const struct cmsha_inet *a, char *buf, size_t len);

#endif
