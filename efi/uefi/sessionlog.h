// SPDX-License-Identifier: MIT
// \weakbit\session.log: timestamped events (start, each test, each new
// cell, temperature, finish), appended and flushed one line at a time, or
// a batch at a time for bursts of cell events.
#ifndef EFI_SESSIONLOG_H
#define EFI_SESSIONLOG_H

/* One line "[ seconds.ms] text". Silently nothing when there is no volume. */
void slog_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same, kept for slog_flush: a burst of cell events costs one append. */
void slog_queue(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void slog_flush(void);

#endif
