// String instructions: movs stos lods cmps scas at 8/16/32/64 bits, with DF, 0x67 address size and
// a source segment override (fs/gs bases). Without a rep prefix the element is done inline in IR.
// With rep/repe/repne the whole instruction runs in the RepString helper: the IR has no internal
// control flow (a count of 0 must perform no access at all), and a helper copies large blocks far
// faster than one block dispatch per element would. The helper commits RCX/RSI/RDI (and flags,
// RAX) after each element, so a fault leaves exactly the completed iterations; it stops after a
// chunk of elements and the instruction runs again, so the engine keeps control of long copies.
#include "frontend-x86/families.h"
#include "frontend-x86/string_desc.h"
#include "ir/semantics.h"

namespace bmbt::x86 {

namespace {

u8 source_segment(Ctx& x) {
  if (x.insn().attributes & ZYDIS_ATTRIB_HAS_SEGMENT_FS) return 4;
  if (x.insn().attributes & ZYDIS_ATTRIB_HAS_SEGMENT_GS) return 5;
  return 3;
}

Emit string_op(Ctx& x, StringOp op) {
  // movsd/cmpsd are also SSE2 mnemonics (scalar double): those belong to the SSE frontend.
  if (x.insn().meta.category != ZYDIS_CATEGORY_STRINGOP) return Emit::kUnsupported;
  ir::Builder& b = x.b;
  const ZydisInstructionAttributes attr = x.insn().attributes;
  const int size = x.width() / 8;
  const Type t = x.type();
  const u8 seg = source_segment(x);
  const bool rep = (attr & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE)) != 0;
  if (rep) {
    StringDesc desc{op, u8(size), (attr & ZYDIS_ATTRIB_HAS_REPNE) ? RepKind::kRepNE : RepKind::kRepE,
                    x.insn().address_width == 32, seg};
    Value args[3] = {b.i64c(desc.pack()), b.i64c(x.d.pc), b.i64c(x.insn().length)};
    x.b.jump_indirect(b.call(u16(ir::HelperId::RepString), Type::kI64, 3, args));
    return Emit::kEndsBlock;
  }
  Value step = b.select(x.flag(ir::kDF), b.i64c(u64(0) - u64(size)), b.i64c(u64(size)));
  Value si = x.addr_reg(kRSI), di = x.addr_reg(kRDI);
  Value src = si;
  if (seg == 4) src = b.add(src, x.reg64(kFsBase));
  if (seg == 5) src = b.add(src, x.reg64(kGsBase));
  bool uses_si = false, uses_di = false;
  switch (op) {
    case StringOp::kMovs:
      b.store(di, b.load(t, src, seg), 0);
      uses_si = uses_di = true;
      break;
    case StringOp::kStos:
      b.store(di, x.reg(kRAX, t), 0);
      uses_di = true;
      break;
    case StringOp::kLods:
      x.set_reg(kRAX, b.load(t, src, seg));
      uses_si = true;
      break;
    case StringOp::kCmps: {
      Value a = b.load(t, src, seg), c = b.load(t, di, 0);
      x.flags_sub(a, c, b.sub(a, c));
      uses_si = uses_di = true;
      break;
    }
    case StringOp::kScas: {
      Value a = x.reg(kRAX, t), c = b.load(t, di, 0);
      x.flags_sub(a, c, b.sub(a, c));
      uses_di = true;
      break;
    }
  }
  if (uses_si) x.set_addr_reg(kRSI, b.add(si, step));
  if (uses_di) x.set_addr_reg(kRDI, b.add(di, step));
  return Emit::kContinue;
}

}  // namespace

Emit emit_movs(Ctx& x) { return string_op(x, StringOp::kMovs); }
Emit emit_stos(Ctx& x) { return string_op(x, StringOp::kStos); }
Emit emit_lods(Ctx& x) { return string_op(x, StringOp::kLods); }
Emit emit_cmps(Ctx& x) { return string_op(x, StringOp::kCmps); }
Emit emit_scas(Ctx& x) { return string_op(x, StringOp::kScas); }

}  // namespace bmbt::x86
