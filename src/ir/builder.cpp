#include "ir/builder.h"

namespace bmbt::ir {

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
