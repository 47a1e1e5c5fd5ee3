#include "frontend-x86/flag_plan.h"

#include "frontend-x86/context.h"
#include "frontend-x86/flag_lookahead.h"

namespace bmbt::x86 {

namespace {

// How an instruction of the register-only list treats the flags Zydis says it modifies.
enum class FlagWrites : u8 {
  kNotPlanned,    // not on the list: the run stops before it
  kAlways,        // writes them whatever the operands (reads what Zydis says it tests)
  kShift,         // writes them unless the masked count is 0 (then the old flags stay)
  kConditional,   // may keep the old values (rotates, double shifts): reads what it writes
  kEndsRun,       // direct jmp / jcc: the last instruction of a run (run_end_or)
};

constexpr FlagWrites flag_writes_of(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_ADD: case ZYDIS_MNEMONIC_ADC: case ZYDIS_MNEMONIC_SUB: case ZYDIS_MNEMONIC_SBB:
    case ZYDIS_MNEMONIC_CMP: case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_OR: case ZYDIS_MNEMONIC_XOR:
    case ZYDIS_MNEMONIC_TEST: case ZYDIS_MNEMONIC_INC: case ZYDIS_MNEMONIC_DEC: case ZYDIS_MNEMONIC_NEG:
    case ZYDIS_MNEMONIC_NOT: case ZYDIS_MNEMONIC_MOV: case ZYDIS_MNEMONIC_MOVZX: case ZYDIS_MNEMONIC_MOVSX:
    case ZYDIS_MNEMONIC_MOVSXD: case ZYDIS_MNEMONIC_LEA: case ZYDIS_MNEMONIC_XCHG: case ZYDIS_MNEMONIC_BSWAP:
    case ZYDIS_MNEMONIC_CBW: case ZYDIS_MNEMONIC_CWDE: case ZYDIS_MNEMONIC_CDQE: case ZYDIS_MNEMONIC_CWD:
    case ZYDIS_MNEMONIC_CDQ: case ZYDIS_MNEMONIC_CQO: case ZYDIS_MNEMONIC_IMUL: case ZYDIS_MNEMONIC_MUL:
    case ZYDIS_MNEMONIC_BT: case ZYDIS_MNEMONIC_BTS: case ZYDIS_MNEMONIC_BTR: case ZYDIS_MNEMONIC_BTC:
    case ZYDIS_MNEMONIC_BSF: case ZYDIS_MNEMONIC_BSR: case ZYDIS_MNEMONIC_LZCNT: case ZYDIS_MNEMONIC_TZCNT:
    case ZYDIS_MNEMONIC_POPCNT: case ZYDIS_MNEMONIC_STC: case ZYDIS_MNEMONIC_CLC: case ZYDIS_MNEMONIC_CMC:
    case ZYDIS_MNEMONIC_NOP:
      return FlagWrites::kAlways;
    case ZYDIS_MNEMONIC_SHL: case ZYDIS_MNEMONIC_SHR: case ZYDIS_MNEMONIC_SAR:
      return FlagWrites::kShift;
    case ZYDIS_MNEMONIC_ROL: case ZYDIS_MNEMONIC_ROR: case ZYDIS_MNEMONIC_RCL: case ZYDIS_MNEMONIC_RCR:
    case ZYDIS_MNEMONIC_SHLD: case ZYDIS_MNEMONIC_SHRD:
      return FlagWrites::kConditional;
    default:
      return condition_of(m) >= 0 ? FlagWrites::kAlways : FlagWrites::kNotPlanned;  // setcc, cmovcc
  }
}

bool accesses_memory(const ZydisDecodedInstruction& insn) {
  if ((insn.attributes & ZYDIS_ATTRIB_HAS_MODRM) && insn.raw.modrm.mod != 3)
    return insn.mnemonic != ZYDIS_MNEMONIC_LEA && insn.mnemonic != ZYDIS_MNEMONIC_NOP;  // no access there
  // mov al/ax/eax/rax, moffs and back: a memory operand without a ModRM byte.
  return insn.opcode_map == ZYDIS_OPCODE_MAP_DEFAULT && insn.opcode >= 0xa0 && insn.opcode <= 0xa3;
}

// Flags the SDM leaves undefined that BMBT's handler for `m` nevertheless always writes (with
// the values the reference CPUs produce, docs/x86-semantics.md): they count as overwritten too,
// like the defined ones. The translator checks every planned instruction against it (a live
// flag counted as overwritten must have been written), so a wrong entry is an internal error,
// never wrong code.
constexpr u8 undefined_flags_written(ZydisMnemonic m) {
  switch (m) {
    case ZYDIS_MNEMONIC_AND: case ZYDIS_MNEMONIC_OR: case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_TEST:
      return ir::kFlagAF;
    case ZYDIS_MNEMONIC_MUL: case ZYDIS_MNEMONIC_IMUL:
      return ir::kFlagSF | ir::kFlagZF | ir::kFlagAF | ir::kFlagPF;
    case ZYDIS_MNEMONIC_BSF: case ZYDIS_MNEMONIC_BSR:
      return ir::kFlagCF | ir::kFlagOF | ir::kFlagSF | ir::kFlagAF | ir::kFlagPF;
    case ZYDIS_MNEMONIC_LZCNT: case ZYDIS_MNEMONIC_TZCNT:
      return ir::kFlagOF | ir::kFlagSF | ir::kFlagAF | ir::kFlagPF;
    case ZYDIS_MNEMONIC_SHL: case ZYDIS_MNEMONIC_SHR: case ZYDIS_MNEMONIC_SAR:  // by a count known not 0
      return ir::kFlagOF | ir::kFlagAF;
    default:
      return 0;
  }
}

// push and pop access memory (the stack) and change no flag; they do not end a run, their
// access reads every flag like any other (plan_flags).
constexpr bool is_push_or_pop(ZydisMnemonic m) { return m == ZYDIS_MNEMONIC_PUSH || m == ZYDIS_MNEMONIC_POP; }

// All of the above per mnemonic, computed at compile time: the plan looks at every instruction
// it covers, and one table entry is cheaper than the switches.
struct PlanInfo {
  FlagWrites kind;
  u8 undefined_written;  // undefined_flags_written()
  bool stack;            // push or pop
  bool jcc;              // has a condition code (jcc, setcc, cmovcc)
};
struct PlanTable {
  PlanInfo of[ZYDIS_MNEMONIC_MAX_VALUE + 1];
};
constexpr PlanTable make_plan_table() {
  PlanTable t{};
  for (int k = 0; k <= ZYDIS_MNEMONIC_MAX_VALUE; ++k) {
    const ZydisMnemonic m = ZydisMnemonic(k);
    t.of[k] = PlanInfo{flag_writes_of(m), undefined_flags_written(m), is_push_or_pop(m), condition_of(m) >= 0};
  }
  return t;
}
constexpr PlanTable kPlanTable = make_plan_table();

// A direct jmp or a jcc (not jrcxz/loop, which have no condition code) ends a run; indirect
// jumps stop it like any other barrier.
FlagWrites run_end_or(const ZydisDecodedInstruction& insn, const PlanInfo& info) {
  const bool jcc = info.jcc && insn.meta.category == ZYDIS_CATEGORY_COND_BR;
  if (insn.mnemonic != ZYDIS_MNEMONIC_JMP && !jcc) return info.kind;
  return insn.attributes & ZYDIS_ATTRIB_IS_RELATIVE ? FlagWrites::kEndsRun : FlagWrites::kNotPlanned;
}


// A shift's count is an immediate (C0/C1) or 1 (D0/D1) that is not 0 after masking.
bool shift_count_known_nonzero(const ZydisDecodedInstruction& insn) {
  if (insn.opcode_map != ZYDIS_OPCODE_MAP_DEFAULT) return false;
  if (insn.opcode == 0xd0 || insn.opcode == 0xd1) return true;
  if ((insn.opcode == 0xc0 || insn.opcode == 0xc1) && insn.raw.imm[0].size == 8)
    return (insn.raw.imm[0].value.u & (insn.operand_width == 64 ? 63 : 31)) != 0;
  return false;
}

}  // namespace

