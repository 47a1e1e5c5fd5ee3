// IR value types and x86 flag numbering.
#pragma once
#include "support/types.h"

namespace bmbt::ir {

enum class Type : u8 { kVoid, kI1, kI8, kI16, kI32, kI64 };

constexpr int bit_width(Type t) {
  switch (t) {
    case Type::kI1: return 1;
    case Type::kI8: return 8;
    case Type::kI16: return 16;
    case Type::kI32: return 32;
    case Type::kI64: return 64;
    default: return 0;
  }
}
constexpr u64 type_mask(Type t) {
  int w = bit_width(t);
  return w >= 64 ? ~u64(0) : ((u64(1) << w) - 1);
}
constexpr Type int_type_for_bytes(int bytes) {
  return bytes == 1 ? Type::kI8 : bytes == 2 ? Type::kI16 : bytes == 4 ? Type::kI32 : Type::kI64;
}
const char* type_name(Type t);

// The six arithmetic flags plus DF, each kept as its own byte of guest state so that the
// software flag strategy computes (and stores) only flags that someone reads.
enum Flag : u8 { kCF, kPF, kAF, kZF, kSF, kOF, kDF, kFlagCount };
enum FlagBit : u8 {
  kFlagCF = 1 << kCF, kFlagPF = 1 << kPF, kFlagAF = 1 << kAF, kFlagZF = 1 << kZF,
  kFlagSF = 1 << kSF, kFlagOF = 1 << kOF, kFlagDF = 1 << kDF,
};
// CF PF AF ZF SF OF: the flags liveness is tracked for (DF is always kept).
constexpr u8 kArithFlags = kFlagCF | kFlagPF | kFlagAF | kFlagZF | kFlagSF | kFlagOF;
const char* flag_name(u8 flag);

}  // namespace bmbt::ir
