/*
 * Names of enumerated values for logs and messages.  Each table is indexed
 * by the value (CMS-HA-MIB numbers its enumerations from 1, so [0] is "?"):
 * a value past the table's end, or one it leaves NULL, is named "?".
 */
#ifndef CMSHA_ENUM_NAMES_H
#define CMSHA_ENUM_NAMES_H

#include <stddef.h>

static inline const char *cmsha_name_in(const char *const *names, size_t n, unsigned value)
{
	return value < n && names[value] ? names[value] : "?";
}

/* names must be an array (not a pointer): its length is taken from its type. */
#define CMSHA_ENUM_NAME(names, value) \
	cmsha_name_in(names, sizeof(names) / sizeof((names)[0]), (unsigned)(value))

#endif
