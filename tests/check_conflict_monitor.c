/*
 * The conflict monitor's rules (src/conflict_monitor.c) without a kernel:
 * fakes stand for the event loop (timers on a virtual clock), the watch,
 * the recheck probe and the HA refresh; the test plays the kernel glue
 * (alias state changes) and the switch-over engine (commands' ends).
 * The real watch and probe are tested against a kernel in check_conflict.c
 * and check_probe.c.
 */
#include "autoconfig.h"
#include "check_run.h"
#include "conflict_monitor.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#define N_ALIASES 3

/* The fakes' objects: the monitor only keeps pointers to them. */
struct cmsha_conflict_watch {
	bool watched[N_ALIASES];
	cmsha_conflict_cb cb;
	void *arg;
};
struct cmsha_probe {
	size_t n, alias[N_ALIASES];    /* target -> configured alias */
};

static struct cmsha_alias_conf alias_conf[N_ALIASES];
static struct cmsha_config cfg;
static struct cmsha_ha ha;
static struct cmsha_conflict_monitor *m;
static char err[256];

static const uint8_t rival[CMSHA_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0x77 };
static const uint8_t another[CMSHA_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0x78 };

/* --- the event loop: one-shot timers on a virtual clock -------------------- */

static struct { long due; cmsha_callback fn; void *arg; bool armed; } timers[256];
static unsigned n_timers;
static long now_ms;
static bool timers_fail;

static unsigned fake_timer_add(void *ctx, unsigned ms, cmsha_callback fn, void *arg)
{
	ck_assert_ptr_eq(ctx, &timers);
	if (timers_fail)
		return 0;
	ck_assert_uint_lt(n_timers, sizeof(timers) / sizeof(timers[0]));
	timers[n_timers].due = now_ms + ms;
	timers[n_timers].fn = fn;
	timers[n_timers].arg = arg;
	timers[n_timers].armed = true;
	return ++n_timers;
}

static void fake_timer_cancel(void *ctx, unsigned id)
{
	ck_assert_ptr_eq(ctx, &timers);
	ck_assert_uint_ge(id, 1);
	ck_assert_msg(timers[id - 1].armed, "timer %u cancelled when it is not armed", id);
	timers[id - 1].armed = false;
}

static unsigned armed_timers(void)
{
	unsigned n = 0;

	for (unsigned t = 0; t < n_timers; t++)
		n += timers[t].armed;
	return n;
}

/* Let ms pass: fire each timer due by then, in the order they are due. */
static void advance(long ms)
{
	long until = now_ms + ms;

	for (;;) {
		int next = -1;

		for (unsigned t = 0; t < n_timers; t++)
			if (timers[t].armed && timers[t].due <= until &&
			    (next < 0 || timers[t].due < timers[next].due))
				next = (int)t;
		if (next < 0)
			break;
		now_ms = timers[next].due;
		timers[next].armed = false;
		timers[next].fn(timers[next].arg);
	}
	now_ms = until;
}

/* --- the watch and the probe ------------------------------------------------- */

static struct cmsha_conflict_watch watch_obj;
static bool watch_is_open, watch_fails;
static unsigned watch_opens, watch_open_tries, watch_closes;

static struct cmsha_conflict_watch *fake_watch_open(const bool *watched, cmsha_conflict_cb cb,
						    void *arg, char *e, size_t elen)
{
	watch_open_tries++;
	if (watch_fails) {
		snprintf(e, elen, "eth1: No such device");
		return NULL;
	}
	ck_assert_msg(!watch_is_open, "a second watch opened");
	memcpy(watch_obj.watched, watched, sizeof(watch_obj.watched));
	watch_obj.cb = cb;
	watch_obj.arg = arg;
	watch_is_open = true;
	watch_opens++;
	return &watch_obj;
}

static void fake_watch_close(struct cmsha_conflict_watch *w)
{
	ck_assert_ptr_eq(w, &watch_obj);
	ck_assert(watch_is_open);
	watch_is_open = false;
	watch_closes++;
}

