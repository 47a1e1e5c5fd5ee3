// Shifts by 1, immediate and CL with x86's count masking: shl/sal shr sar.
// A masked count of 0 changes no flag; for counts above 1 OF follows the count-1 formula
// (architecturally undefined, see docs/x86-semantics.md).
#include "frontend-x86/families.h"

namespace bmbt::x86 {

namespace {

enum class Shift : u8 { kShl, kShr, kSar };

Emit shift(Ctx& x, Shift kind) {
  ir::Builder& b = x.b;
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  const int w = ir::bit_width(t);
  const u64 count_mask = w == 64 ? 63 : 31;
  Value a = x.read(0);

  Value n;  // i64 masked count
  bool count_known = x.op(1).type == ZYDIS_OPERAND_TYPE_IMMEDIATE;
  u64 known = x.op(1).imm.value.u & count_mask;
  if (count_known) {
    if (known == 0) return Emit::kContinue;  // no write, no flags
    n = b.i64c(known);
  } else {
    n = b.and_(b.zext(Type::kI64, x.read(1)), b.i64c(count_mask));
  }
  Value wide = kind == Shift::kSar ? b.sext(Type::kI64, a) : b.zext(Type::kI64, a);
  Value one = b.i64c(1);
  Value nm1 = b.sub(n, one);
  Value r64, cf64;
  switch (kind) {
    case Shift::kShl:
      r64 = b.shl(wide, n);
      // Last bit shifted out: bit (w - n) of the operand, i.e. bit w of (a << n).
      cf64 = w == 64 ? b.lshr(wide, b.sub(b.i64c(64), n)) : b.lshr(b.shl(wide, n), b.i64c(u64(w)));
      break;
    case Shift::kShr:
      r64 = b.lshr(wide, n);
      cf64 = b.lshr(wide, nm1);
      break;
    case Shift::kSar:
      r64 = b.ashr(wide, n);
      cf64 = b.ashr(wide, nm1);
      break;
  }
  Value r = b.trunc(t, r64);
  Value cf = b.trunc(Type::kI1, cf64);
  Value msb_r = b.slt(r, x.c(t, 0));
  Value of;
  switch (kind) {
    case Shift::kShl: of = b.xor_(msb_r, cf); break;
    case Shift::kShr: of = b.slt(a, x.c(t, 0)); break;
    case Shift::kSar: of = b.boolean(false); break;
  }
  Value zf = b.eq(r, x.c(t, 0));
  Value pf = b.parity(r);
  if (!count_known) {
    // Count 0 at run time: every flag keeps its value.
    Value nz = b.ne(n, b.i64c(0));
    cf = b.select(nz, cf, b.get_flag(ir::kCF));
    of = b.select(nz, of, b.get_flag(ir::kOF));
    zf = b.select(nz, zf, b.get_flag(ir::kZF));
    msb_r = b.select(nz, msb_r, b.get_flag(ir::kSF));
    pf = b.select(nz, pf, b.get_flag(ir::kPF));
  }
  b.set_flag(ir::kCF, cf);
  b.set_flag(ir::kOF, of);
  b.set_flag(ir::kZF, zf);
  b.set_flag(ir::kSF, msb_r);
  b.set_flag(ir::kPF, pf);
  x.write(0, r);
  return Emit::kContinue;
}

}  // namespace

Emit emit_shl(Ctx& x) { return shift(x, Shift::kShl); }
Emit emit_shr(Ctx& x) { return shift(x, Shift::kShr); }
Emit emit_sar(Ctx& x) { return shift(x, Shift::kSar); }

}  // namespace bmbt::x86
