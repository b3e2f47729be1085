/*
 * check_cmsha - a Nagios/Icinga plugin that checks a cmsha pair as a whole:
 * exactly one server active, each reaching the other and seeing its real
 * state, the expected switch-over mode, a healthy active server and a ready
 * standby.  See check_cmsha(1); the rules are in pair_verdict.c.
 *
 * The SNMP options are net-snmp's: they are handed to netsnmp_parse_args(),
 * once per agent, so they mean exactly what they mean to snmpget.
 */
#include "autoconfig.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pair_query.h"
#include "pair_view.h"

#define USAGE "Usage: check_cmsha [-v 2c -c COMMUNITY | -v 3 -l LEVEL -u USER -a PROTO -A PASS " \
	      "-x PROTO -X PASS] [-t SECONDS] [-M software|manual] AGENT1 AGENT2"

enum { MAX_SNMP_ARGS = 2 * 8 + 8, DEFAULT_TIMEOUT_S = 10 };

struct options {
	char *snmp_argv[MAX_SNMP_ARGS];   /* argv[0], net-snmp's options, room for more */
	int snmp_argc;
	double timeout_s;
	long mode;
	char *agent[2];
};

static void __attribute__((noreturn)) usage_error(const char *why)
{
	printf("CMSHA UNKNOWN - bad arguments: %s\n%s\n", why, USAGE);
	exit(PLUGIN_UNKNOWN);
}

static void print_help(void)
{
	printf("check_cmsha %s - check a cmsha high-availability pair (CMS-HA-MIB)\n\n%s\n\n",
	       PACKAGE_VERSION, USAGE);
	puts("Asks both servers' agents at once and is OK only when exactly one server is\n"
	     "active, each reaches the other and sees the other's real state, the mode is\n"
	     "the expected one, the active server has no required component down and the\n"
	     "standby is ready (no alias held, its required components up).\n\n"
	     "  -v 2c|3        SNMP version (as snmpget)\n"
	     "  -c COMMUNITY   SNMPv2c community\n"
	     "  -l LEVEL       SNMPv3 security level: noAuthNoPriv|authNoPriv|authPriv\n"
	     "  -u USER        SNMPv3 user\n"
	     "  -a PROTO -A PASS   SNMPv3 authentication protocol and passphrase\n"
	     "  -x PROTO -X PASS   SNMPv3 privacy protocol and passphrase\n"
	     "  -t SECONDS     give up after this long, both agents together (default 10)\n"
	     "  -M MODE        expected switch-over mode: software (default) or manual\n"
	     "  -h, --help     this help;  -V, --version  the version\n"
	     "  AGENT1 AGENT2  the two agents, as net-snmp peer names (10.77.0.11,\n"
	     "                 udp:10.77.0.11:161, udp6:[fd77::11])\n\n"
	     "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (an agent did not\n"
	     "answer, or bad arguments).  See check_cmsha(1).");
}

static void add_snmp_arg(struct options *o, int opt, char *value)
{
	static char flags[MAX_SNMP_ARGS][3];

	if (o->snmp_argc + 2 > MAX_SNMP_ARGS - 4)
		usage_error("too many options");
	snprintf(flags[o->snmp_argc], sizeof flags[0], "-%c", opt);
	o->snmp_argv[o->snmp_argc] = flags[o->snmp_argc];
	o->snmp_argc++;
	o->snmp_argv[o->snmp_argc++] = value;
}

static double parse_timeout(const char *s)
{
	char *end;
	double t = strtod(s, &end);

	if (end == s || *end || !(t > 0) || t > 3600)
		usage_error("-t wants a number of seconds (0 < t <= 3600)");
	return t;
}

static long parse_mode(const char *s)
{
	if (!strcmp(s, "software"))
		return MODE_SOFTWARE;
	if (!strcmp(s, "manual"))
		return MODE_MANUAL;
	usage_error("-M wants software or manual");
	return 0;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct options){ .snmp_argc = 1, .timeout_s = DEFAULT_TIMEOUT_S,
			       .mode = MODE_SOFTWARE };
	o->snmp_argv[0] = argv[0];
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":v:c:l:u:a:A:x:X:t:M:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			if (strcmp(optarg, "2c") && strcmp(optarg, "3"))
				usage_error("-v wants 2c or 3");
			/* fall through */
		case 'c': case 'l': case 'u': case 'a': case 'A': case 'x': case 'X':
			add_snmp_arg(o, opt, optarg);
			break;
		case 't': o->timeout_s = parse_timeout(optarg); break;
		case 'M': o->mode = parse_mode(optarg); break;
		case 'h': print_help(); exit(PLUGIN_OK);
		case 'V': printf("check_cmsha (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION); exit(PLUGIN_OK);
		case ':': usage_error("an option is missing its value");
		default: usage_error("unknown option");
		}
	}
	if (argc - optind != 2)
		usage_error("two agents wanted (AGENT1 AGENT2)");
	o->agent[0] = argv[optind];
	o->agent[1] = argv[optind + 1];
}

/* net-snmp reports a bad option on stderr: catch that line for the status
 * line (a monitoring platform shows stdout only). */
static int parse_snmp_args(struct options *o, int i, netsnmp_session *s, char *why, size_t len)
{
	int saved = dup(STDERR_FILENO), rc, n = o->snmp_argc;
	FILE *capture = tmpfile();
	char *nl;

	o->snmp_argv[n] = (char *)"-r";
	o->snmp_argv[n + 1] = (char *)"0";
	o->snmp_argv[n + 2] = o->agent[i];
	o->snmp_argv[n + 3] = NULL;
	fflush(stderr);
	if (capture)
		dup2(fileno(capture), STDERR_FILENO);
	rc = netsnmp_parse_args(n + 3, o->snmp_argv, s, NULL, NULL, NETSNMP_PARSE_ARGS_NOZERO);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	snprintf(why, len, "invalid SNMP options");
	if (capture) {
		rewind(capture);
		if (fgets(why, (int)len, capture) && (nl = strchr(why, '\n')))
			*nl = '\0';
		fclose(capture);
	}
	return rc > 0;
}

static void on_alarm(int sig)
{
	static const char msg[] = "CMSHA UNKNOWN - the check did not finish in time\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0)
		_exit(PLUGIN_UNKNOWN);
	_exit(PLUGIN_UNKNOWN);
}

int main(int argc, char **argv)
{
	struct options o;
	netsnmp_session session[2];
	static struct server_view view[2];
	struct verdict v;
	char why[200], text[VERDICT_TEXT_MAX], perf[VERDICT_TEXT_MAX];
	int i;

	parse_options(argc, argv, &o);
	/* The plugin asks by number; it never needs a MIB file. */
	setenv("MIBS", "", 1);
	for (i = 0; i < 2; i++)
		if (!parse_snmp_args(&o, i, &session[i], why, sizeof why))
			usage_error(why);
	/* A safety net past the deadline, should anything block. */
	signal(SIGALRM, on_alarm);
	alarm((unsigned)o.timeout_s + 2);
	for (i = 0; i < 2; i++)
		view[i].agent = o.agent[i];
	pair_query(session, view, (long)(o.timeout_s * 1e6));
	pair_verdict(view, o.mode, &v);
	verdict_text(view, o.mode, &v, text, sizeof text);
	pair_perfdata(view, perf, sizeof perf);
	printf("CMSHA %s - %s%s%s\n", plugin_status_name(v.status), text, *perf ? " | " : "", perf);
	return v.status;
}
