#include "engine/helpers.h"

#include "frontend-x86/string_desc.h"
#include "ir/semantics.h"
#include "platform/platform.h"

namespace bmbt::engine {

static u64 port_out(Vcpu* v, u64 port, u64 value, u64 size) {
  v->machine->io.write(u16(port), u32(value), int(size));
  return 0;
}

static u64 port_in(Vcpu* v, u64 port, u64 size, u64) {
  return v->machine->io.read(u16(port), int(size));
}

// ---- cpuid: a plausible x86-64 CPU that advertises only what BMBT implements.
// Feature bits BMBT does not implement yet (FPU, SSE/SSE2, FXSR, PAE, PGE, APIC, MSR, NX, SYSCALL,
// which Linux requires) stay clear until the issue that implements them sets them here.
namespace {
struct CpuidLeaf { u32 leaf, eax, ebx, ecx, edx; };
constexpr u32 bit(int n) { return u32(1) << n; }
constexpr u32 chars(const char (&s)[5]) {
  return u32(u8(s[0])) | u32(u8(s[1])) << 8 | u32(u8(s[2])) << 16 | u32(u8(s[3])) << 24;
}
constexpr CpuidLeaf kCpuidLeaves[] = {
    // Max basic leaf, "GenuineIntel" (EBX EDX ECX).
    {0x0, 0x7, chars("Genu"), chars("ntel"), chars("ineI")},
    // Family 6 model 0x3a stepping 9; CLFLUSH line 8 qwords, 1 logical CPU, APIC id 0.
    // EDX: TSC(4) CX8(8) CMOV(15). ECX: CX16(13) MOVBE(22) POPCNT(23).
    {0x1, 0x000306a9, 0x00010800, bit(13) | bit(22) | bit(23), bit(4) | bit(8) | bit(15)},
    {0x7, 0, 0, 0, 0},  // no structured extended features (no BMI1: see docs/x86-semantics.md)
    {0x80000000, 0x80000008, 0, 0, 0},
    // ECX: LZCNT(5). EDX: long mode(29).
    {0x80000001, 0, 0, bit(5), bit(29)},
    {0x80000002, chars("BMBT"), chars(" x86"), chars("-64 "), chars("virt")},
    {0x80000003, chars("ual "), chars("CPU\0"), 0, 0},
    {0x80000004, 0, 0, 0, 0},
    {0x80000008, 0x3028, 0, 0, 0},  // 40 physical, 48 virtual address bits
};
}  // namespace

static u64 cpuid(Vcpu* v, u64, u64, u64) {
  CpuState& s = v->cpu;
  u32 leaf = u32(s.regs[kRAX]);
  // Leaves above the maximum answer like the highest basic leaf (as Intel CPUs do).
  const CpuidLeaf* hit = nullptr;
  for (const CpuidLeaf& l : kCpuidLeaves) if (l.leaf == leaf) hit = &l;
  if (!hit) {
    bool extended = leaf >= 0x80000000u;
    if (!(extended && leaf <= 0x80000008u) && !(!extended && leaf <= 7)) {
      for (const CpuidLeaf& l : kCpuidLeaves) if (l.leaf == 0x7) hit = &l;
    }
  }
  s.regs[kRAX] = hit ? hit->eax : 0;
  s.regs[kRBX] = hit ? hit->ebx : 0;
  s.regs[kRCX] = hit ? hit->ecx : 0;
  s.regs[kRDX] = hit ? hit->edx : 0;
  return 0;
}

// The time-stamp counter: 1 GHz from the platform clock for now; moves to the machine's virtual
// clock (shared with PIT, APIC timer and RTC) when that exists.
static u64 rdtsc(Vcpu*, u64, u64, u64) { return platform::now_ns(); }

static u64 raise_if(Vcpu* v, u64 cond, u64 reason, u64) {
  if (cond & 1) v->exit_reason = u32(reason) | ir::kExitPending;
  return 0;
}

// pushf/popf. BMBT does not model privilege levels yet and runs the guest as CPL 0, where popf
// may change IF and IOPL too; VM, RF, VIF, VIP never change (RF and VM read as 0 in the pushed image).
static u64 rflags(Vcpu* v, u64 mode, u64 value, u64) {
  constexpr u64 kPopfWritable = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x3000 | 0x4000 |
                                0x40000 | 0x200000;  // CF PF AF ZF SF TF IF DF OF IOPL NT AC ID
  constexpr u64 kRfVm = 0x30000;
  u64 current = read_rflags(v->cpu);
  if (mode == 0) return current & ~kRfVm;
  u64 writable = mode == 2 ? (kPopfWritable & 0xffff) : kPopfWritable;
  write_rflags(v->cpu, (current & ~writable) | (value & writable));
  return 0;
}

// ---- 128-by-64 division without the compiler's 128-bit division routines (not in every runtime).
// Requires hi < d; returns the quotient, *rem the remainder.
static u64 udiv128(u64 hi, u64 lo, u64 d, u64* rem) {
  for (int i = 0; i < 64; ++i) {
    u64 carry = hi >> 63;
    hi = (hi << 1) | (lo >> 63);
    lo <<= 1;
    if (carry || hi >= d) { hi -= d; lo |= 1; }
  }
  *rem = hi;
  return lo;
}

static u64 div128(Vcpu* v, u64 divisor, u64 is_signed, u64) {
  CpuState& s = v->cpu;
  u64 hi = s.regs[kRDX], lo = s.regs[kRAX], q = 0, r = 0;
  auto raise = [&] { v->exit_reason = u32(ir::ExitReason::kDivideError) | ir::kExitPending; return u64(1); };
  if (divisor == 0) return raise();
  if (!is_signed) {
    if (hi >= divisor) return raise();
    q = udiv128(hi, lo, divisor, &r);
  } else {
    bool neg_n = i64(hi) < 0, neg_d = i64(divisor) < 0;
    u64 ahi = hi, alo = lo;
    if (neg_n) { alo = ~lo + 1; ahi = ~hi + (alo == 0); }
    u64 ad = neg_d ? ~divisor + 1 : divisor;
    if (ahi >= ad) return raise();
    u64 aq = udiv128(ahi, alo, ad, &r);
    bool neg_q = neg_n != neg_d;
    if (aq > (neg_q ? u64(1) << 63 : (u64(1) << 63) - 1)) return raise();
    q = neg_q ? ~aq + 1 : aq;
    if (neg_n) r = ~r + 1;
  }
  s.regs[kRAX] = q;
  s.regs[kRDX] = r;
  return 0;
}

// ---- rep string instructions, one element at a time with exact state after each. A chunk bounds
// the time spent before the engine regains control (instruction limits, later interrupts).
static constexpr u32 kRepChunk = 1u << 16;

static void write_sized(u64& reg, u64 value, int size) {
  if (size == 4) reg = value & 0xffffffffu;
  else if (size == 8) reg = value;
  else { u64 m = size == 1 ? 0xff : 0xffff; reg = (reg & ~m) | (value & m); }
}

static void set_sub_flags(CpuState& s, u64 a, u64 b, int size) {
  const int w = size * 8;
  const u64 m = w == 64 ? ~u64(0) : (u64(1) << w) - 1, sign = u64(1) << (w - 1);
  a &= m; b &= m;
  const u64 r = (a - b) & m;
  s.flags[ir::kCF] = a < b;
  s.flags[ir::kZF] = r == 0;
  s.flags[ir::kSF] = (r & sign) != 0;
  s.flags[ir::kOF] = (((a ^ b) & (a ^ r)) & sign) != 0;
  s.flags[ir::kAF] = ((a ^ b ^ r) >> 4) & 1;
  s.flags[ir::kPF] = (__builtin_popcountll(r & 0xff) & 1) == 0;
}

static u64 rep_string(Vcpu* v, u64 packed, u64 pc, u64 length) {
  using x86::StringOp;
  const x86::StringDesc desc = x86::StringDesc::unpack(packed);
  CpuState& s = v->cpu;
  const int size = desc.size;
  const u64 amask = desc.addr32 ? 0xffffffffu : ~u64(0);
  const u64 step = s.flags[ir::kDF] ? u64(0) - u64(size) : u64(size);
  const u64 src_base = desc.src_segment == 4 ? s.regs[kFsBase] : desc.src_segment == 5 ? s.regs[kGsBase] : 0;
  auto set_addr = [&](u8 r, u64 value) {
    if (desc.addr32) s.regs[r] = value & 0xffffffffu;
    else s.regs[r] = value;
  };
  auto fault = [&] { s.regs[kRIP] = pc; return pc; };
  for (u32 n = 0; n < kRepChunk; ++n) {
    const u64 count = s.regs[kRCX] & amask;
    if (count == 0) return pc + length;
    const u64 si = s.regs[kRSI] & amask, di = s.regs[kRDI] & amask;
    u64 a = 0, b = 0;
    switch (desc.op) {
      case StringOp::kMovs:
        if (!v->mmu->load(src_base + si, size, &a, &v->fault)) return fault();
        if (!v->mmu->store(di, size, a, &v->fault)) return fault();
        break;
      case StringOp::kStos:
        if (!v->mmu->store(di, size, s.regs[kRAX], &v->fault)) return fault();
        break;
      case StringOp::kLods:
        if (!v->mmu->load(src_base + si, size, &a, &v->fault)) return fault();
        break;
      case StringOp::kCmps:
        if (!v->mmu->load(src_base + si, size, &a, &v->fault)) return fault();
        if (!v->mmu->load(di, size, &b, &v->fault)) return fault();
        break;
      case StringOp::kScas:
        if (!v->mmu->load(di, size, &b, &v->fault)) return fault();
        break;
    }
    // The element completed: commit its register and flag effects.
    if (desc.op == StringOp::kLods) write_sized(s.regs[kRAX], a, size);
    if (desc.op == StringOp::kCmps) set_sub_flags(s, a, b, size);
    if (desc.op == StringOp::kScas) set_sub_flags(s, s.regs[kRAX], b, size);
    if (desc.op == StringOp::kMovs || desc.op == StringOp::kLods || desc.op == StringOp::kCmps) set_addr(kRSI, si + step);
    if (desc.op != StringOp::kLods) set_addr(kRDI, di + step);
    set_addr(kRCX, count - 1);
    if (desc.op == StringOp::kCmps || desc.op == StringOp::kScas) {
      if (desc.rep == x86::RepKind::kRepE && !s.flags[ir::kZF]) return pc + length;
      if (desc.rep == x86::RepKind::kRepNE && s.flags[ir::kZF]) return pc + length;
    }
  }
  return pc;  // iterations remain: the instruction runs again
}

HelperFn helper_function(u16 id) {
  switch (ir::HelperId(id)) {
    case ir::HelperId::PortOut: return port_out;
    case ir::HelperId::PortIn: return port_in;
    case ir::HelperId::Cpuid: return cpuid;
    case ir::HelperId::Rdtsc: return rdtsc;
    case ir::HelperId::RepString: return rep_string;
    case ir::HelperId::Div128: return div128;
    case ir::HelperId::RaiseIf: return raise_if;
    case ir::HelperId::Rflags: return rflags;
    default: return nullptr;
  }
}

u64 slow_load(Vcpu* v, u64 vaddr, u64 size, u64 guest_pc) {
  u64 value = 0;
  if (!v->mmu->load(vaddr, int(size), &value, &v->fault)) {
    v->cpu.regs[kRIP] = guest_pc;
    return 0;
  }
  return value;
}

u64 slow_store(Vcpu* v, u64 vaddr, u64 value, u64 size, u64 guest_pc) {
  if (!v->mmu->store(vaddr, int(size), value, &v->fault)) {
    v->cpu.regs[kRIP] = guest_pc;
    return 0;
  }
  return 1;
}

u64 slow_load_from_code(Vcpu* v, u64 vaddr, u64 size, u64 host_pc) {
  u64 value = 0;
  if (!v->mmu->load(vaddr, int(size), &value, &v->fault)) {
    v->fault_host_pc = host_pc;
    return 0;
  }
  return value;
}

u64 slow_store_from_code(Vcpu* v, u64 vaddr, u64 value, u64 size, u64 host_pc) {
  if (!v->mmu->store(vaddr, int(size), value, &v->fault)) {
    v->fault_host_pc = host_pc;
    return 0;
  }
  return 1;
}

}  // namespace bmbt::engine
