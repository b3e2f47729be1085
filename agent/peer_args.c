/*
 * The 'peer' line's words, parsed by net-snmp's snmpcmd argument parser
 * into the template the peer's sessions are opened from.
 */
#include "autoconfig.h"
#include "peer_private.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int split_args(const char *args, char **argv, int max)
{
	char word[SPRINT_MAX_LEN];
	const char *cp = args;
	int argc = 0;

	argv[argc++] = strdup("peer");
	while (argv[argc - 1] && cp && *cp && argc < max - 1) {
		cp = copy_nword((char *)cp, word, sizeof(word));
		argv[argc++] = strdup(word);
	}
	argv[argc] = NULL;
	return argc;
}

static void free_words(char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
}

/* Out of memory in split_args: a word is missing. */
static bool words_complete(char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (!argv[i])
			return false;
	return true;
}

/* Is option -opt (or -3opt) among the words, with its value attached or not? */
static bool has_option(char **argv, int argc, char opt)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && (argv[i][1] == opt || (argv[i][1] == '3' && argv[i][2] == opt)))
			return true;
	return false;
}

/*
 * snmp_parse_args points the protocol OIDs given with -a and -x at
 * net-snmp's own static tables, and allocates the defaults it fills in
 * otherwise: make them all ours, so that peer_args_free can free them.
 */
static void own_protocol_oids(netsnmp_session *t, char **argv, int argc)
{
	if (t->securityAuthProto && has_option(argv, argc, 'a'))
		t->securityAuthProto = snmp_duplicate_objid(t->securityAuthProto,
							    t->securityAuthProtoLen);
	if (t->securityPrivProto && has_option(argv, argc, 'x'))
		t->securityPrivProto = snmp_duplicate_objid(t->securityPrivProto,
							    t->securityPrivProtoLen);
}

bool peer_args_parse(struct peer_args *a, const char *args, char *err, size_t errlen)
{
	netsnmp_session *t = &a->template;
	char *argv[MAX_PEER_ARGS + 1];
	int argc, rc;

	if (a->parsed) {
		snprintf(err, errlen, "peer is already set");
		return false;
	}
	err[0] = '\0';
	argc = split_args(args, argv, MAX_PEER_ARGS);
	if (!words_complete(argv, argc)) {
		free_words(argv, argc);
		snprintf(err, errlen, "peer: out of memory");
		return false;
	}
	snmp_sess_init(t);
	rc = netsnmp_parse_args(argc, argv, t, NULL, NULL,
				NETSNMP_PARSE_ARGS_NOLOGGING | NETSNMP_PARSE_ARGS_NOZERO);
	if (rc < 0)
		snprintf(err, errlen, "bad peer arguments '%s': expected snmpcmd options then "
			 "the agent, e.g. 'peer -v3 -u cmsha -l authPriv -a SHA-256 -A PASS "
			 "-x AES -X PASS 10.77.0.12'", args);
	else if (rc != argc)
		snprintf(err, errlen, "peer: unexpected '%s' after the agent address", argv[rc]);
	else if (t->timeout != SNMP_DEFAULT_TIMEOUT || t->retries != SNMP_DEFAULT_RETRIES)
		snprintf(err, errlen, "peer: -t and -r are not used: a probe waits half the 'probe "
			 "interval' (50 ms to 1 s), 'failures' rounds decide, a command waits "
			 "'release timeout'; nothing is retried");
	if (err[0]) {                  /* each branch above says what was wrong */
		free_words(argv, argc);
		return false;
	}
	own_protocol_oids(t, argv, argc);
	memcpy(a->argv, argv, sizeof(argv));
	a->argc = argc;
	a->parsed = true;
	return true;
}

/*
 * The words are ours; of what the template points to, snmp_parse_args
 * allocated the community it copied from -c and the protocol OIDs.
 */
void peer_args_free(struct peer_args *a)
{
	if (a->parsed && a->template.community != (u_char *)netsnmp_ds_get_string(
				 NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_COMMUNITY))
		free(a->template.community);
	if (a->parsed) {
		free(a->template.securityAuthProto);
		free(a->template.securityPrivProto);
	}
	free_words(a->argv, a->argc);
	*a = (struct peer_args){ .parsed = false };
}
