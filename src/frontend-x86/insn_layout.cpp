#include "frontend-x86/insn_layout.h"

namespace bmbt::x86 {

namespace {

constexpr int kMaxLength = 15;

// What follows an opcode: the immediate kinds (low four bits) and flags.
enum Imm : u8 {
  kNoImm,
  kIb,        // 8 bits
  kIw,        // 16 bits
  kIz,        // 16 bits with 66 (and no REX.W), else 32
  kIv,        // B8+r: 64 bits with REX.W, else like kIz
  kIwIb,      // enter: 16 bits, then 8 bits
  kMoffs,     // A0..A3: a 64-bit address (32 bits with 67), which Zydis reports as displacement
  kRel32,     // near jmp/call/jcc: 32 bits; with 66 vendors disagree, so not claimed
  kGroup3b,   // F6: test (/0, /1) has an 8-bit immediate, the rest of the group none
  kGroup3z,   // F7: likewise with kIz
};
constexpr u8 kImmMask = 0x0f;
constexpr u8 kModrm = 0x80;
constexpr u8 kUnknown = 0x40;   // not claimed: invalid, another encoding, or a length rule not modelled
constexpr u8 kF3Only = 0x20;    // claimed only with an F3 prefix (0F B8 is popcnt only with F3)

struct OpcodeMap {
  u8 d[256];
  constexpr void set(int first, int last, u8 v) {
    for (int i = first; i <= last; ++i) d[i] = v;
  }
};

constexpr OpcodeMap one_byte_map() {
  OpcodeMap m{};
  // 00..3F: eight ALU rows of op r/m,r (x4), op al,ib, op eax,iz; the last two columns are
  // prefixes or invalid in 64-bit mode (and 0F, the escape, handled before the table).
  for (int row = 0; row < 0x40; row += 8) {
    m.set(row, row + 3, kModrm);
    m.d[row + 4] = kIb;
    m.d[row + 5] = kIz;
    m.set(row + 6, row + 7, kUnknown);
  }
  m.set(0x40, 0x4f, kUnknown);        // REX, consumed before the table
  m.set(0x50, 0x5f, kNoImm);          // push/pop r64
  m.set(0x60, 0x62, kUnknown);        // invalid; 62 is EVEX
  m.d[0x63] = kModrm;                 // movsxd
  m.set(0x64, 0x67, kUnknown);        // prefixes
  m.d[0x68] = kIz;
  m.d[0x69] = kModrm | kIz;
  m.d[0x6a] = kIb;
  m.d[0x6b] = kModrm | kIb;
  m.set(0x6c, 0x6f, kNoImm);          // ins/outs
  m.set(0x70, 0x7f, kIb);             // jcc rel8
  m.d[0x80] = kModrm | kIb;
  m.d[0x81] = kModrm | kIz;
  m.d[0x82] = kUnknown;
  m.d[0x83] = kModrm | kIb;
  m.set(0x84, 0x8e, kModrm);          // test, xchg, mov, lea, mov sreg
  m.d[0x8f] = kUnknown;               // pop r/m, or XOP
  m.set(0x90, 0x9f, kNoImm);          // xchg/nop, cbw, cwd, fwait, pushf, popf, sahf, lahf
  m.d[0x9a] = kUnknown;               // far call: invalid
  m.set(0xa0, 0xa3, kMoffs);
  m.set(0xa4, 0xa7, kNoImm);          // movs, cmps
  m.d[0xa8] = kIb;
  m.d[0xa9] = kIz;
  m.set(0xaa, 0xaf, kNoImm);          // stos, lods, scas
  m.set(0xb0, 0xb7, kIb);
  m.set(0xb8, 0xbf, kIv);
  m.set(0xc0, 0xc1, kModrm | kIb);
  m.d[0xc2] = kIw;
  m.d[0xc3] = kNoImm;
  m.set(0xc4, 0xc5, kUnknown);        // VEX
  m.d[0xc6] = kModrm | kIb;
  m.d[0xc7] = kModrm | kIz;
  m.d[0xc8] = kIwIb;
  m.d[0xc9] = kNoImm;
  m.d[0xca] = kIw;
  m.set(0xcb, 0xcc, kNoImm);
  m.d[0xcd] = kIb;
  m.d[0xce] = kUnknown;
  m.d[0xcf] = kNoImm;
  m.set(0xd0, 0xd3, kModrm);          // shifts by 1 / cl
  m.set(0xd4, 0xd6, kUnknown);
  m.d[0xd7] = kNoImm;                 // xlat
  m.set(0xd8, 0xdf, kModrm);          // x87
  m.set(0xe0, 0xe7, kIb);             // loop, jrcxz, in/out imm8
  m.set(0xe8, 0xe9, kRel32);
  m.d[0xea] = kUnknown;
  m.d[0xeb] = kIb;
  m.set(0xec, 0xef, kNoImm);          // in/out dx
  m.d[0xf0] = kUnknown;               // prefixes F0, F2, F3
  m.d[0xf1] = kNoImm;
  m.set(0xf2, 0xf3, kUnknown);
  m.set(0xf4, 0xf5, kNoImm);
  m.d[0xf6] = kModrm | kGroup3b;
  m.d[0xf7] = kModrm | kGroup3z;
  m.set(0xf8, 0xfd, kNoImm);
  m.set(0xfe, 0xff, kModrm);
  return m;
}

constexpr OpcodeMap two_byte_map() {  // 0F xx
  OpcodeMap m{};
  m.set(0x00, 0x03, kModrm);          // groups 6, 7, lar, lsl
  m.d[0x04] = kUnknown;
  m.set(0x05, 0x09, kNoImm);          // syscall, clts, sysret, invd, wbinvd
  m.d[0x0a] = kUnknown;
  m.d[0x0b] = kNoImm;                 // ud2
  m.d[0x0c] = kUnknown;
  m.d[0x0d] = kModrm;                 // prefetch
  m.set(0x0e, 0x0f, kUnknown);        // 3DNow!
  m.set(0x10, 0x1f, kModrm);          // SSE moves, prefetch hints, hint nops
  m.set(0x20, 0x27, kUnknown);        // mov cr/dr ignore ModRM.mod; 24..27 invalid
  m.set(0x28, 0x2f, kModrm);
  m.set(0x30, 0x37, kNoImm);          // wrmsr, rdtsc, rdmsr, rdpmc, sysenter, sysexit, -, getsec
  m.d[0x36] = kUnknown;
  m.set(0x38, 0x3f, kUnknown);        // 38, 3A: escapes, handled before the table
  m.set(0x40, 0x6f, kModrm);          // cmovcc, SSE, MMX
  m.set(0x70, 0x73, kModrm | kIb);    // pshuf*, shift groups
  m.set(0x74, 0x76, kModrm);
  m.d[0x77] = kNoImm;                 // emms
  m.set(0x78, 0x7b, kUnknown);        // vmread/vmwrite vs. extrq/insertq (two immediates)
  m.set(0x7c, 0x7f, kModrm);
  m.set(0x80, 0x8f, kRel32);          // jcc rel32
  m.set(0x90, 0x9f, kModrm);          // setcc
  m.set(0xa0, 0xa2, kNoImm);          // push/pop fs, cpuid
  m.d[0xa3] = kModrm;
  m.d[0xa4] = kModrm | kIb;           // shld imm8
  m.d[0xa5] = kModrm;
  m.set(0xa6, 0xa7, kUnknown);
  m.set(0xa8, 0xaa, kNoImm);          // push/pop gs, rsm
  m.d[0xab] = kModrm;
  m.d[0xac] = kModrm | kIb;           // shrd imm8
  m.set(0xad, 0xb7, kModrm);
  m.d[0xb8] = kModrm | kF3Only;       // popcnt (jmpe without F3)
  m.d[0xb9] = kModrm;                 // ud1
  m.d[0xba] = kModrm | kIb;           // bt* imm8
  m.set(0xbb, 0xc1, kModrm);
  m.d[0xc2] = kModrm | kIb;           // cmpps etc.
  m.d[0xc3] = kModrm;                 // movnti
  m.set(0xc4, 0xc6, kModrm | kIb);    // pinsrw, pextrw, shufps
  m.d[0xc7] = kModrm;                 // group 9
  m.set(0xc8, 0xcf, kNoImm);          // bswap
  m.set(0xd0, 0xff, kModrm);
  return m;
}

constexpr OpcodeMap uniform_map(u8 v) {
  OpcodeMap m{};
  m.set(0x00, 0xff, v);
  return m;
}

constexpr OpcodeMap kOneByte = one_byte_map();
constexpr OpcodeMap kTwoByte = two_byte_map();
constexpr OpcodeMap k0F38 = uniform_map(kModrm);
constexpr OpcodeMap k0F3A = uniform_map(kModrm | kIb);

// Each byte as a prefix (the one-byte map's prefix rows). The low three bits index kImm.
enum PrefixBits : u8 {
  kOpsize = 1,    // 66
  kRexW = 2,
  kAdsize = 4,    // 67
  kRep = 8,       // F3
  kRepne = 16,    // F2
  kRex = 32,
  kLegacyPrefix = 64,
};

constexpr OpcodeMap prefix_map() {
  OpcodeMap m{};
  constexpr u8 kPlain[] = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0};  // segments, lock
  for (u8 b : kPlain) m.d[b] = kLegacyPrefix;
  m.d[0x66] = kLegacyPrefix | kOpsize;
  m.d[0x67] = kLegacyPrefix | kAdsize;
  m.d[0xf3] = kLegacyPrefix | kRep;
  m.d[0xf2] = kLegacyPrefix | kRepne;
  m.set(0x40, 0x47, kRex);
  m.set(0x48, 0x4f, kRex | kRexW);
  return m;
}
constexpr OpcodeMap kPrefix = prefix_map();

// InsnLayout::packed without the header byte.
constexpr u32 sizes(int disp, int imm0, int imm1 = 0) { return u32(disp) << 8 | u32(imm0) << 16 | u32(imm1) << 24; }
constexpr u32 kNotClaimed = ~0u;

// Displacement and immediate sizes of each immediate kind, for each combination of 66, REX.W and
// 67 (kOpsize | kRexW | kAdsize).
struct ImmTable {
  u32 v[kGroup3z + 1][8];
};

constexpr ImmTable imm_table() {
  ImmTable t{};
  for (int c = 0; c < 8; ++c) {
    const bool opsize = c & kOpsize, rex_w = c & kRexW, adsize = c & kAdsize;
    const int z = opsize && !rex_w ? 2 : 4;
    t.v[kNoImm][c] = sizes(0, 0);
    t.v[kIb][c] = sizes(0, 1);
    t.v[kIw][c] = sizes(0, 2);
    t.v[kIz][c] = sizes(0, z);
    t.v[kIv][c] = sizes(0, rex_w ? 8 : z);
    t.v[kIwIb][c] = sizes(0, 2, 1);
    t.v[kMoffs][c] = sizes(adsize ? 4 : 8, 0);
    t.v[kRel32][c] = opsize ? kNotClaimed : sizes(0, 4);
    t.v[kGroup3b][c] = sizes(0, 1);   // for /0 and /1; scan_layout drops it for the others
    t.v[kGroup3z][c] = sizes(0, z);
  }
  return t;
}
constexpr ImmTable kImm = imm_table();

// Displacement size of each ModRM (64- and 32-bit addressing share these rules), plus kSib if a
// SIB byte follows.
constexpr u8 kSib = 0x80;
constexpr OpcodeMap modrm_map() {
  OpcodeMap m{};
  for (int b = 0; b < 256; ++b) {
    const int mod = b >> 6, rm = b & 7;
    if (mod == 3) continue;
    m.d[b] = u8((mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 5) ? 4 : 0) | (rm == 4 ? kSib : 0));
  }
  return m;
}
constexpr OpcodeMap kModrmDisp = modrm_map();

