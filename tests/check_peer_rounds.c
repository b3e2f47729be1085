/*
 * The probe round driver (src/peer_rounds.c) against a fake env: a fake
 * clock of one-shot timers, and sends that are recorded.  A round sends an
 * echo and a GET at once, ends at the probe timeout, and the next starts an
 * interval later; the verdicts (edges) and cmsHaPeer* follow the answers.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "peer_rounds.h"

#include <check.h>
#include <string.h>

#define MAX_TIMERS 16

struct fake_timer {
	unsigned id, due;
	void (*fn)(void *arg);
	void *arg;
};

static struct {
	unsigned now;                 /* fake ms */
	struct fake_timer timers[MAX_TIMERS];
	unsigned next_id;
	bool refuse_timers, refuse_echo;
	unsigned echoes, gets, last_get_round;
	uint16_t last_seq;
	int edges, last_edge;         /* last_edge: 1 reachable, 0 unreachable */
	char steps[4096];
} fake;

static struct cmsha_peer_rounds r;

static unsigned timer_add(void *ctx, unsigned ms, void (*fn)(void *arg), void *arg)
{
	(void)ctx;
	if (fake.refuse_timers)
		return 0;
	for (int i = 0; i < MAX_TIMERS; i++)
		if (!fake.timers[i].id) {
			fake.timers[i] = (struct fake_timer){ ++fake.next_id, fake.now + ms, fn, arg };
			return fake.timers[i].id;
		}
	ck_abort_msg("too many timers");
	return 0;
}

static void timer_cancel(void *ctx, unsigned id)
{
	(void)ctx;
	for (int i = 0; i < MAX_TIMERS; i++)
		if (fake.timers[i].id == id)
			fake.timers[i].id = 0;
}

static int armed(void)
{
	int n = 0;

	for (int i = 0; i < MAX_TIMERS; i++)
		n += fake.timers[i].id != 0;
	return n;
}

/* Run the timers due up to now + ms, earliest first (then in arming order). */
static void advance(unsigned ms)
{
	unsigned until = fake.now + ms;

	for (;;) {
		struct fake_timer *next = NULL;

		for (int i = 0; i < MAX_TIMERS; i++) {
			struct fake_timer *t = &fake.timers[i];
			if (t->id && t->due <= until &&
			    (!next || t->due < next->due || (t->due == next->due && t->id < next->id)))
				next = t;
		}
		if (!next)
			break;
		fake.now = next->due;
		next->id = 0;
		next->fn(next->arg);
	}
	fake.now = until;
}

static bool send_echo(void *ctx, uint16_t seq)
{
	(void)ctx;
	fake.echoes++;
	fake.last_seq = seq;
	return !fake.refuse_echo;
}

static void send_get(void *ctx, unsigned round)
{
	(void)ctx;
	fake.gets++;
	fake.last_get_round = round;
}

static void on_edge(void *ctx, bool reachable)
{
	(void)ctx;
	fake.edges++;
	fake.last_edge = reachable;
}

static void on_step(void *ctx, const char *what)
{
	(void)ctx;
	strncat(fake.steps, what, sizeof(fake.steps) - strlen(fake.steps) - 2);
	strcat(fake.steps, "\n");
}

static const struct cmsha_peer_rounds_env env = {
	.ctx = NULL, .send_echo = send_echo, .send_get = send_get,
	.timer_add = timer_add, .timer_cancel = timer_cancel,
	.edge = on_edge, .step = on_step,
};

/* Interval 500 ms (so the timeout is 250 ms), 'failures' 3. */
static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.last_edge = -1;
	cmsha_peer_rounds_init(&r, &env, 500, 3);
}

static void teardown(void)
{
	cmsha_peer_rounds_stop(&r);
}

START_TEST(the_timeout_is_half_the_interval_50_ms_to_one_second)
{
	ck_assert_uint_eq(cmsha_peer_probe_timeout_ms(10), 10);     /* never past the interval */
	ck_assert_uint_eq(cmsha_peer_probe_timeout_ms(60), 50);
	ck_assert_uint_eq(cmsha_peer_probe_timeout_ms(100), 50);
	ck_assert_uint_eq(cmsha_peer_probe_timeout_ms(200), 100);
	ck_assert_uint_eq(cmsha_peer_probe_timeout_ms(1000), 500);
	ck_assert_uint_eq(cmsha_peer_probe_timeout_ms(5000), 1000);
	cmsha_peer_rounds_init(&r, &env, 5000, 3);
	ck_assert_uint_eq(r.timeout_ms, 1000);
}
END_TEST

