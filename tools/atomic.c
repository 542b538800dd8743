// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

/* Make a finished rename durable: fsync the directory that holds path. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int atomic_write(const char *path, const void *data, size_t len, mode_t mode)
{
    size_t n = strlen(path) + sizeof ".weakbit-XXXXXX";
    char *tmp = malloc(n);
    if (!tmp) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(tmp, n, "%s.weakbit-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        errno = e;
        return -1;
    }
    int err = fchmod(fd, mode) ? errno : 0;
    for (size_t done = 0; !err && done < len;) {
        ssize_t w = write(fd, (const char *)data + done, len - done);
        if (w < 0 && errno != EINTR)
            err = errno;
        else if (w == 0)
            err = EIO;
        else if (w > 0)
            done += (size_t)w;
    }
    if (!err && fsync(fd))
        err = errno;
    if (close(fd) && !err)
        err = errno;
    if (!err && rename(tmp, path))
        err = errno;
    if (err)
        unlink(tmp);
    else
        sync_dir(path);
    free(tmp);
    errno = err;
    return err ? -1 : 0;
}

mode_t atomic_new_file_mode(void)
{
    mode_t um = umask(0);
    umask(um);
    return 0666 & ~um;
}
