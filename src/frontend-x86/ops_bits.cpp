// Bit operations: bt bts btr btc (register and memory forms, with bit-offset addressing for a
// register offset into memory), bsf bsr, lzcnt tzcnt popcnt.
#include "frontend-x86/families.h"

namespace bmbt::x86 {

namespace {

enum class BitOp : u8 { kTest, kSet, kReset, kComplement };

// CF = the selected bit; ZF unchanged; OF SF AF PF undefined and left unchanged (this CPU agrees,
// see docs/x86-semantics.md).
Emit bit_test(Ctx& x, BitOp kind) {
  ir::Builder& b = x.b;
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  const int w = ir::bit_width(t);
  const int log_w = w == 16 ? 4 : w == 32 ? 5 : 6;
  Value off = x.read_as(1, t);
  Value pos = b.and_(off, x.c(t, u64(w - 1)));
  const bool memory = x.op(0).type == ZYDIS_OPERAND_TYPE_MEMORY;
  const bool reg_offset = x.op(1).type == ZYDIS_OPERAND_TYPE_REGISTER;
  Value addr = ir::kNoValue, val;
  if (memory) {
    addr = x.address(0);
    if (reg_offset) {
      // The offset is a signed bit index relative to the operand: it selects the w-bit word
      // floor(offset / w) words away.
      Value words = b.ashr(b.sext(Type::kI64, off), b.i64c(u64(log_w)));
      addr = b.add(addr, b.shl(words, b.i64c(u64(log_w - 3))));
    }
    val = b.load(t, addr, x.segment(0));
  } else {
    val = x.read(0);
  }
  Value cf = b.trunc(Type::kI1, b.lshr(val, pos));
  if (kind != BitOp::kTest) {
    Value mask = b.shl(x.c(t, 1), pos);
    Value r = kind == BitOp::kSet ? b.or_(val, mask) : kind == BitOp::kReset ? b.and_(val, b.not_(mask)) : b.xor_(val, mask);
    if (memory) b.store(addr, r, x.segment(0));
    else x.write(0, r);
  }
  x.set_flag(ir::kCF, cf);
  return Emit::kContinue;
}

}  // namespace

Emit emit_bt(Ctx& x) { return bit_test(x, BitOp::kTest); }
Emit emit_bts(Ctx& x) { return bit_test(x, BitOp::kSet); }
Emit emit_btr(Ctx& x) { return bit_test(x, BitOp::kReset); }
Emit emit_btc(Ctx& x) { return bit_test(x, BitOp::kComplement); }

// bsf/bsr: ZF = (source == 0); then the destination is left entirely unchanged (as this CPU
// does). CF OF SF AF PF are undefined: this CPU clears CF OF SF AF and sets PF to the parity of
// the result (1 for a zero source), and so does BMBT.
static Emit bit_scan(Ctx& x, bool forward) {
  ir::Builder& b = x.b;
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  const int w = ir::bit_width(t);
  Value src = x.read_as(1, t);
  Value zero = b.eq(src, x.c(t, 0));
  Value idx = forward ? x.unary(ir::Op::Ctz, src) : b.sub(x.c(t, u64(w - 1)), x.unary(ir::Op::Clz, src));
  x.set_flag(ir::kZF, zero);
  static constexpr u8 kCleared[] = {ir::kCF, ir::kOF, ir::kSF, ir::kAF};
  for (u8 f : kCleared) x.set_flag(f, b.boolean(false));
  x.set_flag(ir::kPF, b.parity(b.select(zero, x.c(t, 0), idx)));
  x.write_unless(0, zero, idx);
  return Emit::kContinue;
}

Emit emit_bsf(Ctx& x) { return bit_scan(x, true); }
Emit emit_bsr(Ctx& x) { return bit_scan(x, false); }

// lzcnt/tzcnt: CF = (source == 0), ZF = (result == 0); OF SF AF PF undefined: cleared, as on this CPU.
static Emit count_zeros(Ctx& x, ir::Op op) {
  ir::Builder& b = x.b;
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  Value src = x.read_as(1, t);
  Value r = x.unary(op, src);
  x.set_flag(ir::kCF, b.eq(src, x.c(t, 0)));
  x.set_flag(ir::kZF, b.eq(r, x.c(t, 0)));
  static constexpr u8 kCleared[] = {ir::kOF, ir::kSF, ir::kAF, ir::kPF};
  for (u8 f : kCleared) x.set_flag(f, b.boolean(false));
  x.write(0, r);
  return Emit::kContinue;
}

Emit emit_lzcnt(Ctx& x) { return count_zeros(x, ir::Op::Clz); }
Emit emit_tzcnt(Ctx& x) { return count_zeros(x, ir::Op::Ctz); }

// popcnt: ZF = (source == 0); CF OF SF AF PF cleared.
Emit emit_popcnt(Ctx& x) {
  ir::Builder& b = x.b;
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  Value src = x.read_as(1, t);
  x.set_flag(ir::kZF, b.eq(src, x.c(t, 0)));
  static constexpr u8 kCleared[] = {ir::kCF, ir::kOF, ir::kSF, ir::kAF, ir::kPF};
  for (u8 f : kCleared) x.set_flag(f, b.boolean(false));
  x.write(0, x.unary(ir::Op::Popcnt, src));
  return Emit::kContinue;
}

}  // namespace bmbt::x86
