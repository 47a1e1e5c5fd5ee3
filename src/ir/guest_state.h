// The architectural x86-64 state that IR get/set operations address. Translated code, the IR
// interpreter and helpers all work on this one structure (the backend addresses it through a
// fixed host register), so its layout is part of the translated-code ABI.
#pragma once
#include "ir/types.h"

namespace bmbt {

enum GuestReg : u8 {
  kRAX, kRCX, kRDX, kRBX, kRSP, kRBP, kRSI, kRDI,
  kR8, kR9, kR10, kR11, kR12, kR13, kR14, kR15,
  kRIP, kFsBase, kGsBase,
  kGuestRegCount
};
const char* guest_reg_name(u8 reg);

// RFLAGS bits that live outside the per-flag bytes (IF, TF, IOPL, ... and the always-one bit 1).
constexpr u64 kRflagsFixedOne = u64(1) << 1;
constexpr u64 kRflagsIF = u64(1) << 9;

struct CpuState {
  u64 regs[kGuestRegCount];
  u8 flags[8];          // indexed by ir::Flag; each is 0 or 1
  u64 rflags_system;    // every RFLAGS bit except CF PF AF ZF SF OF DF
};

u64 read_rflags(const CpuState& s);
void write_rflags(CpuState& s, u64 value);

constexpr u32 guest_reg_offset(u8 reg) { return u32(reg) * 8; }
constexpr u32 guest_flag_offset(u8 flag) { return u32(kGuestRegCount) * 8 + flag; }

}  // namespace bmbt
