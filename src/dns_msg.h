/*
 * DNS messages for moving a service name (RFC 2136 UPDATE, RFC 8945 TSIG)
 * and for checking where it points (a plain query), built and read with
 * ldns.  No I/O here: see dns_exchange.h for sending them.
 */
#ifndef CMSHA_DNS_MSG_H
#define CMSHA_DNS_MSG_H

#include "config.h"

#include <stdint.h>

/* What an update requires of NAME's A/AAAA RRset before it replaces it. */
enum cmsha_dns_prereq {
	CMSHA_PREREQ_NONE,         /* forceTakeover: replace whatever is there */
	CMSHA_PREREQ_HOLDS_PEER,   /* the RRset is exactly { peeraddress } */
	CMSHA_PREREQ_ABSENT,       /* NAME has no RRset of that type */
	CMSHA_PREREQ_HOLDS_SELF,   /* the RRset is exactly { address }: a rollback's */
};

struct cmsha_dns_request {
	uint8_t *wire;
	size_t len;
	uint16_t id;
	void *mac;                 /* the request's TSIG MAC (ldns_rdf), to check the reply */
};

/* Replace NAME's RRset by { address } with the ttl, signed with the key. */
bool cmsha_dns_build_update(const struct cmsha_dns_conf *d, enum cmsha_dns_prereq prereq,
			    uint16_t id, struct cmsha_dns_request *req, char *err, size_t errlen);
/*
 * Undo a move: if the RRset is still exactly { address }, put back { to }
 * (NULL: no address) with the ttl.  Signed like an update.
 */
bool cmsha_dns_build_restore(const struct cmsha_dns_conf *d, const struct cmsha_inet *to,
			     uint16_t id, struct cmsha_dns_request *req, char *err, size_t errlen);
/* Ask for NAME's A or AAAA (the family of address), unsigned. */
bool cmsha_dns_build_query(const struct cmsha_dns_conf *d, uint16_t id,
			   struct cmsha_dns_request *req, char *err, size_t errlen);
void cmsha_dns_request_free(struct cmsha_dns_request *req);

#define CMSHA_DNS_MAX_ADDRS 8
/* DNS rcodes and, past 15, the TSIG errors (RFC 8945), as one number space. */
#define CMSHA_DNS_BADSIG  16
#define CMSHA_DNS_BADKEY  17
#define CMSHA_DNS_BADTIME 18

struct cmsha_dns_reply {
	int rcode;                 /* the header's rcode */
	int tsig_error;            /* 0, or BADSIG/BADKEY/BADTIME... from the reply's TSIG */
	bool verified;             /* its TSIG checked with the key (updates only) */
	size_t n_addrs;            /* a query's answer: NAME's addresses */
	struct cmsha_inet addrs[CMSHA_DNS_MAX_ADDRS];
};

/* Parse a reply to req: same id, a response; false with why in err if not. */
bool cmsha_dns_parse_reply(const struct cmsha_dns_conf *d, const struct cmsha_dns_request *req,
			   const uint8_t *wire, size_t len, struct cmsha_dns_reply *reply,
			   char *err, size_t errlen);

/* "NOERROR", "REFUSED", "BADSIG", ... ; "RCODE42" for one without a name. */
const char *cmsha_dns_rcode_name(int rcode);

/* The outcome as the reason says it: "NOTAUTH (TSIG error BADSIG)". */
void cmsha_dns_reply_outcome(const struct cmsha_dns_reply *r, char *buf, size_t len);

#endif
