// System and I/O: hlt, out, in, nop forms. Port I/O goes to the machine through helpers.
#include "frontend-x86/families.h"
#include "ir/semantics.h"

namespace bmbt::x86 {

Emit emit_nop(Ctx&) { return Emit::kContinue; }

Emit emit_hlt(Ctx& x) {
  x.b.exit(ir::ExitReason::kHalt, x.next_pc);
  return Emit::kEndsBlock;
}

Emit emit_out(Ctx& x) {
  Value args[3] = {x.b.zext(Type::kI64, x.read(0)), x.b.zext(Type::kI64, x.read(1)),
                   x.b.i64c(u64(x.op(1).size / 8))};
  x.b.call(u16(ir::HelperId::PortOut), Type::kVoid, 3, args);
  return Emit::kContinue;
}

Emit emit_in(Ctx& x) {
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  Value args[2] = {x.b.zext(Type::kI64, x.read(1)), x.b.i64c(u64(x.op(0).size / 8))};
  Value v = x.b.call(u16(ir::HelperId::PortIn), Type::kI64, 2, args);
  x.write(0, x.b.trunc(t, v));
  return Emit::kContinue;
}

}  // namespace bmbt::x86