static void assert_watching(bool a0, bool a1, bool a2)
{
	ck_assert_msg(watch_is_open, "no watch is open");
	ck_assert_int_eq(watch_obj.watched[0], a0);
	ck_assert_int_eq(watch_obj.watched[1], a1);
	ck_assert_int_eq(watch_obj.watched[2], a2);
}

/* Another station's ARP or NA for alias i, as the watch reports it. */
static void station_claims(size_t i, const uint8_t mac[CMSHA_MAC_LEN])
{
	ck_assert(watch_is_open && watch_obj.watched[i]);
	watch_obj.cb(watch_obj.arg, i, mac);
}

static struct cmsha_probe probe_obj;
static bool probe_running, probe_fails, answering[N_ALIASES];
static unsigned probe_starts, probe_start_tries;

static struct cmsha_probe *fake_probe_start(const struct cmsha_alias_conf *aliases, size_t n,
					    char *e, size_t elen)
{
	probe_start_tries++;
	if (probe_fails) {
		snprintf(e, elen, "eth0: link not ready");
		return NULL;
	}
	ck_assert_msg(!probe_running, "a second probe started");
	ck_assert_uint_le(n, N_ALIASES);
	probe_obj.n = n;
	for (size_t j = 0; j < n; j++) {
		size_t i = 0;

		while (i < N_ALIASES && !cmsha_inet_equal(&aliases[j].addr, &alias_conf[i].addr))
			i++;
		ck_assert_uint_lt(i, N_ALIASES);
		probe_obj.alias[j] = i;
	}
	probe_running = true;
	probe_starts++;
	return &probe_obj;
}

static bool fake_probe_in_use(const struct cmsha_probe *p, size_t target)
{
	ck_assert_ptr_eq(p, &probe_obj);
	ck_assert(probe_running);
	ck_assert_uint_lt(target, p->n);
	return answering[p->alias[target]];
}

static void fake_probe_free(struct cmsha_probe *p)
{
	ck_assert_ptr_eq(p, &probe_obj);
	ck_assert(probe_running);
	probe_running = false;
}

/* --- the HA state and the reports -------------------------------------------- */

static unsigned refreshes, n_raised;
static struct { size_t i; uint8_t mac[CMSHA_MAC_LEN]; } raised[8];
static struct { enum cmsha_conflict_note kind; char text[512]; } notes[256];
static unsigned n_notes;

/* As the kernel glue's refresh: a held alias reads conflict(3) while flagged. */
static void fake_refresh(void)
{
	refreshes++;
	for (size_t i = 0; i < N_ALIASES; i++)
		if (cmsha_alias_state_is_held(ha.aliases[i].state))
			ha.aliases[i].state = ha.aliases[i].conflict ? CMSHA_ALIAS_CONFLICT :
				CMSHA_ALIAS_PRESENT;
}

static void fake_raised(size_t i, const uint8_t mac[CMSHA_MAC_LEN])
{
	ck_assert_uint_lt(n_raised, 8);
	raised[n_raised].i = i;
	memcpy(raised[n_raised].mac, mac, CMSHA_MAC_LEN);
	n_raised++;
}

static void fake_note(enum cmsha_conflict_note kind, const char *text)
{
	ck_assert_uint_lt(n_notes, sizeof(notes) / sizeof(notes[0]));
	notes[n_notes].kind = kind;
	snprintf(notes[n_notes].text, sizeof(notes[n_notes].text), "%s", text);
	n_notes++;
}

/* How many notes of this kind contain text. */
static unsigned noted(enum cmsha_conflict_note kind, const char *text)
{
	unsigned n = 0;

	for (unsigned k = 0; k < n_notes; k++)
		n += notes[k].kind == kind && strstr(notes[k].text, text) != NULL;
	return n;
}

static const struct cmsha_conflict_env env = {
	fake_timer_add, fake_timer_cancel, &timers, fake_watch_open, fake_watch_close,
	fake_probe_start, fake_probe_in_use, fake_probe_free, fake_refresh, fake_raised, fake_note
};

/* --- the kernel glue and the switch-over engine, played by the test -------- */

/* The kernel shows alias i in a new state (ha.c drops the flag of one not held). */
static void alias_becomes(size_t i, enum cmsha_alias_state to)
{
	enum cmsha_alias_state from = ha.aliases[i].state;

	ha.aliases[i].state = to;
	if (!cmsha_alias_state_is_held(to))
		ha.aliases[i].conflict = false;
	cmsha_conflict_monitor_alias_changed(m, i, from, to);
}

