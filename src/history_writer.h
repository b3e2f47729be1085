/*
 * The history file's writer thread: the file work of a save (write, fsync,
 * rename) off the event loop.  Used through history.h; declared here for
 * history.c and the tests.
 */
#ifndef CMSHA_HISTORY_WRITER_H
#define CMSHA_HISTORY_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"

/* Replace path's content with data: path.tmp, fsync, rename; false with err. */
bool cmsha_history_write_file(const char *path, const char *data, size_t len,
			      char *err, size_t errlen);

/* Overwrite path's content in place (same length) and fdatasync; a missing
 * file is made as cmsha_history_write_file makes one.  False with err. */
bool cmsha_history_write_note(const char *path, const char *data, size_t len,
			      char *err, size_t errlen);

struct cmsha_history_writer;

/*
 * write_file NULL: cmsha_history_write_file for the file and
 * cmsha_history_write_note for notes (tests give one for both, slower).
 * settled: the newest ticket already saved without the thread.
 */
struct cmsha_history_writer *cmsha_history_writer_start(const char *path,
							 const char *note_path,
							 cmsha_history_write_fn write_file,
							 uint64_t settled, char *err, size_t errlen);
/* Takes data (malloc'd); replaces a queued text the thread has not taken. */
void cmsha_history_writer_queue(struct cmsha_history_writer *w, char *data, size_t len,
				uint64_t ticket);
/* The same for a pending note (written to note_path, in place). */
void cmsha_history_writer_queue_note(struct cmsha_history_writer *w, char *data, size_t len,
				     uint64_t ticket);
/* Readable (eventfd) when a save has ended. */
int cmsha_history_writer_fd_of(const struct cmsha_history_writer *w);
/* Empties the fd; false with err if a save failed since the last call. */
bool cmsha_history_writer_collect(struct cmsha_history_writer *w, char *err, size_t errlen);
/* Has the save with this ticket (or a newer one) ended, written or failed? */
bool cmsha_history_writer_settled(struct cmsha_history_writer *w, uint64_t ticket);
/*
 * Writes what is queued, then ends the thread and frees w; false if that
 * took longer than max_ms (the thread is left running, w with it).
 */
bool cmsha_history_writer_stop(struct cmsha_history_writer *w, unsigned max_ms);

#endif
