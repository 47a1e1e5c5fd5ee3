#include "frontend-x86/translator.h"

#include "frontend-x86/context.h"
#include "frontend-x86/flag_plan.h"

namespace bmbt::x86 {

// The longest IR expansion of any one guest instruction stays far below this; the block is
// ended before an instruction could run out of room.
static constexpr int kIrReservePerInsn = 256;

// Precise state rule: every memory access of a guest instruction happens before any of its
// guest-state writes (flag groups included), so a faulting access leaves the state of the
// previous instruction. Handlers may write state anywhere (Ctx forwards written values to later
// reads of the same instruction); Ctx records the writes and flush_state_writes() appends them,
// in order, behind everything else the instruction emitted. A write followed by a helper call
// could not move (the helper reads the state): handlers put calls first, and the flush reports
// an internal error if one does not.

namespace {

enum class Outcome : u8 {
  kDone,          // a complete block
  kInternalError, // the IR did not fit, or a handler broke the precise state rule
  kReplan,        // a planned run was cut short: translate again with a barrier there
};

// Rare (an internal error): kept out of the translation loop's code.
[[gnu::cold, gnu::noinline]] Outcome record_failure(TranslateFailure& failure, const char* why, u64 pc) {
  failure = TranslateFailure{why, pc};
  return Outcome::kInternalError;
}

// One attempt. `barrier_at`: the guest instruction index (from the block start) before which no
// flag plan may reach (the instruction where an earlier attempt stopped unexpectedly: an
// unsupported form or a full block; see below). `reported`: instructions already shown to the
// observer by an earlier attempt.
Outcome translate_once(const Decoder& dec, CodeSource& code, u64 pc, ir::Block& block, const TranslateLimits& limits,
                       InsnObserver* observer, int barrier_at, u32* reported, int* stopped_at, TranslateFailure& failure) {
  block.reset(pc);
  ir::Builder b(block);
  KnownState known;
  const u64 first_page = pc / limits.page_size;
  FlagPlan plan;
  int planned = 0, next_in_plan = 0;  // the current plan's instructions, and the next one's index
  bool barrier_next = false;          // the instruction after the plan needs exact flags
  int barrier_slot = -1;              // its decode in the plan, if the plan has it
  auto internal_error = [&](const char* why) { return record_failure(failure, why, pc); };
  auto done = [&] {
    return b.overflowed() ? internal_error("the IR of one guest instruction exceeded the block's reserve") : Outcome::kDone;
  };
  // A plan's instructions drop flags that its later instructions overwrite. If the block ends
  // before those run (a full block, an unsupported form, an instruction that ends the block
  // where the plan did not expect it), the attempt is void and is retried with a barrier at that
  // instruction. Every flag is live where a plan starts, so a stop at its first instruction,
  // before that instruction emitted anything, needs no retry.
  for (;;) {
    const int insn_index = int(block.guest_insns);
    if (block.guest_insns >= u32(limits.max_insns) || block.full(kIrReservePerInsn) ||
        (block.guest_insns > 0 && pc / limits.page_size != first_page)) {
      if (next_in_plan < planned && next_in_plan > 0) { *stopped_at = insn_index; return Outcome::kReplan; }
      b.jump(pc);
      return done();
    }
    barrier_slot = -1;
    if (next_in_plan == planned) {  // not in a plan: start one, unless this instruction is a barrier
      if (barrier_next && plan.decoded > planned) barrier_slot = planned;
      planned = next_in_plan = 0;
      if (!limits.flag_plan || barrier_next || insn_index == barrier_at) {
        barrier_next = false;
      } else {
        int room = limits.max_insns - insn_index;
        if (barrier_at > insn_index && barrier_at - insn_index < room) room = barrier_at - insn_index;
        plan_flags(dec, code, pc, room, first_page, limits.page_size, limits.flag_lookahead, plan);
        planned = plan.count;
        barrier_next = plan.stops_at_barrier && planned > 0;
        if (planned == 0 && plan.decoded > 0) barrier_slot = 0;  // this instruction is the barrier
        if (plan.live_out_known) {
          block.live_out_flags = plan.live_out;
          block.live_out_flags_known = true;
        }
      }
    }
    const int plan_index = next_in_plan < planned ? next_in_plan++ : -1;
    const u8 live = plan_index >= 0 ? plan.live_after[plan_index] : kArithFlags;
    // The plan decoded its instructions (and the barrier after it); anything else is decoded here.
    const int slot = plan_index >= 0 ? plan_index : barrier_slot;
    const PlannedInsn* pre = slot >= 0 && plan.insns[slot].d.pc == pc ? &plan.insns[slot] : nullptr;
    PlannedInsn own;
    if (!pre) {
      int avail = code.fetch(pc, own.bytes, ZYDIS_MAX_INSTRUCTION_LENGTH);
      if (avail <= 0 || !dec.decode(own.bytes, usize(avail), pc, own.d)) {
        if (plan_index > 0) { *stopped_at = insn_index; return Outcome::kReplan; }
        b.exit(avail <= 0 ? ir::ExitReason::kFetchFault : ir::ExitReason::kDecodeError, pc);
        return done();
      }
      pre = &own;
    }
    const DecodedInsn& d = pre->d;
    const u8* bytes = pre->bytes;
    if (observer && block.guest_insns >= *reported) {
      observer->on_insn(d, bytes);
      *reported = block.guest_insns + 1;
    }
    const u64 next = pc + d.insn.length;
    const int mark = block.size();
    b.insn_start(pc);
    Ctx ctx{b, known, d, next, limits.flag_groups, live};
    Handler h = handler_for(d.insn.mnemonic);
    Emit result = h ? h(ctx) : Emit::kUnsupported;
    if (result == Emit::kUnsupported) {
      if (plan_index > 0) { *stopped_at = insn_index; return Outcome::kReplan; }
      block.truncate(mark);
      b.insn_start(pc);
      b.exit(ir::ExitReason::kUndefined, pc);
      return done();
    }
    if (!ctx.flush_state_writes())  // a handler broke the rule
      return internal_error("a handler emitted a helper call after a guest-state write (precise-state rule)");
    // The plan dropped earlier writes of the flags it counted as overwritten here: a live one the
    // handler did not write would leave a stale value (a plan/handler disagreement, a bug).
    if (plan_index >= 0 && (plan.kills[plan_index] & live & ~ctx.written_flags))
      return internal_error("the flag plan counted a flag as written that the handler did not write");
    block.guest_insns++;
    block.guest_bytes += d.insn.length;
    pc = next;
    if (result == Emit::kEndsBlock) {
      // Only a plan's last instruction (its jmp/jcc) may end the block.
      if (plan_index >= 0 && plan_index < planned - 1) {
        *stopped_at = insn_index;
        return Outcome::kReplan;
      }
      return done();
    }
  }
}

}  // namespace

bool translate_block(const Decoder& dec, CodeSource& code, u64 pc, ir::Block& block,
                     const TranslateLimits& limits, InsnObserver* observer, TranslateFailure* failure) {
  TranslateFailure ignored;
  TranslateFailure& f = failure ? *failure : ignored;
  int barrier_at = -1;
  u32 reported = 0;
  // Each retry moves the barrier to an earlier or equal instruction with every flag live there,
  // so the second attempt cannot stop early for the same reason; two retries are a safe bound.
  for (int attempt = 0; attempt < 3; ++attempt) {
    int stopped_at = -1;
    Outcome o = translate_once(dec, code, pc, block, limits, observer, barrier_at, &reported, &stopped_at, f);
    if (o != Outcome::kReplan) return o == Outcome::kDone;
    barrier_at = stopped_at;
  }
  f = TranslateFailure{"the flag plan was cut short three times", pc};
  return false;
}

}  // namespace bmbt::x86
