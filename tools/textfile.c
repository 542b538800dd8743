// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textfile.h"

int textfile_read(const char *path, struct textfile *t)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 14, len = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *nb = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                errno = EFBIG;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int err = !buf || ferror(f);
    int saved = errno;
    fclose(f);
    if (err) {
        free(buf);
        errno = saved ? saved : EIO;
        return -1;
    }
    buf[len] = 0;
    t->buf = buf;
    t->len = len;
    return 0;
}

int textfile_line(const struct textfile *t, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= t->len)
        return 0;
    const char *s = t->buf + *pos;
    const char *e = memchr(s, '\n', t->len - *pos);
    *line = s;
    *n = e ? (size_t)(e - s) : t->len - *pos;
    *pos += *n + (e ? 1 : 0);
    return 1;
}