// Opcodes (one-byte and 0F maps, no legacy prefix) whose ModRM.reg only selects a general-purpose
// register operand (kFreeReg), whose ModRM.rm does so in the register form (kFreeRm), or whose
// ModRM.rm does so in the register form when ModRM.reg is 0 (kFreeRmIfReg0: C6 /7 and C7 /7 with
// rm 0 are xabort and xbegin). Groups, whose ModRM.reg picks the operation, keep it. Listed by
// hand from the SDM's opcode maps; the decoder also checks every remembered decode against them
// (Decoder::remember_shape) and tests/unit/test_decoder_shapes.cpp compares the results with Zydis.
enum FreeRegisters : u8 { kFreeReg = 1, kFreeRm = 2, kFreeRmIfReg0 = 4 };
struct FreeList {
  u8 first, last, free;
};
constexpr FreeList kOneByteFree[] = {
    {0x00, 0x03, kFreeReg | kFreeRm}, {0x08, 0x0b, kFreeReg | kFreeRm}, {0x10, 0x13, kFreeReg | kFreeRm},
    {0x18, 0x1b, kFreeReg | kFreeRm}, {0x20, 0x23, kFreeReg | kFreeRm}, {0x28, 0x2b, kFreeReg | kFreeRm},
    {0x30, 0x33, kFreeReg | kFreeRm}, {0x38, 0x3b, kFreeReg | kFreeRm},  // ALU r/m,r and r,r/m
    {0x63, 0x63, kFreeReg | kFreeRm},                                     // movsxd
    {0x69, 0x69, kFreeReg | kFreeRm}, {0x6b, 0x6b, kFreeReg | kFreeRm},  // imul r, r/m, imm
    {0x80, 0x81, kFreeRm}, {0x83, 0x83, kFreeRm},                         // group 1
    {0x84, 0x8b, kFreeReg | kFreeRm},                                     // test, xchg, mov
    {0x8d, 0x8d, kFreeReg},                                               // lea
    {0xc0, 0xc1, kFreeRm}, {0xd0, 0xd3, kFreeRm},                         // group 2 (shifts)
    {0xc6, 0xc7, kFreeRmIfReg0},                                          // mov r/m, imm
    {0xfe, 0xff, kFreeRm},                                                // groups 4, 5
};
constexpr FreeList kTwoByteFree[] = {
    {0x40, 0x4f, kFreeReg | kFreeRm},  // cmovcc
    {0x90, 0x9f, kFreeRm},             // setcc
    {0xa3, 0xa5, kFreeReg | kFreeRm}, {0xab, 0xad, kFreeReg | kFreeRm},  // bt, shld, bts, shrd
    {0xaf, 0xaf, kFreeReg | kFreeRm},  // imul
    {0xb0, 0xb1, kFreeReg | kFreeRm}, {0xb3, 0xb3, kFreeReg | kFreeRm},  // cmpxchg, btr
    {0xb6, 0xb7, kFreeReg | kFreeRm},  // movzx
    {0xba, 0xba, kFreeRm},             // group 8
    {0xbb, 0xbf, kFreeReg | kFreeRm},  // btc, bsf, bsr, movsx
    {0xc0, 0xc1, kFreeReg | kFreeRm},  // xadd
};

