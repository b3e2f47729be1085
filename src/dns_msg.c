#include "autoconfig.h"
#include "dns_msg.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <string.h>

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return false; } while (0)

/* Seconds of clock difference a TSIG signature tolerates (BIND's default). */
#define TSIG_FUDGE 300

static ldns_rr_type rr_type_of(const struct cmsha_inet *a)
{
	return a->family == AF_INET6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A;
}

/* NAME CLASS TYPE [address]: the RRs of RFC 2136 sections 2.4 and 2.5. */
static ldns_rr *rr_new(const struct cmsha_dns_conf *d, ldns_rr_class c, uint32_t ttl,
		       const struct cmsha_inet *rdata)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *owner = ldns_dname_new_frm_str(d->name);

	if (!rr || !owner) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(owner);
		return NULL;
	}
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_type(rr, rr_type_of(&d->address));
	ldns_rr_set_class(rr, c);
	ldns_rr_set_ttl(rr, ttl);
	if (rdata) {
		ldns_rdf *a = ldns_rdf_new_frm_data(rdata->family == AF_INET6 ?
						    LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A,
						    cmsha_inet_len(rdata), rdata->u.bytes);
		if (!a || !ldns_rr_push_rdf(rr, a)) {
			ldns_rdf_deep_free(a);
			ldns_rr_free(rr);
			return NULL;
		}
	}
	return rr;
}

static bool push(ldns_rr_list *list, ldns_rr *rr)
{
	if (rr && ldns_rr_list_push_rr(list, rr))
		return true;
	ldns_rr_free(rr);
	return false;
}

/* Prerequisite and update sections; false when out of memory. */
static bool fill_sections(const struct cmsha_dns_conf *d, enum cmsha_dns_prereq prereq,
			  const struct cmsha_inet *to, ldns_rr_list *pr, ldns_rr_list *up)
{
	if ((prereq == CMSHA_PREREQ_HOLDS_PEER || prereq == CMSHA_PREREQ_HOLDS_SELF) &&
	    !push(pr, rr_new(d, LDNS_RR_CLASS_IN, 0, prereq == CMSHA_PREREQ_HOLDS_PEER ?
						      &d->peer_address : &d->address)))
		return false;
	if (prereq == CMSHA_PREREQ_ABSENT && !push(pr, rr_new(d, LDNS_RR_CLASS_NONE, 0, NULL)))
		return false;
	return push(up, rr_new(d, LDNS_RR_CLASS_ANY, 0, NULL)) &&
	       (!to || push(up, rr_new(d, LDNS_RR_CLASS_IN, d->ttl, to)));
}

/* Sign, keep the MAC (the reply's signature covers it), and encode. */
static bool finish_request(const struct cmsha_dns_conf *d, ldns_pkt *p, bool sign,
			   struct cmsha_dns_request *req, char *err, size_t errlen)
{
	ldns_status st;

	ldns_pkt_set_id(p, req->id);
	if (sign) {
		st = ldns_pkt_tsig_sign(p, d->key.name, d->key.secret, TSIG_FUDGE,
					d->key.algorithm, NULL);
		if (st != LDNS_STATUS_OK)
			FAIL("cannot sign with key %s: %s", d->key.name, ldns_get_errorstr_by_id(st));
		req->mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(p), 3));
		if (!req->mac)
			FAIL("out of memory");
	}
	st = ldns_pkt2wire(&req->wire, p, &req->len);
	if (st != LDNS_STATUS_OK)
		FAIL("cannot encode the DNS message: %s", ldns_get_errorstr_by_id(st));
	return true;
}

static bool build_change(const struct cmsha_dns_conf *d, enum cmsha_dns_prereq prereq,
			 const struct cmsha_inet *to, uint16_t id, struct cmsha_dns_request *req,
			 char *err, size_t errlen)
{
	ldns_rr_list *pr = ldns_rr_list_new(), *up = ldns_rr_list_new();
	ldns_rdf *zone = ldns_dname_new_frm_str(d->zone);
	ldns_pkt *p = NULL;
	bool ok = false;

	memset(req, 0, sizeof(*req));
	req->id = id;
	if (pr && up && zone && fill_sections(d, prereq, to, pr, up))
		p = ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN, pr, up, NULL);
	if (!p) {
		ldns_rdf_deep_free(zone);
		snprintf(err, errlen, "out of memory");
	} else {
		ok = finish_request(d, p, true, req, err, errlen);
	}
	ldns_rr_list_deep_free(pr);
	ldns_rr_list_deep_free(up);
	ldns_pkt_free(p);
	if (!ok)
		cmsha_dns_request_free(req);
	return ok;
}

bool cmsha_dns_build_update(const struct cmsha_dns_conf *d, enum cmsha_dns_prereq prereq,
			    uint16_t id, struct cmsha_dns_request *req, char *err, size_t errlen)
{
	return build_change(d, prereq, &d->address, id, req, err, errlen);
}

