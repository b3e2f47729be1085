/*
 * The history file's writer thread.  A save in the event loop costs an
 * fsync (0.3-0.5 ms on the machines we measured, far more on a busy disk),
 * and every SNMP request waits behind it; so the loop only formats the
 * file's text and hands it here.  Only the newest text matters: one not
 * yet taken is replaced by a newer one.  A pending note (a takeover has
 * started) goes to a small file of its own, overwritten in place with one
 * fdatasync: the takeover waits for it, and the whole file's save (write,
 * fsync, rename, directory fsync: three flushes) took tens of ms on a busy
 * disk.  The thread touches nothing but its
 * own copy, the file and this struct (under the lock), and signals each
 * save it ends on an eventfd that the loop watches.
 */
#include "autoconfig.h"
#include "history_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct cmsha_history_writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int event_fd;
	char *path, *note_path;
	cmsha_history_write_fn write_file, write_note;
	/* under lock: the newest text and note not taken yet, how saves ended */
	char *queued, *queued_note;
	size_t queued_len, queued_note_len;
	uint64_t queued_ticket, queued_note_ticket, settled_ticket;
	bool failed, stopping;
	char err[256];
};

static bool write_fully(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * The rename is in the directory's data: until the directory is synced, a
 * power loss may bring back the old file, and with it lose the pending note
 * a takeover waited for.
 */
static bool sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	int fd, saved_errno;
	bool ok;

	if (!dir) {
		errno = ENOMEM;
		return false;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok = fd >= 0 && fsync(fd) == 0;
	saved_errno = errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	errno = saved_errno;
	return ok;
}

bool cmsha_history_write_file(const char *path, const char *data, size_t len,
			      char *err, size_t errlen)
{
	size_t tmplen = strlen(path) + 5;
	char *tmp = malloc(tmplen);
	int fd = -1, saved_errno;
	bool ok;

	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	snprintf(tmp, tmplen, "%s.tmp", path);
	/* The data on disk before the name points at it: a crash leaves the
	 * old file or the new one, never a torn one. */
	ok = (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) >= 0 &&
	     write_fully(fd, data, len) && fsync(fd) == 0;
	saved_errno = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = false;
		saved_errno = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = false;
		saved_errno = errno;
	}
	if (!ok) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(saved_errno));
		unlink(tmp);
	} else if (!sync_parent_dir(path)) {
		ok = false;
		snprintf(err, errlen, "cannot sync the directory of %s: %s", path, strerror(errno));
	}
	free(tmp);
	return ok;
}

bool cmsha_history_write_note(const char *path, const char *data, size_t len,
			      char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	bool ok;

	if (fd < 0 && errno == ENOENT)          /* made durably, name and all */
		return cmsha_history_write_file(path, data, len, err, errlen);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	/* Same length, same place: no metadata for fdatasync to flush. */
	do
		n = pwrite(fd, data, len, 0);
	while (n < 0 && errno == EINTR);
	ok = n == (ssize_t)len && fdatasync(fd) == 0;
	if (!ok)
		snprintf(err, errlen, "cannot write %s: %s", path,
			 n >= 0 && n != (ssize_t)len ? "short write" : strerror(errno));
	close(fd);
	return ok;
}

/* Take the older of the queued text and note (tickets settle in order). */
static char *take_slot(struct cmsha_history_writer *w, size_t *len, uint64_t *ticket,
		       bool *is_note)
{
	char *data;

	*is_note = w->queued_note && (!w->queued || w->queued_note_ticket < w->queued_ticket);
	if (*is_note) {
		data = w->queued_note;
		*len = w->queued_note_len;
		*ticket = w->queued_note_ticket;
		w->queued_note = NULL;
	} else {
		data = w->queued;
		*len = w->queued_len;
		*ticket = w->queued_ticket;
		w->queued = NULL;
	}
	return data;
}

/* The next text or note to write, or NULL when stopping with nothing left. */
static char *take_queued(struct cmsha_history_writer *w, size_t *len, uint64_t *ticket,
			 bool *is_note)
{
	char *data;

	pthread_mutex_lock(&w->lock);
	while (!w->queued && !w->queued_note && !w->stopping)
		pthread_cond_wait(&w->wake, &w->lock);
	data = take_slot(w, len, ticket, is_note);
	pthread_mutex_unlock(&w->lock);
	return data;
}

