#include "ir/ir.h"

namespace bmbt::ir {

static constexpr OpInfo kOpInfo[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) \
  {text, args, ResultRule::result, ImmKind::imm, Effect::effect, u8(flags)},
#include "ir/opcodes.inc"
#undef IR_OP
};
static_assert(sizeof(kOpInfo) / sizeof(kOpInfo[0]) == usize(Op::kCount), "op table");

const OpInfo& op_info(Op op) { return kOpInfo[usize(op)]; }

const char* type_name(Type t) {
  switch (t) {
    case Type::kVoid: return "void";
    case Type::kI1: return "i1";
    case Type::kI8: return "i8";
    case Type::kI16: return "i16";
    case Type::kI32: return "i32";
    case Type::kI64: return "i64";
  }
  return "?";
}

const char* flag_name(u8 flag) {
  static const char* const kNames[kFlagCount] = {"cf", "pf", "af", "zf", "sf", "of", "df"};
  return flag < kFlagCount ? kNames[flag] : "?";
}

const char* exit_reason_name(ExitReason r) {
  switch (r) {
    case ExitReason::kHalt: return "halt";
    case ExitReason::kUndefined: return "undefined-instruction";
    case ExitReason::kDecodeError: return "decode-error";
    case ExitReason::kFetchFault: return "fetch-fault";
    case ExitReason::kDivideError: return "divide-error";
    case ExitReason::kGeneralProtection: return "general-protection";
  }
  return "?";
}

void Block::compact(const bool* keep) {
  // Instructions before the first removed one keep their place and their operands (which all
  // point further up), so only the rest is moved and renumbered.
  int first = 0;
  for (u64 w; first + 8 <= count_; first += 8) {  // eight flags at a time (a bool is 0 or 1)
    __builtin_memcpy(&w, keep + first, 8);
    if (w != 0x0101010101010101ull) break;
  }
  while (first < count_ && keep[first]) ++first;
  if (first == count_) return;
  Value remap[kMaxInsts];
  int out = first;
  for (int i = first; i < count_; ++i) {
    if (!keep[i]) { remap[i] = kNoValue; continue; }
    Inst& inst = insts_[out];
    inst = insts_[i];
    for (int a = 0; a < inst.num_args; ++a)
      if (inst.args[a] >= first) inst.args[a] = remap[inst.args[a]];
    remap[i] = Value(out++);
  }
  count_ = out;
  if (term.cond != kNoValue && term.cond >= first) term.cond = remap[term.cond];
}

}  // namespace bmbt::ir
