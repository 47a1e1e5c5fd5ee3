// Constant and copy propagation: pure ops whose operands are constants become constants
// (evaluated with the interpreter's own semantics, eval_pure), a pure op identical to an earlier
// one is replaced by it (common subexpressions such as the two truncations of `xor eax, eax`),
// and ops that return one of their operands unchanged (x+0, x|0, x^0, x&~0, shifts by 0,
// select on a constant) are replaced by that operand at every use. x^x and x-x become 0.
//
// The same forward walk also does forward_state's work (both only look at earlier instructions
// and rename operands), so that run_default_passes walks the block once for the two passes.
#include "ir/guest_state.h"
#include "ir/passes/passes.h"
#include "ir/semantics.h"

namespace bmbt::ir {

namespace {

// What the walk does with an instruction, per op: one table lookup and one switch per
// instruction. A pass the walk does not run sees its ops as kNothing. The ops compare fusion
// rewrites (simplify_conditions.cpp) are also listed, so that it need not scan the block.
enum class Step : u8 { kNothing, kFold, kFoldCondition, kNoteCondition, kGetReg, kSetReg, kGetFlag, kSetFlag, kForgetState };

constexpr Effect kEffect[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) Effect::effect,
#include "ir/opcodes.inc"
#undef IR_OP
};
static_assert(sizeof(kEffect) / sizeof(kEffect[0]) == usize(Op::kCount), "op table");

constexpr bool is_condition(Op op) { return op == Op::Eq || op == Op::Ne || op == Op::Xor || op == Op::Or; }

constexpr Step step_for(Op op, bool forward, bool fold) {
  if (is_condition(op)) return fold ? Step::kFoldCondition : Step::kNoteCondition;
  if (fold && kEffect[usize(op)] == Effect::kPure && op != Op::Const) return Step::kFold;
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

struct StepTable {
  Step step[usize(Op::kCount)];
};
constexpr StepTable make_steps(bool forward, bool fold) {
  StepTable t{};
  for (usize op = 0; op < usize(Op::kCount); ++op) t.step[op] = step_for(Op(op), forward, fold);
  return t;
}
constexpr StepTable kForwardSteps = make_steps(true, false);
constexpr StepTable kFoldSteps = make_steps(false, true);
constexpr StepTable kForwardAndFoldSteps = make_steps(true, true);

bool is_const(const Block& b, Value v) { return b[v].op == Op::Const; }
bool const_is(const Block& b, Value v, u64 value) { return is_const(b, v) && b[v].imm == value; }

void make_const(Inst& in, u64 value) {
  in.op = Op::Const;
  in.num_args = 0;
  in.args[0] = in.args[1] = in.args[2] = kNoValue;
  in.imm = value & type_mask(in.type);
}

// The operand an identity op returns, or kNoValue.
Value identity_operand(const Block& b, const Inst& in) {
  const Value x = in.args[0], y = in.num_args > 1 ? in.args[1] : kNoValue;
  switch (in.op) {
    case Op::Add: case Op::Or: case Op::Xor:
      if (const_is(b, y, 0)) return x;
      if (in.op != Op::Xor && const_is(b, x, 0)) return y;
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

// Open-addressing table of pure instructions already seen in the block. The result of a lookup
// does not depend on the hash: an instruction is only added when no equal one is there, and an
// entry changes afterwards only into a constant, which lookups never look for.
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
    for (u32 k = 0; k < slots_; ++k) slot_[k] = kNoValue;
  }
  // An earlier instruction identical to b[i], or kNoValue (then b[i] is remembered).
  Value find_or_add(int i) {
    const Inst& in = b_[i];
    // Multiplications mix the fields into the top bits, which pick the slot. The first eight
    // bytes (op, type, operand count, a padding byte, the first two operands) are read as one
    // word, the padding masked off. The immediate is left out: only Const has one among pure
    // ops, and Const is never looked up.
    static_assert(__builtin_offsetof(Inst, args) == 4 && sizeof(Value) == 2, "fields of one word");
    u64 head;
    __builtin_memcpy(&head, &in, 8);
    head &= ~(u64(0xff) << 24);
    const u64 h = head * 0x9e3779b97f4a7c15ull + u64(in.args[2]) * 0xc2b2ae3d27d4eb4full;
    for (u32 k = u32(h >> shift_);; k = (k + 1) & (slots_ - 1)) {
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
  const Block& b_;
  u32 slots_ = 64;
  u32 shift_ = 64 - 6;  // 64 - log2(slots_)
  Value slot_[kMaxSlots];
};

// Folds b[i], a pure op other than Const whose operands are already renamed. Returns the value
// that replaces b[i] at its uses (i itself when it stays, possibly rewritten into a constant).
Value fold_one(Block& b, SeenTable& seen, int i, int& changed) {
  Inst& in = b[i];
  const Value earlier = seen.find_or_add(i);
  if (earlier != kNoValue) {
    ++changed;
    return earlier;
  }
  bool all_const = in.num_args > 0;
  for (int a = 0; a < in.num_args; ++a) all_const &= is_const(b, in.args[a]);
  if (all_const) {
    const Type arg_type = in.op == Op::Select ? in.type : b[in.args[0]].type;
    u64 v[3] = {};
    for (int a = 0; a < in.num_args; ++a) v[a] = b[in.args[a]].imm;
    make_const(in, eval_pure(in.op, in.type, arg_type, v[0], v[1], v[2]));
    ++changed;
    return Value(i);
  }
  if ((in.op == Op::Xor || in.op == Op::Sub) && in.args[0] == in.args[1]) {
    make_const(in, 0);
    ++changed;
    return Value(i);
  }
  const Value same = identity_operand(b, in);
  if (same != kNoValue && b[same].type == in.type) {
    ++changed;
    return same;
  }
  return Value(i);
}

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

// Renames the operands of `in` (at most three: unrolled, this runs for every instruction).
void rename_args(Inst& in, const Value* remap) {
  const int n = in.num_args;
  if (n == 0) return;
  in.args[0] = remap[in.args[0]];
  if (n == 1) return;
  in.args[1] = remap[in.args[1]];
  if (n == 2) return;
  in.args[2] = remap[in.args[2]];
}

ForwardStats forward_walk(Block& b, const StepTable& steps, ConditionList& conditions) {
  ForwardStats stats;
  Value remap[Block::kMaxInsts];
  Known known;
  known.forget();
  SeenTable seen(b);
  // Until the first instruction is replaced by another value, every remap entry is the identity
  // and operands need no renaming.
  bool renamed = false;
  const int size = b.size();
  for (int i = 0; i < size; ++i) {
    Inst& in = b[i];
    if (renamed) rename_args(in, remap);
    Value replacement = Value(i);
    const Step step = steps.step[usize(in.op)];
    switch (step) {
      case Step::kNothing: break;
      case Step::kFold:
      case Step::kFoldCondition:
        replacement = fold_one(b, seen, i, stats.folded);
        if (step == Step::kFoldCondition) conditions.at[conditions.count++] = Value(i);
        break;
      case Step::kNoteCondition: conditions.at[conditions.count++] = Value(i); break;
      case Step::kGetReg: replacement = forward_read(known.reg[in.imm], i, stats.forwarded_reads); break;
      case Step::kSetReg: known.reg[in.imm] = in.args[0]; break;
      case Step::kGetFlag: replacement = forward_read(known.flag[in.imm], i, stats.forwarded_reads); break;
      case Step::kSetFlag: known.flag[in.imm] = in.args[0]; break;
      case Step::kForgetState: known.forget(); break;
      default: __builtin_unreachable();
    }
    remap[i] = replacement;
    renamed |= replacement != Value(i);
  }
  if (renamed && b.term.cond != kNoValue) b.term.cond = remap[b.term.cond];
  return stats;
}

}  // namespace

ForwardStats forward_and_fold(Block& b, bool forward, bool fold, ConditionList* conditions) {
  ConditionList unused;
  ConditionList& list = conditions ? *conditions : unused;
  list.count = 0;
  if (!fold) return forward_walk(b, kForwardSteps, list);
  return forward_walk(b, forward ? kForwardAndFoldSteps : kFoldSteps, list);
}

int fold_constants(Block& b) { return forward_and_fold(b, false, true).folded; }

}  // namespace bmbt::ir