static void settle(struct cmsha_history_writer *w, uint64_t ticket, bool ok, const char *err)
{
	uint64_t one = 1;

	pthread_mutex_lock(&w->lock);
	w->settled_ticket = ticket;
	if (!ok) {
		w->failed = true;
		snprintf(w->err, sizeof(w->err), "%s", err);
	}
	pthread_mutex_unlock(&w->lock);
	/* Cannot fail but on overflow, after 2^64 - 1 unread saves. */
	(void)!write(w->event_fd, &one, sizeof(one));
}

static void *writer_main(void *arg)
{
	struct cmsha_history_writer *w = arg;
	char err[sizeof(w->err)];
	uint64_t ticket;
	size_t len;
	bool is_note;
	char *data;

	while ((data = take_queued(w, &len, &ticket, &is_note))) {
		bool ok = is_note ? w->write_note(w->note_path, data, len, err, sizeof(err))
				  : w->write_file(w->path, data, len, err, sizeof(err));

		free(data);
		settle(w, ticket, ok, err);
	}
	return NULL;
}

static void writer_free(struct cmsha_history_writer *w)
{
	if (w->event_fd >= 0)
		close(w->event_fd);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->queued);
	free(w->queued_note);
	free(w->path);
	free(w->note_path);
	free(w);
}

/*
 * The thread blocks every signal: the agent's handlers only set a flag, and
 * the main thread's select must be the one a signal interrupts.
 */
static int start_thread(struct cmsha_history_writer *w)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

struct cmsha_history_writer *cmsha_history_writer_start(const char *path,
							 const char *note_path,
							 cmsha_history_write_fn write_file,
							 uint64_t settled, char *err, size_t errlen)
{
	struct cmsha_history_writer *w = calloc(1, sizeof(*w));
	int rc;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	/* A test's writer (a slow disk, a gate) writes notes as well. */
	w->write_file = write_file ? write_file : cmsha_history_write_file;
	w->write_note = write_file ? write_file : cmsha_history_write_note;
	w->settled_ticket = settled;
	w->path = strdup(path);
	w->note_path = strdup(note_path);
	w->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!w->path || !w->note_path || w->event_fd < 0) {
		snprintf(err, errlen, "history writer: %s",
			 strerror(w->path && w->note_path ? errno : ENOMEM));
		writer_free(w);
		return NULL;
	}
	if ((rc = start_thread(w)) != 0) {
		snprintf(err, errlen, "history writer: cannot start its thread: %s", strerror(rc));
		writer_free(w);
		return NULL;
	}
	return w;
}

void cmsha_history_writer_queue(struct cmsha_history_writer *w, char *data, size_t len,
				uint64_t ticket)
{
	pthread_mutex_lock(&w->lock);
	free(w->queued);            /* never started: the newer text replaces it */
	w->queued = data;
	w->queued_len = len;
	w->queued_ticket = ticket;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void cmsha_history_writer_queue_note(struct cmsha_history_writer *w, char *data, size_t len,
				     uint64_t ticket)
{
	pthread_mutex_lock(&w->lock);
	free(w->queued_note);
	w->queued_note = data;
	w->queued_note_len = len;
	w->queued_note_ticket = ticket;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

int cmsha_history_writer_fd_of(const struct cmsha_history_writer *w)
{
	return w->event_fd;
}

bool cmsha_history_writer_collect(struct cmsha_history_writer *w, char *err, size_t errlen)
{
	uint64_t count;
	bool ok;

	(void)!read(w->event_fd, &count, sizeof(count));     /* EAGAIN: nothing new */
	pthread_mutex_lock(&w->lock);
	ok = !w->failed;
	if (!ok)
		snprintf(err, errlen, "%s", w->err);
	w->failed = false;
	pthread_mutex_unlock(&w->lock);
	return ok;
}

bool cmsha_history_writer_settled(struct cmsha_history_writer *w, uint64_t ticket)
{
	bool settled;

	pthread_mutex_lock(&w->lock);
	settled = w->settled_ticket >= ticket;
	pthread_mutex_unlock(&w->lock);
	return settled;
}

bool cmsha_history_writer_stop(struct cmsha_history_writer *w, unsigned max_ms)
{
	struct timespec deadline;

	if (!w)
		return true;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;                 /* the queued text is written first */
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += max_ms / 1000;
	deadline.tv_nsec += (long)(max_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	/* A hung disk must not keep the process from exiting: the thread, and
	 * what it holds, are left to the exit. */
	if (pthread_timedjoin_np(w->thread, NULL, &deadline) != 0)
		return false;
	writer_free(w);
	return true;
}
