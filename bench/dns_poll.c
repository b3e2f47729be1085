/*
 * bench/dns_poll SERVER NAME INTERVAL_MS: a client that asks SERVER for
 * NAME's A record every INTERVAL_MS until killed, as a resolver-less client
 * polling a name would.  The replies are read and dropped: bench/dns.sh
 * times them on the wire (tcpdump), not here.
 */
#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int connect_udp(const char *server)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd < 0 || inet_pton(AF_INET, server, &sin.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("dns_poll: socket");
		exit(1);
	}
	return fd;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	uint8_t *wire, buf[4096];
	size_t len;
	ldns_pkt *q;
	int fd;
	double next;

	if (argc != 4) {
		fprintf(stderr, "usage: dns_poll SERVER NAME INTERVAL_MS\n");
		return 2;
	}
	fd = connect_udp(argv[1]);
	q = ldns_pkt_query_new(ldns_dname_new_frm_str(argv[2]), LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0);
	if (!q || ldns_pkt2wire(&wire, q, &len) != LDNS_STATUS_OK)
		return 1;
	next = now_ms();
	for (uint16_t id = 1;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		double left = next - now_ms();

		if (left <= 0) {
			wire[0] = (uint8_t)(id >> 8), wire[1] = (uint8_t)id++;
			(void)send(fd, wire, len, 0);
			next += atof(argv[3]);
			continue;
		}
		if (poll(&p, 1, (int)left + 1) > 0)
			while (recv(fd, buf, sizeof(buf), 0) > 0)
				;
	}
}
