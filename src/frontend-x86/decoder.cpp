#include "frontend-x86/decoder.h"

namespace bmbt::x86 {

Decoder::Decoder() {
  ZydisDecoderInit(&decoder_, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisFormatterInit(&formatter_, ZYDIS_FORMATTER_STYLE_INTEL);
  forget();
}

void Decoder::forget() const {
  for (Remembered& r : remembered_) r.valid = false;
  for (Shape& s : shapes_) s.key.layout = 0;
  for (u8& w : shape_lru_) w = 0;
  for (LookaheadMemo::Entry& e : lookahead_memo_.entries) e.valid = false;
}

inline const Decoder::Remembered* Decoder::recall(const u8* bytes, usize len, u64 pc) const {
  const Remembered& r = remembered_[pc & (kRemembered - 1)];
  if (!r.valid || r.pc != pc || len < r.insn.length) return nullptr;
  for (int i = 0; i < r.insn.length; ++i)
    if (r.bytes[i] != bytes[i]) return nullptr;
  return &r;
}

const Decoder::Remembered* Decoder::decode_and_remember(const u8* bytes, usize len, u64 pc) const {
  Remembered& r = remembered_[pc & (kRemembered - 1)];
  r.valid = false;
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&decoder_, &r.ctx, bytes, len, &r.insn))) return nullptr;
  for (int i = 0; i < r.insn.length; ++i) r.bytes[i] = bytes[i];
  r.pc = pc;
  r.valid = true;
  return &r;
}

namespace {

// A displacement or immediate of `size` bytes as Zydis reads it: in host byte order (Zydis's
// reader does the same), sign- or zero-extended to 64 bits.
u64 read_value(const u8* p, int size, bool is_signed) {
  switch (size) {
    case 1: return is_signed ? u64(i64(i8(p[0]))) : p[0];
    case 2: {
      u16 v;
      __builtin_memcpy(&v, p, 2);
      return is_signed ? u64(i64(i16(v))) : v;
    }
    case 4: {
      u32 v;
      __builtin_memcpy(&v, p, 4);
      return is_signed ? u64(i64(i32(v))) : v;
    }
    default: {
      u64 v;
      __builtin_memcpy(&v, p, 8);
      return v;
    }
  }
}

// The first register of a general-purpose class, 0 for any other register.
u16 gpr_first(ZydisRegister r) {
  switch (ZydisRegisterGetClass(r)) {
    case ZYDIS_REGCLASS_GPR8: return ZYDIS_REGISTER_AL;
    case ZYDIS_REGCLASS_GPR16: return ZYDIS_REGISTER_AX;
    case ZYDIS_REGCLASS_GPR32: return ZYDIS_REGISTER_EAX;
    case ZYDIS_REGCLASS_GPR64: return ZYDIS_REGISTER_RAX;
    default: return 0;
  }
}

// From which register number 0..15 (REX-extended) on the general-purpose class beginning at
// `first` skips four registers: the 8-bit class has AH CH DH BH at 4..7 without a REX prefix,
// SPL BPL SIL DIL with one, then R8B..R15B (Zydis's register order; Decoder::remember_shape
// checks every entry against it). Without REX the numbers stop at 7; the other classes are
// contiguous.
u8 gpr_skip_from(u16 first, bool rex) { return first == ZYDIS_REGISTER_AL && rex ? 4 : 16; }

// The register numbers ModRM.reg ([0]) and ModRM.rm ([1]) encode, with REX.R and REX.B.
struct RegisterNumbers {
  u32 id[2];
};
inline RegisterNumbers register_numbers(const u8* bytes, InsnLayout layout) {
  const u8 modrm = bytes[layout.modrm_offset()];
  const u8 r = layout.rex() ? bytes[0] : 0;
  return {{u32(modrm >> 3 & 7) | u32(r & 4) << 1, u32(modrm & 7) | u32(r & 1) << 3}};
}

bool is_immediate_encoding(ZydisOperandEncoding e) {
  return e >= ZYDIS_OPERAND_ENCODING_UIMM8 && e <= ZYDIS_OPERAND_ENCODING_JIMM16_32_32;
}

// The bytes an instruction header of n bytes (n < 15) keeps of the two key words.
struct KeyMask {
  u64 lo, hi;
};
constexpr KeyMask key_mask(int n) {
  return {n >= 8 ? ~0ull : (1ull << (8 * n)) - 1, n <= 8 ? 0 : (1ull << (8 * (n - 8))) - 1};
}
constexpr KeyMask kKeyMasks[15] = {key_mask(0), key_mask(1),  key_mask(2),  key_mask(3),  key_mask(4),
                                   key_mask(5), key_mask(6),  key_mask(7),  key_mask(8),  key_mask(9),
                                   key_mask(10), key_mask(11), key_mask(12), key_mask(13), key_mask(14)};

}  // namespace

