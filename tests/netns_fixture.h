/* A private network namespace per test, with veth links and addresses made through libnl. */
#ifndef CMSHA_NETNS_FIXTURE_H
#define CMSHA_NETNS_FIXTURE_H

#include <stdbool.h>

/*
 * Exit 77 (skip) when not root or namespaces are unavailable, but fail
 * (exit 1) when CI=true: in CI a skipped integration test hides breakage.
 */
void netns_require_or_skip(const char *program);

/* Move the calling (forked test) process into a fresh network namespace. */
void netns_enter_private(void);

/* A veth pair; the peer end is brought up so the first end gets carrier. */
void netns_add_veth(const char *ifname, const char *peer_name);
void netns_set_link_up(const char *ifname, bool up);
void netns_change_address(const char *ifname, const char *prefix_text, bool add);

#endif
