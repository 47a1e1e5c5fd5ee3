// Compare fusion: after forward_state, a jcc/setcc/cmovcc condition after cmp/sub is still
// expressed through the flag formulas (e.g. `l` = SF xor OF = slt(a-b, 0) xor ovf.sub(a, b, a-b)).
// These rewrites turn the formulas back into one comparison of the original operands, so the
// backend can branch on it directly and the flag computations die when their flags are dead.
#include "ir/passes/passes.h"

namespace bmbt::ir {

namespace {

class Simplifier {
 public:
  explicit Simplifier(Block& b) : b_(b) {}

  int run() {
    for (int i = 0; i < b_.size(); ++i) rewrite(i);
    return rewrites_;
  }
  int run(const ConditionList& conditions) {
    for (int k = 0; k < conditions.count; ++k) rewrite(conditions.at[k]);
    return rewrites_;
  }

 private:
  const Inst& at(Value v) const { return b_[v]; }
  bool is_const(Value v, u64 value) const { return at(v).op == Op::Const && at(v).imm == value; }
  // v = sub(a, b)?
  bool is_sub(Value v, Value* a, Value* bb) const {
    if (at(v).op != Op::Sub) return false;
    *a = at(v).args[0];
    *bb = at(v).args[1];
    return true;
  }
  static bool is_compare(Op op) {
    return op == Op::Eq || op == Op::Ne || op == Op::Ult || op == Op::Ule || op == Op::Slt || op == Op::Sle;
  }
  void set(int i, Op op, Value a, Value bb) {
    Inst& in = b_[i];
    in.op = op;
    in.num_args = 2;
    in.args[0] = a;
    in.args[1] = bb;
    in.args[2] = kNoValue;
    in.imm = 0;
    ++rewrites_;
  }
  // x = slt(r, 0) with r = sub(a, b), y = ovf.sub(a, b, r): x ^ y is slt(a, b).
  bool signed_less(Value x, Value y, Value* a, Value* bb) const {
    const Inst& sx = at(x);
    const Inst& oy = at(y);
    if (sx.op != Op::Slt || !is_const(sx.args[1], 0) || oy.op != Op::OverflowSub) return false;
    Value r = sx.args[0], sa, sb;
    if (!is_sub(r, &sa, &sb)) return false;
    if (oy.args[0] != sa || oy.args[1] != sb || oy.args[2] != r) return false;
    *a = sa;
    *bb = sb;
    return true;
  }

  // Inline: it runs for every listed condition.
  __attribute__((always_inline)) void rewrite(int i) {
    Inst& in = b_[i];
    Value a, bb;
    switch (in.op) {
      case Op::Eq:
      case Op::Ne:
        // ZF after cmp: (a - b) == 0  ->  a == b
        if (is_const(in.args[1], 0) && is_sub(in.args[0], &a, &bb)) set(i, in.op, a, bb);
        break;
      case Op::Xor: {
        Value x = in.args[0], y = in.args[1];
        if (signed_less(x, y, &a, &bb) || signed_less(y, x, &a, &bb)) { set(i, Op::Slt, a, bb); break; }
        // Negated compare (jcc with the low bit set): !(cmp) is the opposite compare.
        if (in.type == Type::kI1 && is_const(y, 1) && is_compare(at(x).op)) {
          const Inst& c = at(x);
          Value p = c.args[0], q = c.args[1];
          switch (c.op) {
            case Op::Eq: set(i, Op::Ne, p, q); break;
            case Op::Ne: set(i, Op::Eq, p, q); break;
            case Op::Ult: set(i, Op::Ule, q, p); break;
            case Op::Ule: set(i, Op::Ult, q, p); break;
            case Op::Slt: set(i, Op::Sle, q, p); break;
            case Op::Sle: set(i, Op::Slt, q, p); break;
            default: break;
          }
        }
        break;
      }
      case Op::Or: {
        // be: CF | ZF = (a <u b) | (a == b);  le: ZF | (SF ^ OF) = (a == b) | (a <s b)
        const Inst& x = at(in.args[0]);
        const Inst& y = at(in.args[1]);
        if (x.op == Op::Eq && (y.op == Op::Ult || y.op == Op::Slt) && x.args[0] == y.args[0] && x.args[1] == y.args[1])
          set(i, y.op == Op::Ult ? Op::Ule : Op::Sle, y.args[0], y.args[1]);
        else if (y.op == Op::Eq && (x.op == Op::Ult || x.op == Op::Slt) && x.args[0] == y.args[0] && x.args[1] == y.args[1])
          set(i, x.op == Op::Ult ? Op::Ule : Op::Sle, x.args[0], x.args[1]);
        break;
      }
      default: break;
    }
  }

  Block& b_;
  int rewrites_ = 0;
};

}  // namespace

int simplify_conditions(Block& b) { return Simplifier(b).run(); }
int simplify_conditions(Block& b, const ConditionList& conditions) { return Simplifier(b).run(conditions); }

}  // namespace bmbt::ir
