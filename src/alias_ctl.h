/*
 * Adding and removing alias addresses through rtnetlink (libnl).  Each call
 * waits for the kernel's acknowledgement, so "added" means the kernel has
 * the address: that ACK is the switch-over's netlink confirmation.
 */
#ifndef CMSHA_ALIAS_CTL_H
#define CMSHA_ALIAS_CTL_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>

struct cmsha_alias_ctl;

struct cmsha_alias_ctl *cmsha_alias_ctl_open(char *err, size_t errlen);
void cmsha_alias_ctl_close(struct cmsha_alias_ctl *c);

/* IPv6 aliases are added with IFA_F_NODAD: the probe already did the DAD's job. */
bool cmsha_alias_add(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a,
		     char *err, size_t errlen);

/* Removing an address that is not there succeeds. */
bool cmsha_alias_del(struct cmsha_alias_ctl *c, const struct cmsha_alias_conf *a,
		     char *err, size_t errlen);

#endif
