/*
 * The switch-over history: the last N commands carried out or refused,
 * newest last, with the switch-over counter, kept across restarts in one
 * file that is replaced atomically (write, fsync, rename), by a writer
 * thread once the agent runs (history_writer.c).
 */
#ifndef CMSHA_HISTORY_H
#define CMSHA_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Values are those of CMS-HA-MIB. */
enum cmsha_command {
	CMSHA_CMD_NONE = 1, CMSHA_CMD_TAKEOVER = 2, CMSHA_CMD_RELEASE = 3,
	CMSHA_CMD_FORCE_TAKEOVER = 4, CMSHA_CMD_SWITCH_AWAY = 5, CMSHA_CMD_TEST = 6,
	/* not a command of cmsHaSwitchoverCommand: a SIGHUP's change, in the history */
	CMSHA_CMD_RELOAD = 7
};
enum cmsha_initiator {
	CMSHA_BY_SNMP = 1, CMSHA_BY_PEER = 2, CMSHA_BY_AUTOMATIC = 3, CMSHA_BY_STARTUP = 4,
	CMSHA_BY_CONFIG = 5             /* a reloaded configuration file */
};
enum cmsha_result { CMSHA_RESULT_SUCCEEDED = 1, CMSHA_RESULT_FAILED = 2, CMSHA_RESULT_REFUSED = 3 };

#define CMSHA_HISTORY_REASON_LEN 256

struct cmsha_history_writer;

struct cmsha_history_entry {
	uint32_t index;                 /* increasing, never reused */
	struct timespec time;           /* when the command started */
	enum cmsha_command command;
	enum cmsha_initiator initiator;
	enum cmsha_result result;
	uint32_t duration_ms;
	char reason[CMSHA_HISTORY_REASON_LEN];
	uint32_t request_id;            /* the peer's cmsHaPeerRequestId; 0: no peer request */
};

struct cmsha_history {
	struct cmsha_history_entry *ring;
	size_t capacity, count, oldest;
	uint32_t next_index;
	uint32_t switchover_count;      /* completed switch-overs */
	uint32_t last_duration_ms;
	/* A command that changes aliases and has not ended yet; a restart
	 * finds it here (0 when none). */
	enum cmsha_command pending;
	char *path;                     /* NULL: kept in memory only */
	char *note_path;                /* path.pending: the pending note */
	uint64_t saves;                 /* tickets: one a save, counted from 1 */
	struct cmsha_history_writer *writer;    /* NULL: saves write at once */
};

/* Loads path if it exists; false with err when it exists but is unreadable. */
bool cmsha_history_open(struct cmsha_history *h, size_t capacity, const char *path,
			char *err, size_t errlen);
void cmsha_history_close(struct cmsha_history *h);

/*
 * Append (index assigned here), evicting the oldest beyond capacity; a
 * succeeded command that changed something counts as a switch-over, and
 * every command carried out (not refused, not a test) sets the last duration.
 * Saves at once (or queues the save: see cmsha_history_start_writer); false
 * with err if the file could not be written (the entry is kept in memory
 * all the same).
 */
bool cmsha_history_add(struct cmsha_history *h, struct cmsha_history_entry *e,
		       bool counts_as_switchover, char *err, size_t errlen);

/*
 * cmsha_history_add in two steps, for a caller that must answer before it
 * writes: append (in memory, seen at once) and, later, save (false with err
 * if the file could not be written).
 */
void cmsha_history_append(struct cmsha_history *h, struct cmsha_history_entry *e,
			  bool counts_as_switchover);
bool cmsha_history_save(struct cmsha_history *h, char *err, size_t errlen);

/*
 * Replace the appended, not yet saved, entry of e->index by e (a command
 * undone before its save: its result and reason change); uncount takes it
 * off the switch-over counter.  False if no such entry is kept.
 */
bool cmsha_history_amend(struct cmsha_history *h, const struct cmsha_history_entry *e,
			 bool uncount);

/* Note (and save) that cmd has started; the next cmsha_history_add ends it. */
bool cmsha_history_set_pending(struct cmsha_history *h, enum cmsha_command cmd,
			       char *err, size_t errlen);

/*
 * Keep capacity rows from now on: the oldest beyond it go, and the file is
 * saved (false with err if that failed; memory is changed all the same, or
 * not at all when out of memory, with err).
 */
bool cmsha_history_resize(struct cmsha_history *h, size_t capacity, char *err, size_t errlen);

/* i from 0 (oldest) to count-1 (newest). */
const struct cmsha_history_entry *cmsha_history_at(const struct cmsha_history *h, size_t i);

/*
 * When did this server last take its aliases over?  From the newest
 * succeeded takeover, forceTakeover, release or switchAway: if it is a
 * takeover (or forceTakeover), its end time in *when and true; false when
 * it gave them up since or the history does not say.
 */
bool cmsha_history_last_takeover(const struct cmsha_history *h, struct timespec *when);

/*
 * Saving off the caller's thread.  Once started (and until close), a save
 * only formats the file's text and queues it for a writer thread, which
 * replaces the file (write, fsync, rename), newest text only, and returns
 * true at once: its outcome comes later, through collect.  Nothing is
 * started for a history kept in memory only.  Start it after any fork()
 * (daemonizing) and after privileges are dropped: the thread keeps the
 * credentials it was started with.
 */
typedef bool (*cmsha_history_write_fn)(const char *path, const char *data, size_t len,
				       char *err, size_t errlen);
/* write_file: NULL for the real one (tests give a slower one). */
bool cmsha_history_start_writer(struct cmsha_history *h, cmsha_history_write_fn write_file,
				char *err, size_t errlen);
/*
 * Ends the thread once the queued save is written (close does it too);
 * false when that did not happen within CMSHA_HISTORY_STOP_MAX_MS (a hung
 * disk): the save is then abandoned, to the process's exit.
 */
#define CMSHA_HISTORY_STOP_MAX_MS 2000
bool cmsha_history_stop_writer(struct cmsha_history *h);
/* Readable when a queued save has ended; -1 without a writer. */
int cmsha_history_writer_fd(const struct cmsha_history *h);
/* When the fd is readable: false with err if a save failed since the last call. */
bool cmsha_history_collect(struct cmsha_history *h, char *err, size_t errlen);
/* The newest save's ticket, and whether it (or a newer one) has ended. */
uint64_t cmsha_history_ticket(const struct cmsha_history *h);
bool cmsha_history_settled(const struct cmsha_history *h, uint64_t ticket);

const char *cmsha_command_name(enum cmsha_command c);
const char *cmsha_initiator_name(enum cmsha_initiator i);
const char *cmsha_result_name(enum cmsha_result r);

#endif
