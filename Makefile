# SPDX-License-Identifier: MIT
# weakbit: one Makefile, out-of-tree build/, explicit object lists.
#   make          build/weakbit.efi (UEFI app) and build/weakbit (host CLI)
#   make deps     install the Debian packages everything below needs (root)
#   make demo     boot weakbit in QEMU+OVMF with two leaky cells; print the result
#   make check    build (-j2), then every test (fuzzers 5 s each); last line "N passed, N failed, N skipped"
#   make fuzz     the libFuzzer runs alone, longer (FUZZ_SECS=300 per parser)

BUILD   ?= build
CC      ?= gcc
NASM    ?= nasm
LD      ?= ld
OBJCOPY ?= objcopy

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CRT := $(EFI_LIB)/crt0-efi-x86_64.o

WARN    := -Wall -Wextra -Werror
DEPS    := -MMD -MP

# efi/core: freestanding, compiled for the app, the host CLI and the tests.
# efi/core/kernels: which tests exist, the runtime the kernels call, one file per algorithm.
KERNELS := kernels/catalog kernels/runtime kernels/sweep kernels/movinv kernels/addr_walk kernels/own_addr \
	kernels/block_move kernels/rand_seq kernels/modulo20 kernels/bit_fade kernels/row_hammer hammer
CORE    := fmt prng memrange failbit fold config memplan errcsv cells badram cover interleave smp focus smbios report session errsink conout \
	usbring usbdesc \
	handoff recovery fullplan madt tramp sched runloop nvbudget mce \
	$(KERNELS)
# efi/main.c: the lifecycle of a run, in either mode. efi/cpu: the CPU's own
# registers (MSRs, caches, machine-check banks; the asm in boot/), both modes.
# efi/uefi: firmware services and the files on the boot volume (both modes,
# before the exit and at the boot after it).
UEFI    := console cfgload dimms fileio firmware memmap timer thermal results sessionlog history
# efi/fwmode: firmware mode's back-end (MP services start the APs, ConIn keys).
FWMODE  := mp ui
# efi/fullmode: full coverage: preparing the exit, the next boot's recovery,
# and bare/, what runs after ExitBootServices.
FULLMODE := full recover
BARE    := run trap paging uart ps2 bcon fbcon rtvar apic aps xhci xhcidev
GLUE    := main cpu/mca $(UEFI:%=uefi/%) $(FWMODE:%=fwmode/%) $(FULLMODE:%=fullmode/%)
ASM     := cpu blockmove cache bare trampoline
# The framebuffer console's font: Terminus Font (SIL OFL 1.1), converted at
# build time from the console-setup-linux package (see README).
FONT_PSF ?= /usr/share/consolefonts/Lat2-Terminus16.psf.gz

EFI_CFLAGS := -std=gnu11 -O2 $(WARN) $(DEPS) -ffreestanding -fpic -fno-stack-protector \
	-fno-stack-check -fshort-wchar -mno-red-zone -maccumulate-outgoing-args \
	-DGNU_EFI_USE_MS_ABI -I$(EFI_INC) -I$(EFI_INC)/x86_64 -Iefi -I$(BUILD)
HOST_CFLAGS := -std=gnu11 -O2 $(WARN) $(DEPS)
SAN := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SIM_CFLAGS := -std=gnu11 $(WARN) $(DEPS) $(SAN) -DWEAKBIT_SIM -Iefi -Itests -I$(BUILD)

EFI_OBJS  := $(CORE:%=$(BUILD)/efi/core/%.o) $(GLUE:%=$(BUILD)/efi/%.o) $(BARE:%=$(BUILD)/efi/fullmode/bare/%.o) \
	$(ASM:%=$(BUILD)/boot/%.o) $(BUILD)/efi/gen/font.o
# results turns a hand-off record into the files, with the app's session code.
RESULTS_CORE := prng memrange memplan session report handoff recovery fullplan focus mce $(KERNELS)
CLI_OBJS  := $(addprefix $(BUILD)/host/,core/fmt.o core/failbit.o core/fold.o core/config.o core/errcsv.o core/cells.o \
	core/badram.o core/cover.o core/interleave.o tools/linuxside/linuxmem.o tools/linuxside/import.o tools/weakbit.o \
	tools/cli_opt.o tools/cli_csv.o tools/atomic.o tools/badram.o tools/cells.o tools/apply.o tools/svg.o \
	tools/timeline.o tools/map.o tools/textfile.o tools/verify.o tools/offline.o tools/import.o tools/results.o \
	tools/nokernels.o $(RESULTS_CORE:%=core/%.o))