static uint32_t switchovers;

static void command_ends(enum cmsha_command cmd, enum cmsha_result result, bool counted)
{
	struct cmsha_history_entry e = { .command = cmd, .result = result };

	switchovers += counted;
	cmsha_conflict_monitor_command_finished(m, &e, switchovers);
}

static struct cmsha_alias_conf alias_on(const char *ifname, const char *addr, unsigned prefix)
{
	struct cmsha_alias_conf a = { .prefix = prefix };

	ck_assert(cmsha_inet_parse(addr, &a.addr));
	snprintf(a.ifname, sizeof(a.ifname), "%s", ifname);
	return a;
}

static void setup(void)
{
	const struct timespec t0 = { 0, 0 };

	memset(timers, 0, sizeof(timers));
	n_timers = 0;
	now_ms = 0;
	timers_fail = watch_is_open = watch_fails = probe_running = probe_fails = false;
	watch_opens = watch_open_tries = watch_closes = probe_starts = probe_start_tries = 0;
	memset(answering, 0, sizeof(answering));
	refreshes = n_raised = n_notes = 0;
	switchovers = 7;
	alias_conf[0] = alias_on("eth0", "10.0.0.5", 24);
	alias_conf[1] = alias_on("eth0", "fd00::5", 64);
	alias_conf[2] = alias_on("eth1", "10.0.1.5", 24);
	memset(&cfg, 0, sizeof(cfg));
	cfg.aliases = alias_conf;
	cfg.n_aliases = N_ALIASES;
	ck_assert(cmsha_ha_init(&ha, &cfg, &t0));
	m = cmsha_conflict_monitor_start(&cfg, &ha, switchovers, &env, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
}

static void teardown(void)
{
	cmsha_conflict_monitor_stop(m);
	m = NULL;
	cmsha_ha_free(&ha);
}

/* Aliases 0 and 1 held, the watch open on them. */
static void hold_two(void)
{
	alias_becomes(0, CMSHA_ALIAS_PRESENT);
	alias_becomes(1, CMSHA_ALIAS_PRESENT);
	advance(0);
	assert_watching(true, true, false);
}

/* Alias 0 in conflict, claimed by rival. */
static void conflict_on_0(void)
{
	hold_two();
	station_claims(0, rival);
	ck_assert(ha.aliases[0].conflict);
}

/* --- the watch follows the aliases held ------------------------------------ */

START_TEST(watch_follows_the_aliases_held)
{
	advance(0);
	ck_assert_uint_eq(watch_open_tries, 0);         /* nothing held: nothing to watch */
	alias_becomes(0, CMSHA_ALIAS_PRESENT);
	alias_becomes(1, CMSHA_ALIAS_PRESENT);
	/* Out of the switch-over's path: opened on the next loop turn, not inside the event. */
	ck_assert_uint_eq(watch_open_tries, 0);
	advance(0);
	ck_assert_uint_eq(watch_opens, 1);
	assert_watching(true, true, false);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_STEP, "watch opened for 2 of 3 aliases"), 1);
	alias_becomes(2, CMSHA_ALIAS_PRESENT);
	advance(0);
	ck_assert_uint_eq(watch_closes, 1);
	ck_assert_uint_eq(watch_opens, 2);
	assert_watching(true, true, true);
}
END_TEST

/* Given up: the watch stays until the peer's release SET has been answered. */
START_TEST(watch_closes_after_the_release_is_answered)
{
	hold_two();
	alias_becomes(0, CMSHA_ALIAS_ABSENT);
	advance(CMSHA_CONFLICT_UNWATCH_AFTER_MS / 2);
	alias_becomes(1, CMSHA_ALIAS_ABSENT);           /* does not push the close out */
	advance(CMSHA_CONFLICT_UNWATCH_AFTER_MS / 2 - 1);
	ck_assert_uint_eq(watch_closes, 0);
	ck_assert(watch_is_open);
	advance(1);
	ck_assert_uint_eq(watch_closes, 1);
	ck_assert(!watch_is_open);
	advance(60000);
	ck_assert_uint_eq(watch_opens, 1);              /* nothing held: not reopened */
	ck_assert_uint_eq(armed_timers(), 0);
}
END_TEST

