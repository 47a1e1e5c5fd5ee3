// Internal to the code generator: the lowering state shared by codegen.cpp (register
// allocation, state access, memory, calls, terminators) and lower_values.cpp (one case per
// value-producing IR op).
#pragma once
#include "backend-la64/assembler.h"
#include "backend-la64/codegen.h"
#include "backend-la64/host_regs.h"
#include "engine/vcpu.h"
#include "ir/ir.h"
#include "softmmu/tlb.h"

namespace bmbt::la64::detail {

using IrOp = ir::Op;
using ir::Type;
using ir::Value;

constexpr i32 kRipOffset = i32(guest_reg_offset(kRIP));
constexpr i32 kBudgetOffset = i32(engine::kBudgetOffset);
constexpr i32 kChainSlotOffset = i32(engine::kChainSlotOffset);
constexpr i32 kJumpCachePtrOffset = i32(engine::kJumpCachePtrOffset);
constexpr i32 kRasTopOffset = i32(engine::kRasTopOffset);
constexpr i32 kRasOffset = i32(engine::kRasOffset);
constexpr i32 kRasMask = engine::kReturnPredictions * 16 - 16;  // ras_top wraps within the ring
static_assert(kRasOffset + engine::kReturnPredictions * 16 < 2048, "return predictions reachable by si12 offsets");
static_assert((engine::kReturnPredictions & (engine::kReturnPredictions - 1)) == 0 && kRasMask < 2048, "ring size");
constexpr i32 kFaultFlagOffset = i32(__builtin_offsetof(engine::Vcpu, fault) + __builtin_offsetof(softmmu::MemFault, faulted));
constexpr i32 kTlbReadTag = i32(engine::kTlbOffset + __builtin_offsetof(softmmu::TlbEntry, read_tag));
constexpr i32 kTlbWriteTag = i32(engine::kTlbOffset + __builtin_offsetof(softmmu::TlbEntry, write_tag));
constexpr i32 kTlbAddend = i32(engine::kTlbOffset + __builtin_offsetof(softmmu::TlbEntry, addend));
static_assert(kTlbAddend < 2048 && kFaultFlagOffset < 2048, "soft-TLB fields and fault flag reachable by si12 offsets");

// kTempRegs as a mask; ascending, so the lowest free bit is the first free one in pool order.
constexpr u32 temp_mask() {
  u32 m = 0;
  for (int k = 0; k < kNumTemps; ++k) m |= 1u << kTempRegs[k];
  return m;
}
constexpr bool temps_ascending() {
  for (int k = 1; k < kNumTemps; ++k)
    if (kTempRegs[k] <= kTempRegs[k - 1]) return false;
  return true;
}
static_assert(temps_ascending(), "alloc_temp hands out the lowest free register first");
constexpr u32 kTempMask = temp_mask();

enum class LocKind : u8 { kNone, kConst, kTemp, kPinned, kSpilled };  // kSpilled: reg = frame slot
struct Loc { LocKind kind; u8 reg; };

// An out-of-line soft-TLB miss path, emitted after the block body: it stages the operands
// and calls the shared stub for its access size (which saves and restores everything).
struct SlowPath {
  usize entry_branch;  // word index of the inline bne to this path (Assembler::branch_forward)
  Label resume;
  // Fault-only flag writes (setf.onfault) not yet overwritten: a miss path stores them before
  // the access, so that a fault sees exact flags.
  u8 npending;
  u8 pending_flag[ir::kFlagCount];
  Loc pending_loc[ir::kFlagCount];
  u64 pending_const[ir::kFlagCount];
  bool is_store;
  u8 addr_reg, value_reg, dest_reg;  // 0xff: the operand is the constant below
  u8 size_index;                     // 0..3 for 1, 2, 4, 8 bytes
  u64 guest_pc;
  u64 addr_const, value_const;
};

// A branch emitted by Assembler::branch_forward, to be patched once its target is known.
struct ForwardBranch { usize at; Op op; int regs; };

class Lowering {
 public:
  Lowering(const ir::Block& b, const CodegenTargets& t, u64 base, u32* out, usize cap)
      : b_(b), t_(t), base_(base), out_(out), cap_(cap), as_(out, cap) {}

  CodegenResult run();