UNIT      := main kern test_session test_movinv test_kernels test_matrix test_work test_dwell test_config test_csv_badram test_errcsv_reader \
	test_memplan test_cover test_interleave test_smp test_focus test_smbios test_linux_side test_handoff \
	test_fullplan test_madt test_fold test_tramp test_sched test_runloop test_nvbudget test_mce test_usb test_hammer test_dramsim
# Pure modules only the host uses: the Linux side of the CLI (verify, offline, import).
LINUXSIDE := linuxmem import
UNIT_OBJS := $(CORE:%=$(BUILD)/sim/core/%.o) $(LINUXSIDE:%=$(BUILD)/sim/linuxside/%.o) $(BUILD)/sim/sim/simmem.o \
	$(BUILD)/sim/dramsim/model.o \
	$(UNIT:%=$(BUILD)/sim/unit/%.o) $(BUILD)/boot/trampoline.o

.PHONY: all deps demo check unit fuzz fuzz-targets usb bench bench-peer clean install uninstall
all: $(BUILD)/weakbit.efi $(BUILD)/weakbit $(BUILD)/weakbit-static $(BUILD)/evil-dimm $(BUILD)/dramsim.so

# --- UEFI application -------------------------------------------------------
$(BUILD)/efi/core/%.o: efi/core/%.c
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -c $< -o $@
$(BUILD)/efi/%.o: efi/%.c
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -c $< -o $@
$(BUILD)/tools/psf2c: tools/psf2c.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -o $@ $<
$(BUILD)/efi/gen/font.c: $(FONT_PSF) $(BUILD)/tools/psf2c
	@mkdir -p $(@D)
	@test -f $(FONT_PSF) || { echo "no $(FONT_PSF): run make deps (console-setup-linux)" >&2; exit 1; }
	zcat $(FONT_PSF) | $(BUILD)/tools/psf2c fbcon_font >$@.tmp && mv $@.tmp $@
$(BUILD)/efi/gen/font.o: $(BUILD)/efi/gen/font.c
	$(CC) $(EFI_CFLAGS) -c $< -o $@
$(BUILD)/boot/%.o: boot/%.asm
	@mkdir -p $(@D)
	$(NASM) -f elf64 -o $@ $<
# The trampoline's offsets, from its own symbols: C checks its view of the
# data block against them at build time (efi/core/tramp.c).
$(BUILD)/gen/tramp_layout.h: $(BUILD)/boot/trampoline.o
	@mkdir -p $(@D)
	{ echo '/* generated from boot/trampoline.asm by the Makefile: offsets from tramp_start */'; \
	  echo '#ifndef GEN_TRAMP_LAYOUT_H'; echo '#define GEN_TRAMP_LAYOUT_H'; \
	  nm -P $< | awk '$$1 ~ /^tramp_[a-z0-9_]*$$/ { printf "#define TRAMP_OFF_%s 0x%s\n", toupper(substr($$1, 7)), $$3 }'; \
	  echo '#endif'; } >$@.tmp && mv $@.tmp $@
$(BUILD)/efi/core/tramp.o $(BUILD)/sim/core/tramp.o $(BUILD)/sim/unit/test_tramp.o: $(BUILD)/gen/tramp_layout.h
$(BUILD)/weakbit.so: $(EFI_OBJS) linker/weakbit-x86_64.lds
	$(LD) -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined -T linker/weakbit-x86_64.lds \
		$(EFI_CRT) $(EFI_OBJS) -L$(EFI_LIB) -lefi -lgnuefi -o $@
$(BUILD)/weakbit.efi: $(BUILD)/weakbit.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# --- host CLI and fault injector ---------------------------------------------
$(BUILD)/host/%.o: efi/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Iefi -Itools -c $< -o $@
$(BUILD)/host/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Iefi -Itools -c $< -o $@
$(BUILD)/weakbit: $(CLI_OBJS)
	$(CC) $(HOST_CFLAGS) $^ -o $@
# The same CLI linked statically, for the busybox initramfs of the GRUB + Linux
# tests (tests/e2e/test_linux_side.sh), which has no libc.
$(BUILD)/weakbit-static: $(CLI_OBJS)
	$(CC) $(HOST_CFLAGS) -static $^ -o $@
