/* Shared between the config line parsers; not part of the core's interface. */
#ifndef CMSHA_CONFIG_PRIVATE_H
#define CMSHA_CONFIG_PRIVATE_H

#include "config.h"
#include "words.h"

/*
 * items (n of them, each size bytes) with room for one more, for the line
 * that adds it; NULL with err when the list holds max already ("too many
 * WHAT (at most MAX)") or memory is short.  items stays valid either way.
 */
void *cmsha_config_grow(void *items, size_t n, size_t size, size_t max, const char *what,
			char *err, size_t errlen);

bool cmsha_config_apply_component(struct cmsha_config *cfg, const struct cmsha_words *w,
				  char *err, size_t errlen);

bool cmsha_config_apply_dns(struct cmsha_config *cfg, const struct cmsha_words *w,
			    char *err, size_t errlen);

#endif
