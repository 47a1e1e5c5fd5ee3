// Executes IR directly: the reference semantics of translated code, used on the development
// host and as the oracle for the JIT.
#pragma once
#include "engine/backend.h"

namespace bmbt::engine {

// Runs one block's instructions against the vCPU (no storage, no caching).
BlockExit interpret(Vcpu& vcpu, const ir::Inst* insts, int count, const ir::Terminator& term);

class InterpreterBackend final : public ExecBackend {
 public:
  // `pool` holds the IR of installed blocks.
  InterpreterBackend(ir::Inst* pool, usize capacity) : pool_(pool), capacity_(capacity) {}
  const char* name() const override { return "interpreter"; }
  Install install(const ir::Block& block, TranslationBlock& tb) override;
  BlockExit execute(Vcpu& vcpu, TranslationBlock& tb) override;
  void flush() override { used_ = 0; }

 private:
  ir::Inst* pool_;
  usize capacity_;
  usize used_ = 0;
};

}  // namespace bmbt::engine