# Test helper: a full-coverage run's UEFI variables as efivarfs files.
$(BUILD)/mkhandoff: tests/cli/mkhandoff.c $(filter-out $(BUILD)/host/tools/%,$(CLI_OBJS)) $(BUILD)/host/tools/nokernels.o
	$(CC) $(HOST_CFLAGS) -Iefi $(filter %.c %.o,$^) -o $@
$(BUILD)/evil-dimm: tools/evil-dimm/evil-dimm.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -o $@ $<
# The simulated DRAM for the row hammer e2e tests: a QEMU TCG plugin.
$(BUILD)/dramsim.so: tools/dramsim/dramsim.c tools/dramsim/model.c tools/dramsim/model.h tools/dramsim/qemu-plugin-v1.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -shared -fPIC -fvisibility=hidden -Itools -o $@ $(filter %.c,$^)

# --- host unit tests (simulated memory, ASan+UBSan) ---------------------------
$(BUILD)/sim/dramsim/%.o: tools/dramsim/%.c
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -Itools -c $< -o $@
$(BUILD)/sim/core/%.o: efi/core/%.c
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -c $< -o $@
$(BUILD)/sim/linuxside/%.o: tools/linuxside/%.c
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -Itools -c $< -o $@
$(BUILD)/sim/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -Itools -c $< -o $@
# The simulator is every kernel test's hot path: optimised, still sanitized.
$(BUILD)/sim/sim/simmem.o: tests/sim/simmem.c
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) -O2 -c $< -o $@
$(BUILD)/unit-tests: $(UNIT_OBJS)
	$(CC) $(SAN) $^ -o $@ -lpthread

# The barrier, the per-CPU rings and the scheduler's rules once more under
# ThreadSanitizer.
TSAN_CORE := smp sched prng fmt memrange report badram cells config interleave memplan cover failbit mce $(KERNELS)
$(BUILD)/smp-tsan-tests: tests/unit/main.c tests/unit/test_smp.c tests/unit/test_sched.c \
		$(TSAN_CORE:%=efi/core/%.c) tests/sim/simmem.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) -g -O1 -fsanitize=thread -DWEAKBIT_SIM '-DUNIT_PREFIX="tsan"' -Iefi -Itests $^ -o $@ -lpthread

# --- libFuzzer targets over the parsers (clang) ------------------------------
FUZZ      := csv config badram smbios import
FUZZ_SRC  := $(addprefix efi/core/,fmt.c failbit.c config.c errcsv.c cells.c badram.c cover.c interleave.c smbios.c) \
	$(addprefix tools/linuxside/,linuxmem.c import.c)
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRC)
	@mkdir -p $(@D)
	clang -std=gnu11 -g -O1 $(WARN) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iefi -Itools $^ -o $@
fuzz-targets: $(FUZZ:%=$(BUILD)/fuzz/fuzz_%)
# Longer runs than make check's 5 s per parser.
FUZZ_SECS ?= 300
fuzz: fuzz-targets
	tests/fuzz/run.sh $(BUILD) $(FUZZ_SECS)

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

# --- the commands in README ---------------------------------------------------
deps:
	tools/deps

# Everything is built first, in one make with CHECK_JOBS jobs; the suites then
# only run what is there. WEAKBIT_FUZZ_SECS: seconds per fuzzer (default 5).
CHECK_JOBS ?= 2
check:
	$(MAKE) -j$(CHECK_JOBS) all $(BUILD)/unit-tests $(BUILD)/smp-tsan-tests $(BUILD)/mkhandoff fuzz-targets
	tests/run-all $(BUILD)

demo: deps
	$(MAKE) all
	tools/demo $(BUILD)

clean:
	rm -rf $(BUILD)

# --- boot media: USB stick image, GRUB menu entry --------------------------------
# make usb: build/weakbit-usb.img, a GPT disk image with one FAT32 ESP holding
# EFI/BOOT/BOOTX64.EFI and weakbit/weakbit.cfg (tools/mkusb); dd it to a stick.
# make install [ESP=/boot/efi] [DESTDIR=] (root): the app to ESP/EFI/weakbit/ and
# the grub.d script to /etc/grub.d/20_weakbit; the entry appears after update-grub.
# make uninstall removes both (the results in ESP/weakbit/ stay), and the unit
# and page list `weakbit offline --at-boot` installed.
ESP     ?= /boot/efi
ESP_EFI  = $(ESP)/EFI/weakbit/weakbit.efi
GRUB_D   = $(DESTDIR)/etc/grub.d/20_weakbit

