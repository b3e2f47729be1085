/*
 * An exec check's COMMAND as the argv of execve(): its words, split like a
 * config line (blanks; "double quoted" words), never given to a shell --
 * unless it starts with 'sh -c' (or '/bin/sh -c'): then the config asks for
 * a shell, and the rest of the line is the shell's script.
 */
#include "autoconfig.h"
#include "components_private.h"
#include "words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* When cmshad's environment has no PATH (as execvp(3) would search). */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The script of 'sh -c SCRIPT' (and which sh), or NULL when command is not one. */
static const char *shell_script(const char *command, const char **shell)
{
	static const char *const shells[] = { "sh", "/bin/sh" };
	const char *s;

	while (is_blank(*command))
		command++;
	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++) {
		size_t n = strlen(shells[i]);

		if (strncmp(command, shells[i], n) != 0 || !is_blank(command[n]))
			continue;
		for (s = command + n; is_blank(*s); s++)
			;
		if (strncmp(s, "-c", 2) != 0 || (s[2] && !is_blank(s[2])))
			return NULL;
		for (s += 2; is_blank(*s); s++)
			;
		*shell = shells[i];
		return s;
	}
	return NULL;
}

/* Pointers and strings in one block: freeing the argv frees all. */
static char **pack(const char *const *words, size_t count)
{
	size_t size = (count + 1) * sizeof(char *);
	char **argv, *text;

	for (size_t i = 0; i < count; i++)
		size += strlen(words[i]) + 1;
	if (!(argv = malloc(size)))
		return NULL;
	text = (char *)(argv + count + 1);
	for (size_t i = 0; i < count; i++) {
		argv[i] = strcpy(text, words[i]);
		text += strlen(text) + 1;
	}
	argv[count] = NULL;
	return argv;
}

/*
 * argv of 'sh -c SCRIPT'.  A script that is one quoted word ('...' or
 * "...", that quote not inside) loses its quotes, as a shell user expects:
 * 'sh -c 'pgrep -x cms'' and 'sh -c pgrep -x cms' do the same.
 */
static char **shell_argv(const char *shell, const char *script, char *err, size_t errlen)
{
	size_t n = strlen(script);
	char q = script[0], *text, **argv;

	while (n > 0 && is_blank(script[n - 1]))
		n--;
	if (n >= 2 && (q == '\'' || q == '"') && script[n - 1] == q &&
	    !memchr(script + 1, q, n - 2)) {
		script++;
		n -= 2;
	}
	if (n == 0) {
		snprintf(err, errlen, "exec check: '%s -c' needs a script after it", shell);
		return NULL;
	}
	if (!(text = strndup(script, n)))
		argv = NULL;
	else
		argv = pack((const char *const[]){ shell, "-c", text }, 3);
	free(text);
	if (!argv)
		snprintf(err, errlen, "exec check: out of memory");
	return argv;
}

char **cmsha_exec_argv(const char *command, char *err, size_t errlen)
{
	struct cmsha_words w;
	const char *shell = NULL, *script = shell_script(command, &shell);
	char **argv;

	if (script)
		return shell_argv(shell, script, err, errlen);
	if (!cmsha_words_split(command, &w) || w.count == 0) {
		snprintf(err, errlen, "exec check: '%s' is not a command", command);
		cmsha_words_free(&w);
		return NULL;
	}
	argv = pack((const char *const *)w.word, w.count);
	cmsha_words_free(&w);
	if (!argv)
		snprintf(err, errlen, "exec check: out of memory");
	return argv;
}

static bool is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Empty PATH entries (the current directory) are skipped, as a daemon's cwd means nothing. */
bool cmsha_exec_path(const char *argv0, char *path, size_t len)
{
	const char *dirs = getenv("PATH");

	if (strchr(argv0, '/'))
		return snprintf(path, len, "%s", argv0) < (int)len;
	for (const char *d = dirs && *dirs ? dirs : DEFAULT_PATH; *d;) {
		size_t n = strcspn(d, ":");

		if (n > 0 && snprintf(path, len, "%.*s/%s", (int)n, d, argv0) < (int)len &&
		    is_executable_file(path))
			return true;
		d += n;
		if (*d == ':')
			d++;
	}
	return false;
}
