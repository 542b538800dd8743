// SPDX-License-Identifier: MIT
// Random number sequence (test 8): memory is written ascending with a
// pseudo-random stream; the CPU regenerates the same stream from the seed to
// check each word and write its complement, then regenerates it once more to
// check the complement. Forward only, unlike moving inversions.
// The stream is eight interleaved xorshift64 generators (word k of every
// group of eight from generator k), so producing it keeps up with memory.
#ifndef EFI_CORE_KERNELS_RAND_SEQ_H
#define EFI_CORE_KERNELS_RAND_SEQ_H

#include "core/kernels/runtime.h"

/* One iteration = write, check + write complement, check; each iteration
 * draws a new seed from the run's seed. Every final check but the last
 * writes the next iteration's stream into each word right after reading
 * it (the next write, without a pass of its own). */
void rand_seq(struct mt_run *r);
uint64_t rand_seq_sweeps(unsigned iters);

#endif
