; SPDX-License-Identifier: MIT
; The AP start-up trampoline (efi/core/tramp.h). Never run in place: the
; bytes from tramp_start to tramp_end are copied to a 4 KiB page below 1 MiB
; and the BSP points each AP's start-up IPI at that page (Intel SDM Vol. 3,
; "MP initialization": an AP leaves wait-for-SIPI in real mode at CS = page
; >> 4, IP = 0, caches disabled by CR0.CD/NW).
;
; Steps, each as the SDM describes the mode switches: real mode -> protected
; mode on a GDT kept in the page -> PAE (and LA57 when the BSP runs 5-level
; paging), CR3 = weakbit's tables (below 4 GiB), EFER.LME, CR0.PG ->
; compatibility mode -> far jump to a 64-bit code segment. In long mode the AP
; finds its APIC ID in the table the BSP filled, takes the stack of that
; index and calls the C entry with it (System V: edi = index).
;
; The data block at the top is filled by C through offsets generated from
; this file's symbols (build/gen/tramp_layout.h); every shared label starts
; with tramp_. Only position-independent forms are used: no relocation.
bits 16
section .rodata

global tramp_start
global tramp_end

tramp_start:
    jmp short tramp_real

    align 8, db 0
tramp_gdt:                          ; flat segments; selectors 0x08 0x10 0x18
    dq 0
    dq 0x00cf9a000000ffff           ; 0x08: 32-bit code, base 0, 4 GiB
    dq 0x00cf92000000ffff           ; 0x10: data, base 0, 4 GiB
    dq 0x00af9a000000ffff           ; 0x18: 64-bit code
tramp_gdtr:
    dw 4 * 8 - 1
    dd 0                            ; linear address of tramp_gdt (C)
    align 8, db 0
tramp_pm_jump:                      ; 16:32 far pointer to pm32 (C)
    dd 0
    dw 0x08
    align 8, db 0
tramp_lm_jump:                      ; 16:32 far pointer to lm64 (C)
    dd 0
    dw 0x18
    align 8, db 0
tramp_cr3:      dq 0                ; weakbit's page tables; must be below 4 GiB
tramp_cr4:      dq 0                ; CR4 bits to set besides PAE/OSFXSR (LA57)
tramp_entry:    dq 0                ; void entry(unsigned index)
tramp_stacks:   dq 0                ; uint64_t stack_top[ncpus]
tramp_ids:      dq 0                ; uint32_t apic_id[ncpus]
tramp_ncpus:    dd 0
tramp_id_leaf:  dd 0                ; 1: APIC ID from CPUID 0BH (x2APIC), 0: CPUID 1
tramp_alive:    dd 0                ; APs that reached long mode (diagnosis)
tramp_stray:    dd 0                ; APs whose APIC ID is not in the table
    align 16, db 0

tramp_real:
    cli
    cld
    mov ax, cs
    mov ds, ax
    movzx ebx, ax
    shl ebx, 4                      ; linear base of the page, for 32-bit code
    o32 lgdt [tramp_gdtr - tramp_start]
    mov eax, cr0
    and eax, ~((1 << 30) | (1 << 29))   ; CD and NW off: caches on
    or eax, 1                       ; PE
    mov cr0, eax
    o32 jmp far [tramp_pm_jump - tramp_start]

bits 32
tramp_pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)   ; PAE, OSFXSR, OSXMMEXCPT (gcc emits SSE)
    or eax, [ebx + tramp_cr4 - tramp_start]
    mov cr4, eax
    mov eax, [ebx + tramp_cr3 - tramp_start]
    mov cr3, eax
    mov ecx, 0xc0000080             ; IA32_EFER
    rdmsr
    or eax, 1 << 8                  ; LME
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16) | (1 << 5) | (1 << 1)   ; PG, WP, NE, MP
    and eax, ~(1 << 2)              ; EM off: x87/SSE in hardware
    mov cr0, eax
    jmp far [ebx + tramp_lm_jump - tramp_start]

bits 64
tramp_lm64:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov r12d, ebx                   ; upper halves are undefined after the switch
    lock inc dword [r12 + tramp_alive - tramp_start]
    fninit
    cmp dword [r12 + tramp_id_leaf - tramp_start], 0
    je .leaf1
    mov eax, 0x0b
    xor ecx, ecx
    cpuid
    mov r8d, edx                    ; x2APIC ID
    jmp .lookup
.leaf1:
    mov eax, 1
    cpuid
    mov r8d, ebx
    shr r8d, 24                     ; initial APIC ID
.lookup:
    mov rsi, [r12 + tramp_ids - tramp_start]
    mov ecx, [r12 + tramp_ncpus - tramp_start]
    xor edi, edi
.next:
    cmp edi, ecx
    jae .stray
    cmp [rsi + rdi * 4], r8d
    je .found
    inc edi
    jmp .next
.found:
    mov rax, [r12 + tramp_stacks - tramp_start]
    mov rsp, [rax + rdi * 8]
    xor ebp, ebp
    mov rax, [r12 + tramp_entry - tramp_start]
    call rax
.stray:
    lock inc dword [r12 + tramp_stray - tramp_start]
.halt:
    cli
    hlt
    jmp .halt
tramp_end:

section .note.GNU-stack noalloc noexec nowrite progbits
