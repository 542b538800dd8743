// SPDX-License-Identifier: MIT
// The variable-store budget of a full-coverage run: a run that finds many
// cells never fills the store, the final record always keeps its room, and
// checkpoints back off.
#include "check.h"
#include "core/nvbudget.h"

#define NONE UINT64_MAX

/* A long run on a small store: checkpoints every time they are due, each
 * bigger than the last (more cells, up to what a record holds), then the
 * final record. The store never
 * goes under 5 KiB free, and the final record is written. */
TEST(nvbudget_small_store_keeps_room_for_the_final_record)
{
    struct nvbudget b;
    uint64_t store = 48u << 10;
    nvbudget_init(&b, store);
    uint64_t used = 0, ms = 0, size = 2000;
    for (int i = 0; i < 200; i++, ms += 5000, size += size < 8000 ? 300 : 0) {
        uint64_t cost = nvbudget_cost(size, 1);
        if (nvbudget_may(&b, cost, 2 * cost, store - used, 0, ms)) {
            used += cost;
            nvbudget_wrote(&b, cost, 1, ms);
        }
        CHECK(store - used >= NVBUDGET_KEEP_FREE);
    }
    uint64_t final = nvbudget_cost(size, 1);
    CHECK(nvbudget_may(&b, final, 0, store - used, 1, ms));
    CHECK(store - used - final >= NVBUDGET_KEEP_FREE);
    CHECK(b.writes >= 2);
    CHECK(b.skipped > 0);
    CHECK_EQ_U64(b.spent, used);
}

/* Back-off: 15 s, 30 s, 60 s ... up to 10 min between checkpoints; a
 * checkpoint not yet due is not counted as skipped. */
TEST(nvbudget_backs_off)
{
    struct nvbudget b;
    nvbudget_init(&b, 1ull << 30);
    CHECK(nvbudget_may(&b, 1000, 0, NONE, 0, 0));   /* the first: at once */
    nvbudget_wrote(&b, 1000, 1, 0);
    CHECK(!nvbudget_may(&b, 1000, 0, NONE, 0, 14999));
    CHECK(nvbudget_may(&b, 1000, 0, NONE, 0, 15000));
    nvbudget_wrote(&b, 1000, 1, 15000);
    CHECK(!nvbudget_may(&b, 1000, 0, NONE, 0, 15000 + 29999));
    CHECK(nvbudget_may(&b, 1000, 0, NONE, 0, 15000 + 30000));
    for (int i = 0; i < 20; i++)
        nvbudget_wrote(&b, 1000, 1, 0);
    CHECK_EQ_U64(b.gap_ms, NVBUDGET_MAX_GAP_MS);
    CHECK_EQ_U64(b.skipped, 0);
    /* The final record ignores the back-off. */
    CHECK(nvbudget_may(&b, 1000, 0, NONE, 1, 1));
}

/* The firmware's own count wins when it is lower (another writer, or
 * overhead the estimate missed); a failed write still used space. */
TEST(nvbudget_firmware_count_and_failures)
{
    struct nvbudget b;
    nvbudget_init(&b, 100000);
    CHECK(!nvbudget_may(&b, 3000, 0, 7000, 1, 0));   /* 3000 + 5 KiB > 7000 */
    CHECK_EQ_U64(b.skipped, 1);
    CHECK(nvbudget_may(&b, 3000, 0, 9000, 1, 0));
    nvbudget_wrote(&b, 3000, 0, 0);
    CHECK_EQ_U64(b.failed, 1);
    CHECK_EQ_U64(b.writes, 0);
    CHECK_EQ_U64(nvbudget_free(&b, NONE), 97000);
    /* Overflowing sizes are refused, not wrapped. */
    CHECK(!nvbudget_may(&b, UINT64_MAX - 10, 0, NONE, 1, 0));
}
