#include "autoconfig.h"
#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NEEDED_CAPS ((1u << CAP_NET_ADMIN) | (1u << CAP_NET_RAW))

/* glibc has no capset wrapper; libcap would be a dependency for two calls. */
static int caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capget, &hdr, data);
}

static int caps_set(uint32_t keep)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = keep;
	return (int)syscall(SYS_capset, &hdr, data);
}

bool privileges_keep_only_needed(char *err, size_t errlen)
{
	struct __user_cap_data_struct data[2];

	if (caps_get(data) != 0) {
		snprintf(err, errlen, "capget: %s", strerror(errno));
		return false;
	}
	if ((data[0].permitted & NEEDED_CAPS) != NEEDED_CAPS) {
		snprintf(err, errlen, "CAP_NET_ADMIN and CAP_NET_RAW are needed (run as root, "
			 "or give them, e.g. systemd's AmbientCapabilities)");
		return false;
	}
	/* Children (component checks) get no capability: no ambient set. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (caps_set(NEEDED_CAPS) != 0) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return false;
	}
	return true;
}

bool privileges_drop_to(const char *user, char *err, size_t errlen)
{
	const struct passwd *pw = getpwnam(user);

	if (!pw) {
		snprintf(err, errlen, "unknown user '%s'", user);
		return false;
	}
	/* Keep the permitted set across setuid; then trim it to what we need. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 || setgroups(0, NULL) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		snprintf(err, errlen, "cannot become %s: %s", user, strerror(errno));
		return false;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return privileges_keep_only_needed(err, errlen);
}
