; SPDX-License-Identifier: MIT
; Cache control for test 0 (address walking ones, caches off), declared in
; efi/cpu/cache.h. Ring 0, this CPU only. System V ABI.
default rel
bits 64
section .text

; void cpu_cache_off(void): CR0.CD = 1, NW = 0 (no new line fills), then
; write back and invalidate, so every access after it goes to DRAM.
global cpu_cache_off
cpu_cache_off:
    mfence
    mov rax, cr0
    or rax, 1 << 30
    and rax, ~(1 << 29)
    mov cr0, rax
    wbinvd
    ret

; void cpu_cache_on(void): write back, then CR0.CD = NW = 0 (normal caching).
global cpu_cache_on
cpu_cache_on:
    wbinvd
    mov rax, cr0
    and rax, ~((1 << 30) | (1 << 29))
    mov cr0, rax
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
