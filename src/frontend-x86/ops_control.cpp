// Control transfer: jcc jmp call ret loop/loope/loopne jrcxz/jecxz. Each ends the translation block.
// Near branches in 64-bit mode always use a 64-bit operand size (Intel ignores 0x66 here);
// far forms belong to the system frontend.
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
    x.b.call(relative_target(x), x.next_pc);
  } else {
    if (x.op(0).type == ZYDIS_OPERAND_TYPE_POINTER || x.op(0).size != 64) return Emit::kUnsupported;  // far calls
    Value target = x.read(0);  // read before the push: `call [rsp]` uses the old rsp
    x.push(x.b.i64c(x.next_pc));
    x.b.call_indirect(target, x.next_pc);
  }
  return Emit::kEndsBlock;
}

Emit emit_ret(Ctx& x) {
  if (x.insn().operand_width != 64 || x.insn().mnemonic != ZYDIS_MNEMONIC_RET) return Emit::kUnsupported;  // far returns
  Value sp = x.reg64(kRSP);
  Value target = x.b.load(Type::kI64, sp, 2);
  u64 release = 8;
  if (x.insn().operand_count_visible == 1) release += x.op(0).imm.value.u & 0xffff;
  x.put64(kRSP, x.b.add(sp, x.b.i64c(release)));
  x.b.ret(target);
  return Emit::kEndsBlock;
}

// loop/loope/loopne: decrement the count register (RCX, or ECX under 0x67) without touching flags.
Emit emit_loop(Ctx& x) {
  ir::Builder& b = x.b;
  Value count = b.sub(x.addr_reg(kRCX), b.i64c(1));
  if (x.insn().address_width == 32) count = b.zext(Type::kI64, b.trunc(Type::kI32, count));
  x.set_addr_reg(kRCX, count);
  Value cond = b.ne(count, b.i64c(0));
  if (x.insn().mnemonic == ZYDIS_MNEMONIC_LOOPE) cond = b.and_(cond, x.flag(ir::kZF));
  if (x.insn().mnemonic == ZYDIS_MNEMONIC_LOOPNE) cond = b.and_(cond, b.xor_(x.flag(ir::kZF), b.boolean(true)));
  b.branch(cond, relative_target(x), x.next_pc);
  return Emit::kEndsBlock;
}

Emit emit_jrcxz(Ctx& x) {
  x.b.branch(x.b.eq(x.addr_reg(kRCX), x.b.i64c(0)), relative_target(x), x.next_pc);
  return Emit::kEndsBlock;
}

}  // namespace bmbt::x86
