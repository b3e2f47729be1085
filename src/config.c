#include "autoconfig.h"
#include "config_private.h"
#include "words.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void cmsha_config_init(struct cmsha_config *cfg)
{
	*cfg = (struct cmsha_config){
		.probe_interval_ms = CMSHA_DEFAULT_PROBE_INTERVAL_MS,
		.probe_failures = CMSHA_DEFAULT_PROBE_FAILURES,
		.announce_count = CMSHA_DEFAULT_ANNOUNCE_COUNT,
		.announce_interval_ms = CMSHA_DEFAULT_ANNOUNCE_INTERVAL_MS,
		.history_size = CMSHA_DEFAULT_HISTORY_SIZE,
		.preflight_count = CMSHA_DEFAULT_PREFLIGHT_COUNT,
		.preflight_wait_ms = CMSHA_DEFAULT_PREFLIGHT_WAIT_MS,
		.forceprobe_count = CMSHA_DEFAULT_FORCEPROBE_COUNT,
		.forceprobe_wait_ms = CMSHA_DEFAULT_FORCEPROBE_WAIT_MS,
		.release_timeout_ms = CMSHA_DEFAULT_RELEASE_TIMEOUT_MS,
		.realtime_priority = CMSHA_DEFAULT_REALTIME_PRIORITY,
		.holddown_ms = CMSHA_DEFAULT_HOLDDOWN_MS,
		.clients_keep_s = CMSHA_DEFAULT_CLIENTS_KEEP_S,
		.clients_max = CMSHA_DEFAULT_CLIENTS_MAX,
		.clients_interval_ms = CMSHA_DEFAULT_CLIENTS_INTERVAL_MS,
	};
}

void cmsha_config_free(struct cmsha_config *cfg)
{
	for (size_t i = 0; i < cfg->n_components; i++)
		free(cfg->components[i].target);
	free(cfg->components);
	free(cfg->aliases);
	free(cfg->dns);
	free(cfg->peer_args);
	cmsha_config_init(cfg);
}

const char *cmsha_role_name(enum cmsha_role role)
{
	return role == CMSHA_ROLE_PRIMARY ? "primary" :
	       role == CMSHA_ROLE_SECONDARY ? "secondary" : "unset";
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return false; } while (0)

void *cmsha_config_grow(void *items, size_t n, size_t size, size_t max, const char *what,
			char *err, size_t errlen)
{
	void *grown = NULL;

	if (n == max)
		snprintf(err, errlen, "too many %s (at most %zu)", what, max);
	else if (!(grown = realloc(items, (n + 1) * size)))
		snprintf(err, errlen, "out of memory");
	return grown;
}

static bool apply_role(struct cmsha_config *cfg, const struct cmsha_words *w,
		       const char *args, char *err, size_t errlen)
{
	(void)args;
	if (w->count != 1)
		FAIL("expected 'role primary' or 'role secondary'");
	if (cfg->role != CMSHA_ROLE_UNSET)
		FAIL("role is already set to %s", cmsha_role_name(cfg->role));
	if (strcmp(w->word[0], "primary") == 0)
		cfg->role = CMSHA_ROLE_PRIMARY;
	else if (strcmp(w->word[0], "secondary") == 0)
		cfg->role = CMSHA_ROLE_SECONDARY;
	else
		FAIL("unknown role '%s': expected primary or secondary", w->word[0]);
	return true;
}

/* The kernel requires an IPv4 label to start with the interface name. */
static bool check_label(const struct cmsha_alias_conf *a, const char *label,
			char *err, size_t errlen)
{
	if (a->addr.family != AF_INET)
		FAIL("label is for IPv4 aliases only");
	if (strlen(label) >= IF_NAMESIZE)
		FAIL("label '%s' is longer than %d characters", label, IF_NAMESIZE - 1);
	if (strncmp(label, a->ifname, strlen(a->ifname)) != 0)
		FAIL("label '%s' must start with the interface name '%s'", label, a->ifname);
	return true;
}

bool cmsha_config_has_alias(const struct cmsha_config *cfg, const struct cmsha_inet *addr)
{
	for (size_t i = 0; i < cfg->n_aliases; i++)
		if (cmsha_inet_equal(&cfg->aliases[i].addr, addr))
			return true;
	return false;
}

