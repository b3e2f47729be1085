/*
 * The calling process's network namespace, as a key for what is kept per
 * namespace (the link cache, the packet taps).
 *
 * Read once (a stat of /proc/self/ns/net: 2 to 90 us on a VM, the first
 * after a pause the slowest as nsfs rebuilds the dentry) and kept: cmshad
 * never changes namespace, and the links and taps are looked up several
 * times on a switch-over's critical path.  Whoever moves the process into
 * another namespace (unshare, setns: the tests' fixtures) calls
 * cmsha_netns_key_moved() right after, or the entries of the namespace it
 * left would be taken for this one's.  Not thread-safe: the event loop's
 * thread only, as its users.
 */
#ifndef CMSHA_NETNS_KEY_H
#define CMSHA_NETNS_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cmsha_netns_key {
	dev_t dev;
	ino_t ino;
};

/* This namespace's key; false with err if /proc cannot say. */
bool cmsha_netns_key(struct cmsha_netns_key *key, char *err, size_t errlen);
bool cmsha_netns_key_equal(const struct cmsha_netns_key *a, const struct cmsha_netns_key *b);
/* The process has entered another namespace: read the key again next time. */
void cmsha_netns_key_moved(void);
/* Times the key was read from /proc, for the tests. */
unsigned long cmsha_netns_key_reads(void);

#endif