START_TEST(nothing_known_before_the_first_round)
{
	ck_assert(!r.status.reachable);
	ck_assert_int_eq(r.status.oper_state, CMSHA_PEER_OPER_UNKNOWN);
	ck_assert_int_eq(r.status.last_known_oper, CMSHA_PEER_OPER_UNKNOWN);
	ck_assert_uint_eq(fake.echoes + fake.gets, 0);
	ck_assert_int_eq(armed(), 0);
}
END_TEST

START_TEST(the_first_round_goes_out_at_once_then_one_an_interval)
{
	ck_assert(cmsha_peer_rounds_start(&r));
	ck_assert_uint_eq(fake.echoes, 1);
	ck_assert_uint_eq(fake.gets, 1);
	ck_assert_uint_eq(fake.last_get_round, 1);
	ck_assert_int_eq(armed(), 2);                   /* the next round, the deadline */
	advance(499);
	ck_assert_uint_eq(fake.gets, 1);
	advance(1);
	ck_assert_uint_eq(fake.gets, 2);
	ck_assert_uint_eq(fake.last_get_round, 2);
	ck_assert_uint_eq(fake.last_seq, 2);             /* a new echo sequence number */
	advance(5 * 500);
	ck_assert_uint_eq(fake.gets, 7);
	ck_assert_uint_eq(fake.echoes, 7);
	ck_assert_int_eq(armed(), 2);                   /* no timer left behind */
	ck_assert_ptr_nonnull(strstr(fake.steps, "round 7: sending echo 7 and the GET"));
}
END_TEST

START_TEST(unreachable_once_after_failures_silent_rounds)
{
	ck_assert(cmsha_peer_rounds_start(&r));
	advance(2 * 500 + 249);                         /* rounds 1 and 2 ended, 3 waits */
	ck_assert_int_eq(fake.edges, 0);
	advance(1);                                     /* round 3's deadline: half its interval */
	ck_assert_int_eq(fake.edges, 1);
	ck_assert_int_eq(fake.last_edge, 0);
	ck_assert(!r.status.reachable);
	ck_assert_uint_eq(r.status.consecutive_failures, 3);
	advance(3 * 500);                               /* round 6's deadline */
	ck_assert_int_eq(fake.edges, 1);                /* told once */
	ck_assert_uint_eq(r.status.probe_failures, 6);
	ck_assert_ptr_nonnull(strstr(fake.steps, "round 3 ended: no answer\n"
					   "peer unreachable: 3 rounds in a row unanswered"));
}
END_TEST

START_TEST(the_agents_answer_gives_reachable_and_its_state_at_once)
{
	struct timespec before, after;

	ck_assert(cmsha_peer_rounds_start(&r));
	advance(20);
	clock_gettime(CLOCK_REALTIME, &before);
	cmsha_peer_rounds_snmp_answer(&r, 1, 1, 2000000);      /* active(1), 2 s */
	clock_gettime(CLOCK_REALTIME, &after);
	ck_assert_int_eq(fake.edges, 1);
	ck_assert_int_eq(fake.last_edge, 1);
	ck_assert(r.status.reachable);
	ck_assert_int_eq(r.status.oper_state, 1);
	ck_assert_int_eq(r.status.last_known_oper, 1);
	ck_assert_uint_eq(r.status.rtt_us, 2000000);
	ck_assert(r.status.last_seen.tv_sec >= before.tv_sec);
	/* asked when the GET left: rtt before the answer */
	ck_assert(r.status.oper_asked.tv_sec >= before.tv_sec - 2 &&
		  r.status.oper_asked.tv_sec <= after.tv_sec - 1);
	advance(230);                                   /* round 1's deadline: no second edge */
	ck_assert_int_eq(fake.edges, 1);
}
END_TEST