bool cmsha_dns_build_restore(const struct cmsha_dns_conf *d, const struct cmsha_inet *to,
			     uint16_t id, struct cmsha_dns_request *req, char *err, size_t errlen)
{
	return build_change(d, CMSHA_PREREQ_HOLDS_SELF, to, id, req, err, errlen);
}

bool cmsha_dns_build_query(const struct cmsha_dns_conf *d, uint16_t id,
			   struct cmsha_dns_request *req, char *err, size_t errlen)
{
	ldns_rdf *name = ldns_dname_new_frm_str(d->name);
	ldns_pkt *p = name ? ldns_pkt_query_new(name, rr_type_of(&d->address),
						LDNS_RR_CLASS_IN, 0) : NULL;
	bool ok;

	memset(req, 0, sizeof(*req));
	req->id = id;
	if (!p) {
		ldns_rdf_deep_free(name);
		FAIL("out of memory");
	}
	ok = finish_request(d, p, false, req, err, errlen);
	ldns_pkt_free(p);
	if (!ok)
		cmsha_dns_request_free(req);
	return ok;
}

void cmsha_dns_request_free(struct cmsha_dns_request *req)
{
	free(req->wire);
	ldns_rdf_deep_free(req->mac);
	req->wire = NULL;
	req->mac = NULL;
}

/* NAME's addresses of the asked family in the answer section. */
static void collect_addrs(const struct cmsha_dns_conf *d, const ldns_pkt *p,
			  struct cmsha_dns_reply *r)
{
	ldns_rr_list *an = ldns_pkt_answer(p);
	ldns_rdf *name = ldns_dname_new_frm_str(d->name);

	for (size_t i = 0; name && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		ldns_rdf *a = ldns_rr_rdf(rr, 0);
		struct cmsha_inet *out = &r->addrs[r->n_addrs];

		if (r->n_addrs == CMSHA_DNS_MAX_ADDRS || ldns_rr_get_type(rr) !=
		    rr_type_of(&d->address) || ldns_dname_compare(ldns_rr_owner(rr), name) ||
		    !a || ldns_rdf_size(a) != cmsha_inet_len(&d->address))
			continue;
		out->family = d->address.family;
		memcpy(out->u.bytes, ldns_rdf_data(a), ldns_rdf_size(a));
		r->n_addrs++;
	}
	ldns_rdf_deep_free(name);
}

/* A reply to a signed update: its TSIG error, and whether the key signed it. */
static void check_tsig(const struct cmsha_dns_conf *d, const struct cmsha_dns_request *req,
		       ldns_pkt *p, const uint8_t *wire, size_t len, struct cmsha_dns_reply *r)
{
	ldns_rr *tsig = ldns_pkt_tsig(p);

	if (!tsig || !req->mac)
		return;
	if (ldns_rr_rdf(tsig, 5))
		r->tsig_error = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
	r->verified = ldns_pkt_tsig_verify(p, wire, len, d->key.name, d->key.secret, req->mac);
}

bool cmsha_dns_parse_reply(const struct cmsha_dns_conf *d, const struct cmsha_dns_request *req,
			   const uint8_t *wire, size_t len, struct cmsha_dns_reply *reply,
			   char *err, size_t errlen)
{
	ldns_pkt *p = NULL;
	ldns_status st = ldns_wire2pkt(&p, wire, len);

	memset(reply, 0, sizeof(*reply));
	if (st != LDNS_STATUS_OK)
		FAIL("malformed reply: %s", ldns_get_errorstr_by_id(st));
	if (ldns_pkt_id(p) != req->id || !ldns_pkt_qr(p)) {
		unsigned id = ldns_pkt_id(p);
		ldns_pkt_free(p);
		FAIL("not a reply to our message (id %u)", id);
	}
	reply->rcode = ldns_pkt_get_rcode(p);
	check_tsig(d, req, p, wire, len, reply);
	collect_addrs(d, p, reply);
	ldns_pkt_free(p);
	return true;
}

const char *cmsha_dns_rcode_name(int rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
		"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", NULL, NULL, NULL, NULL,
		"BADSIG", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC",
		"BADCOOKIE",
	};
	static _Thread_local char unnamed[16];

	if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]) && names[rcode])
		return names[rcode];
	snprintf(unnamed, sizeof(unnamed), "RCODE%d", rcode);
	return unnamed;
}

void cmsha_dns_reply_outcome(const struct cmsha_dns_reply *r, char *buf, size_t len)
{
	if (r->tsig_error)
		snprintf(buf, len, "%s (TSIG error %s)", cmsha_dns_rcode_name(r->rcode),
			 cmsha_dns_rcode_name(r->tsig_error));
	else
		snprintf(buf, len, "%s", cmsha_dns_rcode_name(r->rcode));
}
