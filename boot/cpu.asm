; SPDX-License-Identifier: MIT
; Leaf CPU helpers for the UEFI build, declared in efi/cpu/cpu.h and
; efi/core/tests/memio.h. System V ABI (the app is built with gcc).
default rel
bits 64
section .text

; void memio_flush(void): write back and invalidate every cache level so the
; next read of test memory comes from DRAM, not from a cache line.
global memio_flush
memio_flush:
    mfence
    wbinvd
    ret

; uint64_t cpu_rdtsc(void): time-stamp counter, serialised by lfence so it is
; not read before earlier loads finished.
global cpu_rdtsc
cpu_rdtsc:
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret

; uint64_t cpu_rdmsr(uint32_t msr): only for MSRs whose presence CPUID
; confirmed; an absent MSR faults.
global cpu_rdmsr
cpu_rdmsr:
    mov ecx, edi
    rdmsr
    shl rdx, 32
    or rax, rdx
    ret

; void cpu_wrmsr(uint32_t msr, uint64_t v): the same care as cpu_rdmsr.
global cpu_wrmsr
cpu_wrmsr:
    mov ecx, edi
    mov rax, rsi
    mov rdx, rsi
    shr rdx, 32
    wrmsr
    ret

; uint64_t cpu_read_cr4(void)
global cpu_read_cr4
cpu_read_cr4:
    mov rax, cr4
    ret

; void cpu_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]): eax ebx ecx edx.
global cpu_cpuid
cpu_cpuid:
    push rbx
    mov r8, rdx
    mov eax, edi
    mov ecx, esi
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    pop rbx
    ret

; Port I/O for the PC speaker and legacy PCI configuration access.
; void io_out8(uint16_t port, uint8_t v) / uint8_t io_in8(uint16_t port)
; void io_out32(uint16_t port, uint32_t v) / uint32_t io_in32(uint16_t port)
global io_out8
io_out8:
    mov edx, edi
    mov eax, esi
    out dx, al
    ret

global io_in8
io_in8:
    mov edx, edi
    xor eax, eax
    in al, dx
    ret

global io_out32
io_out32:
    mov edx, edi
    mov eax, esi
    out dx, eax
    ret

global io_in32
io_in32:
    mov edx, edi
    in eax, dx
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
