// Constant and copy propagation: pure ops whose operands are constants become constants
// (evaluated with the interpreter's own semantics, eval_pure), a pure op identical to an earlier
// one is replaced by it (common subexpressions such as the two truncations of `xor eax, eax`),
// and ops that return one of their operands unchanged (x+0, x|0, x^0, x&~0, shifts by 0,
// select on a constant) are replaced by that operand at every use. x^x and x-x become 0.
//
// The same forward walk also does forward_state's work (both only look at earlier instructions
// and rename operands), so that run_default_passes walks the block once for the two passes.
#include "ir/guest_state.h"
#include "ir/passes/op_tables.h"
#include "ir/passes/passes.h"
#include "ir/semantics.h"

namespace bmbt::ir {

namespace {

// What the walk does with an instruction, per op. A pass the walk does not run sees its ops as
// kNothing. The ops compare fusion rewrites (simplify_conditions.cpp) are also listed, so that
// it need not scan the block.
enum class Step : u8 { kNothing, kFold, kFoldCondition, kNoteCondition, kGetReg, kSetReg, kGetFlag, kSetFlag, kForgetState };

constexpr bool is_condition(Op op) { return op == Op::Eq || op == Op::Ne || op == Op::Xor || op == Op::Or; }

constexpr Step step_for(Op op, bool forward, bool fold) {
  if (is_condition(op)) return fold ? Step::kFoldCondition : Step::kNoteCondition;
  if (fold && kOpEffect[usize(op)] == Effect::kPure && op != Op::Const) return Step::kFold;
  if (!forward) return Step::kNothing;
  switch (op) {
    case Op::GetReg: return Step::kGetReg;
    case Op::SetReg: return Step::kSetReg;
    case Op::GetFlag: return Step::kGetFlag;
    case Op::SetFlag: case Op::SetFlagOnFault: return Step::kSetFlag;
    case Op::Call: return Step::kForgetState;  // helpers may read and change any guest state
    default: return Step::kNothing;
  }
}

bool is_const(const Block& b, Value v) { return b[v].op == Op::Const; }
bool const_is(const Block& b, Value v, u64 value) { return is_const(b, v) && b[v].imm == value; }

void make_const(Inst& in, u64 value) {
  in.op = Op::Const;
  in.num_args = 0;
  in.args[0] = in.args[1] = in.args[2] = kNoValue;
  in.imm = value & type_mask(in.type);
}

// The operand an identity op returns, or kNoValue. `op` is in.op, known where this is expanded.
__attribute__((always_inline)) inline Value identity_operand(const Block& b, const Inst& in, Op op) {
  const Value x = in.args[0], y = in.args[1];
  switch (op) {
    case Op::Add: case Op::Or: case Op::Xor:
      if (const_is(b, y, 0)) return x;
      if (op != Op::Xor && const_is(b, x, 0)) return y;
      return kNoValue;
    case Op::Sub: case Op::Shl: case Op::Lshr: case Op::Ashr:
      return const_is(b, y, 0) ? x : kNoValue;
    case Op::And:
      if (const_is(b, y, type_mask(in.type))) return x;
      if (const_is(b, x, type_mask(in.type))) return y;
      return kNoValue;
    case Op::Mul:
      return const_is(b, y, 1) ? x : kNoValue;
    case Op::Select:
      if (is_const(b, x)) return (b[x].imm & 1) ? in.args[1] : in.args[2];
      return in.args[1] == in.args[2] ? in.args[1] : kNoValue;
    default:
      return kNoValue;
  }
}
// The ops identity_operand may return an operand for.
constexpr bool has_identity(Op op) {
  switch (op) {
    case Op::Add: case Op::Or: case Op::Xor: case Op::Sub: case Op::Shl: case Op::Lshr: case Op::Ashr:
    case Op::And: case Op::Mul: case Op::Select:
      return true;
    default:
      return false;
  }
}

// Open-addressing table of pure instructions already seen in the block. The result of a lookup
// does not depend on the hash: an instruction is only added when no equal one is there, and
// entries do not change afterwards (fold_one makes constants before the lookup, never after).
class SeenTable {
 public:
  static constexpr u32 kMaxSlots = 8192;  // > 2 x Block::kMaxInsts: probing always ends
  // Sized to the block (a power of two at least twice its size): clearing a table much larger
  // than a typical block would cost more than the lookups.
  explicit SeenTable(const Block& b) : b_(b) {
    while (slots_ < kMaxSlots && slots_ < 2 * u32(b.size())) {
      slots_ *= 2;
      --shift_;
    }
    clear();
  }
  // An earlier instruction identical to `in` = b[i], or kNoValue (then b[i] is remembered).
  __attribute__((always_inline)) Value find_or_add(const Inst& in, int i) {
    // One multiplication mixes the fields into the top bits, which pick the slot. The first
    // eight bytes are op, type, operand count, a padding byte and the first two operands; the
    // count (fixed by the op for every op looked up: not Call) and the padding make way for the
    // third operand. The immediate is left out: only Const has one among pure ops, and Const is
    // never looked up.
    static_assert(__builtin_offsetof(Inst, args) == 4 && sizeof(Value) == 2, "fields of one word");
    u64 head;
    __builtin_memcpy(&head, &in, 8);
    const u64 key = (head & ~(u64(0xffff) << 16)) | u64(in.args[2]) << 16;
    for (u32 k = u32((key * 0x9e3779b97f4a7c15ull) >> shift_);; k = (k + 1) & (slots_ - 1)) {
      const Value v = slot_[k];
      if (v == kNoValue) {
        slot_[k] = Value(i);
        return kNoValue;
      }
      const Inst& o = b_[v];
      if (o.op == in.op && o.type == in.type && o.imm == in.imm && o.num_args == in.num_args &&
          o.args[0] == in.args[0] && o.args[1] == in.args[1] && o.args[2] == in.args[2])
        return v;
    }
  }

