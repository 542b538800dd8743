// SPDX-License-Identifier: MIT
#include "check.h"
#include "core/interleave.h"
#include <string.h>

TEST(interleave_parse_and_label)
{
    struct il_model m;
    const char *spec = "ch:0x2040,dimm:0x20000,ch:0x4080";
    CHECK_EQ_U64(il_parse(&m, spec, strlen(spec)), 0);
    CHECK_EQ_U64(m.nf, 2);
    CHECK_EQ_U64(m.f[0].nbits, 2);
    char b[64];
    il_label(&m, 0, b, sizeof b);
    CHECK_STR(b, "ch0/dimm0");
    il_label(&m, 0x40, b, sizeof b);          /* parity(0x40&0x2040)=1 */
    CHECK_STR(b, "ch1/dimm0");
    il_label(&m, 0x2040, b, sizeof b);        /* both bits of the first mask: parity 0 */
    CHECK_STR(b, "ch0/dimm0");
    il_label(&m, 0x80 | 0x20000, b, sizeof b);
    CHECK_STR(b, "ch2/dimm1");
    CHECK_EQ_U64(il_top_bit(&m), 17);
}

TEST(interleave_refuses_malformed)
{
    struct il_model m;
    const char *bad[] = { "", "ch", "ch:", "ch:40", "ch:0x", "ch:0xzz", ":0x40", "ch:0x40,",
                          "ch:0x0", "a:0x1,b:0x1,c:0x1,d:0x1,e:0x1", "ch:0x8000000000000000",
                          "ch:0x11112222333344445", "ch-1:0x40" };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(il_parse(&m, bad[i], strlen(bad[i])) != 0);
}
