// SPDX-License-Identifier: MIT
// libFuzzer target: any weakbit.cfg text is applied or refused with a
// message, never crashes, and leaves the config within its documented bounds.
#include <stdint.h>
#include "core/config.h"

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wb_config c;
    config_defaults(&c);
    config_parse(&c, "fuzz", (const char *)data, size, warn, 0);
    if (c.granule < 4096 || (c.granule & (c.granule - 1)) || c.nranges > CONFIG_MAX_RANGES ||
        !c.tests || c.tests >> (MT_MAX_TEST + 1) || c.max_pairs < 1 || c.reserve < (4u << 20))
        __builtin_trap();
    for (unsigned i = 0; i < c.nranges; i++)
        if (!c.ranges[i].len || (c.ranges[i].base & 4095) || (c.ranges[i].len & 4095))
            __builtin_trap();
    return 0;
}