// DecodedInsn and Shape (decoder.h) both keep the operands right after the instruction, so that one copy
// moves both.
static_assert(offsetof(DecodedInsn, ops) == offsetof(DecodedInsn, insn) + sizeof(ZydisDecodedInstruction));

inline Decoder::ShapeKey Decoder::shape_key(const u8* bytes, usize len, InsnLayout layout) {
  // The header is at most 14 bytes: the instruction has at most 15, the opcode is in the header.
  const int n = layout.header();
  ShapeKey k{0, 0, layout.packed, layout.registers};
  if (len >= 15) {
    __builtin_memcpy(&k.lo, bytes, 8);
    __builtin_memcpy(&k.hi, bytes + 7, 8);
    k.hi >>= 8;
  } else {
    u8 b[16] = {};
    for (int i = 0; i < n; ++i) b[i] = bytes[i];
    __builtin_memcpy(&k.lo, b, 8);
    __builtin_memcpy(&k.hi, b + 8, 8);
  }
  k.lo &= kKeyMasks[n].lo;
  k.hi &= kKeyMasks[n].hi;
  k.lo &= ~u64(layout.registers);  // free register bits (in the first four bytes)
  return k;
}

inline usize Decoder::shape_set(const ShapeKey& key) {
  const u64 h = (key.lo + key.hi * 0xc2b2ae3d27d4eb4full + key.layout) * 0x9e3779b97f4a7c15ull;
  return usize(h >> 40) & (kShapeSets - 1);
}

inline Decoder::Shape* Decoder::find_shape(const ShapeKey& key) const {
  const usize set = shape_set(key);
  Shape* ways = &shapes_[set * 2];
  for (int w = 0; w < 2; ++w) {
    if (ways[w].key == key) {
      shape_lru_[set] = u8(w ^ 1);
      return &ways[w];
    }
  }
  return nullptr;
}

Decoder::Shape& Decoder::shape_victim(const ShapeKey& key) const {
  const usize set = shape_set(key);
  const int w = shape_lru_[set];
  shape_lru_[set] = u8(w ^ 1);
  return shapes_[set * 2 + w];
}

// Inline (forced: the compiler would not, with two callers): most of a hit's work is here.
[[gnu::always_inline]] inline void Decoder::patch_registers(const Shape& s, const u8* bytes, InsnLayout layout,
                                                            ZydisDecodedInstruction& insn, ZydisDecodedOperand* ops) {
  const RegisterNumbers n = register_numbers(bytes, layout);
  insn.raw.modrm.reg = u8(n.id[0] & 7);
  insn.raw.modrm.rm = u8(n.id[1] & 7);
  if (layout.rex()) {
    insn.raw.prefixes[0].value = bytes[0];  // the REX byte, the only prefix
    insn.raw.rex.R = u8(n.id[0] >> 3);
    insn.raw.rex.B = u8(n.id[1] >> 3);
  }
  if (ops) {
    for (int f = 0; f < 2; ++f) {
      const u32 id = n.id[f];
      if (s.reg_operand[f] >= 0)
        ops[s.reg_operand[f]].reg.value = ZydisRegister(s.reg_first[f] + id + (id >= s.reg_skip_from[f] ? 4 : 0));
    }
  }
}

