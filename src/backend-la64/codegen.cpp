#include "backend-la64/codegen.h"

#include "backend-la64/lbt_flags.h"
#include "backend-la64/lowering.h"
#include "backend-la64/host_regs.h"
#include "engine/vcpu.h"
#include "ir/semantics.h"
#include "softmmu/tlb.h"
#include "support/placement_new.h"

namespace bmbt::la64 {

namespace detail {

namespace {
// Each IR op's effect, read for every instruction: a table made from the op list instead of a
// call to ir::op_info().
constexpr ir::Effect kEffect[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) ir::Effect::effect,
#include "ir/opcodes.inc"
#undef IR_OP
};
static_assert(sizeof(kEffect) / sizeof(kEffect[0]) == usize(IrOp::kCount), "op table");

// A set of ops as a bit mask.
template <class... Ops>
constexpr u64 op_bits(Ops... ops) { return ((u64(1) << unsigned(ops)) | ...); }
static_assert(usize(IrOp::kCount) <= 64, "op masks fit a u64");
// The ops compute_last_uses looks at beyond their operands (most instructions are not).
constexpr u64 kSetupOps = op_bits(IrOp::GetReg, IrOp::SetReg, IrOp::Add, IrOp::Shl, IrOp::Call, IrOp::SetFlagOnFault,
                                   IrOp::SetFlag, IrOp::Load, IrOp::Store, IrOp::GetFlag, IrOp::Xor, IrOp::Or);
}  // namespace

// One walk over the block: uses and last uses, and what the later choices look at (the guest
// register writes, the 64-bit adds, each GetReg's predecessor of the same register, the helper
// calls), so that those do not walk the block again.
void Lowering::compute_last_uses() {
  // Locals: the byte-sized stores below may alias the block as far as the compiler knows, and
  // would make it reload the block's address and size on every step.
  const ir::Inst* insts = &b_[0];
  const int n = b_.size();
  for (i16& h : pinned_head_) h = -1;
  nset_regs_ = nadds_ = nlbt_candidates_ = ncalls_ = 0;
  i16 latest_get[16];
  for (i16& g : latest_get) g = -1;
  // Software strategy: a setf.onfault value is needed by the miss paths of the accesses it
  // covers (until the flag's next write), so each access counts as a use's end for the pending
  // ones. Uses are met in block order, so the access is the latest use so far.
  const bool track_on_fault = !t_.lbt;
  Value pending[ir::kFlagCount];
  for (Value& p : pending) p = ir::kNoValue;
  u32 pending_mask = 0;
  for (int i = 0; i < n; ++i) {
    // The op and operand count read before the stores below, which (byte-sized) would make the
    // compiler read them again.
    const ir::Inst& in = insts[i];
    const IrOp op = in.op;
    const int num_args = in.num_args;
    last_use_[i] = -1;
    uses_[i] = 0;
    hint_[i] = -1;
    // Unrolled: most instructions have one or two operands.
    switch (num_args) {
      case 3: last_use_[in.args[2]] = i; ++uses_[in.args[2]]; [[fallthrough]];
      case 2: last_use_[in.args[1]] = i; ++uses_[in.args[1]]; [[fallthrough]];
      case 1: last_use_[in.args[0]] = i; ++uses_[in.args[0]]; break;
      default: break;
    }
    if (!((kSetupOps >> unsigned(op)) & 1)) continue;
    switch (op) {
      case IrOp::GetReg:
        if (in.imm < 16) {
          prev_get_[i] = latest_get[in.imm];
          latest_get[in.imm] = i16(i);
        }
        break;
      case IrOp::SetReg:
        if (in.imm < 16) set_regs_[nset_regs_++] = SetRegAt{u16(i), latest_get[in.imm]};
        break;
      // scaled_ is read for adds only and folded_ for shifts only: only they need clearing.
      case IrOp::Add:
        scaled_[i] = 0;
        if (in.type == Type::kI64) adds_[nadds_++] = u16(i);
        break;
      case IrOp::Shl:
        folded_[i] = false;
        break;
      case IrOp::Call:
        calls_[ncalls_++] = u16(i);
        break;
      case IrOp::SetFlagOnFault:
        if (track_on_fault) {
          pending[in.imm] = in.args[0];
          pending_mask |= 1u << in.imm;
        }
        break;
      case IrOp::SetFlag:
        pending_mask &= ~(1u << in.imm);
        break;
      case IrOp::Load: case IrOp::Store:
        for (u32 m = pending_mask; m; m &= m - 1) last_use_[pending[__builtin_ctz(m)]] = i;
        break;
      case IrOp::GetFlag: case IrOp::Xor: case IrOp::Or:
        if (in.type == Type::kI1) lbt_candidates_[nlbt_candidates_++] = u16(i);
        break;
      default: break;
    }
  }
  if (b_.term.cond != ir::kNoValue) {
    last_use_[b_.term.cond] = b_.size();
    ++uses_[b_.term.cond];
  }
}

// No helper call (which may rewrite pinned guest registers) among instructions (a, b).
bool Lowering::no_call_between(int a, int b) const {
  if (ncalls_ == 0) return true;
  // The first call after a: calls_ is in block order.
  int lo = 0, hi = ncalls_;
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (calls_[mid] <= a) lo = mid + 1;
    else hi = mid;
  }
  return lo == ncalls_ || calls_[lo] >= b;
}

