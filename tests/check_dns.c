/* DNS names: key files, UPDATE messages (sections, TTL, TSIG), replies and rcode names. */
#include "autoconfig.h"
#include "check_run.h"
#include "dns_msg.h"

#include <check.h>
#include <ldns/ldns.h>
#include <string.h>

static const char keygen_output[] =
	"key \"cmsha-test\" {\n\talgorithm hmac-sha256;\n"
	"\tsecret \"CkmGxTc0lg1eu8W0p367XiJfDs88PeWPP7uuqE9vwPU=\";\n};\n";

static struct cmsha_dns_conf conf(void)
{
	struct cmsha_dns_conf d = { .name = "www.cms.test.", .zone = "cms.test.", .ttl = 42,
				    .port = 53, .timeout_ms = 500 };
	char err[256];

	ck_assert(cmsha_inet_parse("10.78.0.10", &d.address));
	ck_assert(cmsha_inet_parse("10.77.0.10", &d.peer_address));
	ck_assert(cmsha_inet_parse("10.79.0.53", &d.server));
	ck_assert_msg(cmsha_tsig_key_parse(keygen_output, &d.key, err, sizeof(err)), "%s", err);
	return d;
}

START_TEST(key_as_tsig_keygen_writes_it)
{
	struct cmsha_tsig_key k;
	char err[256];

	ck_assert(cmsha_tsig_key_parse(keygen_output, &k, err, sizeof(err)));
	ck_assert_str_eq(k.name, "cmsha-test.");
	ck_assert_str_eq(k.algorithm, "hmac-sha256.");
	ck_assert_str_eq(k.secret, "CkmGxTc0lg1eu8W0p367XiJfDs88PeWPP7uuqE9vwPU=");
	/* Comments and other spacing, as named.conf allows them. */
	ck_assert(cmsha_tsig_key_parse("# made by hand\nkey k.example. { /* c */ secret \"YQ==\"; "
				       "algorithm HMAC-SHA512; };", &k, err, sizeof(err)));
	ck_assert_str_eq(k.name, "k.example.");
	ck_assert_str_eq(k.algorithm, "hmac-sha512.");
	ck_assert(!cmsha_tsig_key_parse("key \"k\" { algorithm rot13; secret \"YQ==\"; };", &k,
					err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "unsupported TSIG algorithm 'rot13'"));
	ck_assert(!cmsha_tsig_key_parse("key \"k\" { algorithm hmac-sha256; };", &k, err,
					sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "lacks its secret"));
	ck_assert(!cmsha_tsig_key_parse("key \"k\" { algorithm hmac-sha256;", &k, err, sizeof(err)));
	ck_assert(!cmsha_tsig_key_parse("zone \"k\" { };", &k, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "as tsig-keygen writes it"));
}
END_TEST

static ldns_pkt *decode(const struct cmsha_dns_request *req)
{
	ldns_pkt *p = NULL;

	ck_assert_int_eq(ldns_wire2pkt(&p, req->wire, req->len), LDNS_STATUS_OK);
	return p;
}

static void assert_rr(const ldns_rr *rr, ldns_rr_class c, uint32_t ttl, const char *rdata)
{
	char *text;

	ck_assert_ptr_nonnull(rr);
	ck_assert_int_eq(ldns_rr_get_type(rr), LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_rr_get_class(rr), c);
	ck_assert_uint_eq(ldns_rr_ttl(rr), ttl);
	text = ldns_rdf2str(ldns_rr_owner(rr));
	ck_assert_str_eq(text, "www.cms.test.");
	free(text);
	if (!rdata) {
		ck_assert_uint_eq(ldns_rr_rd_count(rr), 0);
		return;
	}
	text = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	ck_assert_str_eq(text, rdata);
	free(text);
}

