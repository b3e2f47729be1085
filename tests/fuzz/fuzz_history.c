/*
 * libFuzzer harness for loading the switch-over history.  Each input is
 * written to a history file and loaded with cmsha_history_open() into a
 * ring of HISTORY_CAPACITY entries (small, so that loading wraps it).  A
 * file that loads must hold sane entries and survive round trips: saved
 * with a pending command, then with one more entry, it loads again to the
 * same history each time.  A file that does not load must say why.
 */
#include "autoconfig.h"
#include "history.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HISTORY_CAPACITY 4

#define CHECK(cond) do { if (!(cond)) fail_check(#cond, __LINE__); } while (0)

static char dir[64], path[96];

static void fail_check(const char *what, int line)
{
	fprintf(stderr, "fuzz_history.c:%d: invariant violated: %s\n", line, what);
	abort();
}

static void remove_files(void)
{
	char tmp[sizeof(path) + 4];

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	unlink(path);
	rmdir(dir);
}

/* On tmpfs when there is one: every save fsyncs. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = getenv("TMPDIR");

	(void)argc, (void)argv;
	if (!base || !*base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%.40s/fuzz_history.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/history", dir);
	atexit(remove_files);
	return 0;
}

static void write_file(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static void check_entries(const struct cmsha_history *h)
{
	CHECK(h->count <= h->capacity && h->oldest < h->capacity);
	CHECK((unsigned)h->pending <= CMSHA_CMD_TEST);
	CHECK(cmsha_history_at(h, h->count) == NULL);
	for (size_t i = 0; i < h->count; i++) {
		const struct cmsha_history_entry *e = cmsha_history_at(h, i);
		CHECK(e != NULL);
		/* reload(7) and config(5) are history rows' own (a SIGHUP's). */
		CHECK(e->command >= CMSHA_CMD_TAKEOVER && e->command <= CMSHA_CMD_RELOAD);
		CHECK(e->initiator >= CMSHA_BY_SNMP && e->initiator <= CMSHA_BY_CONFIG);
		CHECK(e->result >= CMSHA_RESULT_SUCCEEDED && e->result <= CMSHA_RESULT_REFUSED);
		CHECK(memchr(e->reason, '\0', sizeof(e->reason)) != NULL);
		CHECK(strchr(e->reason, '\n') == NULL);
	}
}

static bool same_entry(const struct cmsha_history_entry *a, const struct cmsha_history_entry *b)
{
	return a->index == b->index && a->time.tv_sec == b->time.tv_sec &&
	       a->time.tv_nsec == b->time.tv_nsec && a->command == b->command &&
	       a->initiator == b->initiator && a->result == b->result &&
	       a->duration_ms == b->duration_ms && a->request_id == b->request_id &&
	       strcmp(a->reason, b->reason) == 0;
}

static void check_same(const struct cmsha_history *h, const struct cmsha_history *again)
{
	CHECK(again->count == h->count);
	CHECK(again->next_index == h->next_index);
	CHECK(again->switchover_count == h->switchover_count);
	CHECK(again->last_duration_ms == h->last_duration_ms);
	CHECK(again->pending == h->pending);
	for (size_t i = 0; i < h->count; i++)
		CHECK(same_entry(cmsha_history_at(h, i), cmsha_history_at(again, i)));
}

static void reload_and_compare(const struct cmsha_history *h)
{
	struct cmsha_history again;
	char err[512];

	if (!cmsha_history_open(&again, HISTORY_CAPACITY, path, err, sizeof(err))) {
		fprintf(stderr, "reloading a saved history failed: %s\n", err);
		abort();
	}
	check_same(h, &again);
	cmsha_history_close(&again);
}

/*
 * Mark a command pending (which saves), load again: the same history.  Add
 * an entry (which ends the pending command and saves): the same again.
 */
static void round_trip(struct cmsha_history *h)
{
	struct cmsha_history_entry e = { .time = { 1700000000, 5 }, .command = CMSHA_CMD_TEST,
					 .initiator = CMSHA_BY_SNMP,
					 .result = CMSHA_RESULT_SUCCEEDED, .duration_ms = 7 };
	char err[512];

	CHECK(cmsha_history_set_pending(h, CMSHA_CMD_SWITCH_AWAY, err, sizeof(err)));
	reload_and_compare(h);
	strcpy(e.reason, "fuzz\nround trip");
	CHECK(cmsha_history_add(h, &e, false, err, sizeof(err)));
	CHECK(h->pending == 0);
	CHECK(strcmp(cmsha_history_at(h, h->count - 1)->reason, "fuzz round trip") == 0);
	reload_and_compare(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmsha_history h;
	char err[512];

	write_file(data, size);
	err[0] = '\0';
	if (cmsha_history_open(&h, HISTORY_CAPACITY, path, err, sizeof(err))) {
		check_entries(&h);
		round_trip(&h);
	} else {
		CHECK(err[0] != '\0');
	}
	cmsha_history_close(&h);
	return 0;
}