// A conditional branch on a compare used nowhere else becomes one LoongArch compare-and-branch.
void Lowering::choose_fused_branch() {
  const ir::Terminator& t = b_.term;
  if (t.kind != ir::TermKind::kBranch) return;
  const ir::Inst& c = b_[t.cond];
  bool is_compare = c.op == IrOp::Eq || c.op == IrOp::Ne || c.op == IrOp::Ult || c.op == IrOp::Ule ||
                    c.op == IrOp::Slt || c.op == IrOp::Sle;
  if (!is_compare || uses_[t.cond] != 1) return;
  fused_ = t.cond;
  for (int a = 0; a < 2; ++a) last_use_[c.args[a]] = b_.size();  // the operands live to the branch
}

// Ops whose lowering is correct even when the destination is one of the operands' registers.
static bool dest_may_alias_operands(IrOp op) {
  switch (op) {
    case IrOp::Add: case IrOp::Sub: case IrOp::Mul: case IrOp::And: case IrOp::Or: case IrOp::Xor:
    case IrOp::Shl: case IrOp::Lshr: case IrOp::Not: case IrOp::Neg: case IrOp::Zext: case IrOp::Trunc:
      return true;
    default:
      return false;
  }
}

// A value written by `set r` is computed straight into r's pinned register (saving the move)
// when nothing between its definition and the set can observe r: no read of r, no other write
// of r, no old value of r still needed, and no memory access or call (which could fault or save
// state while r already holds the new value). Uses after the set read it from r (a later write
// of r first moves it out, see evict_pinned_aliases), unless a helper call, which may rewrite
// r, comes before its last use.
void Lowering::choose_dest_hints() {
  for (int k = 0; k < nset_regs_; ++k) {
    const int s = set_regs_[k].at;
    const ir::Inst& set = b_[s];
    Value v = set.args[0];
    const int r = int(set.imm);
    if (!dest_may_alias_operands(b_[v].op) || last_use_[v] < s || hint_[v] >= 0) continue;
    if (last_use_[v] > s && !no_call_between(s, last_use_[v])) continue;
    bool ok = true;
    for (int j = v + 1; j < s && ok; ++j) {
      const ir::Inst& in = b_[j];
      ir::Effect e = kEffect[usize(in.op)];
      if (e == ir::Effect::kReadsMemory || e == ir::Effect::kWritesMemory || e == ir::Effect::kCall) ok = false;
      if ((in.op == IrOp::GetReg || in.op == IrOp::SetReg) && int(in.imm) == r) ok = false;
    }
    // Reads of r before v whose value is still needed after v. None lies between v and the set
    // (checked above), so the reads of r before the set are those before v.
    for (int u = set_regs_[k].latest_get; u >= 0 && ok; u = prev_get_[u]) {
      if (last_use_[u] > v) ok = false;
    }
    if (ok) hint_[v] = i8(r);
  }
}

// Scaled-index addresses: add(x << k, y) with k in 1..4 and the shift used only by the add
// becomes `alsl.d d, x, y, k` (x stays live until the add).
void Lowering::choose_scaled_adds() {
  for (int n = 0; n < nadds_; ++n) {
    const int i = adds_[n];
    const ir::Inst& in = b_[i];
    for (int k = 0; k < 2; ++k) {
      const Value s = in.args[k];
      const ir::Inst& sh = b_[s];
      if (sh.op != IrOp::Shl || uses_[s] != 1 || folded_[s] || b_[sh.args[1]].op != IrOp::Const) continue;
      const u64 amount = b_[sh.args[1]].imm;
      if (amount < 1 || amount > 4 || b_[sh.args[0]].op == IrOp::Const) continue;
      scaled_[i] = u8(k + 1);
      folded_[s] = true;
      if (last_use_[sh.args[0]] < i) last_use_[sh.args[0]] = i;
      break;
    }
  }
}

int Lowering::alloc_temp(int for_inst) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const u32 free = kTempMask & ~busy_temps_;
    if (free) {
      const int r = __builtin_ctz(free);
      busy_temps_ |= 1u << r;
      return r;
    }
    if (!spill_one(for_inst)) return -1;
  }
  return -1;
}

// Frees a temporary by storing the live value used furthest in the future (and not an operand
// of the instruction being lowered) to a frame slot; uses reload it into a scratch register.
// A value whose last use is this instruction without being its operand (a setf.onfault value
// for this access's miss path) may go too: the miss path reads it from wherever it is.
bool Lowering::spill_one(int i) {
  // Only a temporary's latest holder can be live in it: eight candidates, not every value.
  // Ties go to the earliest value.
  const ir::Inst& in = b_[i];
  // The temporaries holding operands of i: a holder that still lives in its temporary is an
  // operand exactly when its register is among these.
  u32 operand_temps = 0;
  for (int a = 0; a < in.num_args; ++a) {
    const Loc l = loc_[in.args[a]];
    if (l.kind == LocKind::kTemp) operand_temps |= 1u << l.reg;
  }
  // The largest (last use, -value) wins, whatever the order of the walk: one key compared.
  u64 best = 0;  // no candidate (every candidate's key is above 0: ~v > 0)
  for (u32 m = kTempMask & ~operand_temps; m; m &= m - 1) {
    const int r = __builtin_ctz(m);
    const int v = temp_holder_[r];
    if (u32(v) >= u32(i)) continue;  // none (-1) or not before i
    const Loc l = loc_[v];
    const int end = last_use_[v];
    if (!((l.kind == LocKind::kTemp) & (l.reg == r) & (end >= i))) continue;
    const u64 key = u64(u32(end)) << 32 | ~u32(v);
    if (key > best) best = key;
  }
  if (best == 0) return false;
  const int victim = int(~u32(best));
  const u64 free_slots = ~busy_slots_ & (~u64(0) >> (64 - kFrameValueSlots));
  if (!free_slots) return false;
  const int slot = __builtin_ctzll(free_slots);
  busy_slots_ |= u64(1) << slot;
  as_.emit(Op::ST_D, Gpr{loc_[victim].reg}, kSp, kFrameValueSpillOffset + 8 * slot);
  free_temp(loc_[victim].reg);
  loc_[victim] = Loc{LocKind::kSpilled, u8(slot)};
  return true;
}

