// SPDX-License-Identifier: MIT
#include "core/nvbudget.h"

void nvbudget_init(struct nvbudget *b, uint64_t free_bytes)
{
    *b = (struct nvbudget){ .start_free = free_bytes, .gap_ms = NVBUDGET_FIRST_GAP_MS };
}

uint64_t nvbudget_cost(uint64_t len, unsigned vars)
{
    return len + (uint64_t)vars * NVBUDGET_VAR_COST;
}

uint64_t nvbudget_free(const struct nvbudget *b, uint64_t fw_free)
{
    uint64_t own = b->start_free > b->spent ? b->start_free - b->spent : 0;
    return fw_free < own ? fw_free : own;
}

int nvbudget_due(const struct nvbudget *b, uint64_t now_ms)
{
    return !b->writes || now_ms >= b->next_ms;
}

static void back_off(struct nvbudget *b, uint64_t now_ms)
{
    b->next_ms = now_ms + b->gap_ms;
    b->gap_ms = b->gap_ms * 2 > NVBUDGET_MAX_GAP_MS ? NVBUDGET_MAX_GAP_MS : b->gap_ms * 2;
}

int nvbudget_may(struct nvbudget *b, uint64_t cost, uint64_t reserve, uint64_t fw_free, int final,
                 uint64_t now_ms)
{
    uint64_t avail = nvbudget_free(b, fw_free);
    uint64_t need = cost + NVBUDGET_KEEP_FREE + (final ? 0 : reserve);
    if (!final && !nvbudget_due(b, now_ms))
        return 0;   /* not due yet: not a skip */
    if (need > avail || need < cost) {
        b->skipped++;
        if (!final)
            back_off(b, now_ms);
        return 0;
    }
    return 1;
}

void nvbudget_wrote(struct nvbudget *b, uint64_t cost, int ok, uint64_t now_ms)
{
    b->spent += cost;
    if (ok)
        b->writes++;
    else
        b->failed++;
    back_off(b, now_ms);
}
