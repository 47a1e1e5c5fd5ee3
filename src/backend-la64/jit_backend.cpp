#include "backend-la64/jit_backend.h"

#include "backend-la64/disasm.h"
#include "backend-la64/host_regs.h"
#include "engine/helpers.h"
#include "ir/semantics.h"
#include "platform/platform.h"

namespace bmbt::la64 {

CodegenTargets default_targets(u64 exit_stub) {
  CodegenTargets t{};
  t.exit_stub = exit_stub;
  t.slow_load = u64(&engine::slow_load);
  t.slow_store = u64(&engine::slow_store);
  for (u16 h = 0; h < u16(ir::HelperId::kCount) && h < 8; ++h) t.helpers[h] = u64(engine::helper_function(h));
  return t;
}

bool JitBackend::host_can_execute() {
#if defined(__loongarch64)
  return true;
#else
  return false;
#endif
}

usize write_trampoline(u32* code, usize capacity, usize* exit_index) {
  Assembler as(code, capacity);
  static constexpr u8 kSaved[kFrameSavedRegs] = {1, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
  // entry(a0 = Vcpu*, a1 = block code)
  as.emit(Op::ADDI_D, kSp, kSp, -kFrameSize);
  for (int k = 0; k < kFrameSavedRegs; ++k) as.emit(Op::ST_D, Gpr{kSaved[k]}, kSp, 8 * k);
  as.move(kEnv, kA0);
  for (int r = 0; r < 16; ++r) as.emit(Op::LD_D, guest_gpr(r), kEnv, i32(guest_reg_offset(u8(r))));
  as.emit(Op::JIRL, kZero, Gpr{5}, 0);
  // exit(a0 = engine::BlockExit)
  *exit_index = as.size();
  for (int r = 0; r < 16; ++r) as.emit(Op::ST_D, guest_gpr(r), kEnv, i32(guest_reg_offset(u8(r))));
  for (int k = 0; k < kFrameSavedRegs; ++k) as.emit(Op::LD_D, Gpr{kSaved[k]}, kSp, 8 * k);
  as.emit(Op::ADDI_D, kSp, kSp, kFrameSize);
  as.emit(Op::JIRL, kZero, kRa, 0);
  return as.ok() ? as.size() : 0;
}

bool JitBackend::init(TextBuf& error) {
  if (!host_can_execute()) {
    error.str("the LoongArch JIT cannot execute on this host");
    return false;
  }
  cache_ = static_cast<u32*>(platform::alloc_code(kCodeCacheBytes));
  if (!cache_) {
    error.str("cannot allocate ").udec(kCodeCacheBytes >> 20).str(" MiB of executable memory for the code cache");
    return false;
  }
  capacity_words_ = kCodeCacheBytes / 4;
  usize exit_index = 0;
  trampoline_words_ = write_trampoline(cache_, capacity_words_, &exit_index);
  if (!trampoline_words_) {
    error.str("internal error: the JIT trampoline could not be encoded");
    return false;
  }
  used_words_ = trampoline_words_;
  exit_stub_ = u64(cache_ + exit_index);
  targets_ = default_targets(exit_stub_);
  platform::flush_icache(cache_, trampoline_words_ * 4);
  return true;
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
  used_words_ += r.words;
  tb.code = at;
  tb.code_size = u32(r.words * 4);
  tb.term = block.term;
  return Install::kOk;
}

engine::BlockExit JitBackend::execute(engine::Vcpu& vcpu, engine::TranslationBlock& tb) {
  using Entry = u64 (*)(engine::Vcpu*, const void*);
  Entry entry = reinterpret_cast<Entry>(reinterpret_cast<uintptr_t>(cache_));
  return engine::BlockExit(entry(&vcpu, tb.code));
}

void Lister::list(const ir::Block& block, void (*line)(void*, const char*), void* ctx) {
  static u32 words[1 << 14];
  // Listed as if the block started at 0x1000 with the trampoline exit at 0.
  CodegenTargets t = default_targets(0);
  CodegenResult r = generate(block, t, 0x1000, words, sizeof(words) / 4);
  FixedText<200> text;
  if (r.status != CodegenStatus::kOk) {
    text.str("  (no LoongArch code: ").str(r.error ? r.error : "buffer full").ch(')');
    line(ctx, text.c_str());
    return;
  }
  for (usize i = 0; i < r.words; ++i) {
    text.clear();
    text.str("  ").hex(0x1000 + i * 4, 4).str(":  ").hex(words[i], 8).str("  ");
    disassemble(words[i], text);
    line(ctx, text.c_str());
  }
  text.clear();
  text.str("  (").udec(r.words).str(" LoongArch instructions for ").udec(block.guest_insns).str(" x86 instructions)");
  line(ctx, text.c_str());
}

}  // namespace bmbt::la64
