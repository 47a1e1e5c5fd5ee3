// The FP/SIMD half of the trap path: a timer interrupt arrives while all 32 LASX registers, FCSR0
// and the FCC flags hold known values, its handler overwrites all of them, and after the interrupt
// every value must be back. Without the save in traps.S the check sees the handler's values.
// (Compiled with -mlasx, like traps.S: BMBT requires the LA464's LASX.)
#include "fp_selftest.h"

#include "timer.h"
#include "trap.h"

namespace bmbt::baremetal {

namespace {
constexpr u32 kRegs = 32, kLanes = 4;  // 256-bit registers as 4 x u64
constexpr u64 kFcsrPattern = 0x00000300;  // RM = 3 (round down): visible, harmless
volatile u64 g_ticks;

u64 pattern(u32 reg, u32 lane) { return 0x0123456789abcdefull ^ (u64(reg) << 40) ^ (u64(lane) << 8) ^ (reg * 0x1111u); }

// Timer handler that uses every FP/SIMD register, the FCSR and the flags, as any handler might.
void clobbering_timer(TrapFrame&) {
  csr_write<CSR_TICLR>(1);
  __asm__ volatile(
      "li.d $t0, -1\n"
      ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
      "xvreplgr2vr.d $xr\\n, $t0\n"
      ".endr\n"
      "li.w $t0, 0x100\n"  // RM = 1 (toward zero)
      "movgr2fcsr $fcsr0, $t0\n"
      ".irp n, 0,1,2,3,4,5,6,7\n"
      "movgr2cf $fcc\\n, $zero\n"
      ".endr\n" ::
          : "t0", "memory", "$f0", "$f1", "$f2", "$f3", "$f4", "$f5", "$f6", "$f7", "$f8", "$f9", "$f10", "$f11", "$f12",
            "$f13", "$f14", "$f15", "$f16", "$f17", "$f18", "$f19", "$f20", "$f21", "$f22", "$f23", "$f24", "$f25",
            "$f26", "$f27", "$f28", "$f29", "$f30", "$f31");
  g_ticks = g_ticks + 1;
}
}  // namespace

bool fp_state_survives_interrupt(TextBuf& detail) {
  alignas(32) static u64 before[kRegs][kLanes];
  alignas(32) static u64 after[kRegs][kLanes];
  static u8 fcc_after[8];
  u64 fcsr_after = 0;
  for (u32 r = 0; r < kRegs; ++r)
    for (u32 l = 0; l < kLanes; ++l) before[r][l] = pattern(r, l), after[r][l] = 0;

  irq_enable(kIrqTimer, clobbering_timer);
  u64 start = g_ticks;
  csr_write<CSR_TCFG>(10000 | 1);  // one-shot, 100 us
  // One asm block from loading the registers to storing them, so nothing else touches them: load,
  // set FCSR and FCC (alternating 1/0), enable interrupts, wait for the tick, disable, store.
  __asm__ volatile(
      ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
      "xvld $xr\\n, %[before], \\n * 32\n"
      ".endr\n"
      "movgr2fcsr $fcsr0, %[fcsr]\n"
      "li.w $t1, 1\n"
      ".irp n, 0,2,4,6\n"
      "movgr2cf $fcc\\n, $t1\n"
      ".endr\n"
      ".irp n, 1,3,5,7\n"
      "movgr2cf $fcc\\n, $zero\n"
      ".endr\n"
      "li.w $t1, 4\n"
      "li.w $t3, 4\n"
      "csrxchg $t3, $t1, 0x0\n"  // CRMD.IE = 1 (t3 receives the old CRMD)
      "1: ld.d $t2, %[ticks], 0\n"
      "beq $t2, %[start], 1b\n"
      "csrxchg $zero, $t1, 0x0\n"  // CRMD.IE = 0
      ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
      "xvst $xr\\n, %[after], \\n * 32\n"
      ".endr\n"
      "movfcsr2gr %[fcsr_out], $fcsr0\n"
      "movgr2fcsr $fcsr0, $zero\n"  // back to the default rounding for the code that follows
      ".irp n, 0,1,2,3,4,5,6,7\n"
      "movcf2gr $t1, $fcc\\n\n"
      "st.b $t1, %[fcc], \\n\n"
      ".endr\n"
      : [fcsr_out] "=&r"(fcsr_after)
      : [before] "r"(before), [after] "r"(after), [fcsr] "r"(kFcsrPattern), [ticks] "r"(&g_ticks), [start] "r"(start),
        [fcc] "r"(fcc_after)
      : "t1", "t2", "t3", "memory", "$f0", "$f1", "$f2", "$f3", "$f4", "$f5", "$f6", "$f7", "$f8", "$f9", "$f10", "$f11",
        "$f12", "$f13", "$f14", "$f15", "$f16", "$f17", "$f18", "$f19", "$f20", "$f21", "$f22", "$f23", "$f24", "$f25",
        "$f26", "$f27", "$f28", "$f29", "$f30", "$f31");
  irq_disable(kIrqTimer);
  csr_write<CSR_TCFG>(0);

  u32 bad_regs = 0;
  for (u32 r = 0; r < kRegs; ++r)
    for (u32 l = 0; l < kLanes; ++l)
      if (after[r][l] != before[r][l]) {
        ++bad_regs;
        break;
      }
  u32 bad_fcc = 0;
  for (u32 c = 0; c < 8; ++c)
    if (fcc_after[c] != ((c % 2) == 0 ? 1 : 0)) ++bad_fcc;
  bool fcsr_ok = (fcsr_after & 0x300) == kFcsrPattern;
  detail.udec(g_ticks - start).str(" interrupt, ").udec(kRegs - bad_regs).str("/32 LASX registers, FCSR0 ")
      .str(fcsr_ok ? "kept" : "changed").str(", ").udec(8 - bad_fcc).str("/8 FCC kept");
  return g_ticks != start && bad_regs == 0 && bad_fcc == 0 && fcsr_ok;
}

}  // namespace bmbt::baremetal
