#include "autoconfig.h"
#include "config_private.h"
#include "words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void cmsha_config_init(struct cmsha_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->probe_interval_ms = CMSHA_DEFAULT_PROBE_INTERVAL_MS;
	cfg->probe_failures = CMSHA_DEFAULT_PROBE_FAILURES;
	cfg->announce_count = CMSHA_DEFAULT_ANNOUNCE_COUNT;
	cfg->announce_interval_ms = CMSHA_DEFAULT_ANNOUNCE_INTERVAL_MS;
	cfg->history_size = CMSHA_DEFAULT_HISTORY_SIZE;
	cfg->preflight_count = CMSHA_DEFAULT_PREFLIGHT_COUNT;
	cfg->preflight_wait_ms = CMSHA_DEFAULT_PREFLIGHT_WAIT_MS;
	cfg->forceprobe_count = CMSHA_DEFAULT_FORCEPROBE_COUNT;
	cfg->forceprobe_wait_ms = CMSHA_DEFAULT_FORCEPROBE_WAIT_MS;
	cfg->release_timeout_ms = CMSHA_DEFAULT_RELEASE_TIMEOUT_MS;
	cfg->holddown_ms = CMSHA_DEFAULT_HOLDDOWN_MS;
	cfg->clients_keep_s = CMSHA_DEFAULT_CLIENTS_KEEP_S;
	cfg->clients_max = CMSHA_DEFAULT_CLIENTS_MAX;
	cfg->clients_interval_ms = CMSHA_DEFAULT_CLIENTS_INTERVAL_MS;
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

static bool alias_is_duplicate(const struct cmsha_config *cfg, const struct cmsha_inet *addr)
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
	if (alias_is_duplicate(cfg, &a->addr))
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
	if (cfg->n_aliases == CMSHA_MAX_ALIASES)
		FAIL("too many aliases (at most %d)", CMSHA_MAX_ALIASES);
	grown = realloc(cfg->aliases, (cfg->n_aliases + 1) * sizeof(*grown));
	if (!grown)
		FAIL("out of memory");
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

/* KEYWORD VALUE pairs, as in 'probe interval 1000 failures 3'. */
struct keyword_value {
	const char *keyword;
	unsigned min, max;
	unsigned *value;
};

static bool apply_keyword_values(const struct cmsha_words *w, struct keyword_value *kv,
				 size_t n, const char *usage, char *err, size_t errlen)
{
	unsigned parsed[4];

	if (w->count == 0 || w->count % 2 || n > 4)
		FAIL("expected '%s'", usage);
	for (size_t k = 0; k < n; k++)
		parsed[k] = *kv[k].value;
	for (size_t i = 0; i < w->count; i += 2) {
		size_t k = 0;
		while (k < n && strcmp(w->word[i], kv[k].keyword) != 0)
			k++;
		if (k == n)
			FAIL("unknown keyword '%s': expected '%s'", w->word[i], usage);
		if (!cmsha_parse_uint(w->word[i + 1], kv[k].min, kv[k].max, &parsed[k]))
			FAIL("%s '%s' must be a number from %u to %u", kv[k].keyword,
			     w->word[i + 1], kv[k].min, kv[k].max);
	}
	for (size_t k = 0; k < n; k++)
		*kv[k].value = parsed[k];
	return true;
}

static bool apply_probe(struct cmsha_config *cfg, const struct cmsha_words *w,
			const char *args, char *err, size_t errlen)
{
	(void)args;
	struct keyword_value kv[] = {
		{ "interval", 10, 600000, &cfg->probe_interval_ms },
		{ "failures", 1, 100, &cfg->probe_failures },
	};
	return apply_keyword_values(w, kv, 2, "probe interval MS failures N", err, errlen);
}

