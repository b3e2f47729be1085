#include "autoconfig.h"
#include "enum_names.h"
#include "history.h"
#include "history_writer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILE_MAGIC "cmsha-history 1"
/*
 * The header's fifth number: rows carry the peer's request id after the
 * duration.  Files without it (older cmshad) are read as rows without one;
 * an older cmshad reads this format with the id at the start of the reason.
 */
#define ROWS_WITH_REQUEST_ID 2

/*
 * The pending note's file: "cmsha-pending CMD INDEX", padded to a fixed
 * length so that each note overwrites the last in place.  INDEX is the row
 * the pending command's end will take: once the history file has that row
 * (its next index moved past), the note is spent, so nothing ever needs to
 * clear it.
 */
#define NOTE_MAGIC "cmsha-pending"
#define NOTE_LEN 64

static char *note_text(enum cmsha_command cmd, uint32_t index)
{
	char *text = malloc(NOTE_LEN);
	int n;

	if (!text)
		return NULL;
	n = snprintf(text, NOTE_LEN, NOTE_MAGIC " %d %" PRIu32, (int)cmd, index);
	memset(text + n, ' ', NOTE_LEN - 1 - (size_t)n);
	text[NOTE_LEN - 1] = '\n';
	return text;
}

static bool save(struct cmsha_history *h, char *err, size_t errlen);

const char *cmsha_command_name(enum cmsha_command c)
{
	static const char *const names[] = { "?", "noCommand", "takeover", "release",
					     "forceTakeover", "switchAway", "test", "reload" };
	return CMSHA_ENUM_NAME(names, c);
}

const char *cmsha_initiator_name(enum cmsha_initiator i)
{
	static const char *const names[] = { "?", "snmp", "peer", "automatic", "startup",
					     "config" };
	return CMSHA_ENUM_NAME(names, i);
}

const char *cmsha_result_name(enum cmsha_result r)
{
	static const char *const names[] = { "?", "succeeded", "failed", "refused" };
	return CMSHA_ENUM_NAME(names, r);
}

/*
 * Each save has a ticket; with a writer thread the file work happens there.
 * Takes text (malloc'd): the whole file, or the pending note, which is
 * written in place.  NULL text (out of memory) gets no ticket: nothing for
 * anyone to wait for.
 */
static bool save_text(struct cmsha_history *h, bool is_note, char *text, size_t len,
		      char *err, size_t errlen)
{
	const char *path = is_note ? h->note_path : h->path;
	bool ok;

	if (!text) {
		snprintf(err, errlen, "cannot write %s: out of memory", path);
		return false;
	}
	h->saves++;
	if (h->writer) {
		(is_note ? cmsha_history_writer_queue_note : cmsha_history_writer_queue)
			(h->writer, text, len, h->saves);
		return true;
	}
	ok = (is_note ? cmsha_history_write_note : cmsha_history_write_file)
		(path, text, len, err, errlen);
	free(text);
	return ok;
}

bool cmsha_history_set_pending(struct cmsha_history *h, enum cmsha_command cmd,
			       char *err, size_t errlen)
{
	h->pending = cmd;
	if (!h->path)
		return true;
	return save_text(h, true, note_text(cmd, h->next_index), NOTE_LEN, err, errlen);
}

const struct cmsha_history_entry *cmsha_history_at(const struct cmsha_history *h, size_t i)
{
	return i < h->count ? &h->ring[(h->oldest + i) % h->capacity] : NULL;
}

bool cmsha_history_last_takeover(const struct cmsha_history *h, struct timespec *when)
{
	for (size_t i = h->count; i-- > 0;) {
		const struct cmsha_history_entry *e = cmsha_history_at(h, i);

		if (e->result != CMSHA_RESULT_SUCCEEDED || e->command == CMSHA_CMD_TEST ||
		    e->command == CMSHA_CMD_NONE || e->command == CMSHA_CMD_RELOAD)
			continue;
		if (e->command != CMSHA_CMD_TAKEOVER && e->command != CMSHA_CMD_FORCE_TAKEOVER)
			return false;
		*when = e->time;
		when->tv_sec += e->duration_ms / 1000;
		when->tv_nsec += (long)(e->duration_ms % 1000) * 1000000;
		if (when->tv_nsec >= 1000000000) {
			when->tv_sec++;
			when->tv_nsec -= 1000000000;
		}
		return true;
	}
	return false;
}

bool cmsha_history_resize(struct cmsha_history *h, size_t capacity, char *err, size_t errlen)
{
	size_t keep = h->count < capacity ? h->count : capacity;
	struct cmsha_history_entry *ring;

	if (capacity == 0 || !(ring = calloc(capacity, sizeof(*ring)))) {
		snprintf(err, errlen, "history: out of memory for %zu rows", capacity);
		return false;
	}
	for (size_t i = 0; i < keep; i++)      /* the newest keep rows, oldest first */
		ring[i] = *cmsha_history_at(h, h->count - keep + i);
	free(h->ring);
	h->ring = ring;
	h->capacity = capacity;
	h->count = keep;
	h->oldest = 0;
	return cmsha_history_save(h, err, errlen);
}