[[gnu::always_inline]] inline void Decoder::patch(const Shape& s, const u8* bytes, InsnLayout layout, ZydisDecodedInstruction& insn,
                           ZydisDecodedOperand* ops) {
  if (const int size = layout.disp_size()) {
    // Zydis sign-extends every displacement (a 64-bit moffs is taken as it is).
    insn.raw.disp.value = i64(read_value(bytes + layout.disp_offset(), size, true));
    if (ops)
      for (u32 m = s.disp_operands; m; m &= m - 1) ops[__builtin_ctz(m)].mem.disp.value = insn.raw.disp.value;
  }
  for (int k = 0; k < 2; ++k) {
    const int size = layout.imm_size(k);
    if (!size) break;  // imm[1] only ever follows imm[0]
    auto& imm = insn.raw.imm[k];
    imm.value.u = read_value(bytes + layout.imm_offset(k), size, imm.is_signed);
    if (ops && s.imm_operand[k] >= 0) ops[s.imm_operand[k]].imm.value.u = imm.value.u;
  }
  if (layout.registers) patch_registers(s, bytes, layout, insn, ops);
}

namespace {

// For an instruction with free register bits (InsnLayout::registers) decoded as `d` from `bytes`:
// whether each free ModRM field encodes exactly one general-purpose register operand, numbered as
// patch_registers gives it; if so, their indexes and classes' first registers.
bool free_registers_agree(InsnLayout layout, const u8* bytes, const DecodedInsn& d, i8 reg_operand[2],
                          u16 reg_first[2]) {
  const RegisterNumbers n = register_numbers(bytes, layout);
  const u32 free_modrm = layout.free_modrm_bits();
  const bool free[2] = {(free_modrm & 0x38) != 0, (free_modrm & 0x07) != 0};
  for (int i = 0; i < d.insn.operand_count; ++i) {
    const ZydisDecodedOperand& op = d.ops[i];
    const int f = op.encoding == ZYDIS_OPERAND_ENCODING_MODRM_REG ? 0 : op.encoding == ZYDIS_OPERAND_ENCODING_MODRM_RM ? 1 : -1;
    if (f < 0 || !free[f]) continue;
    if (op.type != ZYDIS_OPERAND_TYPE_REGISTER || reg_operand[f] >= 0) return false;
    const u16 first = gpr_first(op.reg.value);
    const u32 id = n.id[f];
    if (!first || first + id + (id >= gpr_skip_from(first, layout.rex()) ? 4 : 0) != op.reg.value) return false;
    reg_operand[f] = i8(i);
    reg_first[f] = first;
  }
  return (!free[0] || reg_operand[0] >= 0) && (!free[1] || reg_operand[1] >= 0);
}

}  // namespace

