// Integer arithmetic and logic: add adc sub sbb cmp and or xor test inc dec neg not.
#include "frontend-x86/families.h"

namespace bmbt::x86 {

namespace {

enum class Alu : u8 { kAdd, kAdc, kSub, kSbb, kCmp, kAnd, kOr, kXor, kTest };

Emit alu(Ctx& x, Alu kind) {
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  Value a = x.read(0);
  Value bv = x.read_as(1, t);
  ir::Builder& b = x.b;
  Value r;
  switch (kind) {
    case Alu::kAdd: r = b.add(a, bv); x.flags_add(a, bv, r); break;
    case Alu::kSub:
    case Alu::kCmp: r = b.sub(a, bv); x.flags_sub(a, bv, r); break;
    case Alu::kAdc: case Alu::kSbb: {
      Value cf = x.flag(ir::kCF);
      Value carry = b.zext(t, cf);
      if (kind == Alu::kAdc) {
        r = b.add(b.add(a, bv), carry);
        if (x.live(ir::kCF)) x.set_flag(ir::kCF, b.select(cf, b.compare(ir::Op::Ule, r, a), b.ult(r, a)));
        if (x.live(ir::kOF)) x.set_flag(ir::kOF, b.overflow_add(a, bv, r));
      } else {
        r = b.sub(b.sub(a, bv), carry);
        if (x.live(ir::kCF)) x.set_flag(ir::kCF, b.select(cf, b.compare(ir::Op::Ule, a, bv), b.ult(a, bv)));
        if (x.live(ir::kOF)) x.set_flag(ir::kOF, b.overflow_sub(a, bv, r));
      }
      if (x.live(ir::kAF)) x.set_flag(ir::kAF, b.aux_carry(a, bv, r));
      x.flags_szp(r);
      x.flag_group(kind == Alu::kAdc ? ir::FlagGroupKind::kAdc : ir::FlagGroupKind::kSbb, kArithFlags, a, bv);
      break;
    }
    case Alu::kAnd:
    case Alu::kTest: r = b.and_(a, bv); x.flags_logic(ir::FlagGroupKind::kAnd, a, bv, r); break;
    case Alu::kOr: r = b.or_(a, bv); x.flags_logic(ir::FlagGroupKind::kOr, a, bv, r); break;
    case Alu::kXor: r = b.xor_(a, bv); x.flags_logic(ir::FlagGroupKind::kXor, a, bv, r); break;
  }
  if (kind != Alu::kCmp && kind != Alu::kTest) x.write(0, r);
  return Emit::kContinue;
}

// INC/DEC leave CF alone.
Emit inc_dec(Ctx& x, bool inc) {
  Value a = x.read(0);
  Type t = x.b.type_of(a);
  Value one = x.c(t, 1);
  Value r = inc ? x.b.add(a, one) : x.b.sub(a, one);
  if (x.live(ir::kOF)) x.set_flag(ir::kOF, inc ? x.b.overflow_add(a, one, r) : x.b.overflow_sub(a, one, r));
  if (x.live(ir::kAF)) x.set_flag(ir::kAF, x.b.aux_carry(a, one, r));
  x.flags_szp(r);
  x.flag_group(inc ? ir::FlagGroupKind::kInc : ir::FlagGroupKind::kDec, kArithFlags & ~ir::kFlagCF, a, a);
  x.write(0, r);
  return Emit::kContinue;
}

}  // namespace

Emit emit_add(Ctx& x) { return alu(x, Alu::kAdd); }
Emit emit_adc(Ctx& x) { return alu(x, Alu::kAdc); }
Emit emit_sub(Ctx& x) { return alu(x, Alu::kSub); }
Emit emit_sbb(Ctx& x) { return alu(x, Alu::kSbb); }
Emit emit_cmp(Ctx& x) { return alu(x, Alu::kCmp); }
Emit emit_and(Ctx& x) { return alu(x, Alu::kAnd); }
Emit emit_or(Ctx& x) { return alu(x, Alu::kOr); }
Emit emit_xor(Ctx& x) { return alu(x, Alu::kXor); }
Emit emit_test(Ctx& x) { return alu(x, Alu::kTest); }
Emit emit_inc(Ctx& x) { return inc_dec(x, true); }
Emit emit_dec(Ctx& x) { return inc_dec(x, false); }

Emit emit_neg(Ctx& x) {
  Value a = x.read(0);
  Type t = x.b.type_of(a);
  Value zero = x.c(t, 0);
  Value r = x.b.neg(a);
  if (x.live(ir::kCF)) x.set_flag(ir::kCF, x.b.ne(a, zero));
  if (x.live(ir::kOF)) x.set_flag(ir::kOF, x.b.overflow_sub(zero, a, r));
  if (x.live(ir::kAF)) x.set_flag(ir::kAF, x.b.aux_carry(zero, a, r));
  x.flags_szp(r);
  x.flag_group(ir::FlagGroupKind::kSub, kArithFlags, zero, a);  // neg sets the flags of 0 - a
  x.write(0, r);
  return Emit::kContinue;
}

Emit emit_not(Ctx& x) {
  x.write(0, x.b.not_(x.read(0)));
  return Emit::kContinue;
}

}  // namespace bmbt::x86
