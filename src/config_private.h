/* Shared between the config line parsers; not part of the core's interface. */
#ifndef CMSHA_CONFIG_PRIVATE_H
#define CMSHA_CONFIG_PRIVATE_H

#include "config.h"
#include "words.h"

bool cmsha_config_apply_component(struct cmsha_config *cfg, const struct cmsha_words *w,
				  char *err, size_t errlen);

bool cmsha_config_apply_dns(struct cmsha_config *cfg, const struct cmsha_words *w,
			    char *err, size_t errlen);

#endif
