#include "backend-la64/jit_backend.h"

#include "backend-la64/disasm.h"
#include "backend-la64/host_regs.h"
#include "backend-la64/lbt_flags.h"
#include "engine/helpers.h"
#include "ir/semantics.h"
#include "platform/platform.h"
#include "softmmu/mmu.h"

namespace bmbt::la64 {

CodegenTargets make_targets(u64 base, const TrampolineLayout& l, bool count_insns, bool lbt) {
  CodegenTargets t{};
  t.exit_stub = base + l.exit * 4;
  for (int k = 0; k < 4; ++k) {
    t.load_stub[k] = base + l.load_stub[k] * 4;
    t.store_stub[k] = base + l.store_stub[k] * 4;
  }
  for (u16 h = 0; h < u16(ir::HelperId::kCount) && h < 8; ++h) t.helpers[h] = u64(engine::helper_function(h));
  t.count_insns = count_insns;
  t.lbt = lbt;
  return t;
}

bool JitBackend::host_can_execute() {
#if defined(__loongarch64)
  return true;
#else
  return false;
#endif
}

namespace {

void save_restore_pinned(Assembler& as, int count, bool save) {
  for (int r = 0; r < count; ++r) as.emit(save ? Op::ST_D : Op::LD_D, guest_gpr(r), kEnv, i32(guest_reg_offset(u8(r))));
}

void save_restore_temps(Assembler& as, bool save) {
  for (int k = 0; k < kNumTemps; ++k) as.emit(save ? Op::ST_D : Op::LD_D, Gpr{kTempRegs[k]}, kSp, kFrameSpillOffset + 8 * k);
  as.emit(save ? Op::ST_D : Op::LD_D, kRa, kSp, kFrameStubRaOffset);
}

// A soft-TLB miss stub, called with `bl` from a block's miss path: $r21 = guest address, $s7 =
// value to store; $ra (inside the block) is passed as the host PC the block's PC map resolves
// to the guest instruction if the access faults. Loads return the value in $s7. Everything a C call
// may clobber is saved around slow_load/slow_store; on a fault the stub leaves through `fault`.
void write_miss_stub(Assembler& as, bool is_store, int size, Label& fault) {
  save_restore_pinned(as, kCallerSavedPinned, true);
  save_restore_temps(as, true);
  as.move(Gpr{5}, kScratch0);
  if (is_store) {
    as.move(Gpr{6}, kScratch1);
    as.li(Gpr{7}, u64(size));
    as.move(Gpr{8}, kRa);
  } else {
    as.li(Gpr{6}, u64(size));
    as.move(Gpr{7}, kRa);
  }
  as.move(kA0, kEnv);
  as.li(kScratch0, is_store ? u64(&engine::slow_store_from_code) : u64(&engine::slow_load_from_code));
  as.emit(Op::JIRL, kRa, kScratch0, 0);
  as.move(kScratch1, kA0);
  save_restore_temps(as, false);
  save_restore_pinned(as, kCallerSavedPinned, false);
  if (is_store) {
    as.branch(Op::BEQZ, fault, kScratch1);
  } else {
    as.emit(Op::LD_BU, kScratch0, kEnv, i32(__builtin_offsetof(engine::Vcpu, fault) + __builtin_offsetof(softmmu::MemFault, faulted)));
    as.branch(Op::BNEZ, fault, kScratch0);
  }
  as.emit(Op::JIRL, kZero, kRa, 0);
}

}  // namespace

bool write_trampoline(u32* code, usize capacity, TrampolineLayout* layout, bool lbt) {
  Assembler as(code, capacity);
  static constexpr u8 kSaved[kFrameSavedRegs] = {1, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
  // entry(a0 = Vcpu*, a1 = block code)
  as.emit(Op::ADDI_D, kSp, kSp, -kFrameSize);
  for (int k = 0; k < kFrameSavedRegs; ++k) as.emit(Op::ST_D, Gpr{kSaved[k]}, kSp, 8 * k);
  as.move(kEnv, kA0);
  save_restore_pinned(as, 16, false);
  if (lbt) emit_state_to_eflags(as, kEnv, kScratch0, kScratch2);
  as.emit(Op::JIRL, kZero, Gpr{5}, 0);
  // exit(a0 = engine::BlockExit)
  layout->exit = as.size();
  save_restore_pinned(as, 16, true);
  if (lbt) emit_eflags_to_state(as, kEnv, kScratch0, kScratch2);
  for (int k = 0; k < kFrameSavedRegs; ++k) as.emit(Op::LD_D, Gpr{kSaved[k]}, kSp, 8 * k);
  as.emit(Op::ADDI_D, kSp, kSp, kFrameSize);
  as.emit(Op::JIRL, kZero, kRa, 0);
  // An unused return prediction (guest address 0): RIP = 0, back to the engine.
  layout->unused_prediction = as.size();
  as.emit(Op::ST_D, kZero, kEnv, i32(guest_reg_offset(kRIP)));
  as.move(kA0, kZero);
  as.emit(Op::B, (i64(layout->exit) - i64(as.size())) * 4);
  // A faulting slow path: RIP and the fault are recorded; leave with kMemFault.
  Label fault;
  as.bind(fault);
  as.li(kA0, u64(engine::BlockExit::kMemFault));
  as.emit(Op::B, (i64(layout->exit) - i64(as.size())) * 4);
  for (int k = 0; k < 4; ++k) {
    layout->load_stub[k] = as.size();
    write_miss_stub(as, false, 1 << k, fault);
    layout->store_stub[k] = as.size();
    write_miss_stub(as, true, 1 << k, fault);
  }
  layout->words = as.size();
  return as.ok();
}

bool JitBackend::init(TextBuf& error, bool count_insns, bool lbt) {
  if (!simulated_ && !host_can_execute()) {
    error.str("the LoongArch JIT cannot execute on this host");
    return false;
  }
  cache_ = static_cast<u32*>(simulated_ ? platform::alloc_pages(kCodeCacheBytes) : platform::alloc_code(kCodeCacheBytes));
  if (!cache_) {
    error.str("cannot allocate ").udec(kCodeCacheBytes >> 20).str(" MiB of executable memory for the code cache");
    return false;
  }
  capacity_words_ = kCodeCacheBytes / 4;
  if (!write_trampoline(cache_, capacity_words_, &layout_, lbt)) {
    error.str("internal error: the JIT trampoline could not be encoded");
    return false;
  }
  targets_ = make_targets(u64(cache_), layout_, count_insns, lbt);
  lbt_ = lbt;
  platform::flush_icache(cache_, layout_.words * 4);
  flush();
  return true;
}

void reset_return_predictions(engine::Vcpu& vcpu, u64 unused_prediction_code) {
  vcpu.ras_top = 0;
  for (engine::ReturnPrediction& p : vcpu.ras) p = engine::ReturnPrediction{0, unused_prediction_code};
}

void JitBackend::prepare_vcpu(engine::Vcpu& vcpu) {
  if (vcpu.ras_epoch == epoch_) return;
  reset_return_predictions(vcpu, u64(cache_ + layout_.unused_prediction));
  vcpu.ras_epoch = epoch_;
}

void JitBackend::flush() {
  used_words_ = layout_.words;
  ninstalled_ = 0;
  nchains_ = 0;
  chains_lost_ = false;
  ++epoch_;
  for (engine::JumpCacheEntry& e : jump_cache_) e = engine::JumpCacheEntry{~u64(0), 0};
}

engine::ExecBackend::Install JitBackend::install(const ir::Block& block, engine::TranslationBlock& tb) {
  u32* at = cache_ + used_words_;
  CodegenResult r = generate(block, targets_, u64(at), at, capacity_words_ - used_words_);
  if (r.status == CodegenStatus::kBufferFull) return Install::kStorageFull;
  if (r.status == CodegenStatus::kNoRegisters) return Install::kRejected;
  if (r.status != CodegenStatus::kOk) {
    FixedText<200> msg;
    msg.str("bmbt: internal error: the JIT cannot compile the block at ").hex0x(block.guest_pc).str(": ")
        .str(r.error ? r.error : "unknown error");
    platform::log_line(msg.c_str());
    return Install::kRejected;
  }
  platform::flush_icache(at, r.words * 4);
  used_words_ += r.words + r.pc_map_words;
  if (ninstalled_ < kMaxInstalled) installed_[ninstalled_++] = Installed{at, u32(r.words), block.guest_pc};
  tb.code = at;
  tb.code_size = u32(r.words * 4);
  tb.term = block.term;
  return Install::kOk;
}

engine::BlockExit JitBackend::execute(engine::Vcpu& vcpu, engine::TranslationBlock& tb) {
  using Entry = u64 (*)(engine::Vcpu*, const void*);
  Entry entry = reinterpret_cast<Entry>(reinterpret_cast<uintptr_t>(cache_));
  prepare_vcpu(vcpu);
  engine::BlockExit exit = engine::BlockExit(entry(&vcpu, tb.code));
  if (exit == engine::BlockExit::kMemFault) resolve_fault_pc(vcpu);
  return exit;
}

// A soft-TLB miss that faulted left the host PC of the access; the block holding it (blocks
// sit in the cache in install order) maps it to the guest instruction, which becomes RIP.
void JitBackend::resolve_fault_pc(engine::Vcpu& vcpu) {
  const u64 host_pc = vcpu.fault_host_pc;
  if (!host_pc) return;
  vcpu.fault_host_pc = 0;
  int lo = 0, hi = ninstalled_ - 1, found = -1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (u64(installed_[mid].code) <= host_pc) { found = mid; lo = mid + 1; }
    else hi = mid - 1;
  }
  u64 guest_pc;
  if (found >= 0) {
    const Installed& b = installed_[found];
    if (pc_map_lookup(b.code, b.code_words, b.guest_pc, host_pc, &guest_pc)) {
      vcpu.cpu.regs[kRIP] = guest_pc;
      return;
    }
  }
  FixedText<160> msg;
  msg.str("bmbt: internal error: a guest memory fault at host pc ").hex0x(host_pc).str(" outside every block's PC map");
  platform::log_line(msg.c_str());
}

// Patches a direct exit's slot into `b target` or `bl target` (one aligned word: the slot is
// either the old branch to the exit code or the new one, never a mix).
bool JitBackend::chain(u64 slot, const engine::TranslationBlock& target) {
  u32* word = reinterpret_cast<u32*>(slot);
  if (word < cache_ + layout_.words || word >= cache_ + used_words_) return false;
  // A call's slot is a `bl` (return-address prediction, lower_calls.cpp) and stays one.
  const bool link = (*word >> 26) == (enc(Op::BL, i64(0)).word >> 26);
  Encoded e = enc(link ? Op::BL : Op::B, i64(u64(target.code) - slot));
  if (!e.ok) return false;
  if (nchains_ < kMaxChainRecords) chains_[nchains_++] = ChainRecord{word, *word, target.code};
  else chains_lost_ = true;
  *word = e.word;
  platform::flush_icache(word, 4);
  return true;
}

// Undo every chain into `tb` (each slot gets back its branch to the exit code, which returns to
// the engine), forget it in the jump cache, and retire return predictions (they may lead into
// it). Its code stays in the cache until the next flush: the block that made the store may still
// be running it, and its PC map serves faults.
bool JitBackend::invalidate(const engine::TranslationBlock& tb) {
  if (chains_lost_) return false;
  const u32* code = static_cast<const u32*>(tb.code);
  for (int i = 0; i < nchains_; ++i) {
    ChainRecord& c = chains_[i];
    if (!c.slot) continue;
    if (c.target == tb.code) {
      *c.slot = c.original;
      platform::flush_icache(c.slot, 4);
      c.slot = nullptr;
    } else if (c.slot >= code && c.slot < code + tb.code_size / 4) {
      c.slot = nullptr;  // a chain out of the dead block: nothing will patch or restore it
    }
  }
  for (engine::JumpCacheEntry& e : jump_cache_)
    if (e.host_code == u64(tb.code)) e = engine::JumpCacheEntry{~u64(0), 0};
  ++epoch_;
  return true;
}

void JitBackend::note_block(u64 guest_pc, const engine::TranslationBlock& tb) {
  jump_cache_[guest_pc & (engine::kJumpCacheEntries - 1)] = engine::JumpCacheEntry{guest_pc, u64(tb.code)};
}

void Lister::list(const ir::Block& block, void (*line)(void*, const char*), void* ctx) {
  static u32 words[1 << 14];
  // Listed as if the block started at 0x10000 after a trampoline at 0.
  static u32 trampoline[4096];
  static TrampolineLayout layout;
  if (!write_trampoline(trampoline, 4096, &layout, lbt_)) return;
  CodegenTargets t = make_targets(0, layout, count_insns_, lbt_);
  CodegenResult r = generate(block, t, 0x10000, words, sizeof(words) / 4);
  FixedText<200> text;
  if (r.status != CodegenStatus::kOk) {
    text.str("  (no LoongArch code: ").str(r.error ? r.error : "buffer full").ch(')');
    line(ctx, text.c_str());
    return;
  }
  for (usize i = 0; i < r.words; ++i) {
    text.clear();
    text.str("  ").hex(0x10000 + i * 4, 5).str(":  ").hex(words[i], 8).str("  ");
    disassemble(words[i], text);
    line(ctx, text.c_str());
  }
  text.clear();
  text.str("  (").udec(r.words).str(" LoongArch instructions for ").udec(block.guest_insns).str(" x86 instructions)");
  line(ctx, text.c_str());
}

}  // namespace bmbt::la64
