// Thin wrapper over Zydis: 64-bit decoding and Intel-syntax formatting (for traces).
#pragma once
#include <Zydis/Zydis.h>

#include "frontend-x86/insn_layout.h"
#include "support/text.h"
#include "support/types.h"

namespace bmbt::x86 {

struct DecodedInsn {
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  u64 pc;
};

// A decoded instruction with its bytes, as the translator's flag plan keeps them.
struct PlannedInsn {
  DecodedInsn d;
  u8 bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
};

class Decoder {
 public:
  Decoder();
  // Scratch room for the decodes of one flag plan (frontend-x86/flag_plan.h): a run of up to 64
  // instructions and the one after it. It lives here because a Decoder exists once per vCPU and
  // 75 KB is too much for a bare-metal stack.
  static constexpr int kPlanBuffer = 65;
  PlannedInsn* plan_buffer() const { return plan_buffer_; }
  // Decodes the instruction at `pc` from `bytes` (`len` bytes available). False if the bytes do
  // not form a valid instruction (or are cut short).
  bool decode(const u8* bytes, usize len, u64 pc, DecodedInsn& out) const;
  // The instruction alone, without operands (what the flag look-ahead needs); nullptr if the bytes
  // do not form a valid instruction. The result stays valid until the next call on this Decoder
  // (it may point into the decoder's caches).
  const ZydisDecodedInstruction* decode_instruction(const u8* bytes, usize len, u64 pc) const;
  // Room for the inter-block flag look-ahead's results (flag_lookahead.cpp keeps and checks
  // them), each with every fetch its scan made, so that a result is used only while the bytes it
  // was computed from are still the same. It lives here for the reason plan_buffer() does (it
  // is 73 KB), and forget() drops it with the decodes.
  struct LookaheadMemo {
    static constexpr int kEntries = 64;     // direct-mapped by address; a power of two
    static constexpr int kMaxFetches = 36;  // a scan of 12 instructions and two of a jcc's successors
    struct Fetch {
      u64 pc;
      u8 bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
      i8 n;     // the instruction's length; or what the fetch returned if it did not decode
      u8 kind;  // flag_lookahead.cpp's FetchKind
    };
    struct Entry {
      u64 pc;
      u8 wanted, depth, result, count;  // the question, the answer, and how many fetches
      bool valid;
      Fetch fetches[kMaxFetches];
    };
    Entry entries[kEntries];
    u64 hits = 0;  // results reused (tests, measurements)
  };
  LookaheadMemo& lookahead_memo() const { return lookahead_memo_; }
  // Intel syntax with absolute branch targets, e.g. "call 0x100040".
  void format(const DecodedInsn& d, TextBuf& out) const;
  // Drops the remembered decodes and look-ahead results (measurements that translate the same
  // code repeatedly call it so that every round pays for its decoding like a first translation).
  void forget() const;
  // How often decode and decode_instruction found the instruction's shape (tests, measurements).
  struct Stats {
    u64 shape_hits = 0, shape_misses = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  // The instruction half of a decode (ZydisDecoderDecodeInstruction, about two thirds of the
  // work) remembered per address: the flag look-ahead decodes the first instructions of the
  // blocks a block continues to, and those are usually translated next. An entry is used only if
  // the bytes are still the same, so rewritten code is decoded afresh; Zydis's result depends on
  // nothing but the instruction's bytes and the machine mode. Not thread-safe: one Decoder per vCPU.
  struct Remembered {
    u64 pc;
    u8 bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
    bool valid;
    ZydisDecoderContext ctx;
    ZydisDecodedInstruction insn;
  };
  static constexpr usize kRemembered = 256;  // a power of two
  // The entry for `pc` if it holds the instruction `bytes` begin with, else nullptr.
  const Remembered* recall(const u8* bytes, usize len, u64 pc) const;
  // Decodes the instruction half into the entry for `pc`; nullptr if the bytes are not valid.
  const Remembered* decode_and_remember(const u8* bytes, usize len, u64 pc) const;

