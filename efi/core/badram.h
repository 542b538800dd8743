// SPDX-License-Identifier: MIT
// From weak cells to the lines a user pastes: GRUB_BADRAM, grub.cfg
// badram, kernel memmap= and Windows bcdedit. The GRUB forms use the
// minimal cover (cover.h); memmap and bcdedit cannot express masks and list
// the bad granules themselves.
#ifndef EFI_CORE_BADRAM_H
#define EFI_CORE_BADRAM_H

#include <stdint.h>
#include "core/cells.h"
#include "core/cover.h"
#include "core/fmt.h"
#include "core/memrange.h"


/* Everything one badram.txt is made from. */
struct badram_set {
    uint64_t granule;
    uint64_t *gran;            /* sorted unique bad granule bases */
    unsigned ngran;
    unsigned gran_lost;        /* granules that did not fit gran[] */
    unsigned unconfirmed;      /* cells only address tests reported: not masked */
    struct cover_pair *pairs;  /* the cover, address order */
    unsigned npairs;
    struct cover_stats stats;
    const char *interleave;    /* user's model, for the notes; may be "" */
};

enum badram_form { BADRAM_GRUB, BADRAM_GRUBCFG, BADRAM_MEMMAP, BADRAM_MEMMAP_PLAIN, BADRAM_WINDOWS };

/* badram_from_cells' form for badram.txt: every form, then the notes. */
#define BADRAM_ALL (-1)

/* What badram_from_cells needs besides the cells: the rules, and the
 * caller's buffers (pool memory in the app, the heap in the CLI). */
struct badram_req {
    uint64_t granule;
    unsigned max_pairs;
    uint64_t limit;             /* overhead counted below this (cover_limit(ram_top)); 0: derive */
    const char *interleave;     /* the user's model, for the notes; NULL or "" for none */
    uint64_t *gran;             /* room for cap granule bases */
    struct cover_pair *pairs;   /* room for cap pairs */
    unsigned cap;
    const struct mem_range *extra;  /* bad ranges known without their cells (a hand-off); may be NULL */
    unsigned nextra;
};

/* From sorted cells (cells_sorted_copy) to a badram: the bad granules and
 * their cover within max_pairs into `set`, then, when sb is given, the
 * text: form BADRAM_ALL (badram.txt) or one enum badram_form. Returns 0,
 * or -1 when granules did not fit gran[] or the text did not fit sb. */
int badram_from_cells(struct badram_set *set, const struct cell *cells, unsigned n,
                      const struct badram_req *req, struct sbuf *sb, int form);

/* Sorted, unique bases of the granules that hold a cell some test saw at a
 * certain address (the ones a badram line masks), from sorted cells, into
 * out[max]; *lost counts those that did not fit. Returns the count. */
unsigned badram_granules(const struct cell *cells, unsigned n, uint64_t granule, uint64_t *out,
                         unsigned max, unsigned *lost);

/* Every form, one per line (the badram.txt contract), then `#` notes. */
void badram_render(struct sbuf *sb, const struct badram_set *set);

/* badram.txt across sessions: every form for `all` (each cell any session
 * on this volume recorded: an intermittent cell missed today keeps its mask),
 * the notes, then this session's GRUB line as a comment, which no reader
 * takes for the line to paste. */
void badram_render_cumulative(struct sbuf *sb, const struct badram_set *all,
                              const struct badram_set *session, unsigned sessions);

/* Only one form (the CLI's --format). */
void badram_render_form(struct sbuf *sb, enum badram_form form, const struct badram_set *set);

/* Parse a GRUB_BADRAM="…" / badram … / bare "a,m,a,m" list into pairs.
 * Returns the number of pairs, or -1 if malformed (odd count, bad hex,
 * more than cap). */
int badram_parse_line(const char *s, size_t n, struct cover_pair *pairs, unsigned cap);

#endif
