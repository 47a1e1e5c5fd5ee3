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

// The new index of operand v of a moved instruction; values before `first` did not move.
static Value moved_arg(Value v, int first, const Value* remap) { return v >= first ? remap[v] : v; }

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
  // Pointers rather than indices: one step per instruction for each.
  Inst* out = &insts_[first];
  const Inst* const end = &insts_[count_];
  Value out_index = Value(first);  // of *out (counted: a pointer difference costs a division)
  const bool* k = keep + first;
  Value* r = remap + first;
  // Operands renamed by count, one jump (a count is at most three).
  static const void* const kRename[4] = {&&renamed, &&rename_1, &&rename_2, &&rename_3};
  for (const Inst* in = out; in < end; ++in, ++k, ++r) {
    if (!*k) {
      *r = kNoValue;
      continue;
    }
    *out = *in;
    goto *kRename[out->num_args];
  rename_3:
    out->args[2] = moved_arg(out->args[2], first, remap);
  rename_2:
    out->args[1] = moved_arg(out->args[1], first, remap);
  rename_1:
    out->args[0] = moved_arg(out->args[0], first, remap);
  renamed:
    *r = out_index++;
    ++out;
  }
  count_ = out_index;
  if (term.cond != kNoValue && term.cond >= first) term.cond = remap[term.cond];
}

}  // namespace bmbt::ir