START_TEST(an_echo_alone_is_reachable_with_the_state_unknown)
{
	ck_assert(cmsha_peer_rounds_start(&r));
	cmsha_peer_rounds_echo_reply(&r, (uint16_t)(fake.last_seq + 1));   /* not ours */
	advance(500);
	ck_assert_int_eq(fake.last_edge, -1);
	cmsha_peer_rounds_echo_reply(&r, fake.last_seq);
	ck_assert_int_eq(fake.edges, 0);                /* the verdict waits for the round's end */
	advance(249);
	ck_assert_int_eq(fake.edges, 0);
	advance(1);
	ck_assert_int_eq(fake.edges, 1);
	ck_assert_int_eq(fake.last_edge, 1);
	ck_assert(r.status.reachable);
	ck_assert_int_eq(r.status.oper_state, CMSHA_PEER_OPER_UNKNOWN);
	ck_assert_uint_eq(r.status.probe_failures, 1);  /* round 1 */
}
END_TEST

START_TEST(a_late_answer_tells_the_state_not_reachability)
{
	ck_assert(cmsha_peer_rounds_start(&r));
	advance(500 * 3);                               /* unreachable, round 4 under way */
	ck_assert_int_eq(fake.last_edge, 0);
	cmsha_peer_rounds_snmp_answer(&r, 3, 2, 1400000);
	ck_assert_int_eq(fake.edges, 1);
	ck_assert(!r.status.reachable);
	ck_assert_int_eq(r.status.last_known_oper, 2);
	/* While unreachable the state shown is unknown; the last known one is kept. */
	ck_assert_int_eq(r.status.oper_state, CMSHA_PEER_OPER_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(fake.steps, "round 3: the peer's agent answered (state 2, "
					   "1400000 us), late"));
}
END_TEST

START_TEST(the_state_goes_unknown_when_the_peer_does)
{
	ck_assert(cmsha_peer_rounds_start(&r));
	cmsha_peer_rounds_snmp_answer(&r, 1, 1, 100);
	ck_assert_int_eq(r.status.oper_state, 1);
	advance(500 * 4);
	ck_assert_int_eq(fake.last_edge, 0);
	ck_assert_int_eq(r.status.oper_state, CMSHA_PEER_OPER_UNKNOWN);
	ck_assert_int_eq(r.status.last_known_oper, 1);
}
END_TEST

START_TEST(an_echo_that_cannot_leave_does_not_stop_the_round)
{
	fake.refuse_echo = true;
	ck_assert(cmsha_peer_rounds_start(&r));
	ck_assert_uint_eq(fake.gets, 1);
	cmsha_peer_rounds_snmp_answer(&r, 1, 1, 100);
	ck_assert_int_eq(fake.last_edge, 1);
	ck_assert_ptr_nonnull(strstr(fake.steps, "round 1: the echo did not leave"));
}
END_TEST

START_TEST(stopped_rounds_send_nothing_and_tell_no_edge)
{
	ck_assert(cmsha_peer_rounds_start(&r));
	cmsha_peer_rounds_stop(&r);
	ck_assert_int_eq(armed(), 0);
	advance(10 * 500);
	ck_assert_uint_eq(fake.gets, 1);
	/* A request failed by closing the sessions answers nothing; a late answer tells no edge. */
	cmsha_peer_rounds_snmp_answer(&r, 1, 1, 100);
	ck_assert_int_eq(fake.edges, 0);
}
END_TEST

START_TEST(a_timer_that_cannot_be_armed_fails_the_start)
{
	fake.refuse_timers = true;
	ck_assert(!cmsha_peer_rounds_start(&r));
	ck_assert(!r.running);
	fake.refuse_timers = false;
	ck_assert_int_eq(armed(), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("peer_rounds");
	TCase *tc = tcase_create("driver");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_timeout_is_half_the_interval_50_ms_to_one_second);
	tcase_add_test(tc, nothing_known_before_the_first_round);
	tcase_add_test(tc, the_first_round_goes_out_at_once_then_one_an_interval);
	tcase_add_test(tc, unreachable_once_after_failures_silent_rounds);
	tcase_add_test(tc, the_agents_answer_gives_reachable_and_its_state_at_once);
	tcase_add_test(tc, an_echo_alone_is_reachable_with_the_state_unknown);
	tcase_add_test(tc, a_late_answer_tells_the_state_not_reachability);
	tcase_add_test(tc, the_state_goes_unknown_when_the_peer_does);
	tcase_add_test(tc, an_echo_that_cannot_leave_does_not_stop_the_round);
	tcase_add_test(tc, stopped_rounds_send_nothing_and_tell_no_edge);
	tcase_add_test(tc, a_timer_that_cannot_be_armed_fails_the_start);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
