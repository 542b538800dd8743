// SPDX-License-Identifier: MIT
#include "uefi/cfgload.h"
#include "uefi/console.h"
#include "uefi/fileio.h"
#include <efilib.h>

static void config_warn(void *ctx, const char *msg)
{
    con_alert("config: %s\n", msg);
    session_config_problem(ctx, msg);
}

/* Load options are UTF-16; take them only when they are plain printable text. */
static void parse_load_options(EFI_HANDLE image, struct session *s)
{
    EFI_LOADED_IMAGE *li = NULL;
    if (BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li) != EFI_SUCCESS || !li ||
        !li->LoadOptions || li->LoadOptionsSize < 2)
        return;
    static char text[1024];
    const CHAR16 *w = li->LoadOptions;
    UINTN n = li->LoadOptionsSize / 2, k = 0;
    for (UINTN i = 0; i < n && w[i]; i++) {
        if (w[i] < 0x20 || w[i] > 0x7e || k + 1 >= sizeof text)
            return;   /* binary boot-option data, not a command line */
        text[k++] = (char)w[i];
    }
    text[k] = 0;
    /* A shell passes the program name first: skip a first word without '='. */
    UINTN b = 0;
    while (b < k && text[b] == ' ')
        b++;
    UINTN e = b;
    int has_eq = 0;
    while (e < k && text[e] != ' ')
        has_eq |= text[e++] == '=';
    if (!has_eq)
        b = e;
    if (b < k)
        config_parse(&s->cfg, "load options", text + b, k - b, config_warn, s);
}

void cfgload_read(EFI_HANDLE image, struct session *s)
{
    static char text[16384];
    long n = fio_read(L"weakbit.cfg", text, sizeof text);
    if (n >= 0) {
        con_printf("config: \\weakbit\\weakbit.cfg (%ld bytes)\n", n);
        config_parse(&s->cfg, "weakbit.cfg", text, (size_t)n, config_warn, s);
    } else {
        con_printf("config: no \\weakbit\\weakbit.cfg, using defaults\n");
    }
    parse_load_options(image, s);
}
