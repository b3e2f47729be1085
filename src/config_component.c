/* 'component NAME required|optional CHECK' lines. */
#include "autoconfig.h"
#include "config_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return false; } while (0)

#define COMPONENT_USAGE \
	"expected 'component NAME required|optional CHECK' with CHECK one of " \
	"'tcp HOST:PORT', 'pidfile PATH', 'exec \"COMMAND\" [timeout MS]'"

#define CMSHA_DEFAULT_EXEC_TIMEOUT_MS 5000

static bool valid_tcp_target(const char *target)
{
	const char *colon = strrchr(target, ':');
	unsigned port;

	return colon && colon != target && cmsha_parse_uint(colon + 1, 1, 65535, &port);
}

static bool parse_check(const struct cmsha_words *w, struct cmsha_component_conf *c,
			char *err, size_t errlen)
{
	const char *kind = w->word[2];
	size_t n = w->count;

	c->timeout_ms = CMSHA_DEFAULT_EXEC_TIMEOUT_MS;
	if (strcmp(kind, "tcp") == 0 && n == 4) {
		if (!valid_tcp_target(w->word[3]))
			FAIL("tcp check needs HOST:PORT with a port from 1 to 65535, got '%s'",
			     w->word[3]);
		c->kind = CMSHA_CHECK_TCP;
	} else if (strcmp(kind, "pidfile") == 0 && n == 4) {
		if (w->word[3][0] != '/')
			FAIL("pidfile path '%s' must be absolute", w->word[3]);
		c->kind = CMSHA_CHECK_PIDFILE;
	} else if (strcmp(kind, "exec") == 0 && (n == 4 || n == 6)) {
		if (!w->word[3][0])
			FAIL("exec check needs a command");
		if (n == 6 && (strcmp(w->word[4], "timeout") != 0 ||
			       !cmsha_parse_uint(w->word[5], 1, 600000, &c->timeout_ms)))
			FAIL("exec check: expected 'timeout MS' with MS from 1 to 600000");
		c->kind = CMSHA_CHECK_EXEC;
	} else {
		FAIL(COMPONENT_USAGE);
	}
	return true;
}

static bool component_name_taken(const struct cmsha_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_components; i++)
		if (strcmp(cfg->components[i].name, name) == 0)
			return true;
	return false;
}

static bool parse_component(const struct cmsha_config *cfg, const struct cmsha_words *w,
			    struct cmsha_component_conf *c, char *err, size_t errlen)
{
	if (w->count < 4)
		FAIL(COMPONENT_USAGE);
	if (!w->word[0][0])
		FAIL("component name is empty");
	if (strlen(w->word[0]) > CMSHA_COMPONENT_NAMELEN)
		FAIL("component name '%s' is longer than %d characters", w->word[0],
		     CMSHA_COMPONENT_NAMELEN);
	if (component_name_taken(cfg, w->word[0]))
		FAIL("duplicate component '%s'", w->word[0]);
	strcpy(c->name, w->word[0]);
	if (strcmp(w->word[1], "required") == 0)
		c->required = true;
	else if (strcmp(w->word[1], "optional") != 0)
		FAIL("component '%s': expected required or optional, got '%s'", c->name, w->word[1]);
	return parse_check(w, c, err, errlen);
}

bool cmsha_config_apply_component(struct cmsha_config *cfg, const struct cmsha_words *w,
				  char *err, size_t errlen)
{
	struct cmsha_component_conf c = { 0 };
	struct cmsha_component_conf *grown;

	if (!parse_component(cfg, w, &c, err, errlen))
		return false;
	grown = cmsha_config_grow(cfg->components, cfg->n_components, sizeof(*grown),
				  CMSHA_MAX_COMPONENTS, "components", err, errlen);
	if (!grown)
		return false;
	cfg->components = grown;
	if (!(c.target = strdup(w->word[3])))
		FAIL("out of memory");
	cfg->components[cfg->n_components++] = c;
	return true;
}