// alloc_dest when the value has a hint or every temporary is busy.
bool Lowering::alloc_dest_slow(int i) {
  if (hint_[i] >= 0) {
    // Values still living in the register (an earlier `set` of it) move out first.
    evict_pinned_aliases(hint_[i], i);
    pin(Value(i), hint_[i]);
    return true;
  }
  int r = alloc_temp(i);
  if (r < 0) return fail(CodegenStatus::kNoRegisters, "out of temporaries");
  loc_[i] = Loc{LocKind::kTemp, u8(r)};
  temp_holder_[r] = i16(i);
  return true;
}

u32 Lowering::live_temps_after(int i, u8 except) const {
  u32 mask = 0;
  for (int v = 0; v < i; ++v) {
    if (loc_[v].kind == LocKind::kTemp && last_use_[v] > i && loc_[v].reg != except) mask |= 1u << loc_[v].reg;
  }
  return mask;
}

// Before guest register r's pinned host register is overwritten, values that still need its
// old contents move to temporaries.
void Lowering::evict_pinned_chain(int r, int i) {
  // The register's chain holds every value pinned to it since its last eviction; those still
  // there and needed after i move, earliest first.
  Value live[ir::Block::kMaxInsts];
  int n = 0;
  for (int v = pinned_head_[r]; v >= 0; v = next_pinned_[v]) {
    if (v >= i || loc_[v].kind != LocKind::kPinned || loc_[v].reg != guest_gpr(r).n || last_use_[v] <= i) continue;
    int k = n++;
    for (; k > 0 && live[k - 1] > v; --k) live[k] = live[k - 1];
    live[k] = Value(v);
  }
  pinned_head_[r] = -1;
  for (int k = 0; k < n; ++k) {
    const Value v = live[k];
    int t = alloc_temp(i);
    if (t < 0) { fail(CodegenStatus::kNoRegisters, "out of temporaries"); return; }
    as_.move(Gpr{u8(t)}, Gpr{loc_[v].reg});
    loc_[v] = Loc{LocKind::kTemp, u8(t)};
    temp_holder_[t] = i16(v);
  }
}

Gpr Lowering::reg_into(Value v, Gpr scratch) {
  const Loc& l = loc_[v];
  if (l.kind == LocKind::kConst) {
    if (const_value(v) == 0) return kZero;
    as_.li(scratch, const_value(v));
    return scratch;
  }
  as_.emit(Op::LD_D, scratch, kSp, kFrameValueSpillOffset + 8 * l.reg);  // spilled
  return scratch;
}

bool Lowering::arg_const(int i, int k, i64* value) const {
  Value v = b_[i].args[k];
  if (loc_[v].kind != LocKind::kConst) return false;
  // Sign-extend from the value's width: narrow results are re-normalised afterwards.
  int w = ir::bit_width(b_[v].type);
  u64 x = const_value(v);
  if (w < 64) { u64 s = u64(1) << (w - 1); x = (x ^ s) - s; }
  *value = i64(x);
  return true;
}

void Lowering::normalize(Gpr d, Type t) {
  int w = ir::bit_width(t);
  if (w > 1 && w < 64) as_.emit(Op::BSTRPICK_D, d, d, w - 1, 0);
}

void Lowering::sign_extend(Gpr dst, Gpr src, int width) {
  switch (width) {
    case 8: as_.emit(Op::EXT_W_B, dst, src); break;
    case 16: as_.emit(Op::EXT_W_H, dst, src); break;
    case 32: as_.emit(Op::ADDI_W, dst, src, 0); break;
    default: as_.move(dst, src); break;
  }
}

void Lowering::branch_to_address(u64 target) {
  i64 offset = i64(target) - i64(base_ + as_.size() * 4);
  as_.emit(Op::B, offset);
}

CodegenResult Lowering::run() {
  pending_mask_ = 0;
  compute_last_uses();
  choose_fused_branch();
  choose_dest_hints();
  choose_scaled_adds();
  if (t_.lbt) choose_lbt_conditions();
  emit_prologue();
  const int n = b_.size();
  for (int i = 0; i < n && status_ == CodegenStatus::kOk; ++i) lower(i);
  if (status_ == CodegenStatus::kOk) lower_terminator();
  if (status_ == CodegenStatus::kOk) emit_slow_paths();
  if (status_ == CodegenStatus::kOk && !as_.ok()) {
    if (as_.overflowed()) fail(CodegenStatus::kBufferFull, "code buffer full");
    else fail(CodegenStatus::kInternal, as_.error());
  }
  const usize code_words = as_.size();
  usize map_words = 0;
  if (status_ == CodegenStatus::kOk) {
    map_words = emit_pc_map(code_words);
    if (!map_words) fail(CodegenStatus::kBufferFull, "code buffer full");
  }
  return CodegenResult{status_, code_words, inline_words_, map_words, error_};
}

