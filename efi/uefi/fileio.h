// SPDX-License-Identifier: MIT
// Files under \weakbit\ on the volume the app was loaded from. Appends are
// flushed at once so a crash or power cut loses at most the line in flight.
#ifndef EFI_FILEIO_H
#define EFI_FILEIO_H

#include <efi.h>

/* Open the boot volume and create \weakbit. 0 on success; on failure the
 * app runs without files and says so. */
int fio_init(EFI_HANDLE image);
int fio_ready(void);

/* Whole file into buf (NUL-terminated). Returns bytes read, -1 if missing or unreadable. */
long fio_read(const CHAR16 *name, char *buf, unsigned long cap);

/* Up to cap bytes from byte `off`. Returns bytes read (0 at the end), -1 on error. */
long fio_read_at(const CHAR16 *name, unsigned long long off, char *buf, unsigned long cap);

/* Append and flush; the file is created if needed. 0 on success. */
int fio_append(const CHAR16 *name, const char *data, unsigned long len);

/* Size in bytes, or -1 when the file does not exist. */
long long fio_size(const CHAR16 *name);

/* Replace the file's contents (delete + create + write + flush). */
int fio_replace(const CHAR16 *name, const char *data, unsigned long len);

#endif
