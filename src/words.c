#include "autoconfig.h"
#include "words.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copy one word starting at *src into *dst; false on a missing closing quote. */
static bool copy_word(const char **src, char **dst)
{
	const char *s = *src;
	char *d = *dst;
	bool quoted = (*s == '"');

	if (quoted)
		s++;
	while (*s && (quoted ? *s != '"' : !is_space(*s))) {
		if (quoted && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		*d++ = *s++;
	}
	if (quoted && *s++ != '"')
		return false;
	*d++ = '\0';
	*src = s;
	*dst = d;
	return true;
}

bool cmsha_words_split(const char *line, struct cmsha_words *w)
{
	char *d;

	memset(w, 0, sizeof(*w));
	w->storage = d = malloc(strlen(line ? line : "") + 1);
	if (!d)
		return false;
	for (const char *s = line ? line : "";;) {
		while (is_space(*s))
			s++;
		if (!*s)
			return true;
		if (w->count == CMSHA_MAX_WORDS)
			break;
		w->word[w->count++] = d;
		if (!copy_word(&s, &d))
			break;
	}
	cmsha_words_free(w);
	return false;
}

void cmsha_words_free(struct cmsha_words *w)
{
	free(w->storage);
	memset(w, 0, sizeof(*w));
}

bool cmsha_parse_uint(const char *word, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!word || *word < '0' || *word > '9')
		return false;
	errno = 0;
	v = strtoul(word, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}