  // Shape cache. Two instructions whose bytes differ only in their displacement and immediates
  // (same prefixes, opcode, ModRM, SIB and layout: the same *shape*) decode to the same result
  // except for the fields Zydis copies those values into: raw.disp, raw.imm[], the memory
  // operand's displacement and the immediate operands (Zydis keeps branch targets relative, so
  // nothing depends on the address either). A shape is looked up by the bytes before the
  // displacement (scan_layout finds where that is) plus its layout; a hit copies the remembered
  // decode and patches those fields with Zydis's sign/zero extension. Zydis's decoding of legacy
  // encodings never looks at the values, and an entry is made only if Zydis's own layout equals
  // scan_layout's, so a scanner mistake could only cost misses. tests/unit/test_decoder_shapes.cpp
  // compares the results with plain Zydis. Fixed size, nothing allocated: 512 entries of 848 bytes
  // (434 KB) besides the 100 KB of `remembered_`.
  //
  // Register numbers: for the opcodes whose ModRM.reg (and ModRM.rm of a register form) only
  // choose a general-purpose register (InsnLayout::registers), those bits and the REX bits
  // extending them are left out of the key too; a hit also sets raw.modrm.reg/rm, raw.rex.R/B,
  // the REX byte Zydis lists in raw.prefixes[0] and the register operands they encode. An entry is made only if each free field encodes
  // exactly one register operand of a general-purpose class whose number is what the bytes say.
  struct ShapeKey {
    u64 lo, hi;      // the bytes before the displacement, free register bits cleared, zero-padded to 16
    u32 layout;      // InsnLayout::packed; 0: empty entry
    u32 registers;   // InsnLayout::registers (a key with free bits never equals one without)
    bool operator==(const ShapeKey&) const = default;
  };
  // Decodes with more operands than this are not kept (legacy instructions rarely have more than 4).
  static constexpr int kShapeOperands = 6;
  struct Shape {
    ShapeKey key;
    i8 imm_operand[2];   // the operand showing raw.imm[k], -1 if none
    u16 disp_operands;   // bit i: operand i shows raw.disp
    // The register operands encoded by free ModRM.reg ([0]) and ModRM.rm ([1]) bits, -1 if
    // none, the first register of their class (AL, AX, EAX or RAX) and the number from which
    // on the class skips four registers (gpr_skip_from in decoder.cpp).
    i8 reg_operand[2];
    u8 reg_skip_from[2];
    u16 reg_first[2];
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[kShapeOperands];
  };
  static_assert(offsetof(Shape, ops) == offsetof(Shape, insn) + sizeof(ZydisDecodedInstruction));
  // Two-way set associative (least recently used of the two replaced): a direct-mapped table
  // needs twice the entries for the same hit rate.
  static constexpr usize kShapeSets = 256;  // a power of two
  static ShapeKey shape_key(const u8* bytes, usize len, InsnLayout layout);
  static usize shape_set(const ShapeKey& key);
  Shape* find_shape(const ShapeKey& key) const;
  Shape& shape_victim(const ShapeKey& key) const;
  // Sets the value fields of `insn` (and of `ops`, if not null), a copy of `s`'s decode, to the
  // displacement and immediates in `bytes`.
  static void patch(const Shape& s, const u8* bytes, InsnLayout layout, ZydisDecodedInstruction& insn,
                    ZydisDecodedOperand* ops);
  // The register half of patch(), for layouts with free register bits.
  static void patch_registers(const Shape& s, const u8* bytes, InsnLayout layout, ZydisDecodedInstruction& insn,
                              ZydisDecodedOperand* ops);
  // Keeps the full decode `d` of `bytes` as the entry for its shape, if Zydis agrees with `layout`.
  void remember_shape(const ShapeKey& key, InsnLayout layout, const u8* bytes, const DecodedInsn& d) const;
  bool decode_with_zydis(const u8* bytes, usize len, u64 pc, DecodedInsn& out) const;

  ZydisDecoder decoder_;
  ZydisFormatter formatter_;
  mutable Remembered remembered_[kRemembered];
  mutable Shape shapes_[2 * kShapeSets];
  mutable u8 shape_lru_[kShapeSets];  // the way of each set to replace next
  mutable Stats stats_;
  mutable PlannedInsn plan_buffer_[kPlanBuffer];
  mutable LookaheadMemo lookahead_memo_;
};

}  // namespace bmbt::x86
