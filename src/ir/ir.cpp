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

// Renames the operands of a moved instruction; values before `first` did not move. Unrolled:
// at most three operands, and this runs for nearly every instruction of a block.
static void rename_moved_args(Inst& inst, int first, const Value* remap) {
  const int n = inst.num_args;
  if (n == 0) return;
  if (inst.args[0] >= first) inst.args[0] = remap[inst.args[0]];
  if (n == 1) return;
  if (inst.args[1] >= first) inst.args[1] = remap[inst.args[1]];
  if (n == 2) return;
  if (inst.args[2] >= first) inst.args[2] = remap[inst.args[2]];
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
  Inst* out = &insts_[first];
  Value out_index = Value(first);  // of *out (counted: a pointer difference costs a division)
  for (int i = first; i < count_; ++i) {
    if (!keep[i]) {
      remap[i] = kNoValue;
      continue;
    }
    *out = insts_[i];
    rename_moved_args(*out, first, remap);
    remap[i] = out_index++;
    ++out;
  }
  count_ = out_index;
  if (term.cond != kNoValue && term.cond >= first) term.cond = remap[term.cond];
}

}  // namespace bmbt::ir
