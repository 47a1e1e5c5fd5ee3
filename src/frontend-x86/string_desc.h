// The descriptor the frontend passes to the RepString helper: which string instruction, its
// element size, rep kind, address size and source segment, packed into one integer argument.
#pragma once
#include "support/types.h"

namespace bmbt::x86 {

enum class StringOp : u8 { kMovs, kStos, kLods, kCmps, kScas };
enum class RepKind : u8 { kNone, kRepE, kRepNE };  // rep for movs/stos/lods counts as kRepE

struct StringDesc {
  StringOp op;
  u8 size;          // element bytes: 1 2 4 8
  RepKind rep;
  bool addr32;      // 0x67: RCX/RSI/RDI are used and updated as 32-bit registers
  u8 src_segment;   // segment index of the source (DS or an override); the destination is always ES

  constexpr u64 pack() const {
    return u64(op) | u64(size) << 4 | u64(rep) << 8 | u64(addr32) << 10 | u64(src_segment) << 12;
  }
  static constexpr StringDesc unpack(u64 v) {
    return {StringOp(v & 7), u8((v >> 4) & 15), RepKind((v >> 8) & 3), ((v >> 10) & 1) != 0, u8((v >> 12) & 7)};
  }
};

}  // namespace bmbt::x86