static void push(struct cmsha_history *h, const struct cmsha_history_entry *e)
{
	if (h->count == h->capacity) {
		h->ring[h->oldest] = *e;
		h->oldest = (h->oldest + 1) % h->capacity;
	} else {
		h->ring[(h->oldest + h->count++) % h->capacity] = *e;
	}
}

/* One entry a line; the reason is last and runs to the end of the line. */
static bool parse_entry(char *line, struct cmsha_history_entry *e, bool with_request_id)
{
	int cmd, init, res, used = 0, more = 0;
	long long sec;
	long nsec;

	memset(e, 0, sizeof(*e));
	if (sscanf(line, "%" SCNu32 " %lld %ld %d %d %d %" SCNu32 " %n", &e->index, &sec, &nsec,
		   &cmd, &init, &res, &e->duration_ms, &used) < 7 || used == 0)
		return false;
	if (with_request_id &&
	    (sscanf(line + used, "%" SCNu32 " %n", &e->request_id, &more) < 1 || more == 0))
		return false;
	used += more;
	if (cmd < CMSHA_CMD_TAKEOVER || cmd > CMSHA_CMD_RELOAD || init < CMSHA_BY_SNMP ||
	    init > CMSHA_BY_CONFIG || res < CMSHA_RESULT_SUCCEEDED || res > CMSHA_RESULT_REFUSED ||
	    nsec < 0 || nsec > 999999999L)
		return false;
	e->time = (struct timespec){ (time_t)sec, nsec };
	e->command = (enum cmsha_command)cmd;
	e->initiator = (enum cmsha_initiator)init;
	e->result = (enum cmsha_result)res;
	line[strcspn(line, "\n")] = '\0';
	snprintf(e->reason, sizeof(e->reason), "%s", line + used);
	return true;
}

static bool load(struct cmsha_history *h, FILE *f, char *err, size_t errlen)
{
	char line[CMSHA_HISTORY_REASON_LEN + 128];
	struct cmsha_history_entry e;
	unsigned lineno = 1;

	int pending = 0, rows = 1;

	if (!fgets(line, sizeof(line), f) || strncmp(line, FILE_MAGIC " ", strlen(FILE_MAGIC) + 1) ||
	    sscanf(line + strlen(FILE_MAGIC), "%" SCNu32 " %" SCNu32 " %" SCNu32 " %d %d",
		   &h->next_index, &h->switchover_count, &h->last_duration_ms, &pending, &rows) < 3 ||
	    pending < 0 || pending > CMSHA_CMD_TEST || rows < 1 || rows > ROWS_WITH_REQUEST_ID) {
		snprintf(err, errlen, "%s: line 1: not a cmsha history file", h->path);
		return false;
	}
	h->pending = (enum cmsha_command)pending;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		/* Rows are numbered without gaps (in uint32_t arithmetic, as they
		 * are given): the table finds a row by its distance from the oldest. */
		if (!parse_entry(line, &e, rows == ROWS_WITH_REQUEST_ID) ||
		    (h->count > 0 && e.index != cmsha_history_at(h, h->count - 1)->index + 1u)) {
			snprintf(err, errlen, "%s: line %u: malformed entry", h->path, lineno);
			return false;
		}
		push(h, &e);
	}
	/* The next row follows the newest without a gap, as the rows do. */
	if (h->count > 0 && cmsha_history_at(h, h->count - 1)->index + 1u != h->next_index) {
		snprintf(err, errlen, "%s: line 1: next index %" PRIu32 " does not follow the "
			 "newest row's %" PRIu32, h->path, h->next_index,
			 cmsha_history_at(h, h->count - 1)->index);
		return false;
	}
	return true;
}

/* A note for the row the history file expects next is a pending command. */
static void load_note(struct cmsha_history *h)
{
	char line[NOTE_LEN + 1];
	FILE *f = fopen(h->note_path, "r");
	uint32_t index;
	int cmd;

	if (!f)
		return;
	if (fgets(line, sizeof(line), f) &&
	    sscanf(line, NOTE_MAGIC " %d %" SCNu32, &cmd, &index) == 2 &&
	    cmd >= CMSHA_CMD_TAKEOVER && cmd <= CMSHA_CMD_TEST && index == h->next_index)
		h->pending = (enum cmsha_command)cmd;
	fclose(f);
}

static bool load_file(struct cmsha_history *h, char *err, size_t errlen)
{
	FILE *f = fopen(h->path, "r");
	bool ok;

	if (!f) {
		if (errno == ENOENT)
			return true;
		snprintf(err, errlen, "%s: %s", h->path, strerror(errno));
		return false;
	}
	ok = load(h, f, err, errlen);
	fclose(f);
	return ok;
}