void plan_flags(const Decoder& dec, CodeSource& code, u64 pc, int max_insns, u64 first_page, u64 page_size,
                bool lookahead, FlagPlan& plan) {
  plan.count = 0;
  plan.decoded = 0;
  PlannedInsn* buffer = dec.plan_buffer();
  plan.insns = buffer;
  plan.stops_at_barrier = false;
  plan.live_out_known = false;
  plan.live_out = kArithFlags;
  if (max_insns > FlagPlan::kMaxInsns) max_insns = FlagPlan::kMaxInsns;
  u8 reads[FlagPlan::kMaxInsns];
  u8* kills = plan.kills;
  u8 live = kArithFlags;  // after the last planned instruction
  int n = 0;
  while (n < max_insns && pc / page_size == first_page) {
    // Decoded in full, once: the translation takes the instruction from the plan.
    PlannedInsn& planned = buffer[n];
    const int avail = code.fetch(pc, planned.bytes, ZYDIS_MAX_INSTRUCTION_LENGTH);
    if (avail <= 0 || !dec.decode(planned.bytes, usize(avail), pc, planned.d)) break;  // an exit: every flag live
    plan.decoded = n + 1;
    const ZydisDecodedInstruction* insn = &planned.d.insn;
    const PlanInfo& info = kPlanTable.of[insn->mnemonic];
    const FlagWrites kind = run_end_or(*insn, info);
    const bool stack = info.stack;
    if (kind == FlagWrites::kNotPlanned && !stack) {
      plan.stops_at_barrier = true;
      break;
    }
    const ZydisAccessedFlags* f = insn->cpu_flags;
    const u8 tested = f ? to_ir_flags(f->tested) : 0;
    // Only flags the SDM defines count as overwritten: where it says "undefined" a handler may
    // keep the old value (bt keeps OF SF AF PF).
    reads[n] = tested;
    kills[n] = f && !stack ? to_ir_flags(f->modified | f->set_0 | f->set_1) : 0;
    const bool may_keep = kind == FlagWrites::kConditional || (kind == FlagWrites::kShift && !shift_count_known_nonzero(*insn));
    if (f && info.undefined_written && !may_keep) kills[n] |= u8(to_ir_flags(f->undefined) & info.undefined_written);
    if (may_keep) {
      // May keep every flag it would write, undefined ones included (a shift by cl writes AF
      // unless the count is 0): all of them are read, none is overwritten for sure.
      reads[n] = u8(tested | kills[n] | (f ? to_ir_flags(f->undefined) : 0));
      kills[n] = 0;
    }
    // A memory access may fault, and the fault must see every flag exact: all of them are read
    // there (its own flag writes come after its accesses, see translator.cpp).
    if (stack || accesses_memory(*insn)) reads[n] = kArithFlags;
    const u64 next = pc + insn->length;
    ++n;
    if (kind == FlagWrites::kEndsRun) {
      u64 target = 0;
      if (lookahead && relative_target(*insn, next, &target)) {
        // Same successors, in the same order, as live_out_flags() for the block's terminator.
        live = insn->mnemonic == ZYDIS_MNEMONIC_JMP ? flags_read_before_written(dec, code, target)
                                                     : flags_read_on_either(dec, code, target, next);
        plan.live_out_known = true;
        plan.live_out = live;
      }
      break;
    }
    pc = next;
  }
  plan.count = n;
  for (int i = n - 1; i >= 0; --i) {
    plan.live_after[i] = live;
    live = u8(reads[i] | (live & ~kills[i]));
  }
}

}  // namespace bmbt::x86
