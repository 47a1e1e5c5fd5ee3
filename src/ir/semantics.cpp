#include "ir/semantics.h"

namespace bmbt::ir {

const char* helper_name(u16 id) {
  static const char* const kNames[] = {
#define IR_HELPER(id, name, args, result) name,
#include "ir/helpers.inc"
#undef IR_HELPER
  };
  return id < usize(HelperId::kCount) ? kNames[id] : "?";
}

static i64 sign_extend(u64 v, int width) {
  if (width >= 64) return i64(v);
  u64 sign = u64(1) << (width - 1);
  return i64((v ^ sign) - sign);
}

u64 eval_pure(Op op, Type result, Type arg_type, u64 a, u64 b, u64 c) {
  const int w = bit_width(arg_type);
  const u64 mask = type_mask(arg_type);
  const u64 sign = w ? u64(1) << (w - 1) : 0;
  const unsigned count = unsigned(b) & 63;  // the frontend keeps counts below the width
  u64 r = 0;
  switch (op) {
    case Op::Add: r = a + b; break;
    case Op::Sub: r = a - b; break;
    case Op::Mul: r = a * b; break;
    case Op::MulHighS: {
      __int128 p = __int128(sign_extend(a, w)) * __int128(sign_extend(b, w));
      r = u64(p >> w);
      break;
    }
    case Op::MulHighU: {
      unsigned __int128 p = (unsigned __int128)(a & mask) * (unsigned __int128)(b & mask);
      r = u64(p >> w);
      break;
    }
    case Op::And: r = a & b; break;
    case Op::Or: r = a | b; break;
    case Op::Xor: r = a ^ b; break;
    case Op::Shl: r = count < unsigned(w) ? a << count : 0; break;
    case Op::Lshr: r = count < unsigned(w) ? (a & mask) >> count : 0; break;
    case Op::Ashr: {
      i64 s = sign_extend(a, w);
      r = u64(s >> (count < unsigned(w) ? count : unsigned(w) - 1));
      break;
    }
    case Op::Not: r = ~a; break;
    case Op::Neg: r = u64(0) - a; break;
    case Op::Eq: return (a & mask) == (b & mask);
    case Op::Ne: return (a & mask) != (b & mask);
    case Op::Ult: return (a & mask) < (b & mask);
    case Op::Ule: return (a & mask) <= (b & mask);
    case Op::Slt: return sign_extend(a, w) < sign_extend(b, w);
    case Op::Sle: return sign_extend(a, w) <= sign_extend(b, w);
    case Op::Zext: r = a & mask; break;
    case Op::Sext: r = u64(sign_extend(a, w)); break;
    case Op::Trunc: r = a; break;
    case Op::Select: return (a & 1 ? b : c) & type_mask(result);
    case Op::Rotr: {
      unsigned n = unsigned(b) % unsigned(w);
      u64 v = a & mask;
      r = n ? (v >> n) | (v << (w - n)) : v;
      break;
    }
    case Op::Clz: r = (a & mask) ? u64(__builtin_clzll(a & mask) - (64 - w)) : u64(w); break;
    case Op::Ctz: r = (a & mask) ? u64(__builtin_ctzll(a & mask)) : u64(w); break;
    case Op::Popcnt: r = u64(__builtin_popcountll(a & mask)); break;
    case Op::Bswap: r = __builtin_bswap64(a) >> (64 - w); break;
    case Op::DivU: r = (b & mask) ? (a & mask) / (b & mask) : 0; break;
    case Op::RemU: r = (b & mask) ? (a & mask) % (b & mask) : 0; break;
    case Op::DivS: case Op::RemS: {
      i64 x = sign_extend(a, w), y = sign_extend(b, w);
      if (y == 0) { r = 0; break; }
      if (y == -1) { r = op == Op::DivS ? u64(0) - u64(x) : 0; break; }  // MIN / -1 wraps to MIN
      r = u64(op == Op::DivS ? x / y : x % y);
      break;
    }
    case Op::Parity: return (__builtin_popcountll(a & 0xff) & 1) == 0;
    case Op::OverflowAdd: return (((a ^ c) & (b ^ c)) & sign) != 0;
    case Op::OverflowSub: return (((a ^ b) & (a ^ c)) & sign) != 0;
    case Op::AuxCarry: return ((a ^ b ^ c) >> 4) & 1;
    default: r = 0; break;
  }
  return r & type_mask(result);
}

}  // namespace bmbt::ir
