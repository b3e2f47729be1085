#include "history_dir.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

bool history_dir_make(struct history_dir *h, const char *prefix)
{
	snprintf(h->dir, sizeof(h->dir), "/tmp/%s-XXXXXX", prefix);
	if (!mkdtemp(h->dir))
		return false;
	snprintf(h->path, sizeof(h->path), "%s/history", h->dir);
	snprintf(h->note, sizeof(h->note), "%s.pending", h->path);
	return true;
}

void history_dir_clear(const struct history_dir *h)
{
	unlink(h->path);
	unlink(h->note);
}

bool history_dir_remove(const struct history_dir *h)
{
	history_dir_clear(h);
	return rmdir(h->dir) == 0;
}
