// Where an x86-64 instruction's displacement and immediates lie, found from its prefixes, opcode,
// ModRM and SIB alone (a few table look-ups instead of a full decode). The decoder uses it to
// recognise instructions that differ only in those values (see Decoder's shape cache).
#pragma once
#include "support/types.h"

namespace bmbt::x86 {

// An instruction is `header` bytes (prefixes, opcode, ModRM, SIB), then a displacement of
// `disp_size` bytes, then up to two immediates; x86 places nothing after them. Sizes in bytes,
// one per byte of `packed` (header lowest); packed == 0: unknown (every instruction has an opcode).
//
// `registers` (found by the fast path only, for the one-byte and 0F opcodes listed in
// insn_layout.cpp): the bits of the first four bytes that only choose a general-purpose register
// operand, as a mask over those bytes read in host (little-endian) order: in the ModRM byte 0x38
// (ModRM.reg) and 0x07 (ModRM.rm of a register form, mod 3), in the REX byte (if any, the first)
// the bits extending them (R 4, B 1). Instructions differing only in those bits decode alike but
// for their register numbers. 0: none.
struct InsnLayout {
  u32 packed = 0;
  u32 registers = 0;

  int header() const { return int(packed & 0xff); }
  int disp_size() const { return int(packed >> 8 & 0xff); }
  int imm_size(int k) const { return int(packed >> (16 + 8 * k) & 0xff); }
  int disp_offset() const { return header(); }
  int imm_offset(int k) const { return header() + disp_size() + (k == 1 ? imm_size(0) : 0); }
  int length() const { return int((packed * 0x01010101u) >> 24); }  // the sum of the four bytes
  // With free registers: the ModRM byte's offset (never 0), its free bits, and whether a REX
  // prefix is present (it then has free bits too).
  int modrm_offset() const { return (__builtin_ctz(registers >> 8) >> 3) + 1; }
  u32 free_modrm_bits() const { return registers >> (8 * modrm_offset()); }
  bool rex() const { return (registers & 0xff) != 0; }
};

// The layout of the instruction `bytes` begins with (`len` bytes available), for the legacy
// encodings in 64-bit mode: prefixes 66/67/F0/F2/F3/segment, REX, the one-byte map and the 0F,
// 0F38 and 0F3A maps. Unknown for anything else (VEX, EVEX, XOP, 3DNow!, opcodes whose length
// depends on more than the opcode and ModRM), when the instruction is longer than 15 bytes or
// than `len` (all these give packed == 0). A layout does not mean the instruction is valid: only
// that if it is, this is its layout.
InsnLayout scan_layout(const u8* bytes, usize len);

}  // namespace bmbt::x86