/* Released and held again before the sync: the set is the same, the MACs seen are not news. */
START_TEST(held_again_reopens_the_watch)
{
	hold_two();
	alias_becomes(0, CMSHA_ALIAS_ABSENT);
	alias_becomes(0, CMSHA_ALIAS_PRESENT);
	advance(CMSHA_CONFLICT_UNWATCH_AFTER_MS);
	ck_assert_uint_eq(watch_closes, 1);
	ck_assert_uint_eq(watch_opens, 2);
	assert_watching(true, true, false);
}
END_TEST

START_TEST(changes_within_held_or_not_held_leave_the_watch)
{
	hold_two();
	alias_becomes(0, CMSHA_ALIAS_CONFLICT);         /* still held */
	alias_becomes(2, CMSHA_ALIAS_INTERFACE_DOWN);   /* still not held */
	ck_assert_uint_eq(armed_timers(), 0);
	advance(60000);
	ck_assert_uint_eq(watch_opens, 1);
	ck_assert_uint_eq(watch_closes, 0);
}
END_TEST

START_TEST(failed_open_is_logged_once_and_retried)
{
	watch_fails = true;
	alias_becomes(0, CMSHA_ALIAS_PRESENT);
	advance(0);
	ck_assert_uint_eq(watch_open_tries, 1);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_ERROR, "alias conflict detection is off: eth1: "
				"No such device (retrying every 5 s)"), 1);
	advance(CMSHA_CONFLICT_RETRY_MS - 1);
	ck_assert_uint_eq(watch_open_tries, 1);
	advance(1);
	ck_assert_uint_eq(watch_open_tries, 2);
	advance(CMSHA_CONFLICT_RETRY_MS);
	ck_assert_uint_eq(watch_open_tries, 3);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_ERROR, "off"), 1);        /* once, not per try */
	watch_fails = false;
	advance(CMSHA_CONFLICT_RETRY_MS);
	assert_watching(true, false, false);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_NOTICE, "alias conflict detection is on again"), 1);
	advance(60000);
	ck_assert_uint_eq(watch_open_tries, 4);        /* open: no more tries */
}
END_TEST

/* --- conflicts ----------------------------------------------------------------- */

START_TEST(a_claim_on_a_held_alias_is_one_conflict)
{
	hold_two();
	station_claims(0, rival);
	ck_assert(ha.aliases[0].conflict);
	ck_assert_int_eq(ha.aliases[0].state, CMSHA_ALIAS_CONFLICT);    /* refreshed */
	ck_assert_uint_eq(refreshes, 1);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_WARNING, "alias 10.0.0.5/24 on eth0: conflict: "
				"announced by MAC 02:00:00:00:00:77"), 1);
	ck_assert_uint_eq(n_raised, 1);
	ck_assert_uint_eq(raised[0].i, 0);
	ck_assert_mem_eq(raised[0].mac, rival, CMSHA_MAC_LEN);
	/* Another station on the same alias: the same conflict, reported already. */
	station_claims(0, another);
	ck_assert_uint_eq(n_raised, 1);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_WARNING, "conflict"), 1);
	ck_assert(!ha.aliases[1].conflict);
}
END_TEST

/* Frames heard for an alias just given up, while the watch still listens. */
START_TEST(a_claim_on_an_alias_given_up_is_ignored)
{
	hold_two();
	alias_becomes(1, CMSHA_ALIAS_ABSENT);
	station_claims(1, rival);
	ck_assert(!ha.aliases[1].conflict);
	ck_assert_uint_eq(n_raised, 0);
	ck_assert_uint_eq(refreshes, 0);
}
END_TEST