static bool parse_alias(const struct cmsha_config *cfg, const struct cmsha_words *w,
			struct cmsha_alias_conf *a, char *err, size_t errlen)
{
	char text[CMSHA_INET_STRLEN];

	if ((w->count != 3 && w->count != 5) || strcmp(w->word[1], "dev") != 0 ||
	    (w->count == 5 && strcmp(w->word[3], "label") != 0))
		FAIL("expected 'alias ADDRESS/PREFIX dev IFNAME [label LABEL]'");
	if (!cmsha_inet_parse_prefix(w->word[0], &a->addr, &a->prefix, err, errlen))
		return false;
	if (a->prefix == 0)
		FAIL("prefix length 0 is not a subnet");
	if (strlen(w->word[2]) >= IF_NAMESIZE)
		FAIL("interface name '%s' is longer than %d characters", w->word[2], IF_NAMESIZE - 1);
	strcpy(a->ifname, w->word[2]);
	if (w->count == 5) {
		if (!check_label(a, w->word[4], err, errlen))
			return false;
		strcpy(a->label, w->word[4]);
	}
	if (cmsha_config_has_alias(cfg, &a->addr))
		FAIL("duplicate alias %s", cmsha_inet_ntop(&a->addr, text, sizeof(text)));
	return true;
}

static bool apply_alias(struct cmsha_config *cfg, const struct cmsha_words *w,
			const char *args, char *err, size_t errlen)
{
	(void)args;
	struct cmsha_alias_conf a = { 0 };
	struct cmsha_alias_conf *grown;

	if (!parse_alias(cfg, w, &a, err, errlen))
		return false;
	grown = cmsha_config_grow(cfg->aliases, cfg->n_aliases, sizeof(*grown), CMSHA_MAX_ALIASES,
				  "aliases", err, errlen);
	if (!grown)
		return false;
	cfg->aliases = grown;
	cfg->aliases[cfg->n_aliases++] = a;
	return true;
}

void cmsha_config_drop_last_alias(struct cmsha_config *cfg)
{
	if (cfg->n_aliases > 0)
		cfg->n_aliases--;
}

/* 'peer [SNMPCMD-ARGS] AGENT': the agent address is the last word. */
static bool apply_peer(struct cmsha_config *cfg, const struct cmsha_words *w,
		       const char *args, char *err, size_t errlen)
{
	struct cmsha_inet addr;
	char *copy;

	if (w->count < 1)
		FAIL("expected 'peer [SNMP-OPTIONS] AGENT', e.g. 'peer -v3 -u cmsha -l authPriv ... 10.77.0.12'");
	if (cfg->peer_args)
		FAIL("peer is already set");
	if (!cmsha_inet_parse_agent(w->word[w->count - 1], &addr))
		FAIL("peer agent '%s' is not a numeric IPv4 or IPv6 address "
		     "(e.g. 10.77.0.12, udp:10.77.0.12:161, udp6:[fd77::12]:161)",
		     w->word[w->count - 1]);
	if (!(copy = strdup(args)))
		FAIL("out of memory");
	cfg->peer_args = copy;
	memmove(&cfg->peer_addrs[1], &cfg->peer_addrs[0], cfg->n_peer_addrs * sizeof(addr));
	cfg->peer_addrs[0] = addr;
	cfg->n_peer_addrs++;
	return true;
}

static bool apply_peeraddress(struct cmsha_config *cfg, const struct cmsha_words *w,
			      const char *args, char *err, size_t errlen)
{
	(void)args;
	struct cmsha_inet addr;

	if (w->count != 1)
		FAIL("expected 'peeraddress ADDRESS'");
	if (!cmsha_inet_parse(w->word[0], &addr))
		FAIL("'%s' is not an IPv4 or IPv6 address", w->word[0]);
	/* One slot stays free for the agent address of 'peer'. */
	if (cfg->n_peer_addrs + (cfg->peer_args ? 0 : 1) >= CMSHA_MAX_PEER_ADDRS)
		FAIL("too many peer addresses (at most %d)", CMSHA_MAX_PEER_ADDRS - 1);
	cfg->peer_addrs[cfg->n_peer_addrs++] = addr;
	return true;
}

/* Unprivileged ports only: the channel reopens on a reload, after cmshad dropped root. */
#define MIN_PEER_PORT 1024

