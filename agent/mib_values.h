/* Encoding core values into SNMP varbinds (DateAndTime, InetAddress, ...). */
#ifndef CMSHA_MIB_VALUES_H
#define CMSHA_MIB_VALUES_H

#include "inet.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* InetAddressType values (INET-ADDRESS-MIB). */
#define INET_ADDRESS_TYPE_UNKNOWN 0
#define INET_ADDRESS_TYPE_IPV4    1
#define INET_ADDRESS_TYPE_IPV6    2

/* TruthValue (SNMPv2-TC). */
#define TRUTH_TRUE  1
#define TRUTH_FALSE 2

void mib_set_integer(netsnmp_variable_list *var, long value);
void mib_set_unsigned(netsnmp_variable_list *var, u_char type, unsigned long value);
void mib_set_string(netsnmp_variable_list *var, const char *text);
void mib_set_octets(netsnmp_variable_list *var, const void *bytes, size_t len);

/* DateAndTime of a realtime timestamp, local time with UTC offset;
 * a zero timestamp gives the 8 zero octets the MIB uses for "never". */
void mib_set_date_and_time(netsnmp_variable_list *var, const struct timespec *when);
size_t mib_date_and_time(const struct timespec *when, u_char out[11]);
/*
 * An 11-octet DateAndTime as tenths of a second since 1970 (UTC); false
 * when it is not one (the 8 zero octets of "never" included).
 */
bool mib_date_and_time_to_ds(const u_char *octets, size_t len, int64_t *ds);

long mib_inet_address_type(const struct cmsha_inet *a);
void mib_set_inet_address(netsnmp_variable_list *var, const struct cmsha_inet *a);
/* The address as text (10.77.0.10, fd77::10): cmsHaAliasAddressText. */
void mib_set_inet_text(netsnmp_variable_list *var, const struct cmsha_inet *a);

#endif
