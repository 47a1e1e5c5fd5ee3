// Table-driven LoongArch64 encoder and decoder.  No per-instruction code: an instruction is its fixed
// bits plus a format, and a format is a list of field descriptors (la64_formats.inc).
#include "backend-la64/encoding.h"

namespace bmbt::la64 {
namespace {

struct InsnDesc {
  const char* mnemonic;
  Format format;
  u32 bits;
};

constexpr InsnDesc kInsns[] = {
#define LA64_INSN(ident, mnem, fmt, bits) {mnem, Format::fmt, bits},
#include "backend-la64/la64.inc"
#undef LA64_INSN
};
static_assert(array_size(kInsns) == usize(Op::kCount));

using detail::field_max;
using detail::field_min;
using detail::kFormats;
using detail::kRegCount;
using detail::low_mask;

constexpr u32 field_mask(const FieldDesc& d) {
  return (low_mask(d.width) << d.lo) | (d.width2 ? low_mask(d.width2) << d.lo2 : 0);
}

struct MaskTable { u32 m[usize(Format::kCount)]; };
constexpr MaskTable make_masks() {
  MaskTable t{};
  for (usize f = 0; f < usize(Format::kCount); ++f) {
    u32 m = 0;
    for (int i = 0; i < kFormats[f].count; ++i) m |= field_mask(kFormats[f].ops[i]);
    t.m[f] = m;
  }
  return t;
}
constexpr MaskTable kMasks = make_masks();

// A table line whose fixed bits overlap its own operand fields would encode wrongly; catch it at
// compile time rather than in a test.
constexpr bool fixed_bits_disjoint() {
  for (const InsnDesc& d : kInsns)
    if (d.bits & kMasks.m[usize(d.format)]) return false;
  return true;
}
static_assert(fixed_bits_disjoint(), "la64.inc: fixed bits overlap an operand field");

Encoded fail(const char* why) { return Encoded{false, 0, why}; }

bool check_ok(Check c, const i64* v) { return detail::check_passes(u8(c), v); }

const char* check_error(Check c) {
  switch (c) {
    case Check::kMsbLsb: return "msb is less than lsb";
    case Check::kAmo: return "rd must be different from both rk and rj";
    case Check::kCsrxchg: return "rj must not be $r0 or $r1";
    default: return "invalid operand combination";
  }
}

}  // namespace

Format format_of(Op op) { return kInsns[usize(op)].format; }
const FormatDesc& format_desc(Format f) { return kFormats[usize(f)]; }
u32 fixed_bits(Op op) { return kInsns[usize(op)].bits; }
u32 operand_mask(Format f) { return kMasks.m[usize(f)]; }
int register_count(OperandKind k) { return kRegCount[usize(k)]; }
const char* mnemonic(Op op) { return usize(op) < usize(Op::kCount) ? kInsns[usize(op)].mnemonic : "<bad op>"; }

i64 imm_min(const FieldDesc& d) { return field_min(d); }
i64 imm_max(const FieldDesc& d) { return field_max(d); }

bool imm_fits(const FieldDesc& d, i64 value) {
  if (d.kind != OperandKind::kImm) return false;
  if (value & ((i64(1) << d.shift) - 1)) return false;
  return value >= imm_min(d) && value <= imm_max(d);
}

bool imm_fits(Op op, int index, i64 value) {
  if (usize(op) >= usize(Op::kCount)) return false;
  const FormatDesc& f = kFormats[usize(kInsns[usize(op)].format)];
  if (index < 0 || index >= f.count) return false;
  return imm_fits(f.ops[index], value);
}

namespace {

// The checked encoder: walks the format description and names the first problem. encode() only
// comes here when its fast path below rejects the operands.
Encoded encode_checked(Op op, const Operand* ops, int count) {
  if (usize(op) >= usize(Op::kCount)) return fail("invalid opcode");
  const InsnDesc& insn = kInsns[usize(op)];
  const FormatDesc& f = kFormats[usize(insn.format)];
  if (count != f.count) return fail("wrong number of operands");
  u32 word = insn.bits;
  i64 vals[4] = {0, 0, 0, 0};
  for (int i = 0; i < count; ++i) {
    const FieldDesc& d = f.ops[i];
    const Operand& o = ops[i];
    if (d.kind != OperandKind::kImm) {
      if (o.kind != d.kind) return fail(o.kind == OperandKind::kImm ? "expected a register" : "wrong register file");
      if (o.value < 0 || o.value >= kRegCount[usize(d.kind)]) return fail("register number out of range");
      word |= u32(o.value) << d.lo;
    } else {
      if (o.kind != OperandKind::kImm) return fail("expected an immediate");
      if (o.value & ((i64(1) << d.shift) - 1)) return fail("immediate misaligned");
      if (o.value < imm_min(d) || o.value > imm_max(d)) return fail("immediate out of range");
      // Arithmetic shift keeps the sign; the range check above guarantees the result fits the field.
      u32 raw = u32((o.value >> d.shift) - d.bias) & low_mask(d.width + d.width2);
      word |= (raw & low_mask(d.width)) << d.lo;
      if (d.width2) word |= ((raw >> d.width) & low_mask(d.width2)) << d.lo2;
    }
    vals[i] = o.value;
  }
  if (!check_ok(f.check, vals)) return fail(check_error(f.check));
  return Encoded{true, word, nullptr};
}

}  // namespace

Encoded encode(Op op, const Operand* ops, int count) {
  if (usize(op) < usize(Op::kCount)) {
    const detail::FastInsn& insn = detail::kFastTables.insns[usize(op)];
    const detail::FastFormat& f = detail::kFastTables.formats[insn.format];
    if (count == f.count) {
      u32 word = insn.bits;
      bool ok = true;
      i64 vals[4] = {0, 0, 0, 0};
      for (int i = 0; i < count; ++i) {
        const detail::FastField& d = f.f[i];
        const i64 v = ops[i].value;
        ok &= (u8(ops[i].kind) == d.kind) & ((v & d.align) == 0) & (u64(v) - u64(d.min) <= d.span);
        const u32 raw = u32((v >> d.shift) - d.bias);
        word |= (raw & d.mask1) << d.lo | ((raw >> d.width1) & d.mask2) << d.lo2;
        vals[i] = v;
      }
      if (ok && (f.check == 0 || check_ok(Check(f.check), vals))) return Encoded{true, word, nullptr};
    }
  }
  return encode_checked(op, ops, count);
}

namespace {

// Decodes `word` as table entry `idx` if its fixed bits match and its register fields are valid.
bool decode_as(usize idx, u32 word, Decoded* out) {
  const InsnDesc& insn = kInsns[idx];
  if ((word & ~kMasks.m[usize(insn.format)]) != insn.bits) return false;
  const FormatDesc& f = kFormats[usize(insn.format)];
  Decoded d;
  d.op = Op(idx);
  d.count = f.count;
  i64 vals[4] = {0, 0, 0, 0};
  for (int i = 0; i < f.count; ++i) {
    const FieldDesc& fd = f.ops[i];
    u32 raw = (word >> fd.lo) & low_mask(fd.width);
    if (fd.width2) raw |= ((word >> fd.lo2) & low_mask(fd.width2)) << fd.width;
    i64 v;
    if (fd.kind != OperandKind::kImm) {
      // Register fields can be wider than the file ($fcsr4.. and $scr4.. do not exist).
      if (raw >= u32(kRegCount[usize(fd.kind)])) return false;
      v = raw;
    } else {
      int w = fd.width + fd.width2;
      v = raw;
      if (fd.is_signed && (raw >> (w - 1)) & 1) v -= i64(1) << w;
      v = (v + fd.bias) * (i64(1) << fd.shift);
    }
    d.ops[i].kind = fd.kind;
    d.ops[i].value = v;
    vals[i] = v;
  }
  // Only csrxchg's rule decides which instruction a word is; llvm decodes the other rule
  // violations as written, so the disassembler does too.
  if (f.check == Check::kCsrxchg && !check_ok(f.check, vals)) return false;
  *out = d;
  return true;
}

// ---- decode index
// A radix tree over the opcode bits, derived from kInsns and kMasks at compile time, so there is no
// second table to keep in step.  The root splits on bits 31:22; a bucket with more than kLeafMax
// candidates splits again on the next range.  An entry whose operand fields reach into a range
// (b's offset, lu12i.w's immediate) is listed under every value those bits can take.  Each leaf
// lists candidates in table order, so "first valid entry in table order wins" still holds.
struct IndexLevel { u8 lo, width; };
constexpr IndexLevel kLevels[] = {{22, 10}, {15, 7}, {10, 5}};
constexpr int kLevelCount = int(array_size(kLevels));
constexpr int kLeafMax = 4;
constexpr u16 kChild = 0x8000;  // slot refers to a child node (its first slot) instead of a list
constexpr u16 kEnd = 0xffff;    // ends a candidate list; list[0] is the shared empty list

template <usize Slots, usize List>
struct DecodeIndex {
  u16 slots[Slots];
  u16 list[List];
  usize nslots = 0, nlist = 0;
};
using IndexBuilder = DecodeIndex<16384, 8192>;  // compile-time scratch, sized generously

constexpr u16 build_bucket(IndexBuilder& b, const u16* cand, int n, int level);

// Allocates a node splitting on kLevels[level] and fills its slots; returns its first slot.
constexpr usize build_node(IndexBuilder& b, const u16* cand, int n, int level) {
  const IndexLevel lv = kLevels[level];
  const u32 slots = 1u << lv.width, wmask = slots - 1;
  const usize base = b.nslots;
  b.nslots += slots;
  // Counting sort of (bucket, entry) pairs; entries are visited in table order.
  u16 count[1024];
  u16 next[1024];
  u16 sorted[4096];
  for (u32 v = 0; v < slots; ++v) count[v] = 0;
  for (int k = 0; k < n; ++k) {
    const InsnDesc& e = kInsns[cand[k]];
    u32 fixed = (e.bits >> lv.lo) & wmask, free = (kMasks.m[usize(e.format)] >> lv.lo) & wmask;
    for (u32 s = free;; s = (s - 1) & free) {
      ++count[fixed | s];
      if (s == 0) break;
    }
  }
  u16 at = 0;
  for (u32 v = 0; v < slots; ++v) { next[v] = at; at = u16(at + count[v]); }
  for (int k = 0; k < n; ++k) {
    const InsnDesc& e = kInsns[cand[k]];
    u32 fixed = (e.bits >> lv.lo) & wmask, free = (kMasks.m[usize(e.format)] >> lv.lo) & wmask;
    for (u32 s = free;; s = (s - 1) & free) {
      sorted[next[fixed | s]++] = cand[k];
      if (s == 0) break;
    }
  }
  for (u32 v = 0; v < slots; ++v) {
    int c = count[v];
    b.slots[base + v] = build_bucket(b, sorted + (next[v] - c), c, level + 1);
  }
  return base;
}

constexpr u16 build_bucket(IndexBuilder& b, const u16* cand, int n, int level) {
  if (n == 0) return 0;
  if (n > kLeafMax && level < kLevelCount) return u16(kChild | build_node(b, cand, n, level));
  const usize start = b.nlist;
  for (int k = 0; k < n; ++k) b.list[b.nlist++] = cand[k];
  b.list[b.nlist++] = kEnd;
  return u16(start);
}

constexpr IndexBuilder build_index() {
  IndexBuilder b{};
  b.list[b.nlist++] = kEnd;
  u16 all[usize(Op::kCount)];
  for (usize i = 0; i < usize(Op::kCount); ++i) all[i] = u16(i);
  build_node(b, all, int(Op::kCount), 0);
  return b;
}

struct IndexSize { usize slots, list; };
constexpr IndexSize kIndexSize = [] {
  IndexBuilder b = build_index();
  return IndexSize{b.nslots, b.nlist};
}();
static_assert(kIndexSize.slots < kChild && kIndexSize.list < kChild, "decode index outgrew u16 offsets");

constexpr DecodeIndex<kIndexSize.slots, kIndexSize.list> kIndex = [] {
  IndexBuilder b = build_index();
  DecodeIndex<kIndexSize.slots, kIndexSize.list> x{};
  for (usize i = 0; i < b.nslots; ++i) x.slots[i] = b.slots[i];
  for (usize i = 0; i < b.nlist; ++i) x.list[i] = b.list[i];
  x.nslots = b.nslots;
  x.nlist = b.nlist;
  return x;
}();

}  // namespace

bool decode(u32 word, Decoded* out) {
  u16 slot = kIndex.slots[word >> kLevels[0].lo];  // the root node starts at slot 0
  for (int level = 1; slot & kChild; ++level)
    slot = kIndex.slots[(slot & ~kChild) + ((word >> kLevels[level].lo) & low_mask(kLevels[level].width))];
  for (const u16* p = kIndex.list + slot; *p != kEnd; ++p)
    if (decode_as(*p, word, out)) return true;
  return false;
}

bool decode_by_scan(u32 word, Decoded* out) {
  for (usize idx = 0; idx < usize(Op::kCount); ++idx)
    if (decode_as(idx, word, out)) return true;
  return false;
}

DecodeIndexStats decode_index_stats() {
  DecodeIndexStats s{kIndex.nslots, kIndex.nlist, 0};
  for (usize i = 0, run = 0; i < kIndex.nlist; ++i) {
    if (kIndex.list[i] == kEnd) run = 0;
    else if (++run > s.longest_list) s.longest_list = run;
  }
  return s;
}

Encoded set_operand(u32 word, int index, Operand value) {
  Decoded d;
  if (!decode(word, &d)) return fail("unknown instruction word");
  if (index < 0 || index >= d.count) return fail("no such operand");
  d.ops[index] = value;
  return encode(d.op, d.ops, d.count);
}

constexpr bool all_patchable() {
  for (Op op : detail::kPatched)
    if (!detail::kFastTables.insns[usize(op)].patchable) return false;
  return true;
}
static_assert(all_patchable(), "branches should patch without decoding");

Encoded set_operand(Op op, u32 word, int index, Operand value) {
  if (detail::patch_fast(op, word, index, value)) return Encoded{true, word, nullptr};
  return set_operand(word, index, value);
}

// ---- constant materialisation
namespace {

// Constant materialisation runs for every guest constant and PC the JIT emits, so it builds its
// few words directly from the table's fixed bits instead of going through the checked encoder.
// Operands are in range by construction; la64_llvm_check and la64-constants-executed prove the
// sequences against LLVM and qemu-loongarch64.
u32 rri12(Op op, Gpr rd, Gpr rj, i64 imm) {  // 2RI12: addi.w/addi.d/ori/lu52i.d
  return fixed_bits(op) | (u32(imm) & 0xfffu) << 10 | u32(rj.n) << 5 | rd.n;
}
u32 ri20(Op op, Gpr rd, i64 imm) {  // 1RI20: lu12i.w/lu32i.d
  return fixed_bits(op) | (u32(imm) & 0xfffffu) << 5 | rd.n;
}

i64 sext(u64 v, int bits) {
  u64 m = u64(1) << (bits - 1);
  v &= (bits == 64) ? ~u64(0) : (u64(1) << bits) - 1;
  return i64((v ^ m) - m);
}

}  // namespace

int materialize_constant(Gpr rd, u64 value, u32* out) {
  const Gpr zero{0};
  // si12, ui12 and sign-extended 32-bit values (the search below finds the same for them).
  if (const int n = detail::materialize_short(rd, value, out)) return n;
  // Only the top 12 bits set: lu52i.d from $zero (no such value is a sign-extended 32-bit one).
  if ((value & 0x000fffffffffffffull) == 0) {
    out[0] = rri12(Op::LU52I_D, rd, zero, sext(value >> 52, 12));
    return 1;
  }
  int n = 0;

  // Step 1 sets bits 31:0.  Each way of doing so leaves different bits 63:32 behind (sign- or zero-
  // extension, or the carry of lu12i.w + addi.d), so every way is costed together with the lu32i.d /
  // lu52i.d fix-up it needs, and the cheapest wins.
  const u32 low32 = u32(value);
  const i64 low_s = sext(low32, 32);
  const i64 lo12_s = sext(low32 & 0xfff, 12);
  struct Start { int n; u32 w[2]; u64 cur; };
  Start cand[5];
  int nc = 0;
  if (low_s >= -2048 && low_s <= 2047)
    cand[nc++] = {1, {rri12(Op::ADDI_W, rd, zero, low_s), 0}, u64(low_s)};
  if (low32 <= 0xfff) cand[nc++] = {1, {rri12(Op::ORI, rd, zero, low32), 0}, low32};
  if (nc == 0) {
    u32 lu = ri20(Op::LU12I_W, rd, sext(low32 >> 12, 20));
    if ((low32 & 0xfff) == 0) cand[nc++] = {1, {lu, 0}, u64(low_s)};
    else cand[nc++] = {2, {lu, rri12(Op::ORI, rd, rd, low32 & 0xfff)}, u64(low_s)};
    // lu12i.w of the value rounded to the nearest 4 KiB, then addi.d of the signed remainder: the
    // 64-bit add may carry/borrow across bit 31 and leave the upper bits the value needs.
    if (lo12_s < 0) {
      u32 hi = low32 - u32(lo12_s);  // low 12 bits now zero
      u64 c = u64(sext(hi, 32)) + u64(lo12_s);
      cand[nc++] = {2, {ri20(Op::LU12I_W, rd, sext(hi >> 12, 20)), rri12(Op::ADDI_D, rd, rd, lo12_s)}, c};
    }
  }
  int best_total = 99, best = 0;
  for (int i = 0; i < nc; ++i) {
    u64 cur = cand[i].cur;
    int total = cand[i].n;
    if (cur != value) {
      if (((cur ^ value) & 0x000fffff00000000ull) == 0) {
        total += 1;  // lu52i.d only
      } else {
        u64 after = (cur & 0xffffffffull) | (u64(sext(value >> 32, 20)) << 32);
        total += after == value ? 1 : 2;
      }
    }
    if (total < best_total) { best_total = total; best = i; }
  }
  const Start& st = cand[best];
  for (int i = 0; i < st.n; ++i) out[n++] = st.w[i];
  u64 cur = st.cur;
  if (cur == value) return n;

  // Step 2: bits 51:32 via lu32i.d (which also sign-extends into 63:52), unless they already match.
  if (((cur ^ value) & 0x000fffff00000000ull) != 0) {
    i64 mid = sext(value >> 32, 20);
    out[n++] = ri20(Op::LU32I_D, rd, mid);
    cur = (cur & 0xffffffffull) | (u64(mid) << 32);
    if (cur == value) return n;
  }
  // Step 3: bits 63:52.
  out[n++] = rri12(Op::LU52I_D, rd, rd, sext(value >> 52, 12));
  return n;
}

}  // namespace bmbt::la64
