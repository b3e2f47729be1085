#include "autoconfig.h"
#include "netns_key.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static struct cmsha_netns_key kept;
static bool kept_valid;
static unsigned long reads;

bool cmsha_netns_key(struct cmsha_netns_key *key, char *err, size_t errlen)
{
	struct stat st;

	if (!kept_valid) {
		reads++;
		if (stat("/proc/self/ns/net", &st) != 0) {
			snprintf(err, errlen, "network namespace: %s", strerror(errno));
			return false;
		}
		kept.dev = st.st_dev;
		kept.ino = st.st_ino;
		kept_valid = true;
	}
	*key = kept;
	return true;
}

bool cmsha_netns_key_equal(const struct cmsha_netns_key *a, const struct cmsha_netns_key *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

void cmsha_netns_key_moved(void)
{
	kept_valid = false;
}

unsigned long cmsha_netns_key_reads(void)
{
	return reads;
}