inline void Lowering::note_guest_pc(u64 guest_pc) {
  const u64 guest_off = guest_pc - b_.guest_pc, host_off = as_.size();
  if (guest_off > 0xffff || host_off > 0xffff || npc_map_ == kMaxPcMap) {
    fail(CodegenStatus::kNoRegisters, "block too large for its PC map");
    return;
  }
  pc_map_[npc_map_++] = u32(host_off) | u32(guest_off) << 16;
}

usize Lowering::emit_pc_map(usize at) {
  const usize words = 1 + usize(npc_map_);
  if (at + words > cap_) return 0;
  out_[at] = u32(npc_map_);
  __builtin_memcpy(out_ + at + 1, pc_map_, usize(npc_map_) * sizeof(u32));
  return words;
}

// Pure ops on constants fold at translation time (constants themselves are handled by lower()).
__attribute__((always_inline)) inline bool Lowering::fold_constant(int i) {
  const ir::Inst& in = b_[i];
  const IrOp op = in.op;
  bool all_const = in.num_args > 0;
  for (int a = 0; a < in.num_args && all_const; ++a) all_const = loc_[in.args[a]].kind == LocKind::kConst;
  if (op == IrOp::Select && loc_[in.args[0]].kind == LocKind::kConst) {
    // A constant condition picks an arm: the result is that arm's location.
    Value arm = in.args[(cval_[in.args[0]] & 1) ? 1 : 2];
    if (loc_[arm].kind == LocKind::kConst) {
      cval_[i] = cval_[arm];
      loc_[i] = Loc{LocKind::kConst, 0};
      return true;
    }
    all_const = false;
  }
  if (!all_const) return false;
  u64 v[3] = {};
  for (int a = 0; a < in.num_args; ++a) v[a] = cval_[in.args[a]];
  Type arg_type = op == IrOp::Select ? in.type : b_[in.args[0]].type;
  cval_[i] = ir::eval_pure(op, in.type, arg_type, v[0], v[1], v[2]);
  loc_[i] = Loc{LocKind::kConst, 0};
  return true;
}

// How lower() treats each op, from one table lookup: constants and instruction starts emit
// nothing, pure ops are values (lower_value) unless folded or fused into another instruction,
// reads of pinned registers only record where the value is, getf may be part of an LBT
// condition, guest register and flag writes have their own lowerings, and the rest (memory,
// calls, other state accesses, LBT flag groups) go to lower_emitting.
enum class LowerClass : u8 { kConst, kInsnStart, kPure, kGetReg, kGetFlag, kSetReg, kSetFlag, kEmitting };
constexpr LowerClass lower_class(IrOp op) {
  if (op == IrOp::Const) return LowerClass::kConst;
  if (op == IrOp::InsnStart) return LowerClass::kInsnStart;
  if (op == IrOp::GetReg) return LowerClass::kGetReg;
  if (op == IrOp::GetFlag) return LowerClass::kGetFlag;
  if (op == IrOp::SetReg) return LowerClass::kSetReg;
  if (op == IrOp::SetFlag || op == IrOp::SetFlagOnFault) return LowerClass::kSetFlag;
  return kEffect[usize(op)] == ir::Effect::kPure ? LowerClass::kPure : LowerClass::kEmitting;
}
struct LowerClassTable { LowerClass c[usize(IrOp::kCount)]; };
constexpr LowerClassTable kLowerClass = [] {
  LowerClassTable t{};
  for (usize k = 0; k < usize(IrOp::kCount); ++k) t.c[k] = lower_class(IrOp(k));
  return t;
}();
// Pure ops go to lower_value; everything lower_emitting handles is impure.
static_assert(kLowerClass.c[usize(IrOp::Load)] == LowerClass::kEmitting &&
                  kLowerClass.c[usize(IrOp::Store)] == LowerClass::kEmitting &&
                  kLowerClass.c[usize(IrOp::Call)] == LowerClass::kEmitting &&
                  kLowerClass.c[usize(IrOp::FlagGroup)] == LowerClass::kEmitting,
              "lower_emitting's ops are not pure");

// Inline in run()'s loop: most instructions emit nothing (constants, values folded or fused into
// others, instruction starts, reads of pinned registers) and should not pay for the entry of
// lower_emitting, which saves registers. The fused compare is pure and the LBT conditions are
// made of getf, xor and or (lbt_cond_ is kCondNone for everything else).
__attribute__((always_inline)) inline void Lowering::lower(int i) {
  const ir::Inst& in = b_[i];
  loc_[i] = Loc{LocKind::kNone, 0};
  switch (kLowerClass.c[usize(in.op)]) {
    case LowerClass::kConst:
      cval_[i] = in.imm;
      loc_[i] = Loc{LocKind::kConst, 0};
      return;
    case LowerClass::kInsnStart:
      guest_pc_ = in.imm;
      note_guest_pc(in.imm);
      return;
    case LowerClass::kPure:
      if (fold_constant(i)) return;
      if (Value(i) == fused_) return;  // emitted by the terminator as a compare-and-branch
      if (in.op == IrOp::Shl && folded_[i]) return;  // a shift folded into the alsl.d of its add
      if (t_.lbt && lbt_cond_[i] != kCondNone) {
        if (lbt_cond_[i] != kCondInner) lower_setx86j(i);  // else part of a setx86j below
        return;
      }
      lower_value(i);
      return;
    case LowerClass::kGetReg:
      if (in.imm < 16) pin(Value(i), int(in.imm));
      else lower_emitting(i);
      return;
    case LowerClass::kGetFlag:
      if (t_.lbt && lbt_cond_[i] != kCondNone) {
        if (lbt_cond_[i] != kCondInner) lower_setx86j(i);
        return;
      }
      lower_emitting(i);
      return;
    case LowerClass::kSetReg:
      lower_set_reg(i);
      return;
    case LowerClass::kSetFlag:
      lower_set_flag(i);
      return;
    case LowerClass::kEmitting:
      lower_emitting(i);
      return;
  }
}

