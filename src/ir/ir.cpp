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

}  // namespace bmbt::ir