$(BUILD)/weakbit-usb.img: $(BUILD)/weakbit.efi boot/weakbit.cfg tools/mkusb
	tools/mkusb $(BUILD)/weakbit.efi boot/weakbit.cfg $@
usb: $(BUILD)/weakbit-usb.img

install: $(BUILD)/weakbit.efi boot/grub.d/20_weakbit
	@test -n '$(DESTDIR)' || test -d '$(ESP)/EFI' || \
		{ echo "install: no EFI System Partition at $(ESP) (mount it, or pass ESP=/path)" >&2; exit 1; }
	mkdir -p '$(DESTDIR)$(ESP)/EFI/weakbit' '$(DESTDIR)/etc/grub.d'
	cp $(BUILD)/weakbit.efi '$(DESTDIR)$(ESP_EFI).new'
	mv -f '$(DESTDIR)$(ESP_EFI).new' '$(DESTDIR)$(ESP_EFI)'
	sed 's|@WEAKBIT_EFI@|$(ESP_EFI)|' boot/grub.d/20_weakbit >'$(GRUB_D).new'
	chmod 755 '$(GRUB_D).new'
	mv -f '$(GRUB_D).new' '$(GRUB_D)'
	@echo "weakbit: installed $(DESTDIR)$(ESP_EFI) and $(GRUB_D)."
	@echo "weakbit: now run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg) to add the menu entry."

# weakbit offline --at-boot installs these; uninstall takes them away too.
OFFLINE_UNIT  = $(DESTDIR)/etc/systemd/system/weakbit-offline.service
OFFLINE_WANTS = $(DESTDIR)/etc/systemd/system/sysinit.target.wants/weakbit-offline.service
OFFLINE_STATE = $(DESTDIR)/var/lib/weakbit/offline-pages

uninstall:
	rm -f '$(DESTDIR)$(ESP_EFI)' '$(GRUB_D)'
	@rmdir '$(DESTDIR)$(ESP)/EFI/weakbit' 2>/dev/null || true
	rm -f '$(OFFLINE_WANTS)' '$(OFFLINE_UNIT)' '$(OFFLINE_STATE)'
	@rmdir '$(DESTDIR)/var/lib/weakbit' 2>/dev/null || true
	@echo "weakbit: removed $(DESTDIR)$(ESP_EFI) and $(GRUB_D) (results in $(ESP)/weakbit/ are kept)."
	@echo "weakbit: now run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg) to drop the menu entry."

# --- benchmark and generated docs ----------------------------------------------
# make bench [BENCH_ARGS="--size 512M --threads 2"]: the real kernels, natively
# compiled with the app's code-generation flags, against host RAM.
BENCH_CORE   := prng $(KERNELS)
BENCH_CFLAGS := -std=gnu11 -O2 $(WARN) $(DEPS) -ffreestanding -fpic -fno-stack-protector \
	-fno-stack-check -mno-red-zone -maccumulate-outgoing-args -Iefi
$(BUILD)/bench/core/%.o: efi/core/%.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@
$(BUILD)/bench/bench.o: tests/bench/bench.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) $(DEPS) -Iefi -pthread -c $< -o $@
$(BUILD)/bench/bench: $(BENCH_CORE:%=$(BUILD)/bench/core/%.o) $(BUILD)/bench/bench.o
	$(CC) -pthread $^ -o $@
bench: $(BUILD)/bench/bench
	$(BUILD)/bench/bench $(BENCH_ARGS)

# make bench-peer [PEER_ARGS="--mem 512M --smp 2"]: Memtest86+ and weakbit in
# the same QEMU guest, tests 3-9 of a quick pass (by hand: several minutes).
bench-peer: $(BUILD)/weakbit.efi
	tools/bench-peer --efi $(BUILD)/weakbit.efi --out $(BUILD)/bench-peer $(PEER_ARGS)

# make docs: regenerate docs/fault-matrix.md and docs/work-per-pass.md from
# the unit tests that check them.
.PHONY: docs
docs: $(BUILD)/unit-tests
	WEAKBIT_MATRIX_OUT=docs/fault-matrix.md $(BUILD)/unit-tests matrix_detection
	WEAKBIT_WORK_OUT=docs/work-per-pass.md $(BUILD)/unit-tests work_per_pass_at_least_memtest86plus

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
