/*
 * A history file in a fresh temporary directory, for the unit tests that
 * write one: DIR/history and its pending note, DIR/history.pending.  A
 * save's .tmp is renamed away when it ends: one left behind is a failure
 * (history_dir_remove() says so).
 */
#ifndef CMSHA_TEST_HISTORY_DIR_H
#define CMSHA_TEST_HISTORY_DIR_H

#include <stdbool.h>

struct history_dir {
	char dir[64];
	char path[96];          /* DIR/history */
	char note[112];         /* DIR/history.pending */
};

/* A new directory /tmp/PREFIX-XXXXXX (mkdtemp); false, errno set, when not. */
bool history_dir_make(struct history_dir *h, const char *prefix);

/* The history file and its pending note removed. */
void history_dir_clear(const struct history_dir *h);

/* history_dir_clear(), then the directory; false when anything else is left in it. */
bool history_dir_remove(const struct history_dir *h);

#endif