void Lowering::lower_setx86j(int i) {
  if (!alloc_dest(i)) return;
  as_.emit(Op::SETX86J, Gpr{loc_[i].reg}, int(lbt_cond_[i]));
  release_dead_args(i);
}

// Guest register write: into the pinned register (a value already there needs no move).
void Lowering::lower_set_reg(int i) {
  const ir::Inst& in = b_[i];
  if (in.imm < 16) {
    int r = int(in.imm);
    Value v = in.args[0];
    if (loc_[v].kind == LocKind::kPinned && loc_[v].reg == guest_gpr(r).n) { release_dead_args(i); return; }
    evict_pinned_aliases(r, i);
    if (loc_[v].kind == LocKind::kConst) as_.li(guest_gpr(r), cval_[v]);
    else as_.move(guest_gpr(r), reg(v, kScratch1));
    // Still needed later: read it from r from now on and free its temporary (or slot), unless
    // a helper call (which may rewrite r) comes first.
    if (last_use_[v] > i && (loc_[v].kind == LocKind::kTemp || loc_[v].kind == LocKind::kSpilled) &&
        no_call_between(i, last_use_[v])) {
      release(v);
      pin(v, r);
    }
  } else {
    as_.emit(Op::ST_D, arg(i, 0), kEnv, i32(guest_reg_offset(u8(in.imm))));
  }
  release_dead_args(i);
}

// setf and setf.onfault.
void Lowering::lower_set_flag(int i) {
  const ir::Inst& in = b_[i];
  if (in.op == IrOp::SetFlagOnFault && !t_.lbt) {
    // Stored by the miss paths of the accesses that follow (emit_slow_paths).
    pending_flag_[in.imm] = in.args[0];
    pending_mask_ |= u8(1u << in.imm);
    release_dead_args(i);
    return;
  }
  if (t_.lbt && in.imm != ir::kDF) lower_set_flag_lbt(i);
  else as_.emit(Op::ST_B, arg(i, 0), kEnv, i32(guest_flag_offset(u8(in.imm))));
  pending_mask_ &= u8(~(1u << in.imm));
  release_dead_args(i);
}

void Lowering::lower_emitting(int i) {
  const ir::Inst& in = b_[i];
  const IrOp op = in.op;
  switch (op) {
    case IrOp::Load: case IrOp::Store:
      lower_memory(i);
      release_dead_args(i);
      // setf.onfault values whose last miss path this was (they are no operand of the access).
      for (u32 m = pending_mask_; m; m &= m - 1) {
        const Value v = pending_flag_[__builtin_ctz(m)];
        if (last_use_[v] == i) release(v);
      }
      return;
    case IrOp::Call: lower_call(i); release_dead_args(i); return;
    case IrOp::GetReg:  // of a register that is not pinned (those are lowered by lower())
      if (!alloc_dest(i)) return;
      as_.emit(Op::LD_D, Gpr{loc_[i].reg}, kEnv, i32(guest_reg_offset(u8(in.imm))));
      return;
    case IrOp::GetFlag:
      if (t_.lbt && in.imm != ir::kDF) { lower_get_flag_lbt(i); return; }
      break;
    case IrOp::FlagGroup:
      if (!t_.lbt) { fail(CodegenStatus::kInternal, "flag group in a block for the software flag strategy"); return; }
      lower_flag_group(i);
      release_dead_args(i);
      return;
    default: break;
  }

  lower_value(i);  // GetFlag in the software strategy
}

