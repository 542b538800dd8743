// SPDX-License-Identifier: MIT
// CPU helpers written in nasm (boot/cpu.asm).
#ifndef EFI_CPU_H
#define EFI_CPU_H

#include <stdint.h>

uint64_t cpu_rdtsc(void);

#endif