void Decoder::remember_shape(const ShapeKey& key, InsnLayout layout, const u8* bytes, const DecodedInsn& d) const {
  const ZydisDecodedInstruction& insn = d.insn;
  const auto& raw = insn.raw;
  // Zydis's layout must be the scanner's (sizes in bits there, offsets only where present).
  const auto same = [](const auto& field, int offset, int size) {
    return field.size == 8 * size && (size == 0 || field.offset == offset);
  };
  const bool same_layout = insn.length == layout.length() && insn.encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY &&
                           same(raw.disp, layout.disp_offset(), layout.disp_size()) &&
                           same(raw.imm[0], layout.imm_offset(0), layout.imm_size(0)) &&
                           same(raw.imm[1], layout.imm_offset(1), layout.imm_size(1));
  if (!same_layout || insn.operand_count > kShapeOperands) return;
  i8 reg_operand[2] = {-1, -1};
  u16 reg_first[2] = {0, 0};
  if (layout.registers && !free_registers_agree(layout, bytes, d, reg_operand, reg_first)) return;
  Shape& s = shape_victim(key);
  s.key.layout = 0;
  s.imm_operand[0] = s.imm_operand[1] = -1;
  s.disp_operands = 0;
  for (int f = 0; f < 2; ++f) {
    s.reg_operand[f] = reg_operand[f];
    s.reg_first[f] = reg_first[f];
    s.reg_skip_from[f] = gpr_skip_from(reg_first[f], layout.rex());
  }
  int imm_id = 0;
  for (int i = 0; i < insn.operand_count; ++i) {
    const ZydisDecodedOperand& op = d.ops[i];
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && op.mem.disp.has_displacement) s.disp_operands |= u16(1u << i);
    if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE && is_immediate_encoding(op.encoding)) {
      if (imm_id == 2) return;
      s.imm_operand[imm_id++] = i8(i);
    }
  }
  __builtin_memcpy(&s.insn, &insn, sizeof(insn) + insn.operand_count * sizeof(d.ops[0]));
  s.key = key;
}

bool Decoder::decode_with_zydis(const u8* bytes, usize len, u64 pc, DecodedInsn& out) const {
  const Remembered* r = recall(bytes, len, pc);
  if (!r) r = decode_and_remember(bytes, len, pc);
  if (!r) return false;
  // What ZydisDecoderDecodeFull does after the instruction half.
  out.insn = r->insn;
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeOperands(&decoder_, &r->ctx, &out.insn, out.ops, out.insn.operand_count)))
    return false;
  __builtin_memset(&out.ops[out.insn.operand_count], 0,
                   (ZYDIS_MAX_OPERAND_COUNT - out.insn.operand_count) * sizeof(out.ops[0]));
  return true;
}

bool Decoder::decode(const u8* bytes, usize len, u64 pc, DecodedInsn& out) const {
  out.pc = pc;
  if (len == 0) return false;
  const InsnLayout layout = scan_layout(bytes, len);
  if (!layout.packed) return decode_with_zydis(bytes, len, pc, out);
  const ShapeKey key = shape_key(bytes, len, layout);
  if (const Shape* s = find_shape(key)) {
    ++stats_.shape_hits;
    const int n = s->insn.operand_count;
    __builtin_memcpy(&out.insn, &s->insn, sizeof(s->insn) + n * sizeof(s->ops[0]));
    __builtin_memset(&out.ops[n], 0, (ZYDIS_MAX_OPERAND_COUNT - n) * sizeof(out.ops[0]));
    patch(*s, bytes, layout, out.insn, out.ops);
    return true;
  }
  ++stats_.shape_misses;
  if (!decode_with_zydis(bytes, len, pc, out)) return false;
  remember_shape(key, layout, bytes, out);
  return true;
}

const ZydisDecodedInstruction* Decoder::decode_instruction(const u8* bytes, usize len, u64 pc) const {
  if (len == 0) return nullptr;
  if (const Remembered* r = recall(bytes, len, pc)) return &r->insn;
  if (const InsnLayout layout = scan_layout(bytes, len); layout.packed) {
    const ShapeKey key = shape_key(bytes, len, layout);
    if (Shape* s = find_shape(key)) {
      // Patched in place: a use of the entry rewrites all its value fields anyway.
      ++stats_.shape_hits;
      patch(*s, bytes, layout, s->insn, nullptr);
      return &s->insn;
    }
    ++stats_.shape_misses;
  }
  const Remembered* r = decode_and_remember(bytes, len, pc);
  return r ? &r->insn : nullptr;
}

void Decoder::format(const DecodedInsn& d, TextBuf& out) const {
  char text[160];
  if (ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&formatter_, &d.insn, d.ops, d.insn.operand_count_visible,
                                                   text, sizeof(text), d.pc, nullptr))) {
    out.str(text);
  } else {
    out.str("(unformattable)");
  }
}

}  // namespace bmbt::x86
