// SPDX-License-Identifier: MIT
// \weakbit\session.log: timestamped events (start, each test, each new
// cell, temperature, finish), appended and flushed one line at a time.
#ifndef EFI_SESSIONLOG_H
#define EFI_SESSIONLOG_H

/* One line "[ seconds.ms] text". Silently nothing when there is no volume. */
void slog_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