// Guest memory access: inline soft-TLB check, host access on a hit, out-of-line call on a miss.
void Lowering::lower_memory(int i) {
  const ir::Inst& in = b_[i];
  const bool is_store = in.op == IrOp::Store;
  const Type vt = is_store ? b_[in.args[1]].type : in.type;
  const int size = ir::bit_width(vt) / 8;
  if (nslow_ >= kMaxSlowPaths) { fail(CodegenStatus::kNoRegisters, "too many memory accesses"); return; }

  Gpr addr = arg(i, 0);
  Gpr value = is_store ? arg(i, 1) : kZero;
  Gpr d = kZero, tag, last_page;
  int extra1 = -1, extra2 = -1;
  if (is_store) {
    extra1 = alloc_temp(i);
    extra2 = alloc_temp(i);
    if (extra1 < 0 || extra2 < 0) { fail(CodegenStatus::kNoRegisters, "out of temporaries"); return; }
    tag = Gpr{u8(extra1)};
    last_page = Gpr{u8(extra2)};
  } else {
    if (!alloc_dest(i)) return;
    d = Gpr{loc_[i].reg};
    tag = d;
    last_page = kScratch2;
  }
  // Entry address: env + ((addr >> 12) & 255) * 32.
  as_.emit(Op::BSTRPICK_D, kScratch0, addr, softmmu::kPageBits + softmmu::kTlbBits - 1, softmmu::kPageBits);
  as_.emit(Op::SLLI_D, kScratch0, kScratch0, softmmu::kTlbEntryShift);
  as_.emit(Op::ADD_D, kScratch0, kScratch0, kEnv);
  as_.emit(Op::LD_D, tag, kScratch0, is_store ? kTlbWriteTag : kTlbReadTag);
  // Compare with the page of the last byte: an access crossing a page always misses.
  if (size > 1) {
    as_.emit(Op::ADDI_D, last_page, addr, size - 1);
    as_.emit(Op::SRLI_D, last_page, last_page, softmmu::kPageBits);
  } else {
    as_.emit(Op::SRLI_D, last_page, addr, softmmu::kPageBits);
  }
  // Default-initialised: its resume label starts unbound; every other field is assigned below (of the
  // pending arrays, the first npending entries).
  SlowPath& sp = *new (&slow_[nslow_++]) SlowPath;
  sp.entry_branch = as_.branch_forward(Op::BNE, tag, last_page);
  as_.emit(Op::LD_D, tag, kScratch0, kTlbAddend);
  static constexpr Op kLoads[] = {Op::LDX_BU, Op::LDX_HU, Op::LDX_WU, Op::LDX_D};
  static constexpr Op kStores[] = {Op::STX_B, Op::STX_H, Op::STX_W, Op::STX_D};
  int si = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
  if (is_store) as_.emit_one_of(kStores, usize(si), value, addr, tag);
  else as_.emit_one_of(kLoads, usize(si), d, addr, tag);
  as_.bind(sp.resume);

  sp.is_store = is_store;
  sp.addr_reg = loc_[in.args[0]].kind == LocKind::kConst ? 0xff : addr.n;
  sp.value_reg = is_store && loc_[in.args[1]].kind == LocKind::kConst ? 0xff : value.n;
  sp.dest_reg = d.n;
  sp.size_index = u8(si);
  sp.guest_pc = guest_pc_;
  sp.addr_const = cval_[in.args[0]];
  sp.value_const = is_store ? cval_[in.args[1]] : 0;
  sp.npending = 0;
  for (u32 m = pending_mask_; m; m &= m - 1) {
    const u8 f = u8(__builtin_ctz(m));
    const Value v = pending_flag_[f];
    sp.pending_flag[sp.npending] = f;
    sp.pending_loc[sp.npending] = loc_[v];
    sp.pending_const[sp.npending] = cval_[v];
    ++sp.npending;
  }
  if (extra1 >= 0) free_temp(extra1);
  if (extra2 >= 0) free_temp(extra2);
}

void Lowering::save_pinned(int count) {
  for (int r = 0; r < count; ++r) as_.emit(Op::ST_D, guest_gpr(r), kEnv, i32(guest_reg_offset(u8(r))));
}
void Lowering::restore_pinned(int count) {
  for (int r = 0; r < count; ++r) as_.emit(Op::LD_D, guest_gpr(r), kEnv, i32(guest_reg_offset(u8(r))));
}
void Lowering::save_temps(u32 mask) {
  int slot = 0;
  for (u8 r : kTempRegs) {
    if (mask & (1u << r)) as_.emit(Op::ST_D, Gpr{r}, kSp, kFrameSpillOffset + 8 * slot);
    ++slot;
  }
}
void Lowering::restore_temps(u32 mask) {
  int slot = 0;
  for (u8 r : kTempRegs) {
    if (mask & (1u << r)) as_.emit(Op::LD_D, Gpr{r}, kSp, kFrameSpillOffset + 8 * slot);
    ++slot;
  }
}

// Each miss site only stages its operands in the stub registers ($r21 address, $s7 value) and
// calls the shared stub (which passes its return address, a host PC the PC map resolves), which saves every register a C call can clobber,
// calls slow_load/slow_store, and on a fault leaves through the trampoline itself.
void Lowering::emit_slow_paths() {
  for (int n = 0; n < nslow_; ++n) {
    SlowPath& sp = slow_[n];
    as_.patch_forward(sp.entry_branch, as_.size(), Op::BNE, 2);
    note_guest_pc(sp.guest_pc);
    for (int k = 0; k < sp.npending; ++k) {
      const Loc& l = sp.pending_loc[k];
      Gpr x = Gpr{l.reg};
      if (l.kind == LocKind::kConst) {
        x = sp.pending_const[k] ? kScratch3 : kZero;
        if (sp.pending_const[k]) as_.li(kScratch3, sp.pending_const[k]);
      } else if (l.kind == LocKind::kSpilled) {
        as_.emit(Op::LD_D, kScratch3, kSp, kFrameValueSpillOffset + 8 * l.reg);
        x = kScratch3;
      }
      as_.emit(Op::ST_B, x, kEnv, i32(guest_flag_offset(sp.pending_flag[k])));
    }
    if (sp.addr_reg == 0xff) as_.li(kScratch0, sp.addr_const);
    else as_.move(kScratch0, Gpr{sp.addr_reg});
    if (sp.is_store) {
      if (sp.value_reg == 0xff) as_.li(kScratch1, sp.value_const);
      else as_.move(kScratch1, Gpr{sp.value_reg});
    }
    u64 stub = sp.is_store ? t_.store_stub[sp.size_index] : t_.load_stub[sp.size_index];
    as_.emit(Op::BL, i64(stub) - i64(base_ + as_.size() * 4));
    if (!sp.is_store) as_.move(Gpr{sp.dest_reg}, kScratch1);
    as_.branch(Op::B, sp.resume);
  }
}

