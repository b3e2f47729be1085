/* The SNMP session to the peer's agent, from the 'peer' config line. */
#ifndef CMSHA_PEER_SESSION_H
#define CMSHA_PEER_SESSION_H

#include <stdbool.h>
#include <stddef.h>

/* Parse snmpcmd-style arguments ("-v3 -u cmsha ... AGENT"); false with err. */
bool peer_session_parse(const char *args, char *err, size_t errlen);

void peer_session_free(void);

#endif
