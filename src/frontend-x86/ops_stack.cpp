// Stack: push pop (64- and 16-bit operand sizes, register, memory and immediate forms) pushf popf
// enter leave. Segment-register pushes and pops belong to the system frontend.
// push rsp pushes the old value; pop rsp loads the popped value; pop [rsp+d] computes the address
// with the incremented rsp (Ctx forwards the new rsp to the address computation).
#include "frontend-x86/families.h"
#include "ir/semantics.h"

namespace bmbt::x86 {

static bool is_segment_register(const ZydisDecodedOperand& o) {
  return o.type == ZYDIS_OPERAND_TYPE_REGISTER && ZydisRegisterGetClass(o.reg.value) == ZYDIS_REGCLASS_SEGMENT;
}

static Type stack_type(Ctx& x) { return x.insn().operand_width == 16 ? Type::kI16 : Type::kI64; }

Emit emit_push(Ctx& x) {
  if (is_segment_register(x.op(0))) return Emit::kUnsupported;
  x.push(x.read_as(0, stack_type(x)));
  return Emit::kContinue;
}

Emit emit_pop(Ctx& x) {
  if (is_segment_register(x.op(0))) return Emit::kUnsupported;
  Value v = x.pop(stack_type(x));
  x.write(0, v);
  return Emit::kContinue;
}

// pushf/popf through a helper: RFLAGS' system bits live outside the per-flag bytes.
Emit emit_pushf(Ctx& x) {
  Value args[2] = {x.b.i64c(0), x.b.i64c(0)};
  Value fl = x.b.call(u16(ir::HelperId::Rflags), Type::kI64, 2, args);
  x.push(x.b.trunc(stack_type(x), fl));
  return Emit::kContinue;
}

Emit emit_popf(Ctx& x) {
  Type t = stack_type(x);
  Value sp = x.reg64(kRSP);
  Value v = x.b.load(t, sp, 2);
  Value args[3] = {x.b.i64c(t == Type::kI16 ? 2 : 1), x.b.zext(Type::kI64, v)};
  x.b.call(u16(ir::HelperId::Rflags), Type::kI64, 2, args);
  x.put64(kRSP, x.b.add(sp, x.b.i64c(u64(ir::bit_width(t) / 8))));
  x.b.jump(x.next_pc);  // the flags changed behind the IR's back (and TF/IF may matter)
  return Emit::kEndsBlock;
}

// enter size, level: push rbp, copy level-1 frame pointers of the enclosing frames, push the new
// frame pointer, then reserve `size` bytes. With a 16-bit operand size the pushes are words and
// only BP receives the frame pointer (the rest of RBP keeps the copy loop's decrements, as the
// SDM's pseudo-code has it).
Emit emit_enter(Ctx& x) {
  ir::Builder& b = x.b;
  const Type t = stack_type(x);
  const u64 step = u64(ir::bit_width(t) / 8);
  const u64 size = x.op(0).imm.value.u & 0xffff;
  const u64 level = x.op(1).imm.value.u & 31;
  Value rbp = x.reg64(kRBP);
  x.push(b.trunc(t, rbp));
  Value frame = x.reg64(kRSP);
  for (u64 i = 1; i < level; ++i) x.push(b.load(t, b.sub(rbp, b.i64c(step * i)), 2));
  if (level > 0) x.push(b.trunc(t, frame));
  if (t == Type::kI64) {
    x.put64(kRBP, frame);
  } else {
    Value walked = level > 1 ? b.sub(rbp, b.i64c(step * (level - 1))) : rbp;
    x.put64(kRBP, b.or_(b.and_(walked, b.i64c(~u64(0xffff))), b.and_(frame, b.i64c(0xffff))));
  }
  x.put64(kRSP, b.sub(x.reg64(kRSP), b.i64c(size)));
  return Emit::kContinue;
}

Emit emit_leave(Ctx& x) {
  x.put64(kRSP, x.reg64(kRBP));
  Type t = stack_type(x);
  Value v = x.pop(t);
  x.set_reg(kRBP, v);
  return Emit::kContinue;
}

}  // namespace bmbt::x86