/* RFC 2136: zone in ZO, prerequisites in PR (answer), updates in UP (authority). */
START_TEST(update_compare_and_swap)
{
	struct cmsha_dns_conf d = conf();
	struct cmsha_dns_request req;
	char err[256], *zone;
	ldns_pkt *p;

	ck_assert(cmsha_dns_build_update(&d, CMSHA_PREREQ_HOLDS_PEER, 4711, &req, err, sizeof(err)));
	p = decode(&req);
	ck_assert_uint_eq(ldns_pkt_id(p), 4711);
	ck_assert_int_eq(ldns_pkt_get_opcode(p), LDNS_PACKET_UPDATE);
	ck_assert_uint_eq(ldns_rr_list_rr_count(ldns_pkt_question(p)), 1);
	zone = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0)));
	ck_assert_str_eq(zone, "cms.test.");
	free(zone);
	ck_assert_int_eq(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(p), 0)),
			 LDNS_RR_TYPE_SOA);
	/* prerequisite: the RRset is exactly { peeraddress } */
	ck_assert_uint_eq(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 1);
	assert_rr(ldns_rr_list_rr(ldns_pkt_answer(p), 0), LDNS_RR_CLASS_IN, 0, "10.77.0.10");
	/* update: delete the RRset, add { address } with the configured TTL */
	ck_assert_uint_eq(ldns_rr_list_rr_count(ldns_pkt_authority(p)), 2);
	assert_rr(ldns_rr_list_rr(ldns_pkt_authority(p), 0), LDNS_RR_CLASS_ANY, 0, NULL);
	assert_rr(ldns_rr_list_rr(ldns_pkt_authority(p), 1), LDNS_RR_CLASS_IN, 42, "10.78.0.10");
	ldns_pkt_free(p);
	cmsha_dns_request_free(&req);

	ck_assert(cmsha_dns_build_update(&d, CMSHA_PREREQ_ABSENT, 1, &req, err, sizeof(err)));
	p = decode(&req);
	ck_assert_uint_eq(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 1);  /* NAME NONE A */
	assert_rr(ldns_rr_list_rr(ldns_pkt_answer(p), 0), LDNS_RR_CLASS_NONE, 0, NULL);
	ldns_pkt_free(p);
	cmsha_dns_request_free(&req);

	ck_assert(cmsha_dns_build_update(&d, CMSHA_PREREQ_NONE, 2, &req, err, sizeof(err)));
	p = decode(&req);                               /* forceTakeover */
	ck_assert_uint_eq(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 0);
	ck_assert_uint_eq(ldns_rr_list_rr_count(ldns_pkt_authority(p)), 2);
	ldns_pkt_free(p);
	cmsha_dns_request_free(&req);
}
END_TEST

/* A rollback: only if the RRset is still { address }, put back what it was. */
START_TEST(restore_puts_back_only_our_own)
{
	struct cmsha_dns_conf d = conf();
	struct cmsha_dns_request req;
	char err[256];
	ldns_pkt *p;

	ck_assert(cmsha_dns_build_restore(&d, &d.peer_address, 3, &req, err, sizeof(err)));
	p = decode(&req);
	ck_assert_uint_eq(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 1);
	assert_rr(ldns_rr_list_rr(ldns_pkt_answer(p), 0), LDNS_RR_CLASS_IN, 0, "10.78.0.10");
	ck_assert_uint_eq(ldns_rr_list_rr_count(ldns_pkt_authority(p)), 2);
	assert_rr(ldns_rr_list_rr(ldns_pkt_authority(p), 1), LDNS_RR_CLASS_IN, 42, "10.77.0.10");
	ck_assert_ptr_nonnull(ldns_pkt_tsig(p));
	ldns_pkt_free(p);
	cmsha_dns_request_free(&req);
	ck_assert(cmsha_dns_build_restore(&d, NULL, 4, &req, err, sizeof(err)));
	p = decode(&req);                               /* it had no address: delete only */
	ck_assert_uint_eq(ldns_rr_list_rr_count(ldns_pkt_authority(p)), 1);
	assert_rr(ldns_rr_list_rr(ldns_pkt_authority(p), 0), LDNS_RR_CLASS_ANY, 0, NULL);
	ldns_pkt_free(p);
	cmsha_dns_request_free(&req);
}
END_TEST

/* The server checks the signature as ldns does here: the right key passes, another fails. */
START_TEST(update_is_tsig_signed)
{
	struct cmsha_dns_conf d = conf();
	struct cmsha_dns_request req;
	char err[256];
	ldns_pkt *p;
	ldns_rdf *no_mac = NULL;

	ck_assert(cmsha_dns_build_update(&d, CMSHA_PREREQ_HOLDS_PEER, 9, &req, err, sizeof(err)));
	p = decode(&req);
	ck_assert_ptr_nonnull(ldns_pkt_tsig(p));
	ck_assert(ldns_pkt_tsig_verify(p, req.wire, req.len, "cmsha-test.",
				       "CkmGxTc0lg1eu8W0p367XiJfDs88PeWPP7uuqE9vwPU=", no_mac));
	ldns_pkt_free(p);
	p = decode(&req);
	ck_assert(!ldns_pkt_tsig_verify(p, req.wire, req.len, "cmsha-test.",
					"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", no_mac));
	ldns_pkt_free(p);
	cmsha_dns_request_free(&req);
}
END_TEST

