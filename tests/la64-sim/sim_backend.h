// An engine executor for x86-64 host builds that runs BMBT's real LoongArch JIT inside the
// simulator: code generation, the code cache, chaining and the jump cache are la64::JitBackend's
// own (its code cache is ordinary memory here), and execute() runs the trampoline and the blocks
// in the simulator instead of on a CPU. Helpers and soft-MMU slow paths are called natively,
// as in jit_sim.h. While it runs it counts, exactly, what issue #7 asks for: LoongArch
// instructions executed inside translated blocks and in the trampoline/stubs, host calls by
// callee, returns to the engine by reason, and guest instructions of the blocks entered.
// Used by bmbt-simrun (la64_sim_run.cpp); see docs/la64-simulator.md.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend-la64/jit_backend.h"
#include "engine/helpers.h"
#include "engine/vcpu.h"
#include "sim.h"

namespace bmbt::la64sim {

struct SimCounts {
  uint64_t block_insns = 0;       // LoongArch instructions executed with the PC inside translated blocks
  uint64_t trampoline_insns = 0;  // ... inside the trampoline: entry, exit stub, soft-TLB miss stubs
  uint64_t guest_insns = 0;       // guest instructions of the blocks entered (block granularity, like the engine)
  uint64_t block_entries = 0;     // times a block's first instruction ran (engine entry, chain or jump cache)
  uint64_t executes = 0;          // engine -> translated code
  uint64_t emitted_words = 0;     // LoongArch instructions generated (static expansion: / translated_insns)
  uint64_t translated_insns = 0;  // guest instructions of the blocks installed
  std::map<std::string, uint64_t> host_calls;  // native calls by callee (helpers, slow_load, slow_store)
  std::map<std::string, uint64_t> returns;     // why translated code went back to the engine
  std::vector<uint64_t> op_counts;             // by la64::Op, over all simulated instructions
};

class SimBackend final : public engine::ExecBackend {
 public:
  SimBackend();
  ~SimBackend();
  // `count_insns` and `lbt` as for la64::JitBackend::init (counting: blocks charge Vcpu::budget, so
  // the engine counts too; lbt: the LBT flag strategy, which the simulator executes).
  // `max_insns`: a simulated instruction count after which the run is abandoned (0: no limit).
  bool init(std::string* error, bool count_insns, bool lbt, uint64_t max_insns);

  const char* name() const override { return "la64-jit in the LoongArch simulator"; }
  Install install(const ir::Block& block, engine::TranslationBlock& tb) override;
  // A simulator stop (unsupported instruction, access outside every region, broken calling
  // convention) cannot be reported to the engine as a guest event: it prints what happened and
  // ends the process with status 3.
  engine::BlockExit execute(engine::Vcpu& vcpu, engine::TranslationBlock& tb) override;
  void flush() override;
  uint64_t host_insns(const engine::TranslationBlock& tb) const override { return jit_.host_insns(tb); }
  bool chain(uint64_t slot, const engine::TranslationBlock& target) override { return jit_.chain(slot, target); }
  bool invalidate(const engine::TranslationBlock& tb) override { return jit_.invalidate(tb); }
  void note_block(uint64_t guest_pc, const engine::TranslationBlock& tb) override { jit_.note_block(guest_pc, tb); }
  engine::JumpCacheEntry* jump_cache() override { return jit_.jump_cache(); }

  SimCounts counts() const;

 private:
  // A native function translated code may call, with its real C signature.
  struct HostCall {
    enum class Kind : uint8_t { kHelper, kSlowLoad, kSlowStore } kind;
    engine::HelperFn helper;
    uint64_t* counter;  // its entry in counts_.host_calls
  };
  void map_memory(engine::Vcpu& vcpu);
  [[noreturn]] void fail(const std::string& what, const engine::Vcpu& vcpu);
  const char* classify_return(engine::BlockExit raw, const engine::Vcpu& vcpu) const;

  la64::JitBackend jit_;
  bool count_insns_ = false;
  uint64_t max_insns_ = 0;
  uint64_t cache_base_ = 0, cache_bytes_ = 0, trampoline_end_ = 0;
  // Guest instructions of the block starting at each code-cache word (0: no block starts there).
  std::vector<uint32_t> block_start_insns_;
  std::map<uint64_t, HostCall> host_calls_;
  std::vector<uint8_t> stack_;
  AddressSpace memory_;
  std::unique_ptr<Simulator> sim_;
  const engine::Vcpu* mapped_vcpu_ = nullptr;
  std::vector<uint64_t> retired_ops_;  // op counts of simulators replaced by map_memory()
  SimCounts counts_;                   // op_counts filled in by counts()
};

}  // namespace bmbt::la64sim
