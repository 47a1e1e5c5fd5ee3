// LoongArch64 assembler: encode one instruction word from typed operands, driven entirely by the
// instruction table (la64.inc) and the format table (la64_formats.inc).  The disassembler
// (disasm.h) reads the same tables, so an encoding is written down exactly once.
#pragma once
#include "support/types.h"

namespace bmbt::la64 {

enum class Op : u16 {
#define LA64_INSN(ident, mnem, fmt, bits) ident,
#include "backend-la64/la64.inc"
#undef LA64_INSN
  kCount
};

enum class Format : u8 {
#define LA64_FORMAT(name, check, count, o0, o1, o2, o3) name,
#include "backend-la64/la64_formats.inc"
#undef LA64_FORMAT
  kCount
};

// Typed operands: a register of the wrong file or an immediate where a register is expected is an error.
struct Gpr { u8 n; };   // $r0..$r31
struct Fpr { u8 n; };   // $f0..$f31
struct Fcc { u8 n; };   // $fcc0..$fcc7
struct Vr { u8 n; };    // $vr0..$vr31 (LSX)
struct Scr { u8 n; };   // $scr0..$scr3 (LBT scratch)
struct Fcsr { u8 n; };  // $fcsr0..$fcsr3

enum class OperandKind : u8 { kGpr, kFpr, kFcc, kVr, kScr, kFcsr, kImm };

struct Operand {
  OperandKind kind;
  i64 value;
  constexpr Operand() : kind(OperandKind::kImm), value(0) {}
  constexpr Operand(Gpr r) : kind(OperandKind::kGpr), value(r.n) {}
  constexpr Operand(Fpr r) : kind(OperandKind::kFpr), value(r.n) {}
  constexpr Operand(Fcc r) : kind(OperandKind::kFcc), value(r.n) {}
  constexpr Operand(Vr r) : kind(OperandKind::kVr), value(r.n) {}
  constexpr Operand(Scr r) : kind(OperandKind::kScr), value(r.n) {}
  constexpr Operand(Fcsr r) : kind(OperandKind::kFcsr), value(r.n) {}
  // One constructor per builtin integer type (not per typedef) so every literal and every
  // u32/i64/usize variable converts without ambiguity on any target.
  constexpr Operand(int v) : kind(OperandKind::kImm), value(v) {}
  constexpr Operand(unsigned v) : kind(OperandKind::kImm), value(v) {}
  constexpr Operand(long v) : kind(OperandKind::kImm), value(v) {}
  constexpr Operand(unsigned long v) : kind(OperandKind::kImm), value(i64(v)) {}
  constexpr Operand(long long v) : kind(OperandKind::kImm), value(v) {}
  constexpr Operand(unsigned long long v) : kind(OperandKind::kImm), value(i64(v)) {}
  // An unsigned value above INT64_MAX becomes negative and is then rejected by range checks.
};

// error: static string naming the problem, e.g. "immediate out of range"; nullptr when ok.
struct Encoded { bool ok; u32 word; const char* error; };

// Operands are given in the order the assembly syntax (llvm-mc) lists them.  Immediates are the values
// as written in assembly: branch/jump offsets are byte offsets relative to the instruction (4-aligned),
// scaled immediates (ldptr/stptr/ll/sc offsets, vldrepl/vstelm offsets) as llvm-mc accepts them, alsl's
// shift as 1..4.  Out-of-range or misaligned immediates, wrong operand kinds and counts are errors.
Encoded encode(Op op, const Operand* ops, int count);

// ---- table introspection (used by the code generator for "does it fit" questions and by tests)
enum class Check : u8 {
  kNone,
  kMsbLsb,    // bstrins/bstrpick: msb (operand 2) >= lsb (operand 3)
  kAmo,       // am*: rd (operand 0) differs from rk and rj unless rd is $zero
  kCsrxchg,   // csrxchg: rj must not be $r0/$r1 (those encodings are csrrd/csrwr)
};

// One operand: where its bits live and how the assembly value maps onto them.
struct FieldDesc {
  OperandKind kind;
  u8 lo, width;    // first (low) part of the field
  u8 lo2, width2;  // second part holding the value's next bits (split branch offsets), width2 = 0 if none
  bool is_signed;
  u8 shift;        // assembly value = field << shift
  i8 bias;         // assembly value = field + bias (before shift)
};

struct FormatDesc {
  const char* name;
  Check check;
  u8 count;
  FieldDesc ops[4];
};

namespace detail {
constexpr u32 low_mask(u32 w) { return w >= 32 ? 0xffffffffu : (1u << w) - 1; }
inline constexpr int kRegCount[] = {32, 32, 8, 32, 4, 4, 0};  // by OperandKind

// The format table (la64_formats.inc), in the header so that the fast path below is a constant
// the compiler reads at a call site whose op is known. Field descriptor builders used by
// la64_formats.inc (see the legend there):
#define R(K, lo, w) FieldDesc{OperandKind::k##K, lo, w, 0, 0, false, 0, 0}
#define U(lo, w) FieldDesc{OperandKind::kImm, lo, w, 0, 0, false, 0, 0}
#define S(lo, w) FieldDesc{OperandKind::kImm, lo, w, 0, 0, true, 0, 0}
#define SS(lo, w, sh) FieldDesc{OperandKind::kImm, lo, w, 0, 0, true, sh, 0}
#define UB(lo, w, b) FieldDesc{OperandKind::kImm, lo, w, 0, 0, false, 0, b}
#define OFF(lo, w, lo2, w2) FieldDesc{OperandKind::kImm, lo, w, lo2, w2, true, 2, 0}
#define X FieldDesc{OperandKind::kImm, 0, 0, 0, 0, false, 0, 0}
inline constexpr FormatDesc kFormats[] = {
#define LA64_FORMAT(name, check, count, o0, o1, o2, o3) {#name, Check::check, count, {o0, o1, o2, o3}},
#include "backend-la64/la64_formats.inc"
#undef LA64_FORMAT
};
#undef R
#undef U
#undef S
#undef SS
#undef UB
#undef OFF
#undef X
static_assert(sizeof(kFormats) / sizeof(kFormats[0]) == usize(Format::kCount));

constexpr i64 field_min(const FieldDesc& d) {
  int w = d.width + d.width2;
  i64 lo = d.is_signed ? -(i64(1) << (w - 1)) : 0;
  return (lo + d.bias) * (i64(1) << d.shift);
}
constexpr i64 field_max(const FieldDesc& d) {
  int w = d.width + d.width2;
  i64 hi = d.is_signed ? (i64(1) << (w - 1)) - 1 : (i64(1) << w) - 1;
  return (hi + d.bias) * (i64(1) << d.shift);
}

// The encoder's fast path, built from la64.inc / la64_formats.inc at compile time. Every field
// follows one recipe: a register is a value in [0, file size), an immediate a value in
// [min, max] with `align` bits clear; the value is shifted, biased, masked and placed in one or
// two parts. Whatever the recipe rejects is handed to encode(), which re-checks it field by
// field and gives the same word or names the error.
struct FastField {
  i64 min;   // smallest accepted assembly value
  u64 span;  // largest minus smallest: an accepted value has u64(value - min) <= span
  i64 align; // bits that must be zero: (1 << shift) - 1
  u32 mask1, mask2;
  u8 kind, lo, lo2, width1, shift;
  i8 bias;
};
struct FastFormat {
  FastField f[4];
  u32 fields;  // bits occupied by operand fields
  u8 count;
  u8 check;  // Check: a cross-operand rule, 0 (kNone) for most formats
};
struct FastInsn {
  u32 bits;
  u8 format;
  bool patchable;  // one of kPatched below that decodes as itself: patch_fast may rewrite its operands
};
struct FastTables {
  FastFormat formats[usize(Format::kCount)];
  FastInsn insns[usize(Op::kCount)];
};
// The instructions the assembler patches (branches to labels, long pairs, chaining).
inline constexpr Op kPatched[] = {Op::B,    Op::BL,   Op::BEQ,  Op::BNE,   Op::BLT,   Op::BGE,  Op::BLTU,
                                  Op::BGEU, Op::BEQZ, Op::BNEZ, Op::BCEQZ, Op::BCNEZ, Op::JIRL, Op::PCADDU18I};

// True when decode() returns `op` for every word with `op`'s fixed bits: no table entry before it
// can match the same word (entries are tried in table order) and every register field value
// exists. Decided at compile time for the patched instructions only (the whole table would
// exceed the compiler's constexpr budget).
constexpr bool decodes_as_itself(const FastTables& t, Op op) {
  const usize i = usize(op);
  const u32 mi = t.formats[t.insns[i].format].fields;
  for (usize j = 0; j < i; ++j) {
    const u32 mj = t.formats[t.insns[j].format].fields;
    // Some word matches both when their fixed bits agree wherever both are fixed.
    if (((t.insns[i].bits ^ t.insns[j].bits) & ~mi & ~mj) == 0) return false;
  }
  const FormatDesc& f = kFormats[t.insns[i].format];
  for (int k = 0; k < f.count; ++k)
    if (f.ops[k].kind != OperandKind::kImm && (1 << f.ops[k].width) > kRegCount[usize(f.ops[k].kind)]) return false;
  return true;
}

constexpr FastTables make_fast_tables() {
  constexpr FastInsn kInsnList[] = {
#define LA64_INSN(ident, mnem, fmt, bits) {bits, u8(Format::fmt), false},
#include "backend-la64/la64.inc"
#undef LA64_INSN
  };
  static_assert(sizeof(kInsnList) / sizeof(kInsnList[0]) == usize(Op::kCount));
  FastTables t{};
  for (usize k = 0; k < usize(Format::kCount); ++k) {
    const FormatDesc& f = kFormats[k];
    t.formats[k].count = f.count;
    t.formats[k].check = u8(f.check);
    for (int i = 0; i < f.count; ++i) {
      const FieldDesc& d = f.ops[i];
      FastField& x = t.formats[k].f[i];
      x.kind = u8(d.kind);
      x.lo = d.lo;
      x.lo2 = d.lo2;
      x.width1 = d.width;
      x.mask1 = low_mask(d.width);
      t.formats[k].fields |= x.mask1 << d.lo | (d.width2 ? low_mask(d.width2) << d.lo2 : 0);
      if (d.kind != OperandKind::kImm) {
        x.span = u64(kRegCount[usize(d.kind)] - 1);
      } else {
        x.min = field_min(d);
        x.span = u64(field_max(d) - field_min(d));
        x.align = (i64(1) << d.shift) - 1;
        x.shift = d.shift;
        x.bias = d.bias;
        x.mask2 = d.width2 ? low_mask(d.width2) : 0;
      }
    }
  }
  for (usize i = 0; i < usize(Op::kCount); ++i) t.insns[i] = kInsnList[i];
  // After the loop above: decodes_as_itself reads every format's fields and every earlier insn.
  for (Op op : kPatched) t.insns[usize(op)].patchable = decodes_as_itself(t, op);
  return t;
}
inline constexpr FastTables kFastTables = make_fast_tables();
// The format's cross-operand rule (a Check) holds for these operand values.
constexpr bool check_passes(u8 check, const i64* v) {
  switch (Check(check)) {
    case Check::kNone: return true;
    case Check::kMsbLsb: return v[2] >= v[3];
    case Check::kAmo: return v[0] == 0 || (v[0] != v[1] && v[0] != v[2]);
    case Check::kCsrxchg: return v[1] > 1;
  }
  return false;
}

template <class T> constexpr bool kIsRegister = false;
template <> inline constexpr bool kIsRegister<Gpr> = true;
template <> inline constexpr bool kIsRegister<Fpr> = true;
template <> inline constexpr bool kIsRegister<Fcc> = true;
template <> inline constexpr bool kIsRegister<Vr> = true;
template <> inline constexpr bool kIsRegister<Scr> = true;
template <> inline constexpr bool kIsRegister<Fcsr> = true;

// Places one operand into `word`; false if the fast path must not decide (then `word` is unused).
template <class T>
__attribute__((always_inline)) inline bool place(const FastField& d, T a, u32& word) {
  const Operand o(a);
  if constexpr (kIsRegister<T>) {
    word |= u32(a.n) << d.lo;
    return (u8(o.kind) == d.kind) & (u64(a.n) <= d.span);
  } else {
    const i64 v = o.value;
    const u32 raw = u32((v >> d.shift) - d.bias);
    word |= (raw & d.mask1) << d.lo | ((raw >> d.width1) & d.mask2) << d.lo2;
    return (d.kind == u8(OperandKind::kImm)) & ((v & d.align) == 0) & (u64(v) - u64(d.min) <= d.span);
  }
}

// The recipe's answer: true with `word` if it accepts the operands. Inline so that each call site
// knows its operand types (a register operand costs a few instructions instead of a walk over the
// format description), and where the op is a constant too, its recipe is read at compile time.
template <class... A>
__attribute__((always_inline)) inline bool encode_fast(Op op, u32& word, A... a) {
  static_assert(sizeof...(A) >= 1 && sizeof...(A) <= 4, "formats have 1 to 4 operands");
  if (usize(op) >= usize(Op::kCount)) return false;
  const FastInsn& in = kFastTables.insns[usize(op)];
  const FastFormat& f = kFastTables.formats[in.format];
  word = in.bits;
  bool ok = f.count == sizeof...(A);
  int i = 0;
  ((ok &= place(f.f[i++], a, word)), ...);
  if (!ok) return false;
  if (f.check == 0) return true;
  const i64 values[4] = {Operand(a).value...};  // a rule may read any of the four
  return check_passes(f.check, values);
}

// Operand `index` of `word`, which has `op`'s fixed bits, replaced by `value`: true with the new
// word when `op` is patchable and the recipe accepts the value, which is then exactly what
// set_operand() gives. Inline for the assembler's label fixups; false leaves the word (and the
// verdict) to set_operand().
__attribute__((always_inline)) inline bool patch_fast(Op op, u32& word, int index, Operand value) {
  if (usize(op) >= usize(Op::kCount)) return false;
  const FastInsn& in = kFastTables.insns[usize(op)];
  const FastFormat& f = kFastTables.formats[in.format];
  if (!in.patchable || (word & ~f.fields) != in.bits || u32(index) >= f.count || f.check != 0) return false;
  const FastField& d = f.f[index];
  const i64 v = value.value;
  if (u8(value.kind) != d.kind || (v & d.align) != 0 || u64(v) - u64(d.min) > d.span) return false;
  const u32 raw = u32((v >> d.shift) - d.bias);
  word &= ~(d.mask1 << d.lo | d.mask2 << d.lo2);
  word |= (raw & d.mask1) << d.lo | ((raw >> d.width1) & d.mask2) << d.lo2;
  return true;
}

// The recipe of immediate operand `index` of a patchable `op` (a branch's offset), or nullptr.
// A constant where op and index are: the assembler records it with each pending branch.
__attribute__((always_inline)) inline const FastField* patch_field(Op op, int index) {
  if (usize(op) >= usize(Op::kCount)) return nullptr;
  const FastInsn& in = kFastTables.insns[usize(op)];
  const FastFormat& f = kFastTables.formats[in.format];
  if (!in.patchable || u32(index) >= f.count || f.check != 0 || f.f[index].kind != u8(OperandKind::kImm)) return nullptr;
  return &f.f[index];
}

// Immediate `v` placed into the field `d` of `word` (a patch_field recipe; `word` has its op's
// fixed bits): true with the new word when the recipe accepts v, which is then exactly what
// set_operand() gives.
inline bool patch_with(const FastField& d, u32& word, i64 v) {
  if ((v & d.align) != 0 || u64(v) - u64(d.min) > d.span) return false;
  const u32 raw = u32((v >> d.shift) - d.bias);
  word &= ~(d.mask1 << d.lo | d.mask2 << d.lo2);
  word |= (raw & d.mask1) << d.lo | ((raw >> d.width1) & d.mask2) << d.lo2;
  return true;
}

// The short cases of materialize_constant, inline (nearly every constant the JIT emits: small
// values, guest PCs and other sign-extended 32-bit values): the words written (1 or 2) into
// `out`, or 0 for a value that needs the general search.
__attribute__((always_inline)) inline int materialize_short(Gpr rd, u64 value, u32* out) {
  constexpr u32 kAddiW = kFastTables.insns[usize(Op::ADDI_W)].bits;
  constexpr u32 kOri = kFastTables.insns[usize(Op::ORI)].bits;
  constexpr u32 kLu12iW = kFastTables.insns[usize(Op::LU12I_W)].bits;
  const i64 s = i64(value);
  // One instruction: si12 (addi.w sign-extends), ui12 (ori zero-extends).
  if (s >= -2048 && s <= 2047) { out[0] = kAddiW | (u32(s) & 0xfffu) << 10 | rd.n; return 1; }
  if (value <= 0xfff) { out[0] = kOri | u32(value) << 10 | rd.n; return 1; }
  // A sign-extended 32-bit value: lu12i.w leaves the upper bits right and no other start is
  // shorter; ori adds the low 12 bits.
  if (s != i64(i32(u32(value)))) return 0;
  out[0] = kLu12iW | (u32(value) >> 12 & 0xfffffu) << 5 | rd.n;
  if ((value & 0xfff) == 0) return 1;
  out[1] = kOri | (u32(value) & 0xfffu) << 10 | u32(rd.n) << 5 | rd.n;
  return 2;
}
}  // namespace detail

template <class... A>
__attribute__((always_inline)) inline Encoded enc(Op op, A... a) {
  if constexpr (sizeof...(A) == 0) {
    return encode(op, nullptr, 0);
  } else {
    if constexpr (sizeof...(A) <= 4) {
      u32 word;
      if (detail::encode_fast(op, word, a...)) return Encoded{true, word, nullptr};
    }
    Operand v[] = {Operand(a)...};
    return encode(op, v, int(sizeof...(A)));
  }
}

const char* mnemonic(Op op);  // "add.d"

Format format_of(Op op);
const FormatDesc& format_desc(Format f);
u32 fixed_bits(Op op);            // the word with all operand fields zero
u32 operand_mask(Format f);       // bits occupied by operand fields
int register_count(OperandKind k);
// Range of assembly values an immediate field accepts (inclusive); values must also be multiples of
// 1 << shift.
i64 imm_min(const FieldDesc& d);
i64 imm_max(const FieldDesc& d);
bool imm_fits(const FieldDesc& d, i64 value);
// Convenience: does `value` fit immediate operand `index` of `op`?
bool imm_fits(Op op, int index, i64 value);

// Decode one word.  Returns false for words not in the table.
struct Decoded { Op op; int count; Operand ops[5]; };
// Looks the word up in an index derived from the table at compile time (see encoding.cpp).
bool decode(u32 word, Decoded* out);
// The same answer by scanning the whole table in order: the reference the index is tested against.
bool decode_by_scan(u32 word, Decoded* out);
// Size of the decode index, for tests and documentation.
struct DecodeIndexStats { usize slots, list_entries, longest_list; };
DecodeIndexStats decode_index_stats();

// Re-encode `word` with operand `index` replaced (e.g. patching a branch offset when chaining blocks).
// Fails like encode() if the word is unknown or the new value does not fit.
Encoded set_operand(u32 word, int index, Operand value);
// The same for a word known to be an `op` instruction (the assembler's fixups): without decoding
// the word when no earlier table entry can match it.
Encoded set_operand(Op op, u32 word, int index, Operand value);

// Fewest-instruction sequence materialising any 64-bit constant into rd (addi.w/ori/lu12i.w/lu32i.d/
// lu52i.d).  Returns the count written (1..4) into words_out.
int materialize_constant(Gpr rd, u64 value, u32* words_out);

}  // namespace bmbt::la64
