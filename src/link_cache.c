#include "autoconfig.h"
#include "link_cache.h"
#include "netns_key.h"

#include <errno.h>
#include <net/if_arp.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Interfaces of a few namespaces: a server has a handful, the tests a few more. */
#define LINKS_KEPT 64

struct link_entry {
	bool used;
	struct cmsha_netns_key ns;
	char ifname[IFNAMSIZ];
	int ifindex;
	bool hw_known;                  /* ether and mac are known */
	bool ether;
	uint8_t mac[CMSHA_MAC_LEN];
};

static struct link_entry links[LINKS_KEPT];
static size_t next_victim;
static unsigned long kernel_lookups;

/* This process's network namespace, as the key of its entries. */
static bool current_ns(struct cmsha_netns_key *ns)
{
	char err[128];

	return cmsha_netns_key(ns, err, sizeof(err));
}

static struct link_entry *find(const char *ifname, const struct cmsha_netns_key *ns)
{
	for (size_t i = 0; i < LINKS_KEPT; i++)
		if (links[i].used && cmsha_netns_key_equal(&links[i].ns, ns) &&
		    strncmp(links[i].ifname, ifname, IFNAMSIZ) == 0)
			return &links[i];
	return NULL;
}

/* ifname's entry, a new one (reusing the oldest slot when full), or NULL. */
static struct link_entry *entry_for(const char *ifname, bool create)
{
	struct link_entry *e;
	struct cmsha_netns_key ns;

	if (strlen(ifname) >= IFNAMSIZ || !current_ns(&ns))
		return NULL;
	if ((e = find(ifname, &ns)) || !create)
		return e;
	for (size_t i = 0; i < LINKS_KEPT && !e; i++)
		if (!links[i].used)
			e = &links[i];
	if (!e) {
		e = &links[next_victim];
		next_victim = (next_victim + 1) % LINKS_KEPT;
	}
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->ns = ns;
	strcpy(e->ifname, ifname);
	return e;
}

/* The ioctls work on any socket; the calling thread's namespace is asked. */
static bool lookup_hw(const char *ifname, struct link_entry *e, char *err, size_t errlen)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	bool ok = false;

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return false;
	}
	kernel_lookups++;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		snprintf(err, errlen, "interface %s: %s", ifname, strerror(errno));
	} else {
		e->ifindex = ifr.ifr_ifindex;
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
			snprintf(err, errlen, "interface %s: hardware address: %s", ifname,
				 strerror(errno));
		else
			ok = true;
	}
	close(fd);
	if (ok) {
		e->hw_known = true;
		e->ether = ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
		memcpy(e->mac, ifr.ifr_hwaddr.sa_data, CMSHA_MAC_LEN);
	}
	return ok;
}

bool cmsha_link_hwaddr(const char *ifname, int *ifindex, uint8_t mac[CMSHA_MAC_LEN],
		       char *err, size_t errlen)
{
	struct link_entry *e = entry_for(ifname, true);

	if (!e) {
		snprintf(err, errlen, "interface name '%s' is too long", ifname);
		return false;
	}
	if (!e->hw_known && !lookup_hw(ifname, e, err, errlen)) {
		e->used = false;        /* not there now: ask again next time */
		return false;
	}
	if (!e->ether) {
		snprintf(err, errlen, "interface %s is not Ethernet", ifname);
		return false;
	}
	*ifindex = e->ifindex;
	memcpy(mac, e->mac, CMSHA_MAC_LEN);
	return true;
}

unsigned cmsha_link_index(const char *ifname)
{
	struct link_entry *e = entry_for(ifname, true);

	if (!e)
		return 0;
	if (!e->ifindex) {
		kernel_lookups++;
		e->ifindex = (int)if_nametoindex(ifname);
		if (!e->ifindex)
			e->used = false;
	}
	return (unsigned)e->ifindex;
}

void cmsha_link_cache_set(const char *ifname, int ifindex, const uint8_t *mac)
{
	struct link_entry *e = entry_for(ifname, true);

	if (!e)
		return;
	e->ifindex = ifindex;
	e->hw_known = true;
	e->ether = mac != NULL;
	if (mac)
		memcpy(e->mac, mac, CMSHA_MAC_LEN);
}

void cmsha_link_cache_clear(void)
{
	struct cmsha_netns_key ns;

	if (!current_ns(&ns))
		return;
	for (size_t i = 0; i < LINKS_KEPT; i++)
		if (cmsha_netns_key_equal(&links[i].ns, &ns))
			links[i].used = false;
}

unsigned long cmsha_link_cache_lookups(void)
{
	return kernel_lookups;
}
