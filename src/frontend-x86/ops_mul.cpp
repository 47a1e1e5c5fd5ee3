// Multiplication and division: imul (one-, two- and three-operand forms), mul, div, idiv.
// mul/imul: CF = OF = "the high half is significant". SF ZF AF PF are architecturally undefined;
// this CPU sets SF and PF from the low half of the product and clears ZF and AF, and so does BMBT.
// div/idiv leave all six unchanged (see docs/x86-semantics.md).
#include "frontend-x86/families.h"
#include "ir/semantics.h"

namespace bmbt::x86 {

namespace {

void set_mul_flags(Ctx& x, Value significant, Value lo, bool is_signed, Value a, Value m) {
  ir::Builder& b = x.b;
  x.set_flag(ir::kCF, significant);
  x.set_flag(ir::kOF, significant);
  x.set_flag(ir::kSF, b.slt(lo, x.c(b.type_of(lo), 0)));
  x.set_flag(ir::kPF, b.parity(lo));
  x.set_flag(ir::kZF, b.boolean(false));
  x.set_flag(ir::kAF, b.boolean(false));
  x.flag_group(is_signed ? ir::FlagGroupKind::kMulS : ir::FlagGroupKind::kMulU, kArithFlags, a, m);
}

// rDX:rAX = rAX * src (AX = AL * src for bytes).
Emit widening(Ctx& x, bool is_signed) {
  ir::Builder& b = x.b;
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  const int w = ir::bit_width(t);
  Value src = x.read(0);
  Value a = x.reg(kRAX, t);
  Value lo = b.mul(a, src);
  Value hi = is_signed ? b.binary(ir::Op::MulHighS, a, src) : b.binary(ir::Op::MulHighU, a, src);
  Value significant = is_signed ? b.ne(hi, b.ashr(lo, x.c(t, u64(w - 1)))) : b.ne(hi, x.c(t, 0));
  if (w == 8) {
    Value ax = b.or_(b.zext(Type::kI16, lo), b.shl(b.zext(Type::kI16, hi), x.c(Type::kI16, 8)));
    x.set_reg(kRAX, ax);
  } else {
    x.set_reg(kRAX, lo);
    x.set_reg(kRDX, hi);
  }
  set_mul_flags(x, significant, lo, is_signed, a, src);
  return Emit::kContinue;
}

// The whole 64-bit register after writing v (i8/i16 keep the rest, i32 zero-extends).
Value merged(Ctx& x, Value old64, Value v) {
  ir::Builder& b = x.b;
  Type t = b.type_of(v);
  if (t == Type::kI64) return v;
  if (t == Type::kI32) return b.zext(Type::kI64, v);
  return b.or_(b.and_(old64, b.i64c(~ir::type_mask(t))), b.zext(Type::kI64, v));
}

// div/idiv. #DE (divisor 0 or a quotient that does not fit) commits nothing: the raise helper
// records the pending exit, every register keeps its value and the block branches back to the
// instruction. 8/16/32-bit dividends fit in 64 bits and use the IR's division; the 128-bit
// dividend of the 64-bit form goes to a helper.
Emit divide(Ctx& x, bool is_signed) {
  ir::Builder& b = x.b;
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  const int w = ir::bit_width(t);
  Value src = x.read(0);
  if (w == 64) {
    Value args[2] = {src, b.i64c(is_signed ? 1 : 0)};
    Value status = b.call(u16(ir::HelperId::Div128), Type::kI64, 2, args);
    b.branch(b.ne(status, b.i64c(0)), x.d.pc, x.next_pc);
    return Emit::kEndsBlock;
  }
  Value rax = x.reg64(kRAX), rdx = x.reg64(kRDX);
  Value dividend;
  if (w == 8) {
    Value ax = b.trunc(Type::kI16, rax);
    dividend = is_signed ? b.sext(Type::kI64, ax) : b.zext(Type::kI64, ax);
  } else {
    Type t2 = ir::int_type_for_bytes(w / 4);  // the double-width type
    Value hi = b.zext(t2, b.trunc(t, rdx)), lo = b.zext(t2, b.trunc(t, rax));
    Value cat = b.or_(b.shl(hi, x.c(t2, u64(w))), lo);
    dividend = is_signed ? b.sext(Type::kI64, cat) : b.zext(Type::kI64, cat);
  }
  Value divisor = is_signed ? b.sext(Type::kI64, src) : b.zext(Type::kI64, src);
  Value q = b.binary(is_signed ? ir::Op::DivS : ir::Op::DivU, dividend, divisor);
  Value r = b.binary(is_signed ? ir::Op::RemS : ir::Op::RemU, dividend, divisor);
  Value qt = b.trunc(t, q), rt = b.trunc(t, r);
  Value fits = b.eq(is_signed ? b.sext(Type::kI64, qt) : b.zext(Type::kI64, qt), q);
  Value de = b.or_(b.eq(divisor, b.i64c(0)), b.xor_(fits, b.boolean(true)));
  Value args[2] = {b.zext(Type::kI64, de), b.i64c(u64(ir::ExitReason::kDivideError))};
  b.call(u16(ir::HelperId::RaiseIf), Type::kVoid, 2, args);
  if (w == 8) {
    Value ax = b.or_(b.zext(Type::kI16, qt), b.shl(b.zext(Type::kI16, rt), x.c(Type::kI16, 8)));
    x.put64(kRAX, b.select(de, rax, merged(x, rax, ax)));
  } else {
    x.put64(kRAX, b.select(de, rax, merged(x, rax, qt)));
    x.put64(kRDX, b.select(de, rdx, merged(x, rdx, rt)));
  }
  b.branch(de, x.d.pc, x.next_pc);
  return Emit::kEndsBlock;
}

}  // namespace

Emit emit_div(Ctx& x) { return divide(x, false); }
Emit emit_idiv(Ctx& x) { return divide(x, true); }

Emit emit_mul(Ctx& x) { return widening(x, false); }

Emit emit_imul(Ctx& x) {
  int visible = x.insn().operand_count_visible;
  if (visible == 1) return widening(x, true);
  ir::Builder& b = x.b;
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  const int w = ir::bit_width(t);
  Value a = visible == 3 ? x.read_as(1, t) : x.read(0);
  Value m = x.read_as(visible == 3 ? 2 : 1, t);
  Value lo = b.mul(a, m);
  Value hi = b.binary(ir::Op::MulHighS, a, m);
  Value significant = b.ne(hi, b.ashr(lo, x.c(t, u64(w - 1))));
  set_mul_flags(x, significant, lo, true, a, m);
  x.write(0, lo);
  return Emit::kContinue;
}

}  // namespace bmbt::x86
