#include "frontend-x86/context.h"

namespace bmbt::x86 {

using ir::Flag;

// The formulas of flags nothing reads (Ctx::live) are not even emitted: the common flag
// helpers test liveness first. (A dead flag set elsewhere is dropped by set_flag; its formula
// is left to the IR passes.)
void Ctx::flags_szp(Value r) {
  Type t = b.type_of(r);
  if (live(ir::kZF)) set_flag(ir::kZF, b.eq(r, c(t, 0)));
  if (live(ir::kSF)) set_flag(ir::kSF, b.slt(r, c(t, 0)));
  if (live(ir::kPF)) set_flag(ir::kPF, b.parity(r));
}

void Ctx::flags_add(Value a, Value bv, Value r) {
  if (live(ir::kCF)) set_flag(ir::kCF, b.ult(r, a));
  if (live(ir::kOF)) set_flag(ir::kOF, b.overflow_add(a, bv, r));
  if (live(ir::kAF)) set_flag(ir::kAF, b.aux_carry(a, bv, r));
  flags_szp(r);
  flag_group(ir::FlagGroupKind::kAdd, kArithFlags, a, bv);
}

void Ctx::flags_sub(Value a, Value bv, Value r) {
  if (live(ir::kCF)) set_flag(ir::kCF, b.ult(a, bv));
  if (live(ir::kOF)) set_flag(ir::kOF, b.overflow_sub(a, bv, r));
  if (live(ir::kAF)) set_flag(ir::kAF, b.aux_carry(a, bv, r));
  flags_szp(r);
  flag_group(ir::FlagGroupKind::kSub, kArithFlags, a, bv);
}

// AND/OR/XOR/TEST: CF and OF cleared; AF is architecturally undefined and cleared here,
// which is what the Intel and AMD CPUs we compared against do (see docs/x86-semantics.md).
void Ctx::flags_logic(Value r) {
  if (live(ir::kCF)) set_flag(ir::kCF, b.boolean(false));
  if (live(ir::kOF)) set_flag(ir::kOF, b.boolean(false));
  if (live(ir::kAF)) set_flag(ir::kAF, b.boolean(false));
  flags_szp(r);
}

void Ctx::flags_logic(ir::FlagGroupKind kind, Value a, Value bv, Value r) {
  flags_logic(r);
  flag_group(kind, kArithFlags, a, bv);
}

Value Ctx::condition(int cc) {
  Value v;
  switch (cc >> 1) {
    case 0: v = flag(ir::kOF); break;                                        // o
    case 1: v = flag(ir::kCF); break;                                        // b
    case 2: v = flag(ir::kZF); break;                                        // e
    case 3: v = b.or_(flag(ir::kCF), flag(ir::kZF)); break;            // be
    case 4: v = flag(ir::kSF); break;                                        // s
    case 5: v = flag(ir::kPF); break;                                        // p
    case 6: v = b.xor_(flag(ir::kSF), flag(ir::kOF)); break;           // l
    default:                                                                       // le
      v = b.or_(flag(ir::kZF), b.xor_(flag(ir::kSF), flag(ir::kOF)));
      break;
  }
  return (cc & 1) ? b.xor_(v, b.boolean(true)) : v;
}

Value Ctx::flag(u8 f) {
  if ((written_flags >> f) & 1) return flag_value[f];
  known.sync(b);
  if ((known.flags >> f) & 1) return known.flag[f];
  const Value v = b.get_flag(f);
  known.flags |= u8(1 << f);
  known.flag[f] = v;
  return v;
}

void Ctx::set_flag(u8 f, Value v) {
  written_flags |= u8(1 << f);
  flag_value[f] = v;
  if (f == ir::kDF || live(f)) record_write(StateWrite::kFlag, f, 0, v);
}

bool Ctx::flush_state_writes() {
  if (nwrites == 0) return true;
  if (nwrites > kMaxStateWrites) return false;
  if (b.calls_emitted() != calls_at_first_write) return false;  // a call after the first write
  known.sync(b);  // the instruction's calls, all before its writes, forget what came before
  for (int i = 0; i < nwrites; ++i) {
    const StateWrite& w = writes[i];
    switch (w.kind) {
      case StateWrite::kReg:
        b.set_reg(w.what, w.v);
        known.regs |= u32(1) << w.what;
        known.reg[w.what] = w.v;
        break;
      case StateWrite::kFlag:
        b.set_flag(w.what, w.v);
        known.flags |= u8(1 << w.what);
        known.flag[w.what] = w.v;
        break;
      case StateWrite::kGroup: b.flag_group(w.what, w.mask, w.v, w.v2); break;
    }
  }
  return true;
}


}  // namespace bmbt::x86
