// Flag instructions: clc stc cmc cld std lahf sahf.
#include "frontend-x86/families.h"

namespace bmbt::x86 {

Emit emit_clc(Ctx& x) { x.set_flag(ir::kCF, x.b.boolean(false)); return Emit::kContinue; }
Emit emit_stc(Ctx& x) { x.set_flag(ir::kCF, x.b.boolean(true)); return Emit::kContinue; }
Emit emit_cmc(Ctx& x) { x.set_flag(ir::kCF, x.b.xor_(x.flag(ir::kCF), x.b.boolean(true))); return Emit::kContinue; }
Emit emit_cld(Ctx& x) { x.set_flag(ir::kDF, x.b.boolean(false)); return Emit::kContinue; }
Emit emit_std(Ctx& x) { x.set_flag(ir::kDF, x.b.boolean(true)); return Emit::kContinue; }

// RFLAGS bits 7:0 = SF ZF 0 AF 0 PF 1 CF.
static constexpr u8 kLowFlagBit[] = {0, 2, 4, 6, 7};
static constexpr u8 kLowFlag[] = {ir::kCF, ir::kPF, ir::kAF, ir::kZF, ir::kSF};

Emit emit_lahf(Ctx& x) {
  ir::Builder& b = x.b;
  Value ah = b.i64c(2);
  for (int k = 0; k < 5; ++k)
    ah = b.or_(ah, b.shl(b.zext(Type::kI64, x.flag(kLowFlag[k])), b.i64c(kLowFlagBit[k])));
  Value rax = x.reg64(kRAX);
  x.put64(kRAX, b.or_(b.and_(rax, b.i64c(~u64(0xff00))), b.shl(ah, b.i64c(8))));
  return Emit::kContinue;
}

Emit emit_sahf(Ctx& x) {
  ir::Builder& b = x.b;
  Value ah = b.lshr(x.reg64(kRAX), b.i64c(8));
  for (int k = 0; k < 5; ++k) x.set_flag(kLowFlag[k], b.trunc(Type::kI1, b.lshr(ah, b.i64c(kLowFlagBit[k]))));
  return Emit::kContinue;
}

}  // namespace bmbt::x86
