// Atomics: xadd cmpxchg cmpxchg8b cmpxchg16b (and xchg with memory, in ops_move.cpp). BMBT runs
// one vCPU, so a lock prefix needs nothing beyond a plain read-modify-write; with SMP these must
// become LL/SC or AM* sequences on LoongArch (see docs/x86-semantics.md).
#include "frontend-x86/families.h"
#include "ir/semantics.h"

namespace bmbt::x86 {

Emit emit_xadd(Ctx& x) {
  ir::Builder& b = x.b;
  Value dst = x.read(0);
  Value src = x.read(1);
  Value sum = b.add(dst, src);
  x.flags_add(dst, src, sum);
  x.write(1, dst);
  x.write(0, sum);  // last: `xadd eax, eax` leaves the sum
  return Emit::kContinue;
}

// The accumulator is compared with the destination; equal: destination = source; otherwise the
// accumulator is loaded from the destination (RAX untouched when equal). A memory destination is
// always written (with its old value when not equal), as the locked bus cycle does.
Emit emit_cmpxchg(Ctx& x) {
  ir::Builder& b = x.b;
  Type t = ir::int_type_for_bytes(x.op(0).size / 8);
  Value dst = x.read(0);
  Value src = x.read_as(1, t);
  Value rax = x.reg64(kRAX);
  Value acc = b.trunc(t, rax);
  Value diff = b.sub(acc, dst);
  x.flags_sub(acc, dst, diff);
  Value equal = b.eq(acc, dst);
  if (x.op(0).type == ZYDIS_OPERAND_TYPE_MEMORY) {
    x.write(0, b.select(equal, src, dst));
  } else {
    x.write_unless(0, b.xor_(equal, b.boolean(true)), src);
  }
  // RAX as the destination write left it (the destination may be AL/AX/EAX itself).
  Value rax_now = x.reg64(kRAX);
  Value not_equal = b.xor_(equal, b.boolean(true));
  Value loaded = t == Type::kI32 ? b.zext(Type::kI64, dst)
               : t == Type::kI64 ? dst
                                 : b.or_(b.and_(rax_now, b.i64c(~ir::type_mask(t))), b.zext(Type::kI64, dst));
  x.put64(kRAX, b.select(not_equal, loaded, rax_now));
  (void)rax;
  return Emit::kContinue;
}

// cmpxchg8b m64 / cmpxchg16b m128: EDX:EAX (RDX:RAX) against memory; equal: store ECX:EBX
// (RCX:RBX), ZF=1; otherwise load it into EDX:EAX (RDX:RAX), ZF=0. Other flags unchanged.
// cmpxchg16b raises #GP(0) on an operand that is not 16-byte aligned: the raise helper records it,
// memory is written back unchanged and no register or flag changes (the block branches back to the
// instruction).
static Emit compare_exchange_pair(Ctx& x, Type half) {
  ir::Builder& b = x.b;
  const u64 step = u64(ir::bit_width(half) / 8);
  Value addr = x.address(0);
  Value misaligned = ir::kNoValue;
  if (half == Type::kI64) {
    misaligned = b.ne(b.and_(addr, b.i64c(15)), b.i64c(0));
    Value args[2] = {b.zext(Type::kI64, misaligned), b.i64c(u64(ir::ExitReason::kGeneralProtection))};
    b.call(u16(ir::HelperId::RaiseIf), Type::kVoid, 2, args);
  }
  Value lo = b.load(half, addr, x.segment(0));
  Value hi_addr = b.add(addr, b.i64c(step));
  Value hi = b.load(half, hi_addr, x.segment(0));
  Value rax = x.reg64(kRAX), rdx = x.reg64(kRDX);
  Value equal = b.and_(b.eq(lo, b.trunc(half, rax)), b.eq(hi, b.trunc(half, rdx)));
  if (misaligned != ir::kNoValue) {
    // Nothing may change: the stores write the old values, the registers keep theirs.
    equal = b.and_(equal, b.xor_(misaligned, b.boolean(true)));
  }
  b.store(addr, b.select(equal, x.reg(kRBX, half), lo), x.segment(0));
  b.store(hi_addr, b.select(equal, x.reg(kRCX, half), hi), x.segment(0));
  Value keep = misaligned == ir::kNoValue ? equal : b.or_(equal, misaligned);
  x.set_flag(ir::kZF, misaligned == ir::kNoValue ? equal : b.select(misaligned, x.flag(ir::kZF), equal));
  x.put64(kRAX, b.select(keep, rax, b.zext(Type::kI64, lo)));
  x.put64(kRDX, b.select(keep, rdx, b.zext(Type::kI64, hi)));
  if (misaligned != ir::kNoValue) {
    x.b.branch(misaligned, x.d.pc, x.next_pc);
    return Emit::kEndsBlock;
  }
  return Emit::kContinue;
}

Emit emit_cmpxchg8b(Ctx& x) { return compare_exchange_pair(x, Type::kI32); }
Emit emit_cmpxchg16b(Ctx& x) { return compare_exchange_pair(x, Type::kI64); }

}  // namespace bmbt::x86
