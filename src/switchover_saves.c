/*
 * The history's saves off the event loop, wired to the engine: the writer
 * thread's fd in the env's loop, and each ended save collected before the
 * engine hears of it (a takeover waits for its pending note to be on
 * disk).  Without the thread the history saves in the loop, fsync
 * included: slower, still correct.
 */
#include "autoconfig.h"
#include "switchover_private.h"

#include <stdio.h>

bool cmsha_switchover_start_saves(struct cmsha_switchover *s, cmsha_history_write_fn write_file,
				  cmsha_callback on_saved, void *arg, char *err, size_t errlen)
{
	int fd;

	if (!cmsha_history_start_writer(s->history, write_file, err, errlen))
		return false;
	fd = cmsha_history_writer_fd(s->history);
	if (fd >= 0 && !s->env->fd_watch(s->env->ctx, fd, on_saved, arg)) {
		snprintf(err, errlen, "cannot watch the writer's fd");
		(void)cmsha_history_stop_writer(s->history);
		return false;
	}
	return true;
}

bool cmsha_switchover_save_ended(struct cmsha_switchover *s, char *err, size_t errlen)
{
	bool saved = cmsha_history_collect(s->history, err, errlen);

	cmsha_switchover_history_written(s);
	return saved;
}

bool cmsha_switchover_stop_saves(struct cmsha_switchover *s)
{
	int fd = cmsha_history_writer_fd(s->history);

	if (fd >= 0)
		s->env->fd_unwatch(s->env->ctx, fd);
	return cmsha_history_stop_writer(s->history);
}
