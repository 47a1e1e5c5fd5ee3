// Data movement: mov movzx movsx movsxd lea xchg bswap movbe cbw/cwde/cdqe cwd/cdq/cqo cmovcc setcc.
// xchg with a memory operand is implicitly locked: a plain exchange while BMBT runs one vCPU.
#include "frontend-x86/families.h"

namespace bmbt::x86 {

static bool is_gpr_or_mem(const ZydisDecodedOperand& o) {
  if (o.type == ZYDIS_OPERAND_TYPE_MEMORY || o.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) return true;
  return o.type == ZYDIS_OPERAND_TYPE_REGISTER && is_gpr(o.reg.value);
}

Emit emit_mov(Ctx& x) {
  // Moves to/from segment, control and debug registers belong to the system frontend.
  if (!is_gpr_or_mem(x.op(0)) || !is_gpr_or_mem(x.op(1))) return Emit::kUnsupported;
  x.write(0, x.read_as(1, ir::int_type_for_bytes(x.op(0).size / 8)));
  return Emit::kContinue;
}

Emit emit_movzx(Ctx& x) {
  x.write(0, x.b.zext(ir::int_type_for_bytes(x.op(0).size / 8), x.read(1)));
  return Emit::kContinue;
}

Emit emit_movsx(Ctx& x) {
  Type dst = ir::int_type_for_bytes(x.op(0).size / 8);
  Value src = x.read(1);
  // movsxd with a 32-bit (or 16-bit) destination is a plain move.
  x.write(0, ir::bit_width(dst) > ir::bit_width(x.b.type_of(src)) ? x.b.sext(dst, src) : x.b.trunc(dst, src));
  return Emit::kContinue;
}

Emit emit_lea(Ctx& x) {
  Value ea = x.address(1, /*with_segment_base=*/false);
  x.write(0, x.b.trunc(ir::int_type_for_bytes(x.op(0).size / 8), ea));
  return Emit::kContinue;
}

Emit emit_xchg(Ctx& x) {
  Value a = x.read(0);
  Value b = x.read(1);
  x.write(0, b);
  x.write(1, a);
  return Emit::kContinue;
}

// cbw/cwde/cdqe: sign-extend the lower half of rAX into the whole operand.
Emit emit_cbw(Ctx& x) {
  Type t = x.type();
  Type half = ir::int_type_for_bytes(x.width() / 16);
  x.set_reg(kRAX, x.b.sext(t, x.reg(kRAX, half)));
  return Emit::kContinue;
}

// cwd/cdq/cqo: fill rDX with the sign of rAX.
Emit emit_cwd(Ctx& x) {
  Type t = x.type();
  Value a = x.reg(kRAX, t);
  x.set_reg(kRDX, x.b.ashr(a, x.c(t, u64(ir::bit_width(t) - 1))));
  return Emit::kContinue;
}

Emit emit_cmov(Ctx& x) {
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  Value cond = x.condition(condition_of(x.insn().mnemonic));
  Value src = x.read_as(1, t);  // the source is read (and may fault) whatever the condition
  Value old = x.read(0);
  // A 32-bit destination is zero-extended even when the condition is false.
  x.write(0, x.b.select(cond, src, old));
  return Emit::kContinue;
}

Emit emit_setcc(Ctx& x) {
  Value cond = x.condition(condition_of(x.insn().mnemonic));
  x.write(0, x.b.zext(Type::kI8, cond));
  return Emit::kContinue;
}


// bswap r32/r64. The 16-bit form is undefined; this CPU clears the low 16 bits (see docs).
Emit emit_bswap(Ctx& x) {
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  if (t == Type::kI16) {
    x.write(0, x.c(t, 0));
    return Emit::kContinue;
  }
  x.write(0, x.unary(ir::Op::Bswap, x.read(0)));
  return Emit::kContinue;
}

// movbe: a load or store with the bytes reversed.
Emit emit_movbe(Ctx& x) {
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  x.write(0, x.unary(ir::Op::Bswap, x.read_as(1, t)));
  return Emit::kContinue;
}

}  // namespace bmbt::x86
