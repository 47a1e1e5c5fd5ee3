#include "ir/builder.h"

namespace bmbt::ir {

Value Builder::emit(Op op, Type t, u8 n, const Value* args, u64 imm) {
  Inst inst{};
  inst.op = op;
  inst.type = t;
  inst.num_args = n;
  for (int i = 0; i < 3; ++i) inst.args[i] = i < n ? args[i] : kNoValue;
  inst.imm = imm;
  Value v = b_.append(inst);
  if (v == kNoValue) {
    overflowed_ = true;
    return 0;  // a valid index keeps later calls well-defined; the block is discarded anyway
  }
  return v;
}

Value Builder::binary(Op op, Value a, Value b) {
  Value v[2] = {a, b};
  return emit(op, type_of(a), 2, v, 0);
}

Value Builder::zext(Type t, Value v) { return type_of(v) == t ? v : emit1(Op::Zext, t, v, 0); }
Value Builder::sext(Type t, Value v) { return type_of(v) == t ? v : emit1(Op::Sext, t, v, 0); }
Value Builder::trunc(Type t, Value v) { return type_of(v) == t ? v : emit1(Op::Trunc, t, v, 0); }

Value Builder::select(Value cond, Value if_true, Value if_false) {
  Value v[3] = {cond, if_true, if_false};
  return emit(Op::Select, type_of(if_true), 3, v, 0);
}

void Builder::jump(u64 target) {
  b_.term = Terminator{};
  b_.term.kind = TermKind::kJump;
  b_.term.target = target;
}

void Builder::branch(Value cond, u64 taken, u64 not_taken) {
  b_.term = Terminator{};
  b_.term.kind = TermKind::kBranch;
  b_.term.cond = cond;
  b_.term.target = taken;
  b_.term.fallthrough = not_taken;
}

void Builder::jump_indirect(Value target) {
  b_.term = Terminator{};
  b_.term.kind = TermKind::kJumpIndirect;
  b_.term.cond = target;
}

void Builder::exit(ExitReason reason, u64 guest_pc) {
  b_.term = Terminator{};
  b_.term.kind = TermKind::kExit;
  b_.term.reason = reason;
  b_.term.target = guest_pc;
}

}  // namespace bmbt::ir