 private:
  // --- register allocation
  void compute_last_uses();
  void choose_fused_branch();
  void choose_dest_hints();
  void choose_scaled_adds();
  // Inline for the common case: no hint and a free temporary.
  bool alloc_dest(int i) {
    const u32 free = kTempMask & ~busy_temps_;
    if (hint_[i] >= 0 || !free) return alloc_dest_slow(i);
    const int r = __builtin_ctz(free);
    busy_temps_ |= 1u << r;
    loc_[i] = Loc{LocKind::kTemp, u8(r)};
    temp_holder_[r] = i16(i);
    return true;
  }
  bool alloc_dest_slow(int i);
  int alloc_temp(int for_inst);            // spills another value if none is free
  bool spill_one(int for_inst);
  // Inline: it follows nearly every instruction that emits code.
  void release_dead_args(int i) {
    const ir::Inst& in = b_[i];
    // Locals: release() stores to members, which the compiler assumes may alias the block.
    const int n = in.num_args;
    for (int a = 0; a < n; ++a) {
      const Value v = in.args[a];
      if (last_use_[v] == i) release(v);
    }
    // A value nobody uses (e.g. a call result) frees its register at once.
    if (last_use_[i] < 0 && loc_[i].kind == LocKind::kTemp) free_temp(loc_[i].reg);
  }
  void free_temp(int r) { busy_temps_ &= ~(1u << r); }
  // Frees the temporary or frame slot of a value that is dead from here on.
  void release(Value v) {
    if (loc_[v].kind == LocKind::kTemp) free_temp(loc_[v].reg);
    else if (loc_[v].kind == LocKind::kSpilled) busy_slots_ &= ~(u64(1) << loc_[v].reg);
  }
  u32 live_temps_after(int i, u8 except) const;
  // Inline for the common case of a register with no values pinned to it.
  void evict_pinned_aliases(int guest_reg, int i) {
    if (pinned_head_[guest_reg] >= 0) evict_pinned_chain(guest_reg, i);
  }
  void evict_pinned_chain(int guest_reg, int i);
  // v now lives in guest register r's pinned register (chained for evict_pinned_aliases).
  void pin(Value v, int r) {
    loc_[v] = Loc{LocKind::kPinned, guest_gpr(r).n};
    next_pinned_[v] = pinned_head_[r];
    pinned_head_[r] = i16(v);
  }

  // --- operands
  // Value v in a register: its own, or `scratch` loaded with it (a constant, a spilled value).
  // Inline for the common case of a value living in a register.
  Gpr reg(Value v, Gpr scratch) {
    const Loc l = loc_[v];
    if (l.kind == LocKind::kConst || l.kind == LocKind::kSpilled) return reg_into(v, scratch);
    return Gpr{l.reg};
  }
  Gpr reg_into(Value v, Gpr scratch);
  // Operand k of instruction i in a register; constants and spilled values go to a per-operand
  // scratch register ($r21, kScratch0, stays free for the lowering sequences themselves).
  Gpr arg(int i, int k) {
    static constexpr Gpr kArgScratch[3] = {kScratch1, kScratch2, kScratch3};
    return reg(b_[i].args[k], kArgScratch[k]);
  }
  bool arg_const(int i, int k, i64* value) const;
  u64 const_value(Value v) const { return cval_[v]; }

  // --- emission helpers
  void normalize(Gpr d, Type t);
  void sign_extend(Gpr dst, Gpr src, int width);
  void branch_to_address(u64 target);
  bool fold_constant(int i);
  void lower(int i);           // codegen.cpp only (inline)
  void lower_emitting(int i);
  void lower_set_reg(int i);
  void lower_set_flag(int i);
  void lower_setx86j(int i);
  void lower_value(int i);  // lower_values.cpp
  void lower_memory(int i);
  void lower_call(int i);
  // LBT flag strategy (lbt_flags.cpp)
  void lower_set_flag_lbt(int i);
  void lower_get_flag_lbt(int i);
  void lower_flag_group(int i);
  void choose_lbt_conditions();
  int match_lbt_condition(Value v, int* first_read, u8* flags, int depth) const;
  void lower_terminator();
  void emit_prologue();
  void emit_exit_to(u64 guest_pc);        // patchable direct exit (chaining)
  void emit_exit_code(int slot, u64 guest_pc);
  void emit_indirect_exit(Value target, u64 return_pc);  // inline jump-cache lookup (a call if return_pc)
  // Return-address prediction (lower_calls.cpp)
  void emit_push_prediction(u64 return_pc, int continuation_words);
  void emit_call_exit(u64 target, u64 return_pc);
  void emit_return_exit(Value target);
  ForwardBranch emit_fused_branch();
  void emit_slow_paths();
  void note_guest_pc(u64 guest_pc);  // a PC-map entry at the current code position
  usize emit_pc_map(usize at);  // writes the map at word `at`; returns its words (0: no room)
  void save_pinned(int count);
  void restore_pinned(int count);
  void save_temps(u32 mask);
  void restore_temps(u32 mask);
  bool fail(CodegenStatus s, const char* why) {
    if (status_ == CodegenStatus::kOk) { status_ = s; error_ = why; }
    return false;
  }