static bool apply_announce(struct cmsha_config *cfg, const struct cmsha_words *w,
			   const char *args, char *err, size_t errlen)
{
	(void)args;
	struct keyword_value kv[] = {
		{ "count", 1, 100, &cfg->announce_count },
		{ "interval", 0, 10000, &cfg->announce_interval_ms },
	};
	return apply_keyword_values(w, kv, 2, "announce count N interval MS", err, errlen);
}

static bool apply_history(struct cmsha_config *cfg, const struct cmsha_words *w,
			  const char *args, char *err, size_t errlen)
{
	(void)args;
	struct keyword_value kv[] = { { "size", 1, 100000, &cfg->history_size } };
	return apply_keyword_values(w, kv, 1, "history size N", err, errlen);
}

static bool apply_preflight(struct cmsha_config *cfg, const struct cmsha_words *w,
			    const char *args, char *err, size_t errlen)
{
	(void)args;
	struct keyword_value kv[] = {
		{ "count", 1, 10, &cfg->preflight_count },
		{ "wait", 1, 10000, &cfg->preflight_wait_ms },
	};
	return apply_keyword_values(w, kv, 2, "preflight count N wait MS", err, errlen);
}

static bool apply_forceprobe(struct cmsha_config *cfg, const struct cmsha_words *w,
			     const char *args, char *err, size_t errlen)
{
	(void)args;
	struct keyword_value kv[] = {
		{ "count", 1, 10, &cfg->forceprobe_count },
		{ "wait", 1, 10000, &cfg->forceprobe_wait_ms },
	};
	return apply_keyword_values(w, kv, 2, "forceprobe count N wait MS", err, errlen);
}

static bool apply_release(struct cmsha_config *cfg, const struct cmsha_words *w,
			  const char *args, char *err, size_t errlen)
{
	(void)args;
	struct keyword_value kv[] = { { "timeout", 10, 60000, &cfg->release_timeout_ms } };
	return apply_keyword_values(w, kv, 1, "release timeout MS", err, errlen);
}

static bool apply_clients(struct cmsha_config *cfg, const struct cmsha_words *w,
			  const char *args, char *err, size_t errlen)
{
	(void)args;
	struct keyword_value kv[] = {
		{ "keep", 1, 604800, &cfg->clients_keep_s },
		{ "max", 1, 100000, &cfg->clients_max },
		{ "interval", 100, 3600000, &cfg->clients_interval_ms },
	};
	return apply_keyword_values(w, kv, 3, "clients keep SECONDS max N interval MS",
				    err, errlen);
}

static bool apply_autofailover(struct cmsha_config *cfg, const struct cmsha_words *w,
			       const char *args, char *err, size_t errlen)
{
	static const char usage[] = "autofailover on|off [holddown MS]";
	struct cmsha_words rest = *w;
	unsigned holddown = cfg->holddown_ms;

	(void)args;
	if (w->count < 1 || (strcmp(w->word[0], "on") && strcmp(w->word[0], "off")))
		FAIL("expected '%s'", usage);
	rest.count = w->count - 1;
	memmove(rest.word, w->word + 1, rest.count * sizeof(rest.word[0]));
	struct keyword_value kv[] = { { "holddown", 0, 86400000, &holddown } };
	if (rest.count > 0 && !apply_keyword_values(&rest, kv, 1, usage, err, errlen))
		return false;
	cfg->autofailover = strcmp(w->word[0], "on") == 0;
	cfg->holddown_ms = holddown;
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

static const struct {
	const char *token;
	line_handler apply;
} handlers[] = {
	{ "role", apply_role }, { "alias", apply_alias }, { "peer", apply_peer },
	{ "peeraddress", apply_peeraddress }, { "probe", apply_probe },
	{ "announce", apply_announce }, { "component", apply_component },
	{ "autofailover", apply_autofailover }, { "history", apply_history },
	{ "preflight", apply_preflight }, { "forceprobe", apply_forceprobe },
	{ "release", apply_release },
	{ "dns", apply_dns },
	{ "clients", apply_clients },
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
	ok = handlers[i].apply(cfg, &w, args, err, errlen);
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