static bool apply_peerport(struct cmsha_config *cfg, const struct cmsha_words *w,
			   const char *args, char *err, size_t errlen)
{
	unsigned port;

	(void)args;
	if (w->count != 1)
		FAIL("expected 'peerport PORT' (the UDP port of cmshad's peer channel, e.g. 7161)");
	if (!cmsha_parse_uint(w->word[0], MIN_PEER_PORT, 65535, &port))
		FAIL("peerport '%s' must be a number from %u to 65535", w->word[0], MIN_PEER_PORT);
	cfg->peer_port = port;
	return true;
}

static bool apply_realtime(struct cmsha_config *cfg, const struct cmsha_words *w,
			   const char *args, char *err, size_t errlen)
{
	unsigned priority;

	(void)args;
	if (w->count != 1)
		FAIL("expected 'realtime PRIORITY|off' (the event loop's SCHED_FIFO priority, "
		     "1 to %u; default %u)", CMSHA_MAX_REALTIME_PRIORITY,
		     CMSHA_DEFAULT_REALTIME_PRIORITY);
	if (strcmp(w->word[0], "off") == 0) {
		cfg->realtime_priority = 0;
		return true;
	}
	if (!cmsha_parse_uint(w->word[0], 1, CMSHA_MAX_REALTIME_PRIORITY, &priority))
		FAIL("realtime '%s' must be 'off' or a priority from 1 to %u", w->word[0],
		     CMSHA_MAX_REALTIME_PRIORITY);
	cfg->realtime_priority = priority;
	return true;
}

/*
 * Lines of KEYWORD VALUE pairs, as in 'probe interval 1000 failures 3': each
 * keyword's bounds and the setting of struct cmsha_config it writes.
 */
#define MAX_KEYWORDS 3

struct keyword_value {
	const char *keyword;
	unsigned min, max;
	size_t setting;
};

struct keyword_line {
	const char *usage;
	size_t n;
	struct keyword_value kv[MAX_KEYWORDS];
};

#define KV(keyword, min, max, field) { keyword, min, max, offsetof(struct cmsha_config, field) }

static const struct keyword_line probe_line = { "probe interval MS failures N", 2,
	{ KV("interval", 10, 600000, probe_interval_ms), KV("failures", 1, 100, probe_failures) } };
static const struct keyword_line announce_line = { "announce count N interval MS", 2,
	{ KV("count", 1, 100, announce_count), KV("interval", 0, 10000, announce_interval_ms) } };
static const struct keyword_line history_line = { "history size N", 1,
	{ KV("size", 1, 100000, history_size) } };
static const struct keyword_line release_line = { "release timeout MS", 1,
	{ KV("timeout", 10, 60000, release_timeout_ms) } };
static const struct keyword_line preflight_line = { "preflight count N wait MS", 2,
	{ KV("count", 1, 10, preflight_count), KV("wait", 1, 10000, preflight_wait_ms) } };
static const struct keyword_line forceprobe_line = { "forceprobe count N wait MS", 2,
	{ KV("count", 1, 10, forceprobe_count), KV("wait", 1, 10000, forceprobe_wait_ms) } };
static const struct keyword_line clients_line = { "clients keep SECONDS max N interval MS", 3,
	{ KV("keep", 1, 604800, clients_keep_s), KV("max", 1, 100000, clients_max),
	  KV("interval", 100, 3600000, clients_interval_ms) } };

static unsigned *setting_of(struct cmsha_config *cfg, const struct keyword_value *kv)
{
	return (unsigned *)((char *)cfg + kv->setting);
}

/* All pairs are checked before any setting changes. */
static bool apply_keyword_values(struct cmsha_config *cfg, const struct cmsha_words *w,
				 const struct keyword_line *line, char *err, size_t errlen)
{
	const struct keyword_value *kv = line->kv;
	unsigned parsed[MAX_KEYWORDS];

	if (w->count == 0 || w->count % 2)
		FAIL("expected '%s'", line->usage);
	for (size_t k = 0; k < line->n; k++)
		parsed[k] = *setting_of(cfg, &kv[k]);
	for (size_t i = 0; i < w->count; i += 2) {
		size_t k = 0;
		while (k < line->n && strcmp(w->word[i], kv[k].keyword) != 0)
			k++;
		if (k == line->n)
			FAIL("unknown keyword '%s': expected '%s'", w->word[i], line->usage);
		if (!cmsha_parse_uint(w->word[i + 1], kv[k].min, kv[k].max, &parsed[k]))
			FAIL("%s '%s' must be a number from %u to %u", kv[k].keyword,
			     w->word[i + 1], kv[k].min, kv[k].max);
	}
	for (size_t k = 0; k < line->n; k++)
		*setting_of(cfg, &kv[k]) = parsed[k];
	return true;
}

