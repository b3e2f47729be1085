/*
 * SIGHUP: read the configuration file again.  A file with an error is
 * rejected (file:line in the log) and the running configuration stays; a
 * file that changes what only a restart can apply is refused the same way;
 * otherwise the timings that are read at each use take effect at once.
 */
#include "autoconfig.h"
#include "cmshad.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

void cmshad_config_reload(const char *path)
{
	struct cmsha_config fresh;
	char err[512];

	if (!path) {
		snmp_log(LOG_WARNING, "SIGHUP: reload needs the configuration file named "
			 "with -c; the running configuration stays\n");
		return;
	}
	cmsha_config_init(&fresh);
	if (!cmshad_config_read_into(&fresh, path) ||
	    !cmsha_config_check_complete(&fresh, err, sizeof(err))) {
		if (!cmshad.config_failed)
			snmp_log(LOG_ERR, "%s: %s\n", path, err);
		snmp_log(LOG_ERR, "SIGHUP: %s rejected (errors above); the running "
			 "configuration stays\n", path);
	} else if (cmsha_config_needs_restart(&cmshad.cfg, &fresh, err, sizeof(err))) {
		snmp_log(LOG_WARNING, "SIGHUP: %s changes %s: that needs a restart; the "
			 "running configuration stays\n", path, err);
	} else {
		cmsha_config_update_live(&cmshad.cfg, &fresh);
		snmp_log(LOG_NOTICE, "SIGHUP: %s reloaded (announce, preflight, forceprobe, "
			 "release and autofailover settings apply from now on)\n", path);
	}
	cmshad.config_failed = false;
	cmsha_config_free(&fresh);
}
