/* TSIG keys as BIND's tsig-keygen (and ddns-confgen) writes them. */
#ifndef CMSHA_DNS_KEY_H
#define CMSHA_DNS_KEY_H

#include <stdbool.h>
#include <stddef.h>

#define CMSHA_DNS_NAMELEN 256

struct cmsha_tsig_key {
	char name[CMSHA_DNS_NAMELEN];      /* fully qualified, with the final dot */
	char algorithm[32];                /* as a DNS name: "hmac-sha256." */
	char secret[256];                  /* base64, as in the file */
};

/*
 * key "NAME" { algorithm ALG; secret "BASE64"; };  -- the first key in text.
 * false with what is wrong in err.
 */
bool cmsha_tsig_key_parse(const char *text, struct cmsha_tsig_key *key, char *err, size_t errlen);

/* The same, from a file (at most 64 KiB). */
bool cmsha_tsig_key_read(const char *path, struct cmsha_tsig_key *key, char *err, size_t errlen);

#endif
