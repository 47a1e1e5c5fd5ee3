#include "engine/engine.h"

#include "frontend-x86/flag_lookahead.h"
#include "ir/passes/passes.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "platform/platform.h"
#include "support/log.h"

namespace bmbt::engine {

static void log_text_line(void*, const char* text) { platform::log_line(text); }

Engine::Engine(devices::Machine& machine, ExecBackend& exec, CodeLister* lister, const EngineConfig& config)
    : machine_(machine), exec_(exec), lister_(lister), config_(config), mmu_(machine.memory, vcpu_.tlb) {
  vcpu_.machine = &machine_;
  vcpu_.mmu = &mmu_;
  vcpu_.cpu.rflags_system = kRflagsFixedOne;
  u64 pages = machine_.memory.ram_size() >> softmmu::kPageBits;
  code_bitmap_ = static_cast<u64*>(platform::alloc_pages((pages + 63) / 64 * 8));
  if (code_bitmap_) mmu_.set_code_tracking(code_bitmap_, pages, &Engine::on_code_write, this);
}

// A guest store changed a page holding translated code. The blocks with code on that page are
// invalidated (removed from lookup, chains into them undone by the backend); if the backend
// cannot undo its chains, everything is flushed. Translated code is sent back to the engine at
// the next block entry, so no stale block runs after the store's own block, which finishes
// with the code it was translated from.
void Engine::on_code_write(void* self, u64 paddr) {
  Engine* e = static_cast<Engine*>(self);
  bool unchained = true;
  e->stats_.blocks_invalidated += u64(e->tbs_.invalidate_page(paddr, [&](TranslationBlock& tb) {
    unchained &= e->exec_.invalidate(tb);
  }));
  if (unchained) {
    e->mmu_.clear_code_page(paddr);
  } else {
    e->tbs_.flush();
    e->exec_.flush();
    e->mmu_.clear_code_pages();
  }
  e->stats_.code_invalidations++;
  if (!e->code_invalidated_) {
    e->code_invalidated_ = true;
    e->budget_before_request_ = e->vcpu_.budget;
    e->vcpu_.budget = -1;
  }
  e->vcpu_.chain_slot = 0;
}

int Engine::fetch(u64 pc, u8* out, int max) { return mmu_.fetch(pc, out, max); }

void Engine::on_insn(const x86::DecodedInsn& d, const u8* bytes) {
  if (!(config_.trace & kTraceInAsm)) return;
  LogLine line;
  line.hex0x(d.pc, 8).str(":  ");
  for (int i = 0; i < d.insn.length; ++i) line.hex(bytes[i], 2).ch(' ');
  line.pad_to(48);
  decoder_.format(d, line);
}

// Frontend, verifier and passes for the block at pc, with traces. False on internal errors.
bool Engine::build_block(u64 pc, int max_insns) {
  x86::TranslateLimits limits = config_.limits;
  limits.max_insns = max_insns;
  limits.flag_lookahead = true;
  if (config_.trace & kTraceInAsm) LogLine().str("IN: block at ").hex0x(pc);
  x86::TranslateFailure failure;
  if (!x86::translate_block(decoder_, *this, pc, block_, limits, this, &failure)) {
    LogLine l;
    l.str("bmbt: internal error translating the block at ").hex0x(pc).str(": ").str(failure.why).str(" (guest instruction at ")
        .hex0x(failure.pc).str(")");
    return false;
  }
  block_.live_out_flags = x86::live_out_flags(decoder_, *this, block_);
  FixedText<300> err;
  if (!ir::verify(block_, err)) {
    LogLine l;
    l.str("bmbt: internal error in the block at ").hex0x(pc).str(": ").str(err.c_str());
    return false;
  }
  stats_.ir_insts_before += u64(block_.size());
  if (config_.trace & kTraceIr) {
    { LogLine().str("IR: block at ").hex0x(pc).str(" (").dec(block_.size()).str(" ops)"); }
    ir::print_block(block_, log_text_line, nullptr);
  }
  ir::run_default_passes(block_);
  stats_.ir_insts_after += u64(block_.size());
  if (!ir::verify(block_, err)) {
    LogLine l;
    l.str("bmbt: internal error after passes in the block at ").hex0x(pc).str(": ").str(err.c_str());
    return false;
  }
  if (config_.trace & kTraceIrOpt) {
    { LogLine().str("IR after passes: block at ").hex0x(pc).str(" (").dec(block_.size()).str(" ops)"); }
    ir::print_block(block_, log_text_line, nullptr);
  }
  if ((config_.trace & kTraceOutAsm) && lister_) {
    { LogLine().str("OUT: block at ").hex0x(pc).str(" (LoongArch)"); }
    lister_->list(block_, log_text_line, nullptr);
  }
  return true;
}

TranslationBlock* Engine::translate(u64 pc) {
  u64 t0 = platform::now_ns();
  int max_insns = config_.limits.max_insns;
  TranslationBlock* tb = nullptr;
  for (;;) {
    if (!build_block(pc, max_insns)) return nullptr;
    tb = tbs_.allocate(pc);
    auto result = tb ? exec_.install(block_, *tb) : ExecBackend::Install::kStorageFull;
    if (result == ExecBackend::Install::kOk) break;
    if (result == ExecBackend::Install::kStorageFull) {
      // Start over with empty caches (translations are cheap to redo).
      tbs_.flush();
      exec_.flush();
      tb = tbs_.allocate(pc);
      if (exec_.install(block_, *tb) == ExecBackend::Install::kOk) break;
      LogLine l;
      l.str("bmbt: internal error: the block at ").hex0x(pc).str(" does not fit in an empty code cache");
      return nullptr;
    }
    // Rejected: translate fewer guest instructions (a single one always fits).
    if (block_.guest_insns <= 1) {
      LogLine l;
      l.str("bmbt: internal error: the backend cannot compile the instruction at ").hex0x(pc);
      return nullptr;
    }
    tbs_.release_last(tb);
    max_insns = int(block_.guest_insns / 2);
  }
  tb->guest_insns = block_.guest_insns;
  tb->guest_bytes = block_.guest_bytes;
  tbs_.insert(tb);
  // Write-protect the code's pages (virtual == physical while paging is off).
  for (u64 page = pc >> softmmu::kPageBits; page <= (pc + (block_.guest_bytes ? block_.guest_bytes - 1 : 0)) >> softmmu::kPageBits; ++page)
    mmu_.mark_code_page(page << softmmu::kPageBits);
  stats_.blocks_translated++;
  stats_.guest_insns_translated += block_.guest_insns;
  stats_.host_insns_emitted += exec_.host_insns(*tb);
  stats_.translate_ns += platform::now_ns() - t0;
  return tb;
}

TranslationBlock* Engine::find_or_translate(u64 pc) {
  TranslationBlock* tb = tbs_.lookup(pc);
  if (!tb) {
    u64 flushes = tbs_.flushes();
    tb = translate(pc);
    // A flush while translating invalidates the slot the last block left through.
    if (tbs_.flushes() != flushes) vcpu_.chain_slot = 0;
  }
  return tb;
}

StopKind Engine::run() {
  constexpr i64 kUnlimited = i64(~u64(0) >> 1);
  const i64 initial_budget = config_.max_guest_insns ? i64(config_.max_guest_insns) : kUnlimited;
  vcpu_.budget = initial_budget;
  vcpu_.chain_slot = 0;
  vcpu_.jump_cache = exec_.jump_cache();
  u64 start = platform::now_ns();
  StopKind stop;
  for (;;) {
    if (code_invalidated_) {
      code_invalidated_ = false;
      vcpu_.budget = budget_before_request_;
      vcpu_.chain_slot = 0;
    }
    if (vcpu_.budget < 0) {
      LogLine().str("bmbt: stopped after ").udec(u64(initial_budget - vcpu_.budget)).str(" guest instructions (-max-insns)");
      stop = StopKind::kInsnLimit;
      break;
    }
    const u64 pc = vcpu_.cpu.regs[kRIP];
    TranslationBlock* tb = find_or_translate(pc);
    if (!tb) { stop = StopKind::kInternal; break; }
    if (vcpu_.chain_slot) {
      if (exec_.chain(vcpu_.chain_slot, *tb)) stats_.chained++;
      vcpu_.chain_slot = 0;
    }
    exec_.note_block(pc, *tb);
    if (config_.trace & kTraceExec) LogLine().str("Trace: ").hex0x(pc);
    vcpu_.fault.faulted = false;
    vcpu_.exit_reason = 0;
    BlockExit exit = settle_exit(vcpu_, exec_.execute(vcpu_, *tb));
    stats_.dispatches++;
    if (exit != BlockExit::kNext) {
      // Without interrupt delivery every exit ends the run (hlt, faults, unsupported code).
      stop = handle_exit(exit);
      break;
    }
  }
  if (config_.count_insns) stats_.guest_insns_executed = u64(initial_budget - (vcpu_.budget < 0 ? 0 : vcpu_.budget));
  stats_.total_ns = platform::now_ns() - start;
  stats_.cache_flushes = tbs_.flushes();
  if (config_.trace & kTraceStats) print_stats();
  return stop;
}

StopKind Engine::handle_exit(BlockExit exit) {
  const u64 rip = vcpu_.cpu.regs[kRIP];
  if (exit == BlockExit::kMemFault) {
    // No exception delivery yet: a guest fault ends the run with a report.
    LogLine().str("bmbt: guest ").str(vcpu_.fault.access == softmmu::Access::kWrite ? "write to" : "read from")
        .str(" unmapped address ").hex0x(vcpu_.fault.vaddr).str(" at rip=").hex0x(rip)
        .str(" (guest RAM is ").hex0x(machine_.memory.ram_size()).str(" bytes)");
    dump_state();
    return StopKind::kGuestError;
  }
  auto reason = ir::ExitReason(vcpu_.exit_reason);
  stats_.exits_by_reason[vcpu_.exit_reason & 7]++;
  switch (reason) {
    case ir::ExitReason::kHalt:
      if (vcpu_.cpu.rflags_system & kRflagsIF) {
        // Interrupt delivery arrives with the PC machine; until then nothing can wake the CPU.
        LogLine().str("bmbt: guest halted with interrupts enabled at rip=").hex0x(rip)
            .str(", but no interrupt source exists yet");
      } else {
        LogLine().str("bmbt: guest halted with interrupts disabled at rip=").hex0x(rip);
      }
      return StopKind::kHalted;
    case ir::ExitReason::kUndefined:
    case ir::ExitReason::kDecodeError: {
      u8 bytes[16];
      int n = mmu_.fetch(rip, bytes, 15);
      x86::DecodedInsn d;
      bool decoded = decoder_.decode(bytes, usize(n), rip, d);
      if (decoded) n = d.insn.length;
      {
        LogLine l;
        l.str("bmbt: ").str(reason == ir::ExitReason::kUndefined ? "unsupported x86 instruction" : "undecodable bytes")
            .str(" at rip=").hex0x(rip).str(":");
        for (int i = 0; i < n; ++i) l.ch(' ').hex(bytes[i], 2);
        if (decoded) {
          l.str(" (");
          decoder_.format(d, l);
          l.ch(')');
        }
      }
      dump_state();
      return StopKind::kGuestError;
    }
    case ir::ExitReason::kFetchFault:
      LogLine().str("bmbt: guest jumped to unmapped address rip=").hex0x(rip);
      dump_state();
      return StopKind::kGuestError;
    case ir::ExitReason::kDivideError:  // no IDT delivery yet
      LogLine().str("bmbt: guest divide error (#DE) at rip=").hex0x(rip);
      dump_state();
      return StopKind::kGuestError;
    case ir::ExitReason::kGeneralProtection:
      LogLine().str("bmbt: guest general-protection fault (#GP) at rip=").hex0x(rip);
      dump_state();
      return StopKind::kGuestError;
  }
  return StopKind::kInternal;
}

void Engine::dump_state() {
  const CpuState& s = vcpu_.cpu;
  for (int r = 0; r < 16; r += 4) {
    LogLine l;
    for (int k = r; k < r + 4; ++k) l.str(k < 8 ? "" : k < 10 ? " " : "").str(guest_reg_name(u8(k))).ch('=').hex(s.regs[k], 16).ch(' ');
  }
  LogLine l;
  l.str("rip=").hex(s.regs[kRIP], 16).str(" rflags=").hex(read_rflags(s), 8);
}

void Engine::print_stats() {
  const Stats& st = stats_;
  LogLine().str("stats: blocks translated ").udec(st.blocks_translated).str(", guest instructions translated ").udec(st.guest_insns_translated);
  LogLine().str("stats: IR ops before passes ").udec(st.ir_insts_before).str(", after ").udec(st.ir_insts_after);
  if (st.host_insns_emitted) {
    LogLine l;
    l.str("stats: LoongArch instructions emitted ").udec(st.host_insns_emitted).str(" (");
    u64 x100 = st.host_insns_emitted * 100 / (st.guest_insns_translated ? st.guest_insns_translated : 1);
    l.udec(x100 / 100).ch('.').udec(x100 % 100 / 10).udec(x100 % 10).str(" per guest instruction)");
  }
  {
    LogLine l;
    l.str("stats: guest instructions executed ");
    if (config_.count_insns) l.udec(st.guest_insns_executed);
    else l.str("(not counted)");
    l.str(", engine dispatches ").udec(st.dispatches).str(", chained exits ").udec(st.chained);
  }
  {
    LogLine l;
    l.str("stats: exits:");
    for (int r = 0; r < 8; ++r) {
      if (st.exits_by_reason[r]) l.ch(' ').str(ir::exit_reason_name(ir::ExitReason(r))).ch(' ').udec(st.exits_by_reason[r]);
    }
  }
  LogLine().str("stats: soft-TLB fills ").udec(mmu_.tlb_fills()).str(", cache flushes ").udec(st.cache_flushes)
      .str(", self-modifying code: ").udec(st.code_invalidations).str(" stores, ").udec(st.blocks_invalidated)
      .str(" blocks invalidated")
      .str(", executor ").str(exec_.name());
  LogLine().str("stats: time ").udec(st.total_ns / 1000000).str(" ms, translating ").udec(st.translate_ns / 1000000).str(" ms");
}

}  // namespace bmbt::engine