bool cmsha_history_open(struct cmsha_history *h, size_t capacity, const char *path,
			char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	h->capacity = capacity ? capacity : 1;
	h->next_index = 1;
	h->ring = calloc(h->capacity, sizeof(*h->ring));
	h->path = path ? strdup(path) : NULL;
	if (path && h->path && asprintf(&h->note_path, "%s.pending", path) < 0)
		h->note_path = NULL;
	if (!h->ring || (path && (!h->path || !h->note_path))) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (!path)
		return true;
	if (!load_file(h, err, errlen))
		return false;
	load_note(h);
	return true;
}

void cmsha_history_close(struct cmsha_history *h)
{
	(void)cmsha_history_stop_writer(h);
	free(h->ring);
	free(h->path);
	free(h->note_path);
	memset(h, 0, sizeof(*h));
}

static void write_all(const struct cmsha_history *h, FILE *f)
{
	fprintf(f, FILE_MAGIC " %" PRIu32 " %" PRIu32 " %" PRIu32 " %d %d\n", h->next_index,
		h->switchover_count, h->last_duration_ms, (int)h->pending, ROWS_WITH_REQUEST_ID);
	for (size_t i = 0; i < h->count; i++) {
		const struct cmsha_history_entry *e = cmsha_history_at(h, i);
		fprintf(f, "%" PRIu32 " %lld %ld %d %d %d %" PRIu32 " %" PRIu32 " %s\n", e->index,
			(long long)e->time.tv_sec, (long)e->time.tv_nsec, e->command, e->initiator,
			e->result, e->duration_ms, e->request_id, e->reason);
	}
}

/* The file's text, in memory (malloc'd); NULL when out of memory. */
static char *format(const struct cmsha_history *h, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	write_all(h, f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static bool save(struct cmsha_history *h, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = format(h, &len);

	return save_text(h, false, text, len, err, errlen);
}

void cmsha_history_append(struct cmsha_history *h, struct cmsha_history_entry *e,
			  bool counts_as_switchover)
{
	/* A reason is one line in the file and one string in the MIB. */
	for (char *c = e->reason; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	e->index = h->next_index++;
	h->pending = 0;
	if (counts_as_switchover)
		h->switchover_count++;
	if (e->result != CMSHA_RESULT_REFUSED && e->command != CMSHA_CMD_TEST &&
	    e->command != CMSHA_CMD_RELOAD)
		h->last_duration_ms = e->duration_ms;
	push(h, e);
}

bool cmsha_history_amend(struct cmsha_history *h, const struct cmsha_history_entry *e,
			 bool uncount)
{
	for (size_t i = 0; i < h->count; i++) {
		struct cmsha_history_entry *kept = &h->ring[(h->oldest + i) % h->capacity];

		if (kept->index != e->index)
			continue;
		*kept = *e;
		if (uncount && h->switchover_count > 0)
			h->switchover_count--;
		return true;
	}
	return false;
}

bool cmsha_history_save(struct cmsha_history *h, char *err, size_t errlen)
{
	return !h->path || save(h, err, errlen);
}

bool cmsha_history_add(struct cmsha_history *h, struct cmsha_history_entry *e,
		       bool counts_as_switchover, char *err, size_t errlen)
{
	cmsha_history_append(h, e, counts_as_switchover);
	return cmsha_history_save(h, err, errlen);
}

static void make_note_file(struct cmsha_history *h)
{
	char ignored[256];
	char *note;

	if (access(h->note_path, F_OK) == 0 || !(note = note_text(CMSHA_CMD_NONE, 0)))
		return;
	(void)cmsha_history_write_file(h->note_path, note, NOTE_LEN, ignored, sizeof(ignored));
	free(note);
}

bool cmsha_history_start_writer(struct cmsha_history *h, cmsha_history_write_fn write_file,
				char *err, size_t errlen)
{
	if (!h->path || h->writer)
		return true;
	/* The note's file is made now, so that a takeover's note only
	 * overwrites it (one flush, no new name to sync).  If it cannot be,
	 * the first note tries again and its failure is collected as any
	 * save's is. */
	make_note_file(h);
	/* Saves made before (at start, say) were written at once. */
	h->writer = cmsha_history_writer_start(h->path, h->note_path, write_file, h->saves,
					       err, errlen);
	return h->writer != NULL;
}

bool cmsha_history_stop_writer(struct cmsha_history *h)
{
	bool ended = cmsha_history_writer_stop(h->writer, CMSHA_HISTORY_STOP_MAX_MS);

	h->writer = NULL;
	return ended;
}

int cmsha_history_writer_fd(const struct cmsha_history *h)
{
	return h->writer ? cmsha_history_writer_fd_of(h->writer) : -1;
}

bool cmsha_history_collect(struct cmsha_history *h, char *err, size_t errlen)
{
	return !h->writer || cmsha_history_writer_collect(h->writer, err, errlen);
}

uint64_t cmsha_history_ticket(const struct cmsha_history *h)
{
	return h->saves;
}

bool cmsha_history_settled(const struct cmsha_history *h, uint64_t ticket)
{
	return !h->writer || cmsha_history_writer_settled(h->writer, ticket);
}
