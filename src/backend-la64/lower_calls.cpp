// Return-address prediction in translated code. A call pushes {return address, host address of
// the code that continues there} on the vCPU's ring (Vcpu::ras) and enters the callee with a
// linking branch (`bl` in its chain slot, `jirl $ra` for indirect calls), so that the CPU's own
// return-address stack sees a call; the instruction after it is a chain slot to the return
// address. A ret whose target equals the top entry pops it and leaves through `jirl $zero, $ra`,
// which the CPU predicts from its return-address stack; any other ret takes the jump cache.
#include "backend-la64/lowering.h"

namespace bmbt::la64::detail {

// ras_top += 16 (wrapping); ras[top] = {return_pc, address of the word `continuation_words`
// after this sequence's `pcaddi` (its second-to-last word)}. Uses $r21 and $ra only (an
// indirect call's target may be in another scratch register).
void Lowering::emit_push_prediction(u64 return_pc, int continuation_words) {
  as_.emit(Op::LD_WU, kScratch0, kEnv, kRasTopOffset);
  as_.emit(Op::ADDI_W, kScratch0, kScratch0, 16);
  as_.emit(Op::ANDI, kScratch0, kScratch0, kRasMask);
  as_.emit(Op::ST_W, kScratch0, kEnv, kRasTopOffset);
  as_.emit(Op::ADD_D, kScratch0, kScratch0, kEnv);
  as_.li(kScratch3, return_pc);
  as_.emit(Op::ST_D, kScratch3, kScratch0, kRasOffset);
  as_.emit(Op::PCADDI, kScratch3, continuation_words);
  as_.emit(Op::ST_D, kScratch3, kScratch0, kRasOffset + 8);
}

// call rel32: the callee's chain slot is a `bl` (chaining keeps the opcode), the next word is the
// chain slot of the return address, which is where the predicted ret lands.
void Lowering::emit_call_exit(u64 target, u64 return_pc) {
  emit_push_prediction(return_pc, 3);  // after the `st.d` and the call slot: the continuation
  const int call_slot = int(as_.size());
  as_.emit(Op::BL, 8);  // to the call's exit code, right after the return slot: no label needed
  const int return_slot = int(as_.size());
  as_.branch_forward(Op::B);  // to the return address's exit code, after the call's
  emit_exit_code(call_slot, target);
  as_.patch_forward(usize(return_slot), as_.size(), Op::B, 0);
  emit_exit_code(return_slot, return_pc);
}

void Lowering::emit_return_exit(Value target) {
  Gpr x = reg(target, kScratch1);
  as_.emit(Op::LD_WU, kScratch0, kEnv, kRasTopOffset);
  as_.emit(Op::ADD_D, kScratch2, kScratch0, kEnv);
  as_.emit(Op::LD_D, kScratch3, kScratch2, kRasOffset);
  // Mispredicted: to the jump-cache lookup after the five words of the predicted return (a
  // fixed distance, so no label).
  as_.emit(Op::BNE, kScratch3, x, 6 * 4);
  as_.emit(Op::ADDI_W, kScratch0, kScratch0, -16);
  as_.emit(Op::ANDI, kScratch0, kScratch0, kRasMask);
  as_.emit(Op::ST_W, kScratch0, kEnv, kRasTopOffset);
  as_.emit(Op::LD_D, kRa, kScratch2, kRasOffset + 8);
  as_.emit(Op::JIRL, kZero, kRa, 0);
  emit_indirect_exit(target, 0);
}

}  // namespace bmbt::la64::detail
