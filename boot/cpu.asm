; SPDX-License-Identifier: MIT
; Leaf CPU helpers for the UEFI build, declared in efi/cpu.h and
; efi/core/memio.h. System V ABI (the app is built with gcc).
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

section .note.GNU-stack noalloc noexec nowrite progbits
