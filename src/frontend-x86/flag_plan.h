// Intra-block flag liveness before translation: which arithmetic flags each instruction of a
// straight run must produce. Most flag formulas the frontend would emit are overwritten by the
// next flag-writing instruction before anything reads them; the IR passes would delete them
// again, but emitting, folding and sweeping them is most of the translation time. The translator
// asks for a plan, then emits only the flags the plan says are live after each instruction.
//
// A plan covers a run of instructions from a fixed list of integer operations (ALU, moves,
// shifts, multiplies, bit scans, setcc/cmovcc, push and pop), with or without memory operands,
// possibly ended by a direct jmp or jcc. Anything else (a call, an exit, an instruction the list
// does not know) stops the run: every flag counts as live there. A memory access inside the run
// may fault, and a fault must see exact flags, so every flag counts as read at the access (an
// instruction's own flag writes come after its accesses). Flags are therefore only dropped where
// the IR's own dead-state-write pass would drop them (overwritten with nothing in between that
// could observe them), so the translation after the passes is the same;
// benchmarks/translation-cost/measure.sh --fingerprint checks that. Flags the SDM leaves
// undefined count as overwritten only where BMBT's handler always writes them (a table in
// flag_plan.cpp, checked by the translator for every planned instruction).
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
  // Flags each planned instruction was counted as overwriting: if live after it, its handler
  // must have written them (the translator checks).
  u8 kills[kMaxInsns];
  // True if the instruction after the run is known to need exact flags (it is not on the
  // list): the translator translates it with every flag live and plans afresh after it.
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
