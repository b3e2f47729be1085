/* Splitting a config line into words, with "double quoted" words. */
#ifndef CMSHA_WORDS_H
#define CMSHA_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#define CMSHA_MAX_WORDS 64

struct cmsha_words {
	size_t count;
	char *word[CMSHA_MAX_WORDS];
	char *storage;
};

/* false on an unterminated quote or too many words. */
bool cmsha_words_split(const char *line, struct cmsha_words *w);
void cmsha_words_free(struct cmsha_words *w);

/* Strict unsigned parse of a whole word within [min, max]. */
bool cmsha_parse_uint(const char *word, unsigned min, unsigned max, unsigned *out);

#endif
