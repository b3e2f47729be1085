#include "autoconfig.h"
#include "peer_session.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PEER_ARGS 64

/* Filled by snmp_parse_args, as snmpd's trapsess does; opened later. */
static netsnmp_session peer_template;
static bool peer_parsed;

static int split_args(const char *args, char **argv, int max)
{
	char word[SPRINT_MAX_LEN];
	const char *cp = args;
	int argc = 0;

	argv[argc++] = strdup("peer");
	while (cp && *cp && argc < max - 1) {
		cp = copy_nword((char *)cp, word, sizeof(word));
		argv[argc++] = strdup(word);
	}
	argv[argc] = NULL;
	return argc;
}

bool peer_session_parse(const char *args, char *err, size_t errlen)
{
	char *argv[MAX_PEER_ARGS + 1];
	int argc = split_args(args, argv, MAX_PEER_ARGS);
	int rc;

	if (peer_parsed) {
		snprintf(err, errlen, "peer is already set");
		rc = -1;
	} else {
		snmp_sess_init(&peer_template);
		rc = netsnmp_parse_args(argc, argv, &peer_template, NULL, NULL,
					NETSNMP_PARSE_ARGS_NOLOGGING | NETSNMP_PARSE_ARGS_NOZERO);
		if (rc < 0)
			snprintf(err, errlen, "bad peer arguments '%s': expected snmpcmd "
				 "options then the agent, e.g. 'peer -v3 -u cmsha -l authPriv "
				 "-a SHA-256 -A PASS -x AES -X PASS 10.77.0.12'", args);
		else if (rc != argc) {
			snprintf(err, errlen, "peer: unexpected '%s' after the agent address",
				 argv[rc]);
			rc = -1;
		}
	}
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	peer_parsed = peer_parsed || rc >= 0;
	return rc >= 0;
}

void peer_session_free(void)
{
	if (!peer_parsed)
		return;
	free(peer_template.peername);
	free(peer_template.community);
	free(peer_template.securityName);
	free(peer_template.contextName);
	free(peer_template.securityAuthProto);
	free(peer_template.securityPrivProto);
	memset(&peer_template, 0, sizeof(peer_template));
	peer_parsed = false;
}
