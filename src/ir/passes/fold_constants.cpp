// Constant and copy propagation: pure ops whose operands are constants become constants
// (evaluated with the interpreter's own semantics, eval_pure), a pure op identical to an earlier
// one is replaced by it (common subexpressions such as the two truncations of `xor eax, eax`),
// and ops that return one of their operands unchanged (x+0, x|0, x^0, x&~0, shifts by 0,
// select on a constant) are replaced by that operand at every use. x^x and x-x become 0.
#include "ir/passes/passes.h"
#include "ir/semantics.h"

namespace bmbt::ir {

namespace {

// Pure ops other than Const, the only ones folding looks at, read from the op table itself:
// a lookup here instead of a call to op_info() per instruction.
constexpr bool kFoldable[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) Effect::effect == Effect::kPure && Op::name != Op::Const,
#include "ir/opcodes.inc"
#undef IR_OP
};
static_assert(sizeof(kFoldable) / sizeof(kFoldable[0]) == usize(Op::kCount), "op table");

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

// Open-addressing table of pure instructions already seen in the block.
class SeenTable {
 public:
  static constexpr u32 kMaxSlots = 8192;  // > 2 x Block::kMaxInsts: probing always ends
  // Sized to the block (a power of two at least twice its size): clearing a table much larger
  // than a typical block would cost more than the lookups.
  explicit SeenTable(const Block& b) : b_(b) {
    while (slots_ < kMaxSlots && slots_ < 2 * u32(b.size())) slots_ *= 2;
    for (u32 k = 0; k < slots_; ++k) slot_[k] = kNoValue;
  }
  // An earlier instruction identical to b[i], or kNoValue (then b[i] is remembered).
  Value find_or_add(int i) {
    const Inst& in = b_[i];
    u64 h = u64(in.op) * 0x9e3779b97f4a7c15ull ^ u64(in.type) << 8 ^ in.imm * 0x100000001b3ull;
    for (int a = 0; a < in.num_args; ++a) h = (h ^ in.args[a]) * 0x100000001b3ull;
    // Final mix: the multiplications above move operand bits only upwards, so instructions that
    // differ in operands alone would cluster in the middle bits and make long probe runs.
    h ^= h >> 32;
    h *= 0x9e3779b97f4a7c15ull;
    for (u32 k = u32(h >> 40) & (slots_ - 1), n = 0; n < slots_; k = (k + 1) & (slots_ - 1), ++n) {
      Value v = slot_[k];
      if (v == kNoValue) { slot_[k] = Value(i); return kNoValue; }
      const Inst& o = b_[v];
      if (o.op == in.op && o.type == in.type && o.imm == in.imm && o.num_args == in.num_args &&
          o.args[0] == in.args[0] && o.args[1] == in.args[1] && o.args[2] == in.args[2])
        return v;
    }
    return kNoValue;
  }

 private:
  const Block& b_;
  u32 slots_ = 64;
  Value slot_[kMaxSlots];
};

}  // namespace

int fold_constants(Block& b) {
  Value remap[Block::kMaxInsts];
  SeenTable seen(b);
  int changed = 0;
  // Until the first instruction is replaced by another value, every remap entry is the identity
  // and operands need no renaming.
  bool renamed = false;
  for (int i = 0; i < b.size(); ++i) {
    Inst& in = b[i];
    remap[i] = Value(i);
    if (renamed)
      for (int a = 0; a < in.num_args; ++a) in.args[a] = remap[in.args[a]];
    if (!kFoldable[usize(in.op)]) continue;
    Value earlier = seen.find_or_add(i);
    if (earlier != kNoValue) {
      remap[i] = earlier;
      renamed = true;
      ++changed;
      continue;
    }
    bool all_const = in.num_args > 0;
    for (int a = 0; a < in.num_args; ++a) all_const &= is_const(b, in.args[a]);
    if (all_const) {
      Type arg_type = in.op == Op::Select ? in.type : b[in.args[0]].type;
      u64 v[3] = {};
      for (int a = 0; a < in.num_args; ++a) v[a] = b[in.args[a]].imm;
      make_const(in, eval_pure(in.op, in.type, arg_type, v[0], v[1], v[2]));
      ++changed;
      continue;
    }
    if ((in.op == Op::Xor || in.op == Op::Sub) && in.args[0] == in.args[1]) {
      make_const(in, 0);
      ++changed;
      continue;
    }
    Value same = identity_operand(b, in);
    if (same != kNoValue && b[same].type == in.type) {
      remap[i] = same;
      renamed = true;
      ++changed;
    }
  }
  if (b.term.cond != kNoValue) b.term.cond = remap[b.term.cond];
  return changed;
}

}  // namespace bmbt::ir
