// Runs the LoongArch JIT's generated code on the x86-64 host inside the simulator: the
// trampoline and the block are generated for the host address of a code buffer, and the
// simulator maps that buffer, a real engine::Vcpu, guest RAM, the jump cache and a stack 1:1.
// Calls that leave the code (`jirl $ra, $r21, 0` to a helper or to slow_load/slow_store) are
// made natively with $a0..$a4, the result goes to $a0, and the caller-saved registers are
// poisoned, as a real C call may clobber them. The LBT eflags register starts poisoned too: the
// trampoline must load it from the flag bytes.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend-la64/jit_backend.h"
#include "engine/vcpu.h"
#include "sim.h"

namespace bmbt::la64sim {

class JitOnSim {
 public:
  // `lbt`: the LBT flag strategy (trampoline and code generation; run it on blocks translated
  // with flag groups). The simulator computes LBT flag effects on the host CPU.
  explicit JitOnSim(bool lbt = false);

  // Generates code for `block` and runs it from `vcpu` (whose machine/mmu the caller set up)
  // to the trampoline's return. False with error() on a simulator stop, a code-generation
  // failure or a broken calling convention (callee-saved registers or $sp not restored).
  bool run(const ir::Block& block, engine::Vcpu& vcpu, void* ram, uint64_t ram_bytes, engine::BlockExit* exit);

  const std::string& error() const { return error_; }
  uint64_t simulated_instructions() const { return instructions_; }
  uint64_t host_calls() const { return host_calls_; }
  const std::vector<uint64_t>& op_counts() const { return op_counts_; }
  const la64::CodegenTargets& targets() const { return targets_; }
  // The generated block (after run), for reproducers.
  const std::vector<uint32_t>& last_block() const { return last_block_; }

 private:
  using HostFn = std::function<uint64_t(const uint64_t* args)>;
  std::vector<uint32_t> code_;      // trampoline, then the block
  std::vector<uint8_t> stack_;
  std::unique_ptr<engine::JumpCacheEntry[]> jump_cache_;
  la64::TrampolineLayout layout_{};
  la64::CodegenTargets targets_{};
  std::map<uint64_t, HostFn> host_fns_;
  std::string error_;
  uint64_t instructions_ = 0, host_calls_ = 0;
  std::vector<uint64_t> op_counts_ = std::vector<uint64_t>(size_t(la64::Op::kCount));
  std::vector<uint32_t> last_block_;
};

}  // namespace bmbt::la64sim
