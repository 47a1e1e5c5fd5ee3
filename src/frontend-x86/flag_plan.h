// Intra-block flag liveness before translation: which arithmetic flags each instruction of a
// straight run must produce. Most flag formulas the frontend would emit are overwritten by the
// next flag-writing instruction before anything reads them; the IR passes would delete them
// again, but emitting, folding and sweeping them is most of the translation time. The translator
// asks for a plan, then emits only the flags the plan says are live after each instruction.
//
// A plan covers a run of *register-only* instructions (a fixed list of integer operations with
// no memory access, no helper call and no exit), possibly ended by a direct jmp or jcc. Anything
// else (a memory access, which may fault, a call, an exit, an instruction this list does not
// know) needs exact flags at its start, so every flag counts as live there: the run stops before
// it. Flags are therefore only dropped where the IR's own dead-state-write pass would drop them
// (overwritten with nothing in between that could observe them), so the translation after the
// passes is the same; benchmarks/translation-cost/measure.sh --fingerprint checks that.
#pragma once
#include "frontend-x86/translator.h"

namespace bmbt::x86 {

struct FlagPlan {
  static constexpr int kMaxInsns = Decoder::kPlanBuffer - 1;
  int count = 0;                 // planned instructions, from the pc the plan was made at
  // Their full decodes (in the decoder's plan buffer), and the next instruction's if the run
  // stopped at a barrier that decoded: `decoded` is count or count + 1. The translation uses
  // these instead of decoding again.
  const PlannedInsn* insns = nullptr;
  int decoded = 0;
  u8 live_after[kMaxInsns];      // ir::FlagBit mask each planned instruction must produce
  // True if the instruction after the run is known to need exact flags (it is not
  // register-only): the translator translates it with every flag live and plans afresh after it.
  bool stops_at_barrier = false;
  // Set when the run ends in a direct jmp/jcc and the look-ahead ran: the block's live-out
  // flags (Block::live_out_flags), so that they are not computed twice.
  bool live_out_known = false;
  u8 live_out = ir::kArithFlags;
};

// Plans at most `max_insns` instructions from `pc`, none on a later page than `first_page`
// (page size `page_size`). `lookahead`: use the inter-block flag look-ahead (flag_lookahead.h)
// for a run ending in a direct jmp/jcc; without it every flag is live at the end.
void plan_flags(const Decoder& dec, CodeSource& code, u64 pc, int max_insns, u64 first_page, u64 page_size,
                bool lookahead, FlagPlan& plan);

}  // namespace bmbt::x86
