// Stack: push pop leave (64-bit operand size; 16-bit pushes come with the full frontend).
#include "frontend-x86/families.h"

namespace bmbt::x86 {

Emit emit_push(Ctx& x) {
  if (x.insn().operand_width != 64) return Emit::kUnsupported;
  if (x.op(0).type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(x.op(0).reg.value) != ZYDIS_REGCLASS_GPR64)
    return Emit::kUnsupported;  // segment registers
  x.push(x.read_as(0, Type::kI64));
  return Emit::kContinue;
}

Emit emit_pop(Ctx& x) {
  if (x.insn().operand_width != 64) return Emit::kUnsupported;
  if (x.op(0).type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(x.op(0).reg.value) != ZYDIS_REGCLASS_GPR64)
    return Emit::kUnsupported;
  if (x.op(0).type == ZYDIS_OPERAND_TYPE_MEMORY) return Emit::kUnsupported;  // rsp-relative subtleties
  Value v = x.pop();
  x.write(0, v);
  return Emit::kContinue;
}

Emit emit_leave(Ctx& x) {
  if (x.insn().operand_width != 64) return Emit::kUnsupported;
  x.b.set_reg(kRSP, x.b.get_reg(kRBP));
  x.b.set_reg(kRBP, x.pop());
  return Emit::kContinue;
}

}  // namespace bmbt::x86
