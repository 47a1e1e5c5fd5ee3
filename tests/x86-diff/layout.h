// The machine layout shared by the native runner, the BMBT runner, the generator and the corpus:
// where the data window, the stack and the code live, and the register/flag state that a test
// vector carries. Plain C++ over support/types.h only, so the corpus reader (and a LoongArch
// replayer) can include it without the C++ library.
#pragma once
#include "support/types.h"

namespace bmbt::x86diff {

// Data window: every memory operand, the stack and string operands land in it. It is mapped
// at the same address natively and as guest RAM (guest virtual == guest physical today).
constexpr u64 kWindowBase = 0x10000000;
constexpr u64 kWindowSize = 0x2000;
// Memory operands are placed at least this far from the window edges (room for 16-byte
// accesses, bit-offset addressing and short rep strings).
constexpr u64 kWindowMargin = 0x200;
// The stack (RSP and RBP for stack families) sits in the upper half of the window.
constexpr u64 kStackLo = kWindowBase + 0x1100;
constexpr u64 kStackHi = kWindowBase + 0x1a00;
// Code page: filled with int3 (0xCC) except the instructions under test, so falling through
// or branching anywhere into the page traps natively with the new RIP in hand.
constexpr u64 kCodePage = 0x10010000;
constexpr u64 kCodePageSize = 0x1000;
constexpr u64 kCodeAddr = kCodePage + 0x800;
constexpr u8 kTrapByte = 0xCC;
// Bits 63..47 all equal (48-bit virtual addresses): the only RSP values every x86-64 host enters a
// case with (generator.cpp, native_runner.cpp).
constexpr bool is_canonical(u64 v) { return u64(i64(v << 16) >> 16) == v; }

constexpr int kMaxCode = 64;       // bytes of one test case (an instruction or a short sequence)
constexpr int kMaxPatches = 4;     // explicit memory contents on top of the pseudo-random fill
constexpr int kPatchBytes = 32;

// x86 register numbering (rax rcx rdx rbx rsp rbp rsi rdi r8..r15), same as the encoding.
struct State {
  u64 gpr[16];
  u64 rip;
  u64 rflags;
  u64 fs_base;
  u64 gs_base;
};

// How an instruction (sequence) ended, natively or under BMBT.
enum class ExitKind : u8 {
  kCompleted = 0,     // ran to the end (fall-through, or a branch: RIP = the target)
  kMemFault = 1,      // #PF/#GP on a data access: RIP = the faulting instruction, state before it
  kDivideError = 2,   // #DE
  kInvalidOpcode = 3, // #UD natively; under BMBT an unimplemented instruction ("unsupported")
  kOther = 4,         // anything else (a runner problem)
};
inline const char* exit_kind_name(ExitKind k) {
  switch (k) {
    case ExitKind::kCompleted: return "completed";
    case ExitKind::kMemFault: return "memory-fault";
    case ExitKind::kDivideError: return "#DE";
    case ExitKind::kInvalidOpcode: return "#UD";
    case ExitKind::kOther: return "other";
  }
  return "?";
}

struct Patch {
  u16 offset;  // from kWindowBase
  u8 len;
  u8 bytes[kPatchBytes];
};

// RFLAGS bits.
constexpr u64 kCF = 1, kPF = 4, kAF = 0x10, kZF = 0x40, kSF = 0x80, kDF = 0x400, kOF = 0x800;
constexpr u64 kArithFlags = kCF | kPF | kAF | kZF | kSF | kOF;

// The initial window contents: splitmix64 words from `seed`, little-endian (documented in
// docs/x86-differential-testing.md so any replayer can rebuild the window).
inline u64 splitmix64(u64& s) {
  u64 z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
inline void fill_window(u64 seed, const Patch* patches, int n_patches, u8* window) {
  u64 s = seed;
  for (u64 i = 0; i < kWindowSize; i += 8) {
    u64 w = splitmix64(s);
    for (int b = 0; b < 8; ++b) window[i + u64(b)] = u8(w >> (8 * b));
  }
  for (int p = 0; p < n_patches; ++p)
    for (int b = 0; b < patches[p].len; ++b) window[patches[p].offset + b] = patches[p].bytes[b];
}

}  // namespace bmbt::x86diff