START_TEST(a_takeover_that_added_the_aliases_ends_conflicts)
{
	conflict_on_0();
	station_claims(1, rival);
	command_ends(CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, true);
	ck_assert(!ha.aliases[0].conflict && !ha.aliases[1].conflict);
	ck_assert_int_eq(ha.aliases[0].state, CMSHA_ALIAS_PRESENT);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_NOTICE, "alias 10.0.0.5/24 on eth0: conflict "
				"cleared: added and announced again"), 1);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_NOTICE, "alias fd00::5/64 on eth0: conflict "
				"cleared"), 1);
	/* The same rival claiming again is news again: a new watch. */
	advance(0);
	ck_assert_uint_eq(watch_opens, 2);
	station_claims(0, rival);
	ck_assert_uint_eq(n_raised, 3);
	command_ends(CMSHA_CMD_FORCE_TAKEOVER, CMSHA_RESULT_SUCCEEDED, true);
	ck_assert(!ha.aliases[0].conflict);
}
END_TEST

START_TEST(other_command_ends_leave_conflicts)
{
	conflict_on_0();
	command_ends(CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, false);  /* held already */
	command_ends(CMSHA_CMD_TAKEOVER, CMSHA_RESULT_FAILED, false);
	command_ends(CMSHA_CMD_FORCE_TAKEOVER, CMSHA_RESULT_REFUSED, false);
	command_ends(CMSHA_CMD_TEST, CMSHA_RESULT_SUCCEEDED, false);
	ck_assert(ha.aliases[0].conflict);
	/* A switch-over counted by another command (the peer's switchAway) is not a re-add. */
	command_ends(CMSHA_CMD_SWITCH_AWAY, CMSHA_RESULT_SUCCEEDED, true);
	ck_assert(ha.aliases[0].conflict);
	command_ends(CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, false);  /* seen: not new */
	ck_assert(ha.aliases[0].conflict);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_NOTICE, "cleared"), 0);
}
END_TEST

/* --- rechecking a conflict --------------------------------------------------- */

START_TEST(recheck_ends_a_conflict_nobody_answers_for)
{
	conflict_on_0();
	advance(CMSHA_CONFLICT_RECHECK_MS - 1);
	ck_assert_uint_eq(probe_start_tries, 0);
	advance(1);
	ck_assert_uint_eq(probe_starts, 1);
	ck_assert_uint_eq(probe_obj.n, 1);              /* only the alias in conflict */
	ck_assert_uint_eq(probe_obj.alias[0], 0);
	advance(CMSHA_CONFLICT_RECHECK_WAIT_MS - 1);
	ck_assert(probe_running && ha.aliases[0].conflict);
	advance(1);
	ck_assert(!probe_running);
	ck_assert(!ha.aliases[0].conflict);
	ck_assert_int_eq(ha.aliases[0].state, CMSHA_ALIAS_PRESENT);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_NOTICE, "alias 10.0.0.5/24 on eth0: conflict "
				"ended: no other station answers for it"), 1);
	advance(0);
	ck_assert_uint_eq(watch_opens, 2);              /* the rival claiming again is news */
	advance(60000);
	ck_assert_uint_eq(probe_start_tries, 1);        /* no conflict: no more probes */
	ck_assert_uint_eq(armed_timers(), 0);
}
END_TEST

START_TEST(recheck_keeps_a_conflict_still_claimed)
{
	conflict_on_0();
	answering[0] = true;
	advance(CMSHA_CONFLICT_RECHECK_MS + CMSHA_CONFLICT_RECHECK_WAIT_MS);
	ck_assert(!probe_running);
	ck_assert(ha.aliases[0].conflict);
	ck_assert_uint_eq(refreshes, 1);                 /* the claim's, no other */
	advance(CMSHA_CONFLICT_RECHECK_MS - 1);
	ck_assert_uint_eq(probe_starts, 1);
	advance(1);
	ck_assert_uint_eq(probe_starts, 2);             /* every RECHECK_MS while it lasts */
	answering[0] = false;
	advance(CMSHA_CONFLICT_RECHECK_WAIT_MS);
	ck_assert(!ha.aliases[0].conflict);
	ck_assert_uint_eq(watch_opens, 2);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_NOTICE, "conflict ended"), 1);
}
END_TEST

