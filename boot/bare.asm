; SPDX-License-Identifier: MIT
; CPU state after ExitBootServices (efi/fullmode/bare/cpu.h): stack switch, GDT and
; IDT loads, control registers, and the exception entry stubs. System V ABI.
default rel
bits 64
section .text

extern bare_exception

; void bare_run_on_stack(void (*fn)(void *), void *arg, uint64_t stack_top):
; the firmware's stack lives in boot-services memory, which is about to be
; tested; fn runs on ours and never returns.
global bare_run_on_stack
bare_run_on_stack:
    mov rax, rdi
    mov rdi, rsi
    and rdx, -16
    mov rsp, rdx
    xor ebp, ebp
    call rax
.hang:
    cli
    hlt
    jmp .hang

; void bare_load_gdt(const void *gdtr, uint64_t code_sel, uint64_t data_sel):
; lgdt, reload the data segments, then CS through a far return.
global bare_load_gdt
bare_load_gdt:
    lgdt [rdi]
    mov ax, dx
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    pop rax                 ; our return address
    push rsi
    push rax
    retfq

; void bare_load_idt(const void *idtr)
global bare_load_idt
bare_load_idt:
    lidt [rdi]
    ret

global bare_cli
bare_cli:
    cli
    ret

global bare_read_cr2
bare_read_cr2:
    mov rax, cr2
    ret

global bare_read_cr3
bare_read_cr3:
    mov rax, cr3
    ret

global bare_read_cr4
bare_read_cr4:
    mov rax, cr4
    ret

; void bare_write_cr4(uint64_t v)
global bare_write_cr4
bare_write_cr4:
    mov cr4, rdi
    ret

; void bare_load_tr(uint16_t sel): the task register, for the IST stacks.
global bare_load_tr
bare_load_tr:
    ltr di
    ret

; void bare_halt(void): interrupts off, halt for good (a parked CPU).
global bare_halt
bare_halt:
    cli
    hlt
    jmp bare_halt

; void bare_write_cr3(uint64_t): switch page tables (flushes the TLB).
global bare_write_cr3
bare_write_cr3:
    mov cr3, rdi
    ret

; Exception stubs, one every 16 bytes from bare_isr_base, for vectors 0-31.
; Each leaves [vector, error code, rip, cs, rflags, rsp, ss] on the stack;
; vectors without a CPU error code push a 0 in its place.
align 16
global bare_isr_base
bare_isr_base:
%assign v 0
%rep 32
    align 16
%if v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17 || v == 21 || v == 29 || v == 30
    push byte v
%else
    push byte 0
    push byte v
%endif
    jmp near isr_common
%assign v v + 1
%endrep

isr_common:
    cld
    mov rdi, rsp
    and rsp, -16
    call bare_exception wrt ..plt
.hang:
    cli
    hlt
    jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
