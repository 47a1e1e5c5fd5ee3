#include "trap.h"

#include "board.h"
#include "console.h"
#include "power.h"
#include "support/text.h"

extern "C" char bmbt_trap_vector[], bmbt_tlb_refill_vector[], __text_start[], __text_end[];

namespace bmbt::baremetal {

namespace {
constexpr usize kTrapStackBytes = 64 * 1024;
alignas(16) u8 g_trap_stack[kTrapStackBytes];
IrqHandler g_handlers[13];
u64 g_stack_bottom, g_stack_top, g_guard_bottom;
int g_depth;

struct EcodeName {
  u8 ecode;
  i8 subcode;  // -1: any
  const char* name;
};
constexpr EcodeName kEcodeNames[] = {
    {0x0, -1, "INT (interrupt)"},
    {0x1, -1, "PIL (page invalid, load)"},
    {0x2, -1, "PIS (page invalid, store)"},
    {0x3, -1, "PIF (page invalid, fetch)"},
    {0x4, -1, "PME (page modified)"},
    {0x5, -1, "PNR (page not readable)"},
    {0x6, -1, "PNX (page not executable)"},
    {0x7, -1, "PPI (page privilege)"},
    {0x8, 0, "ADEF (address error, fetch)"},
    {0x8, 1, "ADEM (address error, memory access)"},
    {0x9, -1, "ALE (unaligned access)"},
    {0xa, -1, "BCE (bound check)"},
    {0xb, -1, "SYS (syscall)"},
    {0xc, -1, "BRK (breakpoint)"},
    {0xd, -1, "INE (instruction not defined)"},
    {0xe, -1, "IPE (instruction privilege)"},
    {0xf, -1, "FPD (FPU disabled)"},
    {0x10, -1, "SXD (LSX disabled)"},
    {0x11, -1, "ASXD (LASX disabled)"},
    {0x12, -1, "FPE (floating-point exception)"},
    {0x13, -1, "WPE (watchpoint)"},
    {0x14, -1, "BTD (LBT disabled)"},
    {0x15, -1, "BTE (LBT exception)"},
    {0x3f, -1, "TLBR (TLB refill)"},
};

constexpr const char* kRegNames[32] = {
    "zero", "ra", "tp", "sp", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t1", "t2", "t3",
    "t4",   "t5", "t6", "t7", "t8", "u0", "fp", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"};

bool in_text(u64 pc) { return pc >= u64(__text_start) && pc < u64(__text_end); }

void print(TextBuf& line) {
  console_puts(line.c_str());
  line.clear();
}

// Frame-pointer chain (the bare-metal build keeps frame pointers): fp is the caller's sp, with the
// return address at fp-8 and the previous fp at fp-16.
void backtrace(const TrapFrame& f) {
  FixedText<160> line;
  line.str("backtrace: ").hex0x(f.era, 16).str(" ").hex0x(f.r[1], 16).str(" (era, ra)");
  print(line);
  u64 fp = f.r[22];
  u64 last_ra = 0, repeats = 0;
  int printed = 0;
  for (int depth = 0; depth < 4096 && printed < 16; ++depth) {
    if (fp < g_stack_bottom + 16 || fp > g_stack_top || (fp & 7)) break;
    u64 ra = reinterpret_cast<const u64*>(fp)[-1];
    u64 prev = reinterpret_cast<const u64*>(fp)[-2];
    if (!in_text(ra)) break;
    if (ra == last_ra) {
      ++repeats;  // deep recursion: one line, with a count
    } else {
      if (repeats) {
        line.str("     (the frame above repeats ").udec(repeats).str(" more times)");
        print(line);
        repeats = 0;
      }
      line.str("  #").udec(u64(depth)).str(" ").hex0x(ra, 16).str(" (image offset ").hex0x(ra - BMBT_LINK_BASE).str(")");
      print(line);
      ++printed;
      last_ra = ra;
    }
    if (prev <= fp) break;
    fp = prev;
  }
  if (repeats) {
    line.str("     (the frame above repeats ").udec(repeats).str(" more times)");
    print(line);
  }
}
}  // namespace

const char* ecode_name(u32 ecode, u32 subcode) {
  for (const EcodeName& e : kEcodeNames)
    if (e.ecode == ecode && (e.subcode < 0 || u32(e.subcode) == subcode)) return e.name;
  return "unknown";
}

void traps_init() {
  csr_write<CSR_ECFG>(0);  // all lines masked, one vector for everything (VS = 0)
  csr_write<KS_TRAP_STACK>(u64(g_trap_stack + kTrapStackBytes));
  csr_write<CSR_EENTRY>(u64(bmbt_trap_vector));
  // The refill vector runs in direct-address mode: TLBRENTRY is physical.
  csr_write<CSR_TLBRENTRY>(virt_to_phys(bmbt_tlb_refill_vector));
}

void irq_enable(IrqLine line, IrqHandler handler) {
  g_handlers[line] = handler;
  csr_xchg<CSR_ECFG>(u64(1) << line, u64(1) << line);
}

void irq_disable(IrqLine line) {
  csr_xchg<CSR_ECFG>(0, u64(1) << line);
  g_handlers[line] = nullptr;
}

void traps_set_stack(u64 bottom, u64 top, u64 guard_bottom) {
  g_stack_bottom = bottom;
  g_stack_top = top;
  g_guard_bottom = guard_bottom;
}

void panic_report(const TrapFrame& f, const char* reason) {
  FixedText<200> line;
  u32 ecode = u32(f.estat >> 16) & 0x3f;
  u32 subcode = u32(f.estat >> 22) & 0x1ff;
  console_puts("");
  line.str("*** BMBT PANIC: ").str(reason);
  print(line);
  if (f.kind == 1) {
    line.str("exception: TLB refill with no mapping (Ecode 0x3f)");
  } else {
    line.str("exception: Ecode ").hex0x(ecode).str(" EsubCode ").hex0x(subcode).str(" ").str(ecode_name(ecode, subcode));
  }
  print(line);
  line.str("ERA  ").hex0x(f.era, 16).str("  BADV ").hex0x(f.badv, 16).str("  BADI ").hex0x(f.badi, 8);
  print(line);
  line.str("ESTAT ").hex0x(f.estat, 8).str("  PRMD ").hex0x(f.prmd, 2).str("  image ").hex0x(BMBT_LINK_BASE, 16);
  if (in_text(f.era)) line.str("  ERA offset ").hex0x(f.era - BMBT_LINK_BASE);
  print(line);
  for (int r = 0; r < 32; r += 4) {
    for (int k = r; k < r + 4; ++k) {
      line.pad_to(usize((k - r) * 28), false).str("r").udec(u64(k)).str("/").str(kRegNames[k]);
      line.pad_to(usize((k - r) * 28 + 10)).hex(f.r[k], 16);
    }
    print(line);
  }
  backtrace(f);
  console_puts("*** BMBT: powering off");
  power_off();
}

extern "C" void bmbt_trap(TrapFrame* f) {
  if (++g_depth > 1) {
    console_puts("\n*** BMBT PANIC: fault inside the trap handler");
    power_off();
  }
  u32 ecode = u32(f->estat >> 16) & 0x3f;
  if (f->kind == 0 && ecode == 0) {
    u32 pending = u32(f->estat & csr_read<CSR_ECFG>() & 0x1fff);
    bool handled_any = false;
    for (u32 line = 0; line < 13; ++line) {
      if (!(pending & (1u << line))) continue;
      if (!g_handlers[line]) {
        FixedText<80> why;
        why.str("unexpected interrupt on line ").udec(line);
        panic_report(*f, why.c_str());
      }
      g_handlers[line](*f);
      handled_any = true;
    }
    if (!handled_any) panic_report(*f, "interrupt with no enabled line pending");
    --g_depth;
    return;
  }
  u64 sp = f->r[3];
  if (sp >= g_guard_bottom && sp < g_stack_bottom + 256 && g_stack_bottom)
    panic_report(*f, "stack overflow (sp reached the guard page)");
  if (f->kind == 1 && f->badv >= g_guard_bottom && f->badv < g_stack_bottom)
    panic_report(*f, "stack overflow (access to the guard page)");
  panic_report(*f, f->kind == 1 ? "access to unmapped memory" : "unexpected exception");
}

}  // namespace bmbt::baremetal