// Helper call: the helper sees the complete guest state (all pinned registers and RIP are
// written back first, and reloaded after, since a helper may change them).
void Lowering::lower_call(int i) {
  const ir::Inst& in = b_[i];
  static constexpr Gpr kStage[3] = {kScratch0, kScratch1, kScratch2};
  // Under LBT the helper sees (and may change) the flags through CpuState's flag bytes.
  if (t_.lbt) emit_eflags_to_state(as_, kEnv, kScratch0, kScratch1);
  for (int a = 0; a < in.num_args; ++a) {
    Value v = in.args[a];
    if (loc_[v].kind == LocKind::kConst) as_.li(kStage[a], cval_[v]);
    else as_.move(kStage[a], reg(v, kStage[a]));
  }
  int dest = -1;
  if (in.type != Type::kVoid) {
    if (!alloc_dest(i)) return;
    dest = loc_[i].reg;
  }
  u32 live = live_temps_after(i, u8(dest < 0 ? 0xff : dest));
  save_pinned(16);
  save_temps(live);
  for (int a = 0; a < in.num_args; ++a) as_.move(Gpr{u8(5 + a)}, kStage[a]);
  as_.li(kScratch0, guest_pc_);
  as_.emit(Op::ST_D, kScratch0, kEnv, kRipOffset);
  as_.move(kA0, kEnv);
  u64 fn = in.imm < 8 ? t_.helpers[in.imm] : 0;
  if (!fn) { fail(CodegenStatus::kInternal, "call to an unknown helper"); return; }
  as_.li(kScratch0, fn);
  as_.emit(Op::JIRL, kRa, kScratch0, 0);
  as_.move(kScratch1, kA0);
  restore_temps(live);
  restore_pinned(16);
  // Reloaded before any exit below: the exit path writes eflags back to the flag bytes.
  if (t_.lbt) emit_state_to_eflags(as_, kEnv, kScratch0, kScratch2);
  // A helper may end the block: a fault it recorded (rep string) or a pending exception
  // (#DE, #GP). RIP already holds this instruction's address.
  as_.emit(Op::LD_BU, kScratch0, kEnv, kFaultFlagOffset);
  as_.branch(Op::BNEZ, helper_fault_exit_, kScratch0);
  as_.emit(Op::LD_WU, kScratch0, kEnv, i32(engine::kExitReasonOffset));
  as_.emit(Op::ANDI, kScratch0, kScratch0, ir::kExitPending);
  as_.branch(Op::BNEZ, helper_pending_exit_, kScratch0);
  has_helper_exits_ = true;
  if (dest >= 0) as_.move(Gpr{u8(dest)}, kScratch1);
}

// Every block starts by checking the instruction budget (and, when counting, charging its
// own instructions): a negative budget sends the vCPU back to the engine before the block runs.
void Lowering::emit_prologue() {
  as_.emit(Op::LD_D, kScratch0, kEnv, kBudgetOffset);
  if (t_.count_insns) {
    as_.emit(Op::ADDI_D, kScratch0, kScratch0, -i64(b_.guest_insns));
    as_.emit(Op::ST_D, kScratch0, kEnv, kBudgetOffset);
  }
  budget_branch_ = as_.branch_forward(Op::BLT, kScratch0, kZero);  // to the budget exit (lower_terminator)
}

// A direct exit starts with a branch slot that first just falls through to the exit code; the
// engine later patches it into a branch to the target block's code (chaining). The exit code
// records the slot's address so the engine knows what to patch.
void Lowering::emit_exit_to(u64 guest_pc) {
  const int slot = int(as_.size());
  as_.emit(Op::B, 4);  // the chain slot
  emit_exit_code(slot, guest_pc);
}

// The unchained path of the chain slot at word `slot`: record the slot, set RIP, leave.
void Lowering::emit_exit_code(int slot, u64 guest_pc) {
  as_.emit(Op::PCADDI, kScratch0, slot - int(as_.size()));  // = address of the slot
  as_.emit(Op::ST_D, kScratch0, kEnv, kChainSlotOffset);
  as_.li(kScratch0, guest_pc);
  as_.emit(Op::ST_D, kScratch0, kEnv, kRipOffset);
  as_.move(kA0, kZero);
  branch_to_address(t_.exit_stub);
}

// Indirect jumps and calls (and rets the return prediction missed): look the target up in the
// vCPU's jump cache and go straight to its code on a hit; a miss returns to the engine with RIP
// set. A call (return_pc != 0) enters the target with `jirl $ra` and continues, when the callee
// returns, at a chain slot to the return address (see lower_calls.cpp).
void Lowering::emit_indirect_exit(Value target, u64 return_pc) {
  Gpr x = reg(target, kScratch1);
  if (return_pc) emit_push_prediction(return_pc, 9);  // continuation: after the 7-word lookup below
  usize return_branch = 0;
  as_.emit(Op::LD_D, kScratch0, kEnv, kJumpCachePtrOffset);
  as_.emit(Op::BSTRPICK_D, kScratch2, x, engine::kJumpCacheBits - 1, 0);
  as_.emit(Op::ALSL_D, kScratch0, kScratch2, kScratch0, 4);
  as_.emit(Op::LD_D, kScratch2, kScratch0, 0);
  // A miss skips the hit path (ld.d, jirl, and for a call its continuation slot): a fixed
  // distance, so no label.
  as_.emit(Op::BNE, kScratch2, x, (return_pc ? 4 : 3) * 4);
  as_.emit(Op::LD_D, kScratch0, kScratch0, 8);
  as_.emit(Op::JIRL, return_pc ? kRa : kZero, kScratch0, 0);
  const int slot = int(as_.size());
  if (return_pc) return_branch = as_.branch_forward(Op::B);  // the continuation: a chain slot to the return address
  as_.emit(Op::ST_D, x, kEnv, kRipOffset);
  as_.move(kA0, kZero);
  branch_to_address(t_.exit_stub);
  if (return_pc) {
    as_.patch_forward(return_branch, as_.size(), Op::B, 0);
    emit_exit_code(slot, return_pc);
  }
}

