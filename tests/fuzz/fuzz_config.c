/*
 * libFuzzer harness for the config line parser.  The input is a config
 * file: each line is "TOKEN ARGS", fed to cmsha_config_apply() much as
 * net-snmp's config reader would, on a fresh config.  Besides the sanitizers'
 * checks it aborts when a rejected line changed the config (shallow:
 * the struct; deep: what its pointers point at), when an error has no
 * text, when an accepted line's token is not one cmsha_config_token_at()
 * lists, or when an accepted line broke one of the config's limits (the
 * addresses also go through inet.c's printing, parsing and subnet code, an
 * exec check's command through cmsha_exec_argv()).
 */
#include "autoconfig.h"
#include "components_private.h"
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) fail_check(#cond, __LINE__); } while (0)

static void fail_check(const char *what, int line)
{
	fprintf(stderr, "fuzz_config.c:%d: invariant violated: %s\n", line, what);
	abort();
}

/* A deep copy of what a config owns, to compare after a rejected line. */
struct snapshot {
	struct cmsha_config cfg;
	struct cmsha_alias_conf *aliases;
	struct cmsha_component_conf *components;
	char **targets;
	char *peer_args;
};

static void *dup_bytes(const void *p, size_t n)
{
	void *copy = malloc(n ? n : 1);

	if (!copy)
		abort();
	if (n)                  /* p may be NULL then, which memcpy does not allow */
		memcpy(copy, p, n);
	return copy;
}

static bool same_bytes(const void *a, const void *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

static void take_snapshot(const struct cmsha_config *cfg, struct snapshot *s)
{
	memcpy(&s->cfg, cfg, sizeof(*cfg));
	s->aliases = dup_bytes(cfg->aliases, cfg->n_aliases * sizeof(*cfg->aliases));
	s->components = dup_bytes(cfg->components, cfg->n_components * sizeof(*cfg->components));
	s->targets = calloc(cfg->n_components + 1, sizeof(*s->targets));
	if (!s->targets)
		abort();
	for (size_t i = 0; i < cfg->n_components; i++)
		s->targets[i] = dup_bytes(cfg->components[i].target,
					  strlen(cfg->components[i].target) + 1);
	s->peer_args = cfg->peer_args ? dup_bytes(cfg->peer_args, strlen(cfg->peer_args) + 1) : NULL;
}

static void check_unchanged(const struct cmsha_config *cfg, const struct snapshot *s)
{
	CHECK(memcmp(&s->cfg, cfg, sizeof(*cfg)) == 0);
	CHECK(same_bytes(s->aliases, cfg->aliases, cfg->n_aliases * sizeof(*cfg->aliases)));
	CHECK(same_bytes(s->components, cfg->components,
			 cfg->n_components * sizeof(*cfg->components)));
	for (size_t i = 0; i < cfg->n_components; i++)
		CHECK(strcmp(s->targets[i], cfg->components[i].target) == 0);
	CHECK(!s->peer_args == !cfg->peer_args);
	CHECK(!s->peer_args || strcmp(s->peer_args, cfg->peer_args) == 0);
}

static void free_snapshot(struct snapshot *s)
{
	for (size_t i = 0; i < s->cfg.n_components; i++)
		free(s->targets[i]);
	free(s->targets);
	free(s->components);
	free(s->aliases);
	free(s->peer_args);
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* Printed and parsed again, the same address; inside its own network. */
static void check_address(const struct cmsha_inet *a, unsigned prefix)
{
	char text[CMSHA_INET_STRLEN];
	struct cmsha_inet parsed, net = cmsha_inet_network(a, prefix);

	CHECK(cmsha_inet_parse(cmsha_inet_ntop(a, text, sizeof(text)), &parsed));
	CHECK(cmsha_inet_equal(a, &parsed));
	CHECK(cmsha_inet_in_subnet(a, &net, prefix));
	CHECK(cmsha_inet_in_subnet(&net, a, prefix));
}

static void check_alias(const struct cmsha_alias_conf *a)
{
	check_address(&a->addr, a->prefix);
	CHECK(a->addr.family == AF_INET || a->addr.family == AF_INET6);
	CHECK(a->prefix >= 1 && a->prefix <= cmsha_inet_max_prefix(a->addr.family));
	CHECK(terminated(a->ifname, sizeof(a->ifname)));
	CHECK(terminated(a->label, sizeof(a->label)));
	CHECK(!a->label[0] || a->addr.family == AF_INET);
	CHECK(strncmp(a->label, a->ifname, a->label[0] ? strlen(a->ifname) : 0) == 0);
}

static void check_component(const struct cmsha_component_conf *c)
{
	CHECK(terminated(c->name, sizeof(c->name)));
	CHECK(c->target != NULL);
	CHECK(c->kind == CMSHA_CHECK_TCP || c->kind == CMSHA_CHECK_PIDFILE ||
	      c->kind == CMSHA_CHECK_EXEC);
	CHECK(c->kind != CMSHA_CHECK_PIDFILE || c->target[0] == '/');
	CHECK(c->timeout_ms >= 1 && c->timeout_ms <= 600000);
}

/* What every accepted line must leave true. */
static void check_limits(const struct cmsha_config *cfg)
{
	CHECK(cfg->role == CMSHA_ROLE_UNSET || cfg->role == CMSHA_ROLE_PRIMARY ||
	      cfg->role == CMSHA_ROLE_SECONDARY);
	CHECK(cfg->n_aliases <= CMSHA_MAX_ALIASES);
	CHECK(cfg->n_components <= CMSHA_MAX_COMPONENTS);
	CHECK(cfg->n_peer_addrs <= CMSHA_MAX_PEER_ADDRS);
	/* Without 'peer' one slot stays free for its agent address. */
	CHECK(cfg->peer_args || cfg->n_peer_addrs < CMSHA_MAX_PEER_ADDRS);
	for (size_t i = 0; i < cfg->n_peer_addrs; i++) {
		CHECK(cfg->peer_addrs[i].family == AF_INET || cfg->peer_addrs[i].family == AF_INET6);
		check_address(&cfg->peer_addrs[i], cmsha_inet_max_prefix(cfg->peer_addrs[i].family));
	}
	for (size_t i = 0; i < cfg->n_aliases; i++)
		check_alias(&cfg->aliases[i]);
	for (size_t i = 0; i < cfg->n_components; i++)
		check_component(&cfg->components[i]);
	CHECK(cfg->probe_interval_ms >= 10 && cfg->probe_interval_ms <= 600000);
	CHECK(cfg->probe_failures >= 1 && cfg->probe_failures <= 100);
	CHECK(cfg->announce_count >= 1 && cfg->announce_count <= 100);
	CHECK(cfg->announce_interval_ms <= 10000);
	CHECK(cfg->history_size >= 1 && cfg->history_size <= 100000);
	CHECK(cfg->release_timeout_ms >= 10 && cfg->release_timeout_ms <= 60000);
}

/* In any case: net-snmp matches tokens case-insensitively, and so does the core. */
static bool token_listed(const char *token)
{
	const char *t;

	for (size_t i = 0; (t = cmsha_config_token_at(i)); i++)
		if (strcasecmp(t, token) == 0)
			return true;
	return false;
}

/*
 * One line, much as net-snmp's reader hands it over: blank lines and
 * comments skipped, the token, then the rest after blanks (net-snmp does
 * not call the handler for a token alone; the core must cope all the same).
 */
static void apply_line(struct cmsha_config *cfg, char *line)
{
	char err[256];
	struct snapshot before;
	char *args;
	bool ok;

	line += strspn(line, " \t\r");
	if (!*line || *line == '#')
		return;
	args = line + strcspn(line, " \t");
	if (*args)
		*args++ = '\0';
	args += strspn(args, " \t");
	take_snapshot(cfg, &before);
	err[0] = '\0';
	ok = cmsha_config_apply(cfg, line, args, err, sizeof(err));
	if (ok) {
		CHECK(token_listed(line));
		check_limits(cfg);
	} else {
		CHECK(err[0] != '\0');
		CHECK(token_listed(line) || strstr(err, "unknown token"));
		check_unchanged(cfg, &before);
	}
	free_snapshot(&before);
}

/* An exec check's COMMAND split into argv, as the component monitor does. */
static void check_exec_argv(const struct cmsha_component_conf *c)
{
	char err[256] = "";
	char **argv = cmsha_exec_argv(c->target, err, sizeof(err));
	size_t n = 0;

	if (!argv) {
		CHECK(err[0] != '\0');
		return;
	}
	while (argv[n])
		CHECK(strlen(argv[n++]) <= strlen(c->target));
	CHECK(n >= 1);
	free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmsha_config cfg, fresh;
	char err[256];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cmsha_config_init(&cfg);
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		apply_line(&cfg, line);
	}
	for (size_t i = 0; i < cfg.n_components; i++)
		if (cfg.components[i].kind == CMSHA_CHECK_EXEC)
			check_exec_argv(&cfg.components[i]);
	err[0] = '\0';
	if (!cmsha_config_check_complete(&cfg, err, sizeof(err)))
		CHECK(err[0] != '\0');
	else
		CHECK(cfg.role != CMSHA_ROLE_UNSET && cfg.n_aliases > 0 && cfg.peer_args);
	cmsha_config_free(&cfg);
	cmsha_config_init(&fresh);
	CHECK(memcmp(&cfg, &fresh, sizeof(cfg)) == 0);
	free(text);
	return 0;
}
