// Translates one block of guest code (up to a control transfer, a page end or a size limit)
// from x86 machine code into IR.
#pragma once
#include "frontend-x86/decoder.h"
#include "ir/ir.h"

namespace bmbt::x86 {

// Where instruction bytes come from (the engine reads them through the guest MMU).
class CodeSource {
 public:
  // Copies up to `max` bytes of guest code at `pc` into `out`; returns how many could be read
  // (fewer at the end of accessible memory, 0 if `pc` itself cannot be fetched).
  virtual int fetch(u64 pc, u8* out, int max) = 0;

 protected:
  ~CodeSource() = default;
};

// Observes each decoded instruction (for -d in_asm and trace tools).
class InsnObserver {
 public:
  virtual void on_insn(const DecodedInsn& d, const u8* bytes) = 0;

 protected:
  ~InsnObserver() = default;
};

struct TranslateLimits {
  int max_insns = 64;
  u64 page_size = 4096;  // a block never starts an instruction on a later guest page than its first
  bool flag_groups = false;  // LBT flag strategy: emit flag groups (ir/flag_groups.h)
  // Run the inter-block flag look-ahead (flag_lookahead.h) for blocks ending in a direct jmp/jcc
  // while planning (flag_plan.h), and leave its result in Block::live_out_flags. Without it,
  // every flag is live at the block end unless the caller sets live_out_flags afterwards.
  bool flag_lookahead = false;
  // Emit only the flags the intra-block plan says are live (flag_plan.h). Off: every flag
  // formula is emitted and left to the IR passes (same result after the passes, slower).
  bool flag_plan = true;
};

// Why translate_block failed (an internal error, never the guest's fault), and at which guest
// instruction.
struct TranslateFailure {
  const char* why = nullptr;
  u64 pc = 0;
};

// Fills `block` (reset to `pc`). Always produces a terminated block: unimplemented instructions,
// undecodable bytes and fetch faults become exits at the offending pc. Returns false only on an
// internal error (the IR did not fit, a handler broke the precise-state rule, or the flag plan
// and a handler disagreed), with the block unusable and the reason in `failure` if given.
bool translate_block(const Decoder& dec, CodeSource& code, u64 pc, ir::Block& block,
                     const TranslateLimits& limits, InsnObserver* observer, TranslateFailure* failure = nullptr);

}  // namespace bmbt::x86
