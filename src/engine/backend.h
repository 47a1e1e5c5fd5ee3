// How the engine executes translations: the IR interpreter (every platform; the only
// executor on the x86-64 development host) or the LoongArch JIT.
#pragma once
#include "engine/tb.h"
#include "engine/vcpu.h"

namespace bmbt::engine {

class ExecBackend {
 public:
  virtual const char* name() const = 0;
  enum class Install : u8 {
    kOk,
    kStorageFull,  // the engine flushes all translations and retries
    kRejected,     // too complex for the backend (e.g. register pressure): the engine retries a shorter block
  };
  // Makes `block` (already optimised) executable as `tb`.
  virtual Install install(const ir::Block& block, TranslationBlock& tb) = 0;
  // Runs translated code from `tb` until it must return to the engine. The guest instructions
  // it runs are charged to Vcpu::budget (the JIT only when counting is on).
  virtual BlockExit execute(Vcpu& vcpu, TranslationBlock& tb) = 0;
  virtual void flush() = 0;
  // Host instructions generated for tb (JIT) or 0.
  virtual u64 host_insns(const TranslationBlock& tb) const { return 0; }
  // Direct chaining: make the direct exit whose slot is at host address `slot` jump straight to
  // `target` (JIT only). True if the slot was patched.
  virtual bool chain(u64 slot, const TranslationBlock& target) { return false; }
  // `tb`'s guest code changed: nothing may enter its code any more (undo chains into it, forget
  // it in inline lookups). False if the backend cannot guarantee that: the engine then flushes.
  virtual bool invalidate(const TranslationBlock& tb) { return true; }
  // The engine found or made `tb` for guest_pc: remember it for inline indirect-jump lookup.
  virtual void note_block(u64 guest_pc, const TranslationBlock& tb) {}
  // The table translated code looks indirect targets up in (nullptr: none).
  virtual JumpCacheEntry* jump_cache() { return nullptr; }

 protected:
  ~ExecBackend() = default;
};

}  // namespace bmbt::engine

namespace bmbt::engine {

// Produces a host-code listing of a block without executing it (for -d out_asm on any host).
class CodeLister {
 public:
  virtual void list(const ir::Block& block, void (*line)(void* ctx, const char* text), void* ctx) = 0;

 protected:
  ~CodeLister() = default;
};

}  // namespace bmbt::engine
