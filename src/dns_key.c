/*
 * Reading a tsig-keygen key file.  The grammar is BIND's named.conf, of
 * which only one statement matters here; comments (#, //, C style) and any
 * whitespace are allowed around its words, as BIND allows them.
 */
#include "autoconfig.h"
#include "dns_key.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return false; } while (0)

/* The algorithms ldns signs with, by their named.conf names. */
static const char *const algorithms[] = {
	"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512",
};

static const char *skip_blank(const char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#' || (p[0] == '/' && p[1] == '/'))
			p += strcspn(p, "\n");
		else if (p[0] == '/' && p[1] == '*' && strstr(p + 2, "*/"))
			p = strstr(p + 2, "*/") + 2;
		else
			return p;
	}
}

/* One word: "quoted", or up to a blank, ';', '{' or '}'.  NULL if none. */
static const char *next_word(const char *p, char *out, size_t len)
{
	size_t n;

	p = skip_blank(p);
	if (*p == '"') {
		n = strcspn(p + 1, "\"");
		if (p[1 + n] != '"' || n >= len)
			return NULL;
		memcpy(out, p + 1, n);
		out[n] = '\0';
		return p + n + 2;
	}
	n = strcspn(p, " \t\r\n;{}\"");
	if (n == 0 || n >= len)
		return NULL;
	memcpy(out, p, n);
	out[n] = '\0';
	return p + n;
}

static const char *expect_char(const char *p, char c)
{
	p = skip_blank(p);
	return *p == c ? p + 1 : NULL;
}

static bool set_algorithm(struct cmsha_tsig_key *key, const char *alg, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(algorithms) / sizeof(algorithms[0]); i++)
		if (strcasecmp(alg, algorithms[i]) == 0) {
			snprintf(key->algorithm, sizeof(key->algorithm), "%s.", algorithms[i]);
			return true;
		}
	FAIL("unsupported TSIG algorithm '%s' (hmac-sha256 is tsig-keygen's default)", alg);
}

/* The statements inside key { ... }; p is after the '{'. */
static bool parse_body(const char *p, struct cmsha_tsig_key *key, char *err, size_t errlen)
{
	char word[256], value[256];

	while ((p = skip_blank(p)) && *p != '}') {
		if (!(p = next_word(p, word, sizeof(word))) ||
		    !(p = next_word(p, value, sizeof(value))) || !(p = expect_char(p, ';')))
			FAIL("expected 'algorithm ALG;' and 'secret \"BASE64\";' inside key { }");
		if (strcmp(word, "algorithm") == 0) {
			if (!set_algorithm(key, value, err, errlen))
				return false;
		} else if (strcmp(word, "secret") == 0) {
			snprintf(key->secret, sizeof(key->secret), "%s", value);
		} else {
			FAIL("unknown statement '%s' in key { }", word);
		}
	}
	if (!*p)
		FAIL("key { } is not closed");
	if (!key->algorithm[0] || !key->secret[0])
		FAIL("key \"%s\" lacks its %s", key->name, key->algorithm[0] ? "secret" : "algorithm");
	return true;
}

bool cmsha_tsig_key_parse(const char *text, struct cmsha_tsig_key *key, char *err, size_t errlen)
{
	char word[CMSHA_DNS_NAMELEN];
	const char *p;
	size_t n;

	memset(key, 0, sizeof(*key));
	if (!(p = next_word(text, word, sizeof(word))) || strcmp(word, "key") != 0)
		FAIL("expected 'key \"NAME\" { algorithm ALG; secret \"BASE64\"; };' "
		     "as tsig-keygen writes it");
	if (!(p = next_word(p, word, sizeof(word) - 1)) || !(p = expect_char(p, '{')))
		FAIL("expected a key name and '{' after 'key'");
	n = strlen(word);
	memcpy(key->name, word, n);
	if (word[n - 1] != '.')
		key->name[n++] = '.';
	key->name[n] = '\0';
	return parse_body(p, key, err, errlen);
}

bool cmsha_tsig_key_read(const char *path, struct cmsha_tsig_key *key, char *err, size_t errlen)
{
	char text[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		FAIL("cannot read key file %s: %s", path, strerror(errno));
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	if (!cmsha_tsig_key_parse(text, key, err, errlen)) {
		char why[256];
		snprintf(why, sizeof(why), "%s", err);
		FAIL("key file %s: %s", path, why);
	}
	return true;
}
