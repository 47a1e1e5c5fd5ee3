#include "frontend-x86/context.h"

namespace bmbt::x86 {

namespace {

struct GprRef {
  u8 reg;        // GuestReg
  Type type;
  bool high8;    // AH/CH/DH/BH: bits 15:8
  bool valid;
};

// The general-purpose registers are four consecutive runs of ZydisRegister, each in Zydis's id
// order (AL CL DL BL AH CH DH BH SPL BPL SIL DIL R8B..R15B, then AX..R15W, EAX..R15D, RAX..R15),
// so a table indexed by the distance to AL gives class and id: no calls into Zydis's register tables.
constexpr int kGpr8Count = 20, kGprCount = 16;
static_assert(ZYDIS_REGISTER_AH - ZYDIS_REGISTER_AL == 4 && ZYDIS_REGISTER_SPL - ZYDIS_REGISTER_AL == 8 &&
              ZYDIS_REGISTER_R15B - ZYDIS_REGISTER_AL == kGpr8Count - 1 &&
              ZYDIS_REGISTER_AX - ZYDIS_REGISTER_AL == kGpr8Count &&
              ZYDIS_REGISTER_EAX - ZYDIS_REGISTER_AX == kGprCount && ZYDIS_REGISTER_RAX - ZYDIS_REGISTER_EAX == kGprCount &&
              ZYDIS_REGISTER_R15 - ZYDIS_REGISTER_RAX == kGprCount - 1, "ZydisRegister GPR layout");

constexpr int kGprRegisters = kGpr8Count + 3 * kGprCount;

constexpr GprRef gpr_ref_of(int k) {  // k: distance to AL, below kGprRegisters
  if (k < kGpr8Count) {
    if (k >= 4 && k <= 7) return {u8(k - 4), Type::kI8, true, true};  // AH CH DH BH
    return {u8(k >= 8 ? k - 4 : k), Type::kI8, false, true};
  }
  constexpr Type kWideTypes[3] = {Type::kI16, Type::kI32, Type::kI64};
  const int wide = k - kGpr8Count;
  return {u8(wide % kGprCount), kWideTypes[wide / kGprCount], false, true};
}

struct GprTable {
  GprRef ref[kGprRegisters];
};
constexpr GprTable make_gpr_table() {
  GprTable t{};
  for (int k = 0; k < kGprRegisters; ++k) t.ref[k] = gpr_ref_of(k);
  return t;
}
constexpr GprTable kGprTable = make_gpr_table();

GprRef gpr_ref(ZydisRegister r) {
  const unsigned k = unsigned(r) - unsigned(ZYDIS_REGISTER_AL);  // ZYDIS_REGISTER_NONE wraps: not a GPR
  return k < unsigned(kGprRegisters) ? kGprTable.ref[k] : GprRef{0, Type::kVoid, false, false};
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
  // The sum is built as ((disp + base) + (index << scale)), the displacement's constant emitted
  // first: the IR passes turn that into the same block every time. A zero displacement is left
  // out where they would delete its addition without a trace: x + 0 becomes x, except that a
  // constant x gives a new constant at the addition's place, so only a register value that
  // cannot become a constant (a guest state read or a load) drops it.
  const u64 disp = u64(o.mem.disp.has_displacement ? o.mem.disp.value : 0);
  const bool rip = o.mem.base == ZYDIS_REGISTER_RIP || o.mem.base == ZYDIS_REGISTER_EIP;
  const bool has_base = o.mem.base != ZYDIS_REGISTER_NONE && !rip;
  const bool has_index = o.mem.index != ZYDIS_REGISTER_NONE;
  const u8 first_reg = has_base ? gpr_ref(o.mem.base).reg : gpr_ref(o.mem.index).reg;
  const bool drop_disp = disp == 0 && (has_base || has_index) && never_constant(first_reg);
  Value sum = rip ? b.i64c(next_pc + disp) : drop_disp ? ir::kNoValue : b.i64c(disp);
  if (has_base) {
    const Value base = reg64(first_reg);
    sum = drop_disp ? base : b.add(base, sum);
  }
  if (has_index) {
    Value idx = reg64(gpr_ref(o.mem.index).reg);
    if (o.mem.scale > 1) idx = b.shl(idx, b.i64c(u64(__builtin_ctz(o.mem.scale))));
    sum = sum == ir::kNoValue ? idx : b.add(sum, idx);
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

bool Ctx::never_constant(u8 r) {
  if ((written_regs >> r) & 1) return is_state_or_load(reg_value[r]);
  known.sync(b);
  return !((known.regs >> r) & 1) || is_state_or_load(known.reg[r]);  // else reg64 emits a get
}

Value Ctx::reg64(u8 r) {
  if ((written_regs >> r) & 1) return reg_value[r];
  known.sync(b);
  if ((known.regs >> r) & 1) return known.reg[r];
  const Value v = b.get_reg(r);
  known.regs |= u32(1) << r;
  known.reg[r] = v;
  return v;
}

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