// The fast path's tables: for the one-byte and 0F maps, indexed by REX.W and opcode, the sizes
// InsnLayout::packed holds above the header byte, and in the low byte whether a ModRM follows
// (kFastModrm), whether the fast path may claim the opcode at all (kFastClaimed) and its
// FreeRegisters (shifted by kFastFreeShift). Everything the general scan treats specially (prefix
// and escape bytes, kUnknown, kF3Only, the group 3 immediates) is left unclaimed, so the fast path
// gives the general scan's answer or none.
constexpr u32 kFastClaimed = 1, kFastModrm = 2, kFastFreeShift = 2;
struct FastMap {
  u32 d[2][256];
};

template <usize N>
constexpr FastMap fast_map(const OpcodeMap& m, const FreeList (&free)[N]) {
  FastMap f{};
  for (int w = 0; w < 2; ++w) {
    for (int op = 0; op < 256; ++op) {
      const u8 d = m.d[op];
      const u8 kind = d & kImmMask;
      if ((d & (kUnknown | kF3Only)) || kind >= kGroup3b) continue;
      const u32 sizes = kImm.v[kind][w ? kRexW : 0];
      if (sizes == kNotClaimed) continue;
      f.d[w][op] = sizes | kFastClaimed | (d & kModrm ? kFastModrm : 0);
    }
    for (const FreeList& l : free)
      for (int op = l.first; op <= l.last; ++op) f.d[w][op] |= u32(l.free) << kFastFreeShift;
  }
  return f;
}
constexpr FastMap kFastOneByte = fast_map(kOneByte, kOneByteFree);
constexpr FastMap kFastTwoByte = fast_map(kTwoByte, kTwoByteFree);
static_assert((kFastOneByte.d[0][0x89] & kFastModrm) && (kFastTwoByte.d[1][0xaf] & kFastModrm) &&
              (kFastTwoByte.d[0][0x90] & kFastModrm), "every opcode with free registers has a ModRM");