/* Only the tail of 'autofailover on|off [holddown MS]'. */
static const struct keyword_line holddown_line = { "autofailover on|off [holddown MS]", 1,
	{ KV("holddown", 0, 86400000, holddown_ms) } };

static bool apply_autofailover(struct cmsha_config *cfg, const struct cmsha_words *w,
			       const char *args, char *err, size_t errlen)
{
	struct cmsha_words rest = *w;

	(void)args;
	if (w->count < 1 || (strcmp(w->word[0], "on") && strcmp(w->word[0], "off")))
		FAIL("expected '%s'", holddown_line.usage);
	rest.count = w->count - 1;
	memmove(rest.word, w->word + 1, rest.count * sizeof(rest.word[0]));
	if (rest.count > 0 && !apply_keyword_values(cfg, &rest, &holddown_line, err, errlen))
		return false;
	cfg->autofailover = strcmp(w->word[0], "on") == 0;
	return true;
}

static bool apply_component(struct cmsha_config *cfg, const struct cmsha_words *w,
			    const char *args, char *err, size_t errlen)
{
	(void)args;
	return cmsha_config_apply_component(cfg, w, err, errlen);
}

static bool apply_dns(struct cmsha_config *cfg, const struct cmsha_words *w,
		      const char *args, char *err, size_t errlen)
{
	(void)args;
	return cmsha_config_apply_dns(cfg, w, err, errlen);
}

typedef bool (*line_handler)(struct cmsha_config *cfg, const struct cmsha_words *w,
			     const char *args, char *err, size_t errlen);

/* A token's line goes to its handler, or is KEYWORD VALUE pairs. */
static const struct {
	const char *token;
	line_handler apply;
	const struct keyword_line *keywords;
} handlers[] = {
	{ "role", apply_role, NULL }, { "alias", apply_alias, NULL },
	{ "peer", apply_peer, NULL }, { "peeraddress", apply_peeraddress, NULL },
	{ "peerport", apply_peerport, NULL }, { "realtime", apply_realtime, NULL },
	{ "probe", NULL, &probe_line }, { "announce", NULL, &announce_line },
	{ "component", apply_component, NULL }, { "autofailover", apply_autofailover, NULL },
	{ "history", NULL, &history_line }, { "preflight", NULL, &preflight_line },
	{ "forceprobe", NULL, &forceprobe_line }, { "release", NULL, &release_line },
	{ "dns", apply_dns, NULL },
	{ "clients", NULL, &clients_line },
};

const char *cmsha_config_token_at(size_t i)
{
	return i < sizeof(handlers) / sizeof(handlers[0]) ? handlers[i].token : NULL;
}

bool cmsha_config_apply(struct cmsha_config *cfg, const char *token,
			const char *args, char *err, size_t errlen)
{
	struct cmsha_words w;
	bool ok;
	size_t i = 0;

	/* Case-insensitive, as net-snmp matches the tokens it reads for us. */
	while (i < sizeof(handlers) / sizeof(handlers[0]) && strcasecmp(handlers[i].token, token))
		i++;
	if (i == sizeof(handlers) / sizeof(handlers[0]))
		FAIL("unknown token '%s'", token);
	if (!cmsha_words_split(args, &w))
		FAIL("unterminated quote or more than %d words", CMSHA_MAX_WORDS);
	ok = handlers[i].keywords ? apply_keyword_values(cfg, &w, handlers[i].keywords, err, errlen)
				  : handlers[i].apply(cfg, &w, args, err, errlen);
	cmsha_words_free(&w);
	return ok;
}

bool cmsha_config_check_complete(const struct cmsha_config *cfg, char *err, size_t errlen)
{
	if (cfg->role == CMSHA_ROLE_UNSET)
		FAIL("missing 'role primary|secondary'");
	if (cfg->n_aliases == 0 && cfg->n_dns == 0)
		FAIL("missing 'alias ADDRESS/PREFIX dev IFNAME' or 'dns NAME ...' "
		     "(at least one service is required)");
	if (!cfg->peer_args)
		FAIL("missing 'peer [SNMP-OPTIONS] AGENT'");
	return true;
}