// A forward branch (Assembler::branch_forward) taken if the fused compare holds; its op is
// Op::kCount if none was emitted. Operands are zero-extended; signed compares of narrow values
// sign-extend them first.
ForwardBranch Lowering::emit_fused_branch() {
  const ir::Inst& c = b_[fused_];
  Gpr a = reg(c.args[0], kScratch1);
  Gpr bb = reg(c.args[1], kScratch2);
  const int w = ir::bit_width(b_[c.args[0]].type);
  if ((c.op == IrOp::Slt || c.op == IrOp::Sle) && w < 64) {
    sign_extend(kScratch1, a, w);
    sign_extend(kScratch2, bb, w);
    a = kScratch1;
    bb = kScratch2;
  }
  switch (c.op) {
    case IrOp::Eq: return ForwardBranch{as_.branch_forward(Op::BEQ, a, bb), Op::BEQ, 2};
    case IrOp::Ne: return ForwardBranch{as_.branch_forward(Op::BNE, a, bb), Op::BNE, 2};
    case IrOp::Ult: return ForwardBranch{as_.branch_forward(Op::BLTU, a, bb), Op::BLTU, 2};
    case IrOp::Ule: return ForwardBranch{as_.branch_forward(Op::BGEU, bb, a), Op::BGEU, 2};
    case IrOp::Slt: return ForwardBranch{as_.branch_forward(Op::BLT, a, bb), Op::BLT, 2};
    case IrOp::Sle: return ForwardBranch{as_.branch_forward(Op::BGE, bb, a), Op::BGE, 2};
    default:
      fail(CodegenStatus::kInternal, "fused branch on a non-compare");
      return ForwardBranch{0, Op::kCount, 0};
  }
}

void Lowering::lower_terminator() {
  const ir::Terminator& t = b_.term;
  switch (t.kind) {
    case ir::TermKind::kJump:
      if (t.return_pc) emit_call_exit(t.target, t.return_pc);
      else emit_exit_to(t.target);
      break;
    case ir::TermKind::kBranch: {
      if (loc_[t.cond].kind == LocKind::kConst) {
        emit_exit_to((cval_[t.cond] & 1) ? t.target : t.fallthrough);
        break;
      }
      ForwardBranch taken;
      if (t.cond == fused_) taken = emit_fused_branch();
      else taken = ForwardBranch{as_.branch_forward(Op::BNEZ, reg(t.cond, kScratch0)), Op::BNEZ, 1};
      emit_exit_to(t.fallthrough);
      if (taken.op != Op::kCount) as_.patch_forward(taken.at, as_.size(), taken.op, taken.regs);
      emit_exit_to(t.target);
      break;
    }
    case ir::TermKind::kJumpIndirect:
      if (t.is_return) emit_return_exit(t.cond);
      else emit_indirect_exit(t.cond, t.return_pc);
      break;
    case ir::TermKind::kExit:
    case ir::TermKind::kNone:
      as_.li(kScratch0, t.target);
      as_.emit(Op::ST_D, kScratch0, kEnv, kRipOffset);
      as_.li(kScratch0, u64(t.reason));
      as_.emit(Op::ST_W, kScratch0, kEnv, i32(engine::kExitReasonOffset));
      as_.li(kA0, u64(engine::BlockExit::kExitReason));
      branch_to_address(t_.exit_stub);
      break;
  }
  // Out of line: the budget check's exit (RIP = this block, nothing of it has run).
  inline_words_ = as_.size();
  as_.patch_forward(budget_branch_, as_.size(), Op::BLT, 2);
  as_.li(kScratch0, b_.guest_pc);
  as_.emit(Op::ST_D, kScratch0, kEnv, kRipOffset);
  as_.move(kA0, kZero);
  branch_to_address(t_.exit_stub);
  if (has_helper_exits_) {
    as_.bind(helper_fault_exit_);
    as_.li(kA0, u64(engine::BlockExit::kMemFault));
    branch_to_address(t_.exit_stub);
    as_.bind(helper_pending_exit_);
    as_.li(kA0, u64(engine::BlockExit::kExitReason));
    branch_to_address(t_.exit_stub);
  }
}

}  // namespace detail

using detail::Lowering;

bool pc_map_lookup(const u32* code, usize code_words, u64 block_guest_pc, u64 host_pc, u64* guest_pc) {
  const u64 start = u64(reinterpret_cast<uintptr_t>(code));
  if (host_pc < start || host_pc >= start + code_words * 4) return false;
  const u32 offset = u32((host_pc - start) / 4);
  const u32* map = code + code_words;
  const u32 n = map[0];
  // The region holding `offset` is the last one starting at or before it.
  int found = -1;
  for (u32 k = 0; k < n && (map[1 + k] & 0xffff) <= offset; ++k) found = int(k);
  if (found < 0) return false;
  *guest_pc = block_guest_pc + (map[1 + found] >> 16);
  return true;
}

CodegenResult generate(const ir::Block& block, const CodegenTargets& targets, u64 base, u32* out, usize capacity) {
  // The lowering state is large (per-value tables): kept out of the stack. One translation
  // runs at a time per BMBT instance.
  alignas(Lowering) static unsigned char storage[sizeof(Lowering)];
  Lowering* l = new (storage) Lowering(block, targets, base, out, capacity);
  return l->run();
}

}  // namespace bmbt::la64
