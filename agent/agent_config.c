/*
 * cmshad.conf through net-snmp's config handlers: net-snmp finds the file,
 * splits lines and adds "file: line N:" to every error we report with
 * config_perror().  The core checks each line; this file only relays.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "peer_session.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CONFIG_TYPE "cmshad"

/*
 * net-snmp's config handlers take no argument of ours: the reader's state
 * is this one object.
 */
static struct {
	bool reading;                      /* the log is watched */
	netsnmp_log_handler *log_watch;
	/* Where lines go: the running config at start, a scratch one on reload. */
	struct cmsha_config *target;
	bool reloading;
	char first_error[256];             /* of the last read, with file and line */
} reader = { .target = &cmshad.cfg };

static int on_log(int major, int minor, void *server_arg, void *client_arg);
static void watch_log(bool on);

static void reject_line(const char *what)
{
	config_perror(what);
	cmshad.config_failed = true;
}

/*
 * An alias on an interface this host does not have is a typo, not a plan:
 * reject the line (taking back the alias just added) while net-snmp can
 * still name the file and line.
 */
static bool alias_interface_exists(char *err, size_t errlen)
{
	const struct cmsha_alias_conf *a = &reader.target->aliases[reader.target->n_aliases - 1];

	if (if_nametoindex(a->ifname))
		return true;
	snprintf(err, errlen, "interface %s does not exist on this host", a->ifname);
	cmsha_config_drop_last_alias(reader.target);
	return false;
}

static void handle_line(const char *token, char *line)
{
	char err[512];

	/* On reload the running session stays until the reload is applied. */
	if (strcasecmp(token, "peer") == 0 &&
	    !(reader.reloading ? peer_session_check(line, err, sizeof(err))
			: peer_session_parse(line, err, sizeof(err)))) {
		reject_line(err);
		return;
	}
	if (!cmsha_config_apply(reader.target, token, line, err, sizeof(err)) ||
	    (strcasecmp(token, "alias") == 0 && !alias_interface_exists(err, sizeof(err))))
		reject_line(err);
}

static int on_pre_read(int major, int minor, void *server_arg, void *client_arg)
{
	(void)major, (void)minor, (void)server_arg, (void)client_arg;
	watch_log(true);
	return SNMPERR_SUCCESS;
}

static void watch_log(bool on)
{
	reader.reading = on;
	if (on && !reader.log_watch) {
		snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log, NULL);
		reader.log_watch = netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK,
							       LOG_WARNING);
	} else if (!on && reader.log_watch) {
		netsnmp_remove_loghandler(reader.log_watch);
		reader.log_watch = NULL;
		snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log,
					 NULL, 1);
	}
}

/* The log is only watched while the config is read. */
static int on_post_read(int major, int minor, void *server_arg, void *client_arg)
{
	(void)major, (void)minor, (void)server_arg, (void)client_arg;
	watch_log(false);
	return SNMPERR_SUCCESS;
}

bool cmshad_config_read_into(struct cmsha_config *scratch, const char *path)
{
	reader.target = scratch;
	reader.reloading = true;
	reader.first_error[0] = '\0';
	cmshad.config_failed = false;
	watch_log(true);
	read_config_with_type(path, CONFIG_TYPE);
	watch_log(false);
	reader.target = &cmshad.cfg;
	reader.reloading = false;
	return !cmshad.config_failed;
}

/*
 * net-snmp only warns about a token nobody registered.  A misspelt token in
 * an HA configuration must stop start-up, so watch the log while reading.
 */
static int on_log(int major, int minor, void *server_arg, void *client_arg)
{
	const struct snmp_log_message *msg = server_arg;

	(void)major, (void)minor, (void)client_arg;
	if (!reader.reading || !msg || !msg->msg)
		return SNMPERR_SUCCESS;
	if (strstr(msg->msg, "Unknown token"))
		cmshad.config_failed = true;
	if (msg->priority <= LOG_WARNING && !reader.first_error[0]) {
		snprintf(reader.first_error, sizeof(reader.first_error), "%s", msg->msg);
		reader.first_error[strcspn(reader.first_error, "\n")] = '\0';
	}
	return SNMPERR_SUCCESS;
}

const char *cmshad_config_first_error(void)
{
	return reader.first_error;
}

void cmshad_config_register(void)
{
	const char *token;

	for (size_t i = 0; (token = cmsha_config_token_at(i)); i++)
		register_config_handler(CONFIG_TYPE, token, handle_line, NULL, NULL);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_PRE_READ_CONFIG,
			       on_pre_read, NULL);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
			       on_post_read, NULL);
	watch_log(true);
}
