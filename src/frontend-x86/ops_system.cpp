// System and I/O: hlt, out, in, nop forms, cpuid, rdtsc. Port I/O, cpuid and rdtsc go through helpers.
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


// cpuid: the helper answers from its leaf table and writes RAX RBX RCX RDX; the block ends so no
// later IR holds a stale copy of those registers.
Emit emit_cpuid(Ctx& x) {
  x.b.call(u16(ir::HelperId::Cpuid), Type::kVoid, 0, nullptr);
  x.b.jump(x.next_pc);
  return Emit::kEndsBlock;
}

Emit emit_rdtsc(Ctx& x) {
  Value tsc = x.b.call(u16(ir::HelperId::Rdtsc), Type::kI64, 0, nullptr);
  x.set_reg(kRAX, x.b.trunc(Type::kI32, tsc));
  x.set_reg(kRDX, x.b.trunc(Type::kI32, x.b.lshr(tsc, x.b.i64c(32))));
  return Emit::kContinue;
}

}  // namespace bmbt::x86
