// Control transfer: jcc jmp call ret. Each ends the translation block.
#include "frontend-x86/families.h"

namespace bmbt::x86 {

static u64 relative_target(Ctx& x) { return x.next_pc + x.op(0).imm.value.u; }
static bool is_relative(Ctx& x) {
  return x.op(0).type == ZYDIS_OPERAND_TYPE_IMMEDIATE && x.op(0).imm.is_relative;
}

Emit emit_jcc(Ctx& x) {
  x.b.branch(x.condition(condition_of(x.insn().mnemonic)), relative_target(x), x.next_pc);
  return Emit::kEndsBlock;
}

Emit emit_jmp(Ctx& x) {
  if (is_relative(x)) {
    x.b.jump(relative_target(x));
  } else {
    if (x.op(0).type == ZYDIS_OPERAND_TYPE_POINTER || x.op(0).size != 64) return Emit::kUnsupported;  // far jumps
    x.b.jump_indirect(x.read(0));
  }
  return Emit::kEndsBlock;
}

Emit emit_call(Ctx& x) {
  if (is_relative(x)) {
    x.push(x.b.i64c(x.next_pc));
    x.b.jump(relative_target(x));
  } else {
    if (x.op(0).type == ZYDIS_OPERAND_TYPE_POINTER || x.op(0).size != 64) return Emit::kUnsupported;  // far calls
    Value target = x.read(0);  // read before the push: `call [rsp]` uses the old rsp
    x.push(x.b.i64c(x.next_pc));
    x.b.jump_indirect(target);
  }
  return Emit::kEndsBlock;
}

Emit emit_ret(Ctx& x) {
  if (x.insn().operand_width != 64) return Emit::kUnsupported;
  Value target = x.pop();
  if (x.insn().operand_count_visible == 1) {
    x.b.set_reg(kRSP, x.b.add(x.b.get_reg(kRSP), x.b.i64c(x.op(0).imm.value.u & 0xffff)));
  }
  x.b.jump_indirect(target);
  return Emit::kEndsBlock;
}

}  // namespace bmbt::x86
