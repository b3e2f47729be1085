/* 'dns NAME address ADDR peeraddress ADDR server ADDR[#PORT] key FILE [zone ZONE] [ttl S]
 *  [timeout MS]' */
#include "autoconfig.h"
#include "config_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return false; } while (0)

#define DNS_USAGE "expected 'dns NAME address ADDR peeraddress ADDR server ADDR[#PORT] " \
	"key FILE [zone ZONE] [ttl SECONDS] [timeout MS]'"
#define DNS_MAX_TTL 604800

/* Host-name syntax (letters, digits, '-', '_'), stored with the final dot. */
static bool parse_dns_name(const char *text, char *out, size_t len)
{
	size_t n = strlen(text), label = 0;

	if (n == 0 || n + 2 > len || n > 253 + (text[n - 1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((isalnum(c) || c == '-' || c == '_') && ++label <= 63) {
			continue;
		} else {
			return false;
		}
	}
	snprintf(out, len, "%s%s", text, text[n - 1] == '.' ? "" : ".");
	return true;
}

/* "ADDR" or "ADDR#PORT", as dig and nsupdate write a server. */
static bool parse_server(const char *text, struct cmsha_dns_conf *d, char *err, size_t errlen)
{
	char host[CMSHA_INET_STRLEN];
	const char *hash = strchr(text, '#');
	size_t n = hash ? (size_t)(hash - text) : strlen(text);

	d->port = CMSHA_DEFAULT_DNS_PORT;
	if (n >= sizeof(host))
		FAIL("server '%s' is not ADDR or ADDR#PORT", text);
	memcpy(host, text, n);
	host[n] = '\0';
	if (!cmsha_inet_parse(host, &d->server))
		FAIL("server '%s' is not a numeric IPv4 or IPv6 address (ADDR or ADDR#PORT)", host);
	if (hash && !cmsha_parse_uint(hash + 1, 1, 65535, &d->port))
		FAIL("server port '%s' must be a number from 1 to 65535", hash + 1);
	return true;
}

static bool name_in_zone(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);

	if (strcmp(zone, ".") == 0)
		return true;
	return n >= z && strcasecmp(name + n - z, zone) == 0 && (n == z || name[n - z - 1] == '.');
}

static bool apply_keyword(struct cmsha_dns_conf *d, const char *kw, const char *v,
			  char *err, size_t errlen)
{
	if (strcmp(kw, "address") == 0 || strcmp(kw, "peeraddress") == 0) {
		struct cmsha_inet *a = kw[0] == 'a' ? &d->address : &d->peer_address;
		if (!cmsha_inet_parse(v, a))
			FAIL("%s '%s' is not an IPv4 or IPv6 address", kw, v);
	} else if (strcmp(kw, "server") == 0) {
		return parse_server(v, d, err, errlen);
	} else if (strcmp(kw, "key") == 0) {
		if (snprintf(d->key_file, sizeof(d->key_file), "%s", v) >= (int)sizeof(d->key_file))
			FAIL("key file name is too long");
		return cmsha_tsig_key_read(v, &d->key, err, errlen);
	} else if (strcmp(kw, "zone") == 0) {
		if (!parse_dns_name(v, d->zone, sizeof(d->zone)) && strcmp(v, ".") != 0)
			FAIL("zone '%s' is not a DNS name", v);
		if (strcmp(v, ".") == 0)
			strcpy(d->zone, ".");
	} else if (strcmp(kw, "ttl") == 0) {
		if (!cmsha_parse_uint(v, 0, DNS_MAX_TTL, &d->ttl))
			FAIL("ttl '%s' must be a number of seconds from 0 to %d", v, DNS_MAX_TTL);
	} else if (strcmp(kw, "timeout") == 0) {
		if (!cmsha_parse_uint(v, 10, 60000, &d->timeout_ms))
			FAIL("timeout '%s' must be a number of milliseconds from 10 to 60000", v);
	} else {
		FAIL("unknown keyword '%s': %s", kw, DNS_USAGE);
	}
	return true;
}

/* Required parts, families, and NAME within its zone. */
static bool check_dns(const struct cmsha_dns_conf *d, char *err, size_t errlen)
{
	if (!d->address.family || !d->peer_address.family || !d->server.family || !d->key_file[0])
		FAIL("%s: address, peeraddress, server and key are required", DNS_USAGE);
	if (d->address.family != d->peer_address.family)
		FAIL("address and peeraddress of %s must be of one family (A or AAAA)", d->name);
	if (cmsha_inet_equal(&d->address, &d->peer_address))
		FAIL("address and peeraddress of %s are the same: nothing would move", d->name);
	if (!name_in_zone(d->name, d->zone))
		FAIL("%s is not in zone %s", d->name, d->zone);
	return true;
}

static void default_zone(struct cmsha_dns_conf *d)
{
	const char *dot = strchr(d->name, '.');

	snprintf(d->zone, sizeof(d->zone), "%s", dot[1] ? dot + 1 : ".");
}

static bool parse_dns(const struct cmsha_config *cfg, const struct cmsha_words *w,
		      struct cmsha_dns_conf *d, char *err, size_t errlen)
{
	if (w->count < 9 || w->count % 2 == 0)
		FAIL("%s", DNS_USAGE);
	if (!parse_dns_name(w->word[0], d->name, sizeof(d->name)))
		FAIL("'%s' is not a DNS name", w->word[0]);
	d->ttl = CMSHA_DEFAULT_DNS_TTL;
	d->timeout_ms = CMSHA_DEFAULT_DNS_TIMEOUT_MS;
	default_zone(d);
	for (size_t i = 1; i < w->count; i += 2)
		if (!apply_keyword(d, w->word[i], w->word[i + 1], err, errlen))
			return false;
	if (!check_dns(d, err, errlen))
		return false;
	/* One line for A, one for AAAA: a dual-stack name has both. */
	for (size_t i = 0; i < cfg->n_dns; i++)
		if (strcasecmp(cfg->dns[i].name, d->name) == 0 &&
		    cfg->dns[i].address.family == d->address.family)
			FAIL("duplicate dns name %s (%s)", d->name,
			     d->address.family == AF_INET6 ? "AAAA" : "A");
	return true;
}

bool cmsha_config_apply_dns(struct cmsha_config *cfg, const struct cmsha_words *w,
			    char *err, size_t errlen)
{
	struct cmsha_dns_conf d = { 0 }, *grown;

	if (!parse_dns(cfg, w, &d, err, errlen))
		return false;
	grown = cmsha_config_grow(cfg->dns, cfg->n_dns, sizeof(*grown), CMSHA_MAX_DNS, "dns names",
				  err, errlen);
	if (!grown)
		return false;
	cfg->dns = grown;
	cfg->dns[cfg->n_dns++] = d;
	return true;
}
