/* Shared by the component monitor and its check kinds; not part of the core's interface. */
#ifndef CMSHA_COMPONENTS_PRIVATE_H
#define CMSHA_COMPONENTS_PRIVATE_H

#include "components.h"

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define CMSHA_CHECK_WHY_LEN 256

struct cmsha_check;

/* What a kind of check does; the monitor calls these. */
struct cmsha_check_ops {
	/* once at start: parse the target; false with err */
	bool (*prepare)(struct cmsha_check *c, char *err, size_t errlen);
	/* start one check: it reports now, or later from ready()/expired() */
	void (*run)(struct cmsha_check *c);
	/* the check's fd (see cmsha_check_watch) is ready */
	void (*ready)(struct cmsha_check *c);
	/* the check's deadline (see cmsha_check_deadline) passed */
	void (*expired)(struct cmsha_check *c);
	/* at stop: end whatever is in progress and free what prepare() made */
	void (*release)(struct cmsha_check *c);
};

extern const struct cmsha_check_ops cmsha_tcp_check_ops, cmsha_pidfile_check_ops,
	cmsha_exec_check_ops;

struct cmsha_check {
	struct cmsha_components *mon;
	size_t index;
	const struct cmsha_component_conf *conf;
	const struct cmsha_check_ops *ops;
	bool busy;                     /* a check is in progress: the next round skips it */
	int fd;                        /* in the epoll set, or -1 */
	unsigned deadline;             /* timer id, or 0 */
	/* tcp */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char target_error[CMSHA_CHECK_WHY_LEN];  /* why the target has no address */
	/* exec */
	char **argv;
	pid_t pid;                     /* the command in progress, until reaped */
	bool timed_out;
	unsigned exit_poll;            /* timer id while polling for the exit, or 0 */
};

struct cmsha_components {
	const struct cmsha_config *cfg;
	struct cmsha_component_runtime *rt;
	struct cmsha_component_env env;
	struct cmsha_component_observer obs;
	int epfd;
	bool watching;                 /* epfd is in the loop */
	unsigned round_timer;
	struct cmsha_check *checks;
	size_t n;
};

/* The check's result: the component's state (the observer hears of a change). */
void cmsha_check_report(struct cmsha_check *c, enum cmsha_component_state st, const char *why);
/* The check is over: its deadline cancelled, its fd out of the epoll set and closed. */
void cmsha_check_end(struct cmsha_check *c);
/* Both: the result, then the end. */
void cmsha_check_done(struct cmsha_check *c, enum cmsha_component_state st, const char *why);
/* Watch fd (for the epoll events) until cmsha_check_end(), which closes it;
 * false (fd left open) if it cannot. */
bool cmsha_check_watch(struct cmsha_check *c, int fd, uint32_t events);
/* Arm ops->expired() in ms; false if the timer cannot be armed. */
bool cmsha_check_deadline(struct cmsha_check *c, unsigned ms);

/* component_argv.c: COMMAND as argv (NULL-terminated, one allocation); NULL with err. */
char **cmsha_exec_argv(const char *command, char *err, size_t errlen);
/* The program to execve for argv0: as is with a '/', else searched in PATH. */
bool cmsha_exec_path(const char *argv0, char *path, size_t len);

/* component_exec.c: pidfd_open(2); a seam, so that tests can run the fallback. */
extern int (*cmsha_exec_pidfd_open)(pid_t pid);

#endif
