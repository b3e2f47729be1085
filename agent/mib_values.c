#include "autoconfig.h"
#include "mib_values.h"

#include <string.h>

void mib_set_integer(netsnmp_variable_list *var, long value)
{
	snmp_set_var_typed_value(var, ASN_INTEGER, &value, sizeof(value));
}

void mib_set_unsigned(netsnmp_variable_list *var, u_char type, unsigned long value)
{
	snmp_set_var_typed_value(var, type, &value, sizeof(value));
}

void mib_set_octets(netsnmp_variable_list *var, const void *bytes, size_t len)
{
	snmp_set_var_typed_value(var, ASN_OCTET_STR, bytes, len);
}

void mib_set_string(netsnmp_variable_list *var, const char *text)
{
	mib_set_octets(var, text, strlen(text));
}

size_t mib_date_and_time(const struct timespec *when, u_char out[11])
{
	struct tm tm;
	time_t secs = when->tv_sec;
	long offset_min;

	memset(out, 0, 11);
	if (when->tv_sec == 0 && when->tv_nsec == 0)
		return 8;
	localtime_r(&secs, &tm);
	out[0] = (u_char)((tm.tm_year + 1900) >> 8);
	out[1] = (u_char)((tm.tm_year + 1900) & 0xff);
	out[2] = (u_char)(tm.tm_mon + 1);
	out[3] = (u_char)tm.tm_mday;
	out[4] = (u_char)tm.tm_hour;
	out[5] = (u_char)tm.tm_min;
	out[6] = (u_char)tm.tm_sec;
	out[7] = (u_char)(when->tv_nsec / 100000000);
	offset_min = tm.tm_gmtoff / 60;
	out[8] = offset_min < 0 ? '-' : '+';
	if (offset_min < 0)
		offset_min = -offset_min;
	out[9] = (u_char)(offset_min / 60);
	out[10] = (u_char)(offset_min % 60);
	return 11;
}

bool mib_date_and_time_to_ds(const u_char *b, size_t len, int64_t *ds)
{
	struct tm tm = { 0 };
	long offset_s;
	time_t t;

	if (len != 11 || (b[8] != '+' && b[8] != '-') || b[2] < 1 || b[2] > 12 || b[3] < 1 ||
	    b[3] > 31 || b[4] > 23 || b[5] > 59 || b[6] > 60 || b[7] > 9 || b[9] > 13 || b[10] > 59)
		return false;
	tm.tm_year = ((b[0] << 8) | b[1]) - 1900;
	tm.tm_mon = b[2] - 1;
	tm.tm_mday = b[3];
	tm.tm_hour = b[4];
	tm.tm_min = b[5];
	tm.tm_sec = b[6];
	t = timegm(&tm);                    /* the local wall time, as if it were UTC */
	offset_s = (b[9] * 60L + b[10]) * 60L;
	t -= b[8] == '+' ? offset_s : -offset_s;
	*ds = (int64_t)t * 10 + b[7];
	return true;
}

void mib_set_date_and_time(netsnmp_variable_list *var, const struct timespec *when)
{
	u_char buf[11];
	size_t len = mib_date_and_time(when, buf);

	mib_set_octets(var, buf, len);
}

long mib_inet_address_type(const struct cmsha_inet *a)
{
	return a->family == AF_INET ? INET_ADDRESS_TYPE_IPV4 :
	       a->family == AF_INET6 ? INET_ADDRESS_TYPE_IPV6 : INET_ADDRESS_TYPE_UNKNOWN;
}

void mib_set_inet_address(netsnmp_variable_list *var, const struct cmsha_inet *a)
{
	mib_set_octets(var, a->u.bytes, cmsha_inet_len(a));
}

void mib_set_inet_text(netsnmp_variable_list *var, const struct cmsha_inet *a)
{
	char text[CMSHA_INET_STRLEN];

	mib_set_string(var, cmsha_inet_ntop(a, text, sizeof(text)));
}