START_TEST(recheck_tries_again_when_the_probe_cannot_start)
{
	conflict_on_0();
	probe_fails = true;
	advance(CMSHA_CONFLICT_RECHECK_MS);
	ck_assert_uint_eq(probe_start_tries, 1);
	ck_assert(ha.aliases[0].conflict);
	ck_assert_uint_eq(noted(CMSHA_CONFLICT_STEP, "eth0: link not ready"), 1);
	advance(CMSHA_CONFLICT_RECHECK_MS);
	ck_assert_uint_eq(probe_start_tries, 2);
	probe_fails = false;
	advance(CMSHA_CONFLICT_RECHECK_MS + CMSHA_CONFLICT_RECHECK_WAIT_MS);
	ck_assert_uint_eq(probe_starts, 1);
	ck_assert(!ha.aliases[0].conflict);
}
END_TEST

/* The alias went away (ha.c dropped its flag): nothing left to probe. */
START_TEST(no_recheck_for_an_alias_given_up)
{
	conflict_on_0();
	alias_becomes(0, CMSHA_ALIAS_ABSENT);
	advance(60000);
	ck_assert_uint_eq(probe_start_tries, 0);
	ck_assert_uint_eq(armed_timers(), 0);
}
END_TEST

/* --- start and stop -------------------------------------------------------- */

START_TEST(stop_cancels_the_timers_and_closes_all)
{
	conflict_on_0();
	alias_becomes(1, CMSHA_ALIAS_ABSENT);           /* a close pending too */
	advance(CMSHA_CONFLICT_RECHECK_MS);
	ck_assert(probe_running && watch_is_open);
	ck_assert_uint_gt(armed_timers(), 0);
	cmsha_conflict_monitor_stop(m);
	m = NULL;
	ck_assert(!probe_running && !watch_is_open);
	ck_assert_uint_eq(armed_timers(), 0);
	/* Without the monitor, the glue's events are dropped. */
	alias_becomes(2, CMSHA_ALIAS_PRESENT);
	command_ends(CMSHA_CMD_TAKEOVER, CMSHA_RESULT_SUCCEEDED, true);
	ck_assert_uint_eq(armed_timers(), 0);
}
END_TEST

START_TEST(start_fails_without_a_timer)
{
	struct cmsha_conflict_monitor *other;

	timers_fail = true;
	other = cmsha_conflict_monitor_start(&cfg, &ha, 0, &env, err, sizeof(err));
	ck_assert_ptr_null(other);
	ck_assert_str_eq(err, "cannot arm a timer");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conflict_monitor");
	TCase *sync = tcase_create("sync"), *conflict = tcase_create("conflict");
	TCase *recheck = tcase_create("recheck"), *life = tcase_create("start and stop");

	tcase_add_checked_fixture(sync, setup, teardown);
	tcase_add_test(sync, watch_follows_the_aliases_held);
	tcase_add_test(sync, watch_closes_after_the_release_is_answered);
	tcase_add_test(sync, held_again_reopens_the_watch);
	tcase_add_test(sync, changes_within_held_or_not_held_leave_the_watch);
	tcase_add_test(sync, failed_open_is_logged_once_and_retried);
	suite_add_tcase(s, sync);
	tcase_add_checked_fixture(conflict, setup, teardown);
	tcase_add_test(conflict, a_claim_on_a_held_alias_is_one_conflict);
	tcase_add_test(conflict, a_claim_on_an_alias_given_up_is_ignored);
	tcase_add_test(conflict, a_takeover_that_added_the_aliases_ends_conflicts);
	tcase_add_test(conflict, other_command_ends_leave_conflicts);
	suite_add_tcase(s, conflict);
	tcase_add_checked_fixture(recheck, setup, teardown);
	tcase_add_test(recheck, recheck_ends_a_conflict_nobody_answers_for);
	tcase_add_test(recheck, recheck_keeps_a_conflict_still_claimed);
	tcase_add_test(recheck, recheck_tries_again_when_the_probe_cannot_start);
	tcase_add_test(recheck, no_recheck_for_an_alias_given_up);
	suite_add_tcase(s, recheck);
	tcase_add_checked_fixture(life, setup, teardown);
	tcase_add_test(life, stop_cancels_the_timers_and_closes_all);
	tcase_add_test(life, start_fails_without_a_timer);
	suite_add_tcase(s, life);
	return cmsha_run_suite(s);
}
