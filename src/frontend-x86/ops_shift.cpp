// Shifts and rotates by 1, immediate and CL with x86's count masking: shl/sal shr sar rol ror rcl
// rcr shld shrd. A masked count of 0 changes neither the operand nor any flag (a register
// destination is not even rewritten, so a 32-bit one keeps its upper half). Undefined flags
// (OF for counts above 1, AF) follow this host's behaviour where it is consistent; see
// docs/x86-semantics.md.
#include "frontend-x86/families.h"

namespace bmbt::x86 {

namespace {

enum class Kind : u8 { kShl, kShr, kSar, kRol, kRor, kRcl, kRcr, kShld, kShrd };

struct Count {
  bool known;     // an immediate (or the implicit 1)
  u64 value;      // the masked count when known
  Value n;        // i64 masked count
};

Count masked_count(Ctx& x, int operand, int w) {
  const u64 mask = w == 64 ? 63 : 31;
  const ZydisDecodedOperand& o = x.op(operand);
  if (o.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
    u64 k = o.imm.value.u & mask;
    return {true, k, x.b.i64c(k)};
  }
  return {false, 0, x.b.and_(x.b.zext(Type::kI64, x.read(operand)), x.b.i64c(mask))};
}

// Results of one shift/rotate before the count-0 rule is applied. Flags left kNoValue keep their value.
struct Out {
  Value r;
  Value cf = ir::kNoValue, of = ir::kNoValue;
  bool szp = false;  // ZF SF PF from the result
  bool af_clear = false;
};

Value bit_of(ir::Builder& b, Value v64, Value pos64) { return b.trunc(Type::kI1, b.lshr(v64, pos64)); }

// OF for counts above 1 is undefined; this CPU always reports the count-1 value computed from the
// input, which for shl/rol/rcl/shld is msb(a) ^ bit w-2 of a.
Value first_step_of(Ctx& x, Type t, Value a) {
  ir::Builder& b = x.b;
  const int w = ir::bit_width(t);
  return b.xor_(b.slt(a, x.c(t, 0)), b.trunc(Type::kI1, b.lshr(a, x.c(t, u64(w - 2)))));
}

Value msb(Ctx& x, Type t, Value a) { return x.b.slt(a, x.c(t, 0)); }

Out shift(Ctx& x, Kind kind, Type t, Value a, Value n) {
  ir::Builder& b = x.b;
  const int w = ir::bit_width(t);
  Value one = b.i64c(1);
  Value nm1 = b.sub(n, one);
  Out o;
  o.szp = true;
  o.af_clear = true;  // AF is undefined for shifts with a non-zero count; this CPU clears it
  Value msb_a = b.slt(a, x.c(t, 0));
  switch (kind) {
    case Kind::kShl: {
      Value wide = b.zext(Type::kI64, a);
      o.r = b.trunc(t, b.shl(wide, n));
      // Last bit shifted out: bit (w - n) of the operand (0 once n exceeds w).
      o.cf = w == 64 ? bit_of(b, b.shl(wide, nm1), b.i64c(63)) : bit_of(b, b.shl(wide, n), b.i64c(u64(w)));
      o.of = first_step_of(x, t, a);
      break;
    }
    case Kind::kShr: {
      Value wide = b.zext(Type::kI64, a);
      o.r = b.trunc(t, b.lshr(wide, n));
      o.cf = bit_of(b, wide, nm1);
      o.of = msb_a;
      break;
    }
    default: {  // kSar
      Value wide = b.sext(Type::kI64, a);
      o.r = b.trunc(t, b.ashr(wide, n));
      o.cf = b.trunc(Type::kI1, b.ashr(wide, nm1));
      o.of = b.boolean(false);
      break;
    }
  }
  return o;
}

Out rotate(Ctx& x, Kind kind, Type t, Value a, Value n) {
  ir::Builder& b = x.b;
  const int w = ir::bit_width(t);
  Out o;
  // 8/16-bit rotates use the masked count modulo the width.
  Value k = w < 32 ? b.and_(n, b.i64c(u64(w - 1))) : n;
  Value kt = b.trunc(t, k);
  if (kind == Kind::kRor) {
    o.r = b.binary(ir::Op::Rotr, a, kt);
    o.cf = b.slt(o.r, x.c(t, 0));
    // OF (count 1: the two top bits of the result) from the input: lsb(a) ^ msb(a).
    o.of = b.xor_(b.trunc(Type::kI1, a), msb(x, t, a));
  } else {
    Value left = b.and_(b.sub(x.c(t, u64(w)), kt), x.c(t, u64(w - 1)));
    o.r = b.binary(ir::Op::Rotr, a, left);
    o.cf = b.trunc(Type::kI1, o.r);
    o.of = first_step_of(x, t, a);
  }
  return o;
}

// Rotate through carry: a (w+1)-bit rotation of CF:operand.
Out rotate_carry(Ctx& x, Kind kind, Type t, Value a, Value n) {
  ir::Builder& b = x.b;
  const int w = ir::bit_width(t);
  Out o;
  Value cf = b.zext(Type::kI64, x.flag(ir::kCF));
  Value wide = b.zext(Type::kI64, a);
  Value k = n;
  if (w == 8) k = b.binary(ir::Op::RemU, n, b.i64c(9));
  if (w == 16) k = b.binary(ir::Op::RemU, n, b.i64c(17));
  if (w < 64) {
    const u64 mask = (u64(1) << (w + 1)) - 1;
    Value v = b.or_(b.shl(cf, b.i64c(u64(w))), wide);
    Value back = b.sub(b.i64c(u64(w + 1)), k);
    Value rot = kind == Kind::kRcl ? b.or_(b.shl(v, k), b.lshr(v, back)) : b.or_(b.lshr(v, k), b.shl(v, back));
    rot = b.and_(rot, b.i64c(mask));
    o.r = b.trunc(t, rot);
    o.cf = bit_of(b, rot, b.i64c(u64(w)));
  } else {
    // 65-bit rotation by k in 1..63 (k = 0 is discarded by the caller).
    Value km1 = b.sub(k, b.i64c(1));
    Value comp = b.sub(b.i64c(64), k);
    if (kind == Kind::kRcl) {
      o.r = b.or_(b.or_(b.shl(wide, k), b.shl(cf, km1)), b.lshr(b.lshr(wide, b.i64c(1)), comp));
      o.cf = bit_of(b, wide, comp);
    } else {
      o.r = b.or_(b.or_(b.lshr(wide, k), b.shl(cf, comp)), b.shl(b.shl(wide, b.i64c(1)), comp));
      o.cf = bit_of(b, wide, km1);
    }
  }
  // OF from the input as for a count of 1: rcl msb(a) ^ bit w-2; rcr msb(a) ^ CF.
  o.of = kind == Kind::kRcl ? first_step_of(x, t, a) : b.xor_(msb(x, t, a), x.flag(ir::kCF));
  // A rotation by a multiple of w+1 (8/16-bit) leaves OF alone on this CPU.
  if (w < 32) o.of = b.select(b.eq(k, b.i64c(0)), x.flag(ir::kOF), o.of);
  return o;
}

// shld/shrd: shift the destination, filling from the source register.
Out double_shift(Ctx& x, Kind kind, Type t, Value a, Value src, Value n) {
  ir::Builder& b = x.b;
  const int w = ir::bit_width(t);
  Out o;
  o.szp = true;
  o.af_clear = true;
  Value wa = b.zext(Type::kI64, a), ws = b.zext(Type::kI64, src);
  Value nm1 = b.sub(n, b.i64c(1));
  if (w < 64) {
    // Concatenate in 64 bits (2w <= 64) and shift once. For 16-bit counts above 16 (undefined)
    // the source is shifted in again, as this CPU does.
    Value w64 = b.i64c(u64(w));
    if (kind == Kind::kShld) {
      Value cat = b.or_(b.shl(wa, w64), ws);
      if (w == 16) cat = b.or_(b.shl(cat, b.i64c(16)), wa);  // dst:src:dst for counts up to 31
      const u64 top = w == 16 ? 48 : 64;
      Value shifted = b.shl(cat, n);
      o.r = b.trunc(t, b.lshr(shifted, b.i64c(top - u64(w))));
      o.cf = bit_of(b, b.shl(cat, nm1), b.i64c(top - 1));
    } else {
      Value cat = b.or_(b.shl(ws, w64), wa);
      if (w == 16) cat = b.or_(b.shl(wa, b.i64c(32)), cat);  // dst:src:dst
      o.r = b.trunc(t, b.lshr(cat, n));
      o.cf = bit_of(b, cat, nm1);
    }
  } else {
    // src >> (64 - n) written as (src >> 1) >> (63 - n): no shift count reaches 64.
    Value comp1 = b.sub(b.i64c(63), n);
    if (kind == Kind::kShld) {
      o.r = b.or_(b.shl(wa, n), b.lshr(b.lshr(ws, b.i64c(1)), comp1));
      o.cf = bit_of(b, b.shl(wa, nm1), b.i64c(63));
    } else {
      o.r = b.or_(b.lshr(wa, n), b.shl(b.shl(ws, b.i64c(1)), comp1));
      o.cf = bit_of(b, wa, nm1);
    }
  }
  // OF from the input as for a count of 1: shld msb(a) ^ bit w-2; shrd msb(a) ^ lsb(src).
  o.of = kind == Kind::kShld ? first_step_of(x, t, a) : b.xor_(msb(x, t, a), b.trunc(Type::kI1, src));
  return o;
}

Emit emit(Ctx& x, Kind kind) {
  ir::Builder& b = x.b;
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  const int w = ir::bit_width(t);
  const bool dbl = kind == Kind::kShld || kind == Kind::kShrd;
  Count cnt = masked_count(x, dbl ? 2 : 1, w);
  if (cnt.known && cnt.value == 0) {
    // No flag changes; a 32-bit register destination is still zero-extended (as this CPU does).
    if (x.op(0).type == ZYDIS_OPERAND_TYPE_REGISTER && w == 32) x.write(0, x.read(0));
    return Emit::kContinue;
  }
  Value a = x.read(0);
  Out o;
  bool same_as_lbt = !dbl;  // shld/shrd have no LBT counterpart
  switch (kind) {
    case Kind::kShl: case Kind::kShr: case Kind::kSar: o = shift(x, kind, t, a, cnt.n); break;
    case Kind::kRol: case Kind::kRor:
      o = rotate(x, kind, t, a, cnt.n);
      // rol/ror of a register by an immediate above 1 leave OF unchanged on this CPU (by CL, or
      // with a memory operand, OF follows the count-1 formula like the other rotates).
      if (cnt.known && cnt.value != 1 && x.op(0).type == ZYDIS_OPERAND_TYPE_REGISTER) {
        o.of = x.flag(ir::kOF);
        same_as_lbt = false;  // an LBT rotate need not keep OF there
      }
      break;
    case Kind::kRcl: case Kind::kRcr: o = rotate_carry(x, kind, t, a, cnt.n); break;
    default: o = double_shift(x, kind, t, a, x.read_as(1, t), cnt.n); break;
  }
  // With a run-time count of 0 every flag keeps its value and the operand is unchanged.
  Value nz = cnt.known ? ir::kNoValue : b.ne(cnt.n, b.i64c(0));
  auto keep = [&](u8 flag, Value v) {
    x.set_flag(flag, nz == ir::kNoValue ? v : b.select(nz, v, x.flag(flag)));
  };
  // Shifts and rotates by 0 already give the operand; the 65-bit and double-width forms do not.
  const bool needs_select = kind == Kind::kRcl || kind == Kind::kRcr || dbl;
  Value r = nz == ir::kNoValue || !needs_select ? o.r : b.select(nz, o.r, a);
  keep(ir::kCF, o.cf);
  keep(ir::kOF, o.of);
  if (o.szp) {
    keep(ir::kZF, b.eq(o.r, x.c(t, 0)));
    keep(ir::kSF, b.slt(o.r, x.c(t, 0)));
    keep(ir::kPF, b.parity(o.r));
  }
  if (o.af_clear) keep(ir::kAF, b.boolean(false));
  if (same_as_lbt) {
    static constexpr ir::FlagGroupKind kGroup[] = {
        ir::FlagGroupKind::kShl, ir::FlagGroupKind::kShr, ir::FlagGroupKind::kSar, ir::FlagGroupKind::kRol,
        ir::FlagGroupKind::kRor, ir::FlagGroupKind::kRcl, ir::FlagGroupKind::kRcr};
    u8 mask = ir::kFlagCF | ir::kFlagOF;
    if (o.szp) mask |= ir::kFlagZF | ir::kFlagSF | ir::kFlagPF;
    if (o.af_clear) mask |= ir::kFlagAF;
    x.flag_group(kGroup[int(kind)], mask, a, cnt.n);
  }
  // A run-time count of 0 rewrites the operand with its own value: a 32-bit register is
  // zero-extended, as on this CPU.
  x.write(0, r);
  return Emit::kContinue;
}

}  // namespace

Emit emit_shl(Ctx& x) { return emit(x, Kind::kShl); }
Emit emit_shr(Ctx& x) { return emit(x, Kind::kShr); }
Emit emit_sar(Ctx& x) { return emit(x, Kind::kSar); }
Emit emit_rol(Ctx& x) { return emit(x, Kind::kRol); }
Emit emit_ror(Ctx& x) { return emit(x, Kind::kRor); }
Emit emit_rcl(Ctx& x) { return emit(x, Kind::kRcl); }
Emit emit_rcr(Ctx& x) { return emit(x, Kind::kRcr); }
Emit emit_shld(Ctx& x) { return emit(x, Kind::kShld); }
Emit emit_shrd(Ctx& x) { return emit(x, Kind::kShrd); }

}  // namespace bmbt::x86
