// SPDX-License-Identifier: MIT
// Replacing a file so that a reader, or a power cut, sees the old file or
// the new one and never half of one: /etc/default/grub, its backup, SVGs.
#ifndef TOOLS_ATOMIC_H
#define TOOLS_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

/* Write len bytes to a temp file in path's directory, fsync it, rename it
 * over path and fsync the directory. Returns 0, or -1 with errno set (the
 * temp file removed, path untouched). */
int atomic_write(const char *path, const void *data, size_t len, mode_t mode);

/* The mode a newly created file gets under the current umask. */
mode_t atomic_new_file_mode(void);

#endif