// For each REX presence, FreeRegisters combination and ModRM byte: the free ModRM bits, and
// above them (<< 8) the REX bits extending them (REX.R for ModRM.reg, REX.B for ModRM.rm).
struct FreeBits {
  u16 d[2][8][256];
};
constexpr FreeBits free_bits() {
  FreeBits f{};
  for (int rex = 0; rex < 2; ++rex) {
    for (int free = 0; free < 8; ++free) {
      for (int modrm = 0; modrm < 256; ++modrm) {
        const bool reg_form = modrm >= 0xc0;
        const bool reg = free & kFreeReg;
        const bool rm = reg_form && ((free & kFreeRm) || ((free & kFreeRmIfReg0) && (modrm & 0x38) == 0));
        const int rex_bits = rex ? (reg ? 4 : 0) | (rm ? 1 : 0) : 0;
        f.d[rex][free][modrm] = u16((reg ? 0x38 : 0) | (rm ? 0x07 : 0) | rex_bits << 8);
      }
    }
  }
  return f;
}
constexpr FreeBits kFreeBits = free_bits();

// The general scan: any prefixes, every map, any number of bytes available.
InsnLayout scan_general(const u8* bytes, usize len) {
  const u8* const end = bytes + (len < usize(kMaxLength) ? len : usize(kMaxLength));
  const u8* p = bytes;
  u32 prefixes = 0;
  while (p < end && (kPrefix.d[*p] & kLegacyPrefix)) prefixes |= kPrefix.d[*p++];
  // REX counts only right before the opcode; anything else (REX then a prefix, two REX) is left
  // to Zydis.
  if (p < end && (kPrefix.d[*p] & kRex)) {
    prefixes |= kPrefix.d[*p++];
    if (p < end && kPrefix.d[*p]) return {};
  }
  if (p >= end) return {};
  const OpcodeMap* map = &kOneByte;
  if (*p == 0x0f) {
    if (++p >= end) return {};
    map = &kTwoByte;
    if (*p == 0x38 || *p == 0x3a) {
      map = *p == 0x38 ? &k0F38 : &k0F3A;
      if (++p >= end) return {};
    }
  }
  const u8 d = map->d[*p++];
  // kF3Only: F3 without F2 (with both, which one is mandatory is Zydis's business).
  if ((d & kUnknown) || ((d & kF3Only) && (prefixes & (kRep | kRepne)) != kRep)) return {};

  u8 kind = d & kImmMask;
  u32 disp = 0;
  if (d & kModrm) {
    if (p >= end) return {};
    const u8 modrm = *p++;
    disp = kModrmDisp.d[modrm];
    if (disp & kSib) {
      if (p >= end) return {};
      const u8 sib = *p++;
      disp &= ~u32(kSib);
      if (modrm < 0x40 && (sib & 7) == 5) disp = 4;  // mod 0, no base: disp32
    }
    if (kind >= kGroup3b && ((modrm >> 3) & 7) >= 2) kind = kNoImm;  // only test has an immediate
  }
  const u32 imm = kImm.v[kind][prefixes & (kOpsize | kRexW | kAdsize)];
  if (imm == kNotClaimed) return {};
  const InsnLayout layout{u32(p - bytes) | disp << 8 | imm};
  if (bytes + layout.length() > end) return {};
  return layout;
}

}  // namespace

