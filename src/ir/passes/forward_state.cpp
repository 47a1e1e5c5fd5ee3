#include "ir/guest_state.h"
#include "ir/passes/passes.h"

namespace bmbt::ir {

namespace {

// Known current value of each guest register and flag while walking the block.
struct Known {
  Value reg[kGuestRegCount];
  Value flag[kFlagCount];
  void forget() {
    for (Value& v : reg) v = kNoValue;
    for (Value& v : flag) v = kNoValue;
  }
};

}  // namespace

int forward_state(Block& b) {
  Known known;
  known.forget();
  Value remap[Block::kMaxInsts];
  int forwarded = 0;
  for (int i = 0; i < b.size(); ++i) {
    Inst& in = b[i];
    remap[i] = Value(i);
    for (int a = 0; a < in.num_args; ++a) in.args[a] = remap[in.args[a]];
    switch (in.op) {
      case Op::GetReg:
        if (known.reg[in.imm] != kNoValue) { remap[i] = known.reg[in.imm]; ++forwarded; }
        else known.reg[in.imm] = Value(i);
        break;
      case Op::SetReg: known.reg[in.imm] = in.args[0]; break;
      case Op::GetFlag:
        if (known.flag[in.imm] != kNoValue) { remap[i] = known.flag[in.imm]; ++forwarded; }
        else known.flag[in.imm] = Value(i);
        break;
      case Op::SetFlag: case Op::SetFlagOnFault: known.flag[in.imm] = in.args[0]; break;
      case Op::Call: known.forget(); break;  // helpers may read and change any guest state
      default: break;
    }
  }
  if (b.term.cond != kNoValue) b.term.cond = remap[b.term.cond];
  return forwarded;
}

}  // namespace bmbt::ir
