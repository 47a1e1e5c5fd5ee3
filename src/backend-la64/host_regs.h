// How translated code uses the LoongArch registers (see docs/decisions.md):
//   $s8 (r31)            Vcpu* (guest state, soft TLB)
//   16 guest GPRs        pinned for the whole block: RAX..R8 in $t0-$t8, R9..R15 in $s0-$s6
//   $a0-$a7              allocatable temporaries for IR values
//   $ra                  link register of calls into the shared slow-path stubs
//   $r21, $s7, $fp       code-generator scratch (never hold IR values)
//   $sp, $tp, $zero      untouched
#pragma once
#include "backend-la64/encoding.h"

namespace bmbt::la64 {

constexpr Gpr kZero{0};
constexpr Gpr kRa{1};
constexpr Gpr kSp{3};
constexpr Gpr kA0{4};
constexpr Gpr kEnv{31};
constexpr Gpr kScratch0{21};
constexpr Gpr kScratch1{30};
constexpr Gpr kScratch2{22};
// Fourth scratch for a third operand ($ra: no value lives in it across instructions; the
// slow-path stub calls clobber it only out of line).
constexpr Gpr kScratch3{1};

constexpr u8 kGuestGprHost[16] = {12, 13, 14, 15, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 28, 29};
constexpr Gpr guest_gpr(int r) { return Gpr{kGuestGprHost[r]}; }
// Pinned guest registers that a C function call clobbers ($t0-$t8 are caller-saved).
constexpr int kCallerSavedPinned = 9;

constexpr u8 kTempRegs[] = {4, 5, 6, 7, 8, 9, 10, 11};
constexpr int kNumTemps = int(sizeof(kTempRegs));

// The frame the entry trampoline sets up: callee-saved registers, then spill slots for live
// temporaries around helper calls, then the return address of a slow-path stub call.
constexpr int kFrameSavedRegs = 11;          // $ra, $fp, $s0-$s8
constexpr int kFrameSpillOffset = kFrameSavedRegs * 8;
constexpr int kFrameStubRaOffset = kFrameSpillOffset + kNumTemps * 8;
// Slots for values the register allocator spills when the temporaries run out.
constexpr int kFrameValueSlots = 48;
constexpr int kFrameValueSpillOffset = kFrameStubRaOffset + 8;
constexpr int kFrameSize = ((kFrameValueSpillOffset + kFrameValueSlots * 8) + 15) / 16 * 16;

}  // namespace bmbt::la64
