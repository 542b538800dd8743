; SPDX-License-Identifier: MIT
; Block move for test 7, declared in efi/core/tests/movsq.h. System V ABI.
default rel
bits 64
section .text

; void block_move_words(uint64_t dst, uint64_t src, uint64_t nwords):
; one rep movsq, so the CPU's fast-string engine moves whole lines.
global block_move_words
block_move_words:
    mov rcx, rdx
    cld
    rep movsq
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
