#include "engine/interpreter.h"

#include "engine/helpers.h"
#include "ir/semantics.h"

namespace bmbt::engine {

using ir::Op;

BlockExit interpret(Vcpu& v, const ir::Inst* insts, int count, const ir::Terminator& term) {
  u64 val[ir::Block::kMaxInsts];
  u64 guest_pc = term.target;
  CpuState& s = v.cpu;
  for (int i = 0; i < count; ++i) {
    const ir::Inst& in = insts[i];
    const u64 a = in.num_args > 0 ? val[in.args[0]] : 0;
    const u64 b = in.num_args > 1 ? val[in.args[1]] : 0;
    const u64 c = in.num_args > 2 ? val[in.args[2]] : 0;
    switch (in.op) {
      case Op::Const: val[i] = in.imm; break;
      case Op::GetReg: val[i] = s.regs[in.imm]; break;
      case Op::SetReg: s.regs[in.imm] = a; break;
      case Op::GetFlag: val[i] = s.flags[in.imm] & 1; break;
      case Op::SetFlag: case Op::SetFlagOnFault: s.flags[in.imm] = u8(a & 1); break;
      case Op::InsnStart: guest_pc = in.imm; break;
      // Unfused, a group only annotates the flag writes before it. Fused groups exist only in
      // blocks translated for the LBT backend, which never reach the interpreter.
      case Op::FlagGroup: break;
      case Op::Load: {
        int size = ir::bit_width(in.type) / 8;
        val[i] = slow_load(&v, a, u64(size), guest_pc);
        if (v.fault.faulted) return BlockExit::kMemFault;
        break;
      }
      case Op::Store: {
        int size = ir::bit_width(insts[in.args[1]].type) / 8;
        if (!slow_store(&v, a, b, u64(size), guest_pc)) return BlockExit::kMemFault;
        break;
      }
      case Op::Call: {
        // Helpers see the architectural RIP of the calling instruction.
        s.regs[kRIP] = guest_pc;
        val[i] = helper_function(u16(in.imm))(&v, a, b, c) & ir::type_mask(in.type);
        // A helper that raised an exception or recorded a fault ends the block here, with RIP at
        // its instruction (settle_exit turns this into the exit), exactly like the JIT.
        if (v.fault.faulted) return BlockExit::kMemFault;
        if (v.exit_reason & ir::kExitPending) return BlockExit::kNext;
        break;
      }
      default: {
        ir::Type arg_type = in.num_args ? insts[in.args[0]].type : in.type;
        if (in.op == Op::Select) arg_type = in.type;
        val[i] = ir::eval_pure(in.op, in.type, arg_type, a, b, c);
        break;
      }
    }
  }
  switch (term.kind) {
    case ir::TermKind::kJump: s.regs[kRIP] = term.target; return BlockExit::kNext;
    case ir::TermKind::kBranch:
      s.regs[kRIP] = (val[term.cond] & 1) ? term.target : term.fallthrough;
      return BlockExit::kNext;
    case ir::TermKind::kJumpIndirect: s.regs[kRIP] = val[term.cond]; return BlockExit::kNext;
    case ir::TermKind::kExit:
    case ir::TermKind::kNone:
      s.regs[kRIP] = term.target;
      v.exit_reason = u32(term.reason);
      return BlockExit::kExitReason;
  }
  return BlockExit::kExitReason;
}

ExecBackend::Install InterpreterBackend::install(const ir::Block& block, TranslationBlock& tb) {
  usize n = usize(block.size());
  if (used_ + n > capacity_) return Install::kStorageFull;
  ir::Inst* dst = pool_ + used_;
  for (usize i = 0; i < n; ++i) dst[i] = block[int(i)];
  used_ += n;
  tb.code = dst;
  tb.code_size = u32(n);
  tb.term = block.term;
  return Install::kOk;
}

BlockExit InterpreterBackend::execute(Vcpu& v, TranslationBlock& tb) {
  // One block per call; its instructions are charged like a counting JIT block charges them.
  v.budget -= i64(tb.guest_insns);
  return interpret(v, static_cast<const ir::Inst*>(tb.code), int(tb.code_size), tb.term);
}

}  // namespace bmbt::engine