/* A server's reply to req, signed with secret (NULL: unsigned). */
static void reply_to(const struct cmsha_dns_request *req, ldns_pkt_rcode rcode,
		     const char *secret, const char *answer, uint8_t **wire, size_t *len)
{
	ldns_pkt *q = decode(req), *r = ldns_pkt_new();
	ldns_rr *rr = NULL;

	ldns_pkt_set_id(r, ldns_pkt_id(q));
	ldns_pkt_set_qr(r, true);
	ldns_pkt_set_opcode(r, ldns_pkt_get_opcode(q));
	ldns_pkt_set_rcode(r, rcode);
	if (answer) {
		ck_assert_int_eq(ldns_rr_new_frm_str(&rr, answer, 0, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(r, LDNS_SECTION_ANSWER, rr);
	}
	if (secret)
		ck_assert_int_eq(ldns_pkt_tsig_sign(r, "cmsha-test.", secret, 300, "hmac-sha256.",
						    req->mac), LDNS_STATUS_OK);
	ck_assert_int_eq(ldns_pkt2wire(wire, r, len), LDNS_STATUS_OK);
	ldns_pkt_free(q);
	ldns_pkt_free(r);
}

START_TEST(replies_are_read_and_checked)
{
	struct cmsha_dns_conf d = conf();
	struct cmsha_dns_request req;
	struct cmsha_dns_reply reply;
	char err[256];
	uint8_t *wire;
	size_t len;

	ck_assert(cmsha_dns_build_update(&d, CMSHA_PREREQ_HOLDS_PEER, 7, &req, err, sizeof(err)));
	reply_to(&req, LDNS_RCODE_NOERROR, d.key.secret, NULL, &wire, &len);
	ck_assert(cmsha_dns_parse_reply(&d, &req, wire, len, &reply, err, sizeof(err)));
	ck_assert_int_eq(reply.rcode, 0);
	ck_assert(reply.verified);
	free(wire);
	reply_to(&req, LDNS_RCODE_NOERROR, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL,
		 &wire, &len);
	ck_assert(cmsha_dns_parse_reply(&d, &req, wire, len, &reply, err, sizeof(err)));
	ck_assert(!reply.verified);                     /* a forged "yes" is not trusted */
	free(wire);
	reply_to(&req, LDNS_RCODE_NXRRSET, NULL, NULL, &wire, &len);
	ck_assert(cmsha_dns_parse_reply(&d, &req, wire, len, &reply, err, sizeof(err)));
	ck_assert_str_eq(cmsha_dns_rcode_name(reply.rcode), "NXRRSET");
	wire[0] ^= 1;                                   /* another id: not our reply */
	ck_assert(!cmsha_dns_parse_reply(&d, &req, wire, len, &reply, err, sizeof(err)));
	free(wire);
	cmsha_dns_request_free(&req);

	ck_assert(cmsha_dns_build_query(&d, 8, &req, err, sizeof(err)));
	reply_to(&req, LDNS_RCODE_NOERROR, NULL, "www.cms.test. 42 IN A 10.78.0.10", &wire, &len);
	ck_assert(cmsha_dns_parse_reply(&d, &req, wire, len, &reply, err, sizeof(err)));
	ck_assert_uint_eq(reply.n_addrs, 1);
	ck_assert(cmsha_inet_equal(&reply.addrs[0], &d.address));
	free(wire);
	cmsha_dns_request_free(&req);
}
END_TEST

START_TEST(rcode_names)
{
	struct cmsha_dns_reply r = { .rcode = 9, .tsig_error = CMSHA_DNS_BADSIG };
	char text[64];

	ck_assert_str_eq(cmsha_dns_rcode_name(0), "NOERROR");
	ck_assert_str_eq(cmsha_dns_rcode_name(5), "REFUSED");
	ck_assert_str_eq(cmsha_dns_rcode_name(7), "YXRRSET");
	ck_assert_str_eq(cmsha_dns_rcode_name(9), "NOTAUTH");
	ck_assert_str_eq(cmsha_dns_rcode_name(CMSHA_DNS_BADKEY), "BADKEY");
	ck_assert_str_eq(cmsha_dns_rcode_name(CMSHA_DNS_BADTIME), "BADTIME");
	ck_assert_str_eq(cmsha_dns_rcode_name(12), "RCODE12");
	cmsha_dns_reply_outcome(&r, text, sizeof(text));
	ck_assert_str_eq(text, "NOTAUTH (TSIG error BADSIG)");
	r = (struct cmsha_dns_reply){ .rcode = 5 };
	cmsha_dns_reply_outcome(&r, text, sizeof(text));
	ck_assert_str_eq(text, "REFUSED");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("messages");
	tcase_add_test(tc, key_as_tsig_keygen_writes_it);
	tcase_add_test(tc, update_compare_and_swap);
	tcase_add_test(tc, update_is_tsig_signed);
	tcase_add_test(tc, restore_puts_back_only_our_own);
	tcase_add_test(tc, replies_are_read_and_checked);
	tcase_add_test(tc, rcode_names);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
