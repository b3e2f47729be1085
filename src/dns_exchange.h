/*
 * One DNS message and its reply over UDP, without blocking: the socket is
 * watched by the agent's event loop and a timer bounds the wait.
 */
#ifndef CMSHA_DNS_EXCHANGE_H
#define CMSHA_DNS_EXCHANGE_H

#include "dns_msg.h"
#include "event_loop.h"

/* reply is NULL when there was none (timeout, network error): err says why. */
typedef void (*cmsha_dns_done)(void *arg, const struct cmsha_dns_reply *reply, const char *err);

struct cmsha_dns_exchange;

/*
 * Send req (taken over: freed with the exchange) to d's server; done() is
 * called exactly once, from the loop, unless cancelled first.  NULL with
 * err when it could not even be sent.
 */
struct cmsha_dns_exchange *cmsha_dns_exchange_start(const struct cmsha_loop *loop,
						    const struct cmsha_dns_conf *d,
						    struct cmsha_dns_request *req,
						    unsigned timeout_ms, cmsha_dns_done done,
						    void *arg, char *err, size_t errlen);
void cmsha_dns_exchange_cancel(struct cmsha_dns_exchange *x);

/* A fresh random message id. */
uint16_t cmsha_dns_new_id(void);

#endif