 private:
  // 32 bytes per step in a loop of its own: libc's memset clears big tables with `rep stosb`,
  // which callgrind counts once per byte (interp's blocks need 4,096 slots).
  void clear() {
    static_assert(sizeof(Value) == 2 && kNoValue == 0xffff, "all bits set");
    static_assert(kMaxSlots % 16 == 0, "whole steps");
    u64* words = reinterpret_cast<u64*>(slot_);
    u64* const end = words + slots_ / 4;
    for (; words < end; words += 4) {
      words[0] = words[1] = words[2] = words[3] = ~u64(0);
      asm("" : "+r"(words));  // keeps the loop a loop (gcc would turn it into a memset call)
    }
  }

  const Block& b_;
  u32 slots_ = 64;
  u32 shift_ = 64 - 6;  // 64 - log2(slots_)
  alignas(16) Value slot_[kMaxSlots];
};

// Known current value of each guest register and flag while walking the block.
struct Known {
  Value reg[kGuestRegCount];
  Value flag[kFlagCount];
  void forget() {
    for (Value& v : reg) v = kNoValue;
    for (Value& v : flag) v = kNoValue;
  }
};

// Redundant state reads: a get after a set (or an earlier get) of the same register or flag
// takes the known value. Returns the value that replaces the read at its uses.
Value forward_read(Value& known, int i, int& forwarded) {
  if (known == kNoValue) {
    known = Value(i);
    return Value(i);
  }
  ++forwarded;
  return known;
}

// Everything the walk carries from one instruction to the next.
struct Walk {
  Block& b;
  Value* remap;  // what each earlier value became
  Known& known;
  SeenTable& seen;
  ConditionList& conditions;
  ForwardStats stats;
};

// Renames the operands of an instruction of op kOp: the count is the op's own, so the renaming
// is a fixed sequence of loads and stores (a Call's count varies: checked).
template <Op kOp>
__attribute__((always_inline)) inline void rename_args(Inst& in, const Value* remap) {
  constexpr int n = kOpArgCount[usize(kOp)];
  if constexpr (kOp == Op::Call) {
    const int count = in.num_args;
    if (count > 0) in.args[0] = remap[in.args[0]];
    if (count > 1) in.args[1] = remap[in.args[1]];
    if (count > 2) in.args[2] = remap[in.args[2]];
  } else {
    if constexpr (n > 0) in.args[0] = remap[in.args[0]];
    if constexpr (n > 1) in.args[1] = remap[in.args[1]];
    if constexpr (n > 2) in.args[2] = remap[in.args[2]];
  }
}

template <int kArgs>
__attribute__((always_inline)) inline bool all_args_const(const Block& b, const Inst& in) {
  static_assert(kArgs > 0, "only Const has no operands");
  if (!is_const(b, in.args[0])) return false;
  if constexpr (kArgs > 1) if (!is_const(b, in.args[1])) return false;
  if constexpr (kArgs > 2) if (!is_const(b, in.args[2])) return false;
  return true;
}

// Folds b[i], a pure op kOp other than Const whose operands are already renamed. Returns the
// value that replaces b[i] at its uses (i itself when it stays, possibly rewritten into a
// constant). Constant operands and x^x, x-x are folded before the common-subexpression lookup
// and never added to it: an earlier identical instruction had the same operands and was folded
// the same way, so the lookup (which never matches a constant) could not find anything for
// them. Identities come after the lookup: an earlier identical x+0 was replaced at its uses but
// not rewritten, and the lookup finds it (and the result is that x+0, not x).
template <Op kOp>
__attribute__((always_inline)) inline Value fold_one(Walk& w, Inst& in, int i) {
  constexpr int n = kOpArgCount[usize(kOp)];
  Block& b = w.b;
  if (all_args_const<n>(b, in)) {
    const Type arg_type = kOp == Op::Select ? in.type : b[in.args[0]].type;
    u64 v[3] = {};
    for (int a = 0; a < n; ++a) v[a] = b[in.args[a]].imm;
    make_const(in, eval_pure(kOp, in.type, arg_type, v[0], v[1], v[2]));
    ++w.stats.folded;
    return Value(i);
  }
  if constexpr (kOp == Op::Xor || kOp == Op::Sub) {
    if (in.args[0] == in.args[1]) {
      make_const(in, 0);
      ++w.stats.folded;
      return Value(i);
    }
  }
  const Value earlier = w.seen.find_or_add(in, i);
  if (earlier != kNoValue) {
    ++w.stats.folded;
    return earlier;
  }
  if constexpr (has_identity(kOp)) {
    const Value same = identity_operand(b, in, kOp);
    if (same != kNoValue && b[same].type == in.type) {
      ++w.stats.folded;
      return same;
    }
  }
  return Value(i);
}

// One instruction of op kOp: renames its operands (once an earlier value was replaced) and
// returns the value that replaces it at its uses.
template <Op kOp, bool kForward, bool kFold, bool kRename>
__attribute__((always_inline)) inline Value visit(Walk& w, Inst& in, int i) {
  if constexpr (kRename) rename_args<kOp>(in, w.remap);
  constexpr Step step = step_for(kOp, kForward, kFold);
  if constexpr (step == Step::kFold) {
    return fold_one<kOp>(w, in, i);
  } else if constexpr (step == Step::kFoldCondition) {
    const Value replacement = fold_one<kOp>(w, in, i);
    w.conditions.at[w.conditions.count++] = Value(i);
    return replacement;
  } else if constexpr (step == Step::kNoteCondition) {
    w.conditions.at[w.conditions.count++] = Value(i);
  } else if constexpr (step == Step::kGetReg) {
    return forward_read(w.known.reg[in.imm], i, w.stats.forwarded_reads);
  } else if constexpr (step == Step::kSetReg) {
    w.known.reg[in.imm] = in.args[0];
  } else if constexpr (step == Step::kGetFlag) {
    return forward_read(w.known.flag[in.imm], i, w.stats.forwarded_reads);
  } else if constexpr (step == Step::kSetFlag) {
    w.known.flag[in.imm] = in.args[0];
  } else if constexpr (step == Step::kForgetState) {
    w.known.forget();
  }
  return Value(i);
}

// Visits instructions from i on, each with the code of its op (fixed operand count, its step
// known), until the end of the block or, without renaming (kRename false), until the first
// instruction that another value replaces. Returns the index after the last one visited, or
// for the walk without renaming -1 when it replaced nothing.
// Dispatch through a table of label addresses: one load and one jump per instruction (a switch
// adds a range check and a relative offset).
template <bool kForward, bool kFold, bool kRename>
int visit_from(Walk& walk, int i, int size) {
  Walk w = walk;  // a local copy, kept in registers (a function with a computed goto is never inlined)
  static const void* const kCase[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) &&case_##name,
#include "ir/opcodes.inc"
#undef IR_OP
  };
  static_assert(sizeof(kCase) / sizeof(kCase[0]) == usize(Op::kCount), "op table");
  if (i == size) return kRename ? i : -1;
  // A pointer to the instruction rather than its index: one step per instruction.
  Inst* in = &w.b[i];
  Inst* const end = &w.b[0] + size;
  Value replacement;
  goto *kCase[usize(in->op)];
#define IR_OP(name, text, args, result, imm, effect, flags)              \
  case_##name:                                                          \
    replacement = visit<Op::name, kForward, kFold, kRename>(w, *in, i);  \
    if (ResultRule::result == ResultRule::kVoid) goto next_void;        \
    goto next;
#include "ir/opcodes.inc"
#undef IR_OP
next:
  w.remap[i] = replacement;
next_void:  // no remap entry: nothing uses the instruction (it has no value, nor a replacement)
  ++i;
  ++in;
  if (!kRename && replacement != Value(i - 1)) {
    walk.stats = w.stats;
    return i;
  }
  if (in == end) {
    walk.stats = w.stats;
    return kRename ? i : -1;
  }
  goto *kCase[usize(in->op)];
}

template <bool kForward, bool kFold>
ForwardStats forward_walk(Block& b, ConditionList& conditions) {
  Value remap[Block::kMaxInsts];
  Known known;
  known.forget();
  SeenTable seen(b);
  Walk w{b, remap, known, seen, conditions, {}};
  const int size = b.size();
  // Until the first instruction is replaced by another value, every remap entry is the identity
  // and operands need no renaming: two walks, so that neither tests for it per instruction.
  const int i = visit_from<kForward, kFold, false>(w, 0, size);
  if (i < 0) return w.stats;
  visit_from<kForward, kFold, true>(w, i, size);
  if (b.term.cond != kNoValue) b.term.cond = remap[b.term.cond];
  return w.stats;
}

}  // namespace

ForwardStats forward_and_fold(Block& b, bool forward, bool fold, ConditionList* conditions) {
  ConditionList unused;
  ConditionList& list = conditions ? *conditions : unused;
  list.count = 0;
  if (!fold) return forward_walk<true, false>(b, list);
  return forward ? forward_walk<true, true>(b, list) : forward_walk<false, true>(b, list);
}

int fold_constants(Block& b) { return forward_and_fold(b, false, true).folded; }

}  // namespace bmbt::ir
