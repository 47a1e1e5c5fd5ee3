#include "vector_exec.h"

#include "engine/backend.h"
#include "engine/interpreter.h"
#include "frontend-x86/buffer_code_source.h"
#include "frontend-x86/translator.h"
#include "ir/passes/passes.h"

namespace bmbt::x86diff {

void describe_exit(const VectorResult& r, TextBuf& out) {
  if (r.memory_fault) out.str("memory fault at ").hex0x(r.fault_vaddr);
  else out.str(r.exit_text);
}

VectorExecutor::VectorExecutor(u8* ram, engine::ExecBackend* exec, bool flag_groups)
    : ram_(ram), exec_(exec), flag_groups_(flag_groups) {
  machine_.memory.attach_ram(ram_, kGuestRamSize);
  __builtin_memset(ram_ + kCodePage, kTrapByte, kCodePageSize);
}

VectorResult VectorExecutor::run(const VectorInput& c) {
  u8* window = ram_ + kWindowBase;
  fill_window(c.mem_seed, c.patches, c.n_patches, window);
  __builtin_memcpy(ram_ + kCodeAddr, c.code, usize(c.code_len));

  // The vector's code replaces the previous one at the same address: translations must not survive.
  if (exec_) exec_->flush();
  engine::Vcpu v{};
  softmmu::Mmu mmu(machine_.memory, v.tlb);
  if (exec_) v.jump_cache = exec_->jump_cache();
  v.machine = &machine_;
  v.mmu = &mmu;
  for (int i = 0; i < 16; ++i) v.cpu.regs[i] = c.in->gpr[i];
  v.cpu.regs[kRIP] = c.in->rip;
  v.cpu.regs[kFsBase] = c.in->fs_base;
  v.cpu.regs[kGsBase] = c.in->gs_base;
  write_rflags(v.cpu, c.in->rflags);

  VectorResult r;
  x86::BufferCodeSource code(ram_, kGuestRamSize, 0);
  const u64 end = kCodeAddr + u64(c.code_len);
  int insns_left = c.n_insns;
  // Blocks until the RIP leaves the vector's bytes (a sequence may span blocks).
  for (int step = 0; step < 16; ++step) {
    x86::TranslateLimits limits;
    limits.max_insns = insns_left > 0 ? insns_left : 1;
    limits.flag_groups = flag_groups_;
    u64 pc = v.cpu.regs[kRIP];
    x86::TranslateFailure failure;
    if (!x86::translate_block(decoder_, code, pc, block_, limits, nullptr, &failure)) {
      r.exit_text = failure.why;
      break;
    }
    insns_left -= int(block_.guest_insns);
    ir::run_default_passes(block_);
    // A helper that must stop the run (#DE, a faulting rep string) leaves a pending exit or a
    // recorded fault and lets the block continue to the instruction's pc (see ir.h).
    engine::BlockExit e;
    if (exec_) {
      engine::TranslationBlock tb{};
      if (exec_->install(block_, tb) != engine::ExecBackend::Install::kOk) {
        r.exit_text = "the executor rejected the block";
        break;
      }
      e = engine::settle_exit(v, exec_->execute(v, tb));
    } else {
      e = engine::settle_exit(v, engine::interpret(v, &block_[0], block_.size(), block_.term));
    }
    if (e == engine::BlockExit::kNext) {
      u64 rip = v.cpu.regs[kRIP];
      if (rip >= pc && rip < end && rip != pc && insns_left > 0) continue;
      r.kind = ExitKind::kCompleted;
      break;
    }
    if (e == engine::BlockExit::kMemFault) {
      r.kind = ExitKind::kMemFault;
      r.memory_fault = true;
      r.fault_vaddr = v.fault.vaddr;
      break;
    }
    auto reason = ir::ExitReason(v.exit_reason);
    r.exit_text = ir::exit_reason_name(reason);
    if (reason == ir::ExitReason::kUndefined || reason == ir::ExitReason::kDecodeError) {
      r.kind = ExitKind::kInvalidOpcode;
      r.unsupported = true;
    } else if (reason == ir::ExitReason::kDivideError) {
      r.kind = ExitKind::kDivideError;
    } else if (reason == ir::ExitReason::kGeneralProtection) {
      r.kind = ExitKind::kMemFault;  // natively a SIGSEGV (#GP, trap 13), like a data-access fault
    } else {
      r.kind = ExitKind::kOther;
    }
    break;
  }
  for (int i = 0; i < 16; ++i) r.out.gpr[i] = v.cpu.regs[i];
  r.out.rip = v.cpu.regs[kRIP];
  r.out.rflags = read_rflags(v.cpu);
  r.out.fs_base = v.cpu.regs[kFsBase];
  r.out.gs_base = v.cpu.regs[kGsBase];
  r.window = window;
  __builtin_memset(ram_ + kCodeAddr, kTrapByte, usize(c.code_len));
  return r;
}

}  // namespace bmbt::x86diff
