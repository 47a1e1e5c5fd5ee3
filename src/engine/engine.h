// The vCPU run loop: look up or translate the block at RIP, execute it, handle its exit.
#pragma once
#include "engine/backend.h"
#include "engine/trace.h"
#include "frontend-x86/decoder.h"
#include "frontend-x86/translator.h"

namespace bmbt::engine {

struct EngineConfig {
  u32 trace = 0;                 // TraceFlag mask
  u64 max_guest_insns = 0;       // stop after about this many guest instructions (0: no limit)
  bool count_insns = false;      // count executed guest instructions (needed by max_guest_insns and stats)
  x86::TranslateLimits limits;
};

enum class StopKind : u8 {
  kHalted,     // hlt with interrupts disabled and nothing that could wake the CPU: a clean end
  kGuestError, // the guest did something BMBT cannot continue from (reported with state)
  kInsnLimit,  // -icount-limit reached
  kInternal,   // a BMBT limit or bug (reported)
};

struct Stats {
  u64 blocks_translated = 0;
  u64 guest_insns_translated = 0;
  u64 ir_insts_before = 0;
  u64 ir_insts_after = 0;
  u64 host_insns_emitted = 0;
  u64 dispatches = 0;             // times the engine entered translated code
  u64 chained = 0;                // direct exits patched to jump block to block
  u64 guest_insns_executed = 0;   // when counting (block granularity)
  u64 exits_by_reason[8] = {};   // by ir::ExitReason
  u64 cache_flushes = 0;
  u64 code_invalidations = 0;     // stores into pages holding translated code
  u64 blocks_invalidated = 0;     // blocks those stores made invalid
  u64 translate_ns = 0;
  u64 total_ns = 0;
};

class Engine final : private x86::CodeSource, private x86::InsnObserver {
 public:
  Engine(devices::Machine& machine, ExecBackend& exec, CodeLister* lister, const EngineConfig& config);
  Vcpu& vcpu() { return vcpu_; }
  StopKind run();
  const Stats& stats() const { return stats_; }
  void print_stats();
  void dump_state();

 private:
  TranslationBlock* translate(u64 pc);
  TranslationBlock* find_or_translate(u64 pc);
  bool build_block(u64 pc, int max_insns);
  StopKind handle_exit(BlockExit exit);
  int fetch(u64 pc, u8* out, int max) override;
  static void on_code_write(void* self, u64 paddr);
  void on_insn(const x86::DecodedInsn& d, const u8* bytes) override;

  devices::Machine& machine_;
  ExecBackend& exec_;
  CodeLister* lister_;
  EngineConfig config_;
  Vcpu vcpu_{};
  softmmu::Mmu mmu_;
  x86::Decoder decoder_;
  TbCache tbs_;
  ir::Block block_;
  Stats stats_;
  u64* code_bitmap_ = nullptr;     // one bit per guest RAM page holding translated code
  bool code_invalidated_ = false;  // a store hit translated code: blocks were invalidated
  i64 budget_before_request_ = 0;
};

}  // namespace bmbt::engine