// Most instructions have no legacy prefix, at most a REX, and come from the one-byte or 0F map;
// with 15 bytes available (a full fetch) such an instruction cannot run past them (it is at
// most 13 bytes: REX, 0F, opcode, ModRM, SIB, disp32, imm32), so they need two table look-ups
// and no bounds checks. Anything the fast tables do not claim goes through the general scan.
InsnLayout scan_layout(const u8* bytes, usize len) {
  if (len >= usize(kMaxLength)) {
    const u32 rex = (bytes[0] & 0xf0) == 0x40;
    const u32 rex_w = rex & (bytes[0] >> 3);
    const u8* p = bytes + rex;
    const FastMap* map = &kFastOneByte;
    if (*p == 0x0f) {
      map = &kFastTwoByte;
      ++p;
    }
    const u32 e = map->d[rex_w][*p++];
    if (e & kFastClaimed) {
      u32 disp = 0, registers = 0;
      if (e & kFastModrm) {
        const u8 modrm = *p;
        const u32 free = kFreeBits.d[rex][e >> kFastFreeShift & 7][modrm];
        registers = (free & 0xff) << (8 * (p - bytes)) | free >> 8;  // ModRM is at most the fourth byte
        ++p;
        disp = kModrmDisp.d[modrm];
        if (disp & kSib) {
          const u8 sib = *p++;
          disp = modrm < 0x40 && (sib & 7) == 5 ? 4 : disp & ~u32(kSib);  // mod 0, no base: disp32
        }
      }
      return {u32(p - bytes) | (e & ~0xffu) | disp << 8, registers};
    }
  }
  return scan_general(bytes, len);
}

}  // namespace bmbt::x86