  const ir::Block& b_;
  const CodegenTargets& t_;
  u64 base_;
  u32* out_;
  usize cap_;
  Assembler as_;
  Loc loc_[ir::Block::kMaxInsts];
  int last_use_[ir::Block::kMaxInsts];
  u16 uses_[ir::Block::kMaxInsts];
  // The helper calls, in block order (few: most blocks have none).
  u16 calls_[ir::Block::kMaxInsts];
  int ncalls_ = 0;
  // No helper call (which may rewrite pinned guest registers) between instructions a and b.
  bool no_call_between(int a, int b) const;
  i8 hint_[ir::Block::kMaxInsts];  // guest GPR whose pinned register the value is computed into, or -1
  // Found by compute_last_uses for the choices after it: each `set` of a pinned guest register
  // with the latest `get` of that register before it (-1: none), chained through prev_get_ to
  // the earlier ones; the i64 adds.
  struct SetRegAt { u16 at; i16 latest_get; };
  SetRegAt set_regs_[ir::Block::kMaxInsts];
  int nset_regs_ = 0;
  // Per guest register, the values pinned to it since its last eviction (latest first, linked
  // through next_pinned_; -1 ends). Some may have moved on: loc_ says where a value is.
  i16 pinned_head_[16];
  i16 next_pinned_[ir::Block::kMaxInsts];
  i16 prev_get_[ir::Block::kMaxInsts];  // for a `get` of a pinned register: the previous one, or -1
  u16 adds_[ir::Block::kMaxInsts];
  int nadds_ = 0;
  // The i1 getf/xor/or, in block order: where choose_lbt_conditions looks for conditions.
  u16 lbt_candidates_[ir::Block::kMaxInsts];
  int nlbt_candidates_ = 0;
  // i64 add whose operand scaled_[i] - 1 is a shift by 1..4 used only there: one alsl.d (the
  // shift is then not emitted: folded_[shift] is set). 0: none. Set for adds and shifts only.
  u8 scaled_[ir::Block::kMaxInsts];
  bool folded_[ir::Block::kMaxInsts];
  // LBT: an x86 condition on flags read from eflags, computed by one setx86j: its code, or
  // kCondInner for the ops it replaces, or kCondNone.
  static constexpr i8 kCondNone = -1, kCondInner = -2;
  i8 lbt_cond_[ir::Block::kMaxInsts];
  u64 cval_[ir::Block::kMaxInsts];
  Value fused_ = ir::kNoValue;     // the compare the terminator branches on directly
  // Current setf.onfault value per flag, for the flags in pending_mask_ (the others: memory is
  // exact, and their entries are stale).
  Value pending_flag_[ir::kFlagCount];
  u8 pending_mask_ = 0;
  static_assert(ir::kFlagCount <= 8, "pending flags fit pending_mask_");
  // Busy temporaries (bit = register number) and value spill slots (bit = slot).
  u32 busy_temps_ = 0;
  u64 busy_slots_ = 0;
  static_assert(kFrameValueSlots <= 64, "spill slots fit busy_slots_");
  // The value a temporary was last given to (-1: none yet); loc_ says whether it still is there.
  i16 temp_holder_[32] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                          -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
  u64 guest_pc_ = 0;
  // Variant members are left unconstructed by the constructor: each entry starts its life when
  // lower_memory assigns it, so a block pays only for the accesses it has.
  static constexpr int kMaxSlowPaths = 128;
  union { SlowPath slow_[kMaxSlowPaths]; };
  int nslow_ = 0;
  static constexpr int kMaxPcMap = 512;
  u32 pc_map_[kMaxPcMap];
  int npc_map_ = 0;
  usize budget_branch_ = 0;  // the prologue's branch to the budget exit
  Label helper_fault_exit_, helper_pending_exit_;
  bool has_helper_exits_ = false;
  usize inline_words_ = 0;
  CodegenStatus status_ = CodegenStatus::kOk;
  const char* error_ = nullptr;
};

}  // namespace bmbt::la64::detail
