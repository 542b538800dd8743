// SPDX-License-Identifier: MIT
// Small text files the Linux-side subcommands read whole (/proc/iomem,
// /proc/cmdline, /proc/meminfo, state files) and a line walker over them.
#ifndef TOOLS_TEXTFILE_H
#define TOOLS_TEXTFILE_H

#include <stddef.h>

struct textfile {
    char *buf;               /* NUL-terminated; free() it */
    size_t len;
};

/* Read all of path (procfs files report size 0, so read until EOF). 0, or
 * -1 with errno set. */
int textfile_read(const char *path, struct textfile *t);

/* Next line from *pos: its start and length (no newline); 0 at the end. */
int textfile_line(const struct textfile *t, size_t *pos, const char **line, size_t *n);

#endif
