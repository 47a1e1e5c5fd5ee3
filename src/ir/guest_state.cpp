#include "ir/guest_state.h"

namespace bmbt {

static_assert(__builtin_offsetof(CpuState, flags) == guest_flag_offset(0), "flag offset formula");

const char* guest_reg_name(u8 reg) {
  static const char* const kNames[kGuestRegCount] = {
      "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8",     "r9",     "r10",
      "r11", "r12", "r13", "r14", "r15", "rip", "fs_base", "gs_base"};
  return reg < kGuestRegCount ? kNames[reg] : "?";
}

// RFLAGS bit positions of the flags kept one per byte, in ir::Flag order.
static constexpr u8 kRflagsBit[ir::kFlagCount] = {0, 2, 4, 6, 7, 11, 10};

u64 read_rflags(const CpuState& s) {
  u64 v = (s.rflags_system | kRflagsFixedOne);
  for (int f = 0; f < ir::kFlagCount; ++f) v |= u64(s.flags[f] & 1) << kRflagsBit[f];
  return v;
}

void write_rflags(CpuState& s, u64 value) {
  u64 kept = 0;
  for (int f = 0; f < ir::kFlagCount; ++f) {
    s.flags[f] = u8((value >> kRflagsBit[f]) & 1);
    kept |= u64(1) << kRflagsBit[f];
  }
  s.rflags_system = (value & ~kept) | kRflagsFixedOne;
}

}  // namespace bmbt
