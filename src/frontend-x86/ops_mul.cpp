// Multiplication: imul (one-, two- and three-operand forms) and mul.
// CF = OF = "the high half is significant". SF ZF AF PF are architecturally undefined and
// are left unchanged here (see docs/x86-semantics.md).
#include "frontend-x86/families.h"

namespace bmbt::x86 {

namespace {

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
  b.set_flag(ir::kCF, significant);
  b.set_flag(ir::kOF, significant);
  return Emit::kContinue;
}

}  // namespace

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
  b.set_flag(ir::kCF, significant);
  b.set_flag(ir::kOF, significant);
  x.write(0, lo);
  return Emit::kContinue;
}

}  // namespace bmbt::x86
