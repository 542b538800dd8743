// SPDX-License-Identifier: MIT
// CPU helpers written in nasm (boot/cpu.asm).
#ifndef EFI_CPU_H
#define EFI_CPU_H

#include <stdint.h>

uint64_t cpu_rdtsc(void);
uint64_t cpu_rdmsr(uint32_t msr);
void cpu_wrmsr(uint32_t msr, uint64_t v);
uint64_t cpu_read_cr4(void);
void cpu_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
void io_out8(uint16_t port, uint8_t v);
uint8_t io_in8(uint16_t port);
void io_out32(uint16_t port, uint32_t v);
uint32_t io_in32(uint16_t port);

#endif
