#include "frontend-x86/context.h"

namespace bmbt::x86 {

namespace {

struct GprRef {
  u8 reg;        // GuestReg
  Type type;
  bool high8;    // AH/CH/DH/BH: bits 15:8
  bool valid;
};

// Zydis numbers registers within a class; GPR8 ids are AL CL DL BL AH CH DH BH SPL BPL SIL DIL R8B..R15B.
GprRef gpr_ref(ZydisRegister r) {
  ZydisRegisterClass cls = ZydisRegisterGetClass(r);
  int id = ZydisRegisterGetId(r);
  switch (cls) {
    case ZYDIS_REGCLASS_GPR64: return {u8(id), Type::kI64, false, true};
    case ZYDIS_REGCLASS_GPR32: return {u8(id), Type::kI32, false, true};
    case ZYDIS_REGCLASS_GPR16: return {u8(id), Type::kI16, false, true};
    case ZYDIS_REGCLASS_GPR8:
      if (id >= 4 && id <= 7) return {u8(id - 4), Type::kI8, true, true};
      if (id >= 8) return {u8(id - 4), Type::kI8, false, true};
      return {u8(id), Type::kI8, false, true};
    default: return {0, Type::kVoid, false, false};
  }
}

u8 segment_index(ZydisRegister r) {
  switch (r) {
    case ZYDIS_REGISTER_ES: return 0;
    case ZYDIS_REGISTER_CS: return 1;
    case ZYDIS_REGISTER_SS: return 2;
    case ZYDIS_REGISTER_FS: return 4;
    case ZYDIS_REGISTER_GS: return 5;
    default: return 3;
  }
}

}  // namespace

u8 Ctx::segment(int i) const { return segment_index(op(i).mem.segment); }

Value Ctx::address(int i, bool with_segment_base) {
  const bool cacheable = with_segment_base && i < 4;
  if (cacheable && ((address_known >> i) & 1)) return address_value[i];
  const ZydisDecodedOperand& o = op(i);
  Value sum = b.i64c(u64(o.mem.disp.has_displacement ? o.mem.disp.value : 0));
  if (o.mem.base == ZYDIS_REGISTER_RIP || o.mem.base == ZYDIS_REGISTER_EIP) {
    sum = b.i64c(next_pc + u64(o.mem.disp.value));
  } else if (o.mem.base != ZYDIS_REGISTER_NONE) {
    GprRef base = gpr_ref(o.mem.base);
    sum = b.add(reg64(base.reg), sum);
  }
  if (o.mem.index != ZYDIS_REGISTER_NONE) {
    GprRef index = gpr_ref(o.mem.index);
    Value idx = reg64(index.reg);
    if (o.mem.scale > 1) idx = b.shl(idx, b.i64c(u64(__builtin_ctz(o.mem.scale))));
    sum = b.add(sum, idx);
  }
  if (d.insn.address_width == 32) sum = b.zext(Type::kI64, b.trunc(Type::kI32, sum));
  u8 seg = with_segment_base ? segment(i) : 3;
  if (seg == 4) sum = b.add(sum, reg64(kFsBase));
  if (seg == 5) sum = b.add(sum, reg64(kGsBase));
  if (cacheable) {
    address_known |= u8(1 << i);
    address_value[i] = sum;
  }
  return sum;
}

Value Ctx::read(int i) {
  const ZydisDecodedOperand& o = op(i);
  Type t = ir::int_type_for_bytes(o.size / 8);
  return read_as(i, t);
}

Value Ctx::read_as(int i, Type t) {
  const ZydisDecodedOperand& o = op(i);
  switch (o.type) {
    case ZYDIS_OPERAND_TYPE_REGISTER: {
      GprRef r = gpr_ref(o.reg.value);
      Value full = reg64(r.reg);
      if (r.high8) full = b.lshr(full, b.i64c(8));
      return b.trunc(t, full);
    }
    case ZYDIS_OPERAND_TYPE_MEMORY:
      return b.load(t, address(i), segment(i));
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
      return b.constant(t, o.imm.value.u);
    default:
      return b.constant(t, 0);
  }
}

Value Ctx::reg64(u8 r) { return (written_regs >> r) & 1 ? reg_value[r] : b.get_reg(r); }

void Ctx::put64(u8 r, Value v) {
  written_regs |= u32(1) << r;
  reg_value[r] = v;
  record_write(StateWrite::kReg, r, 0, v);
}

void Ctx::set_reg(u8 r, Value v) {
  Type t = b.type_of(v);
  if (t == Type::kI64) { put64(r, v); return; }
  if (t == Type::kI32) { put64(r, b.zext(Type::kI64, v)); return; }
  // 8- and 16-bit writes keep the rest of the register.
  Value old = reg64(r);
  Value kept = b.and_(old, b.i64c(~ir::type_mask(t)));
  put64(r, b.or_(kept, b.zext(Type::kI64, v)));
}

Value Ctx::addr_reg(u8 r) {
  Value v = reg64(r);
  return d.insn.address_width == 32 ? b.zext(Type::kI64, b.trunc(Type::kI32, v)) : v;
}

void Ctx::set_addr_reg(u8 r, Value v64) {
  if (d.insn.address_width == 32) set_reg(r, b.trunc(Type::kI32, v64));
  else put64(r, v64);
}

void Ctx::write(int i, Value v) {
  const ZydisDecodedOperand& o = op(i);
  if (o.type == ZYDIS_OPERAND_TYPE_MEMORY) {
    b.store(address(i), v, segment(i));
    return;
  }
  GprRef r = gpr_ref(o.reg.value);
  if (!r.high8) { set_reg(r.reg, b.trunc(r.type, v)); return; }
  Value old = reg64(r.reg);
  Value kept = b.and_(old, b.i64c(~u64(0xff00)));
  Value byte = b.shl(b.zext(Type::kI64, b.trunc(Type::kI8, v)), b.i64c(8));
  put64(r.reg, b.or_(kept, byte));
}

void Ctx::write_unless(int i, Value keep, Value v) {
  GprRef r = gpr_ref(op(i).reg.value);
  if (r.high8 || r.type != Type::kI32) { write(i, b.select(keep, read(i), v)); return; }
  Value old = reg64(r.reg);
  put64(r.reg, b.select(keep, old, b.zext(Type::kI64, v)));
}

void Ctx::push(Value v) {
  const u64 size = u64(ir::bit_width(b.type_of(v)) / 8);
  Value sp = b.sub(reg64(kRSP), b.i64c(size));
  b.store(sp, v, 2);
  put64(kRSP, sp);
}

Value Ctx::pop(Type t) {
  Value sp = reg64(kRSP);
  Value v = b.load(t, sp, 2);
  put64(kRSP, b.add(sp, b.i64c(u64(ir::bit_width(t) / 8))));
  return v;
}

}  // namespace bmbt::x86
