// LoongArch control and status registers used by the bare-metal platform (REFERENCE.md section 2),
// shared by the assembly files and C++.
#pragma once

#define CSR_CRMD 0x0
#define CSR_PRMD 0x1
#define CSR_EUEN 0x2
#define CSR_ECFG 0x4
#define CSR_ESTAT 0x5
#define CSR_ERA 0x6
#define CSR_BADV 0x7
#define CSR_BADI 0x8
#define CSR_EENTRY 0xc
#define CSR_TLBIDX 0x10
#define CSR_TLBEHI 0x11
#define CSR_TLBELO0 0x12
#define CSR_TLBELO1 0x13
#define CSR_ASID 0x18
#define CSR_PGDL 0x19
#define CSR_PGDH 0x1a
#define CSR_STLBPS 0x1e
#define CSR_CPUID 0x20
#define CSR_CPUID_MASK 0x1ff
// Cores BMBT can start (indexed by CPUID; head.S and smp.cpp).
#define BMBT_MAX_CPUS 8
#define CSR_KS0 0x30
#define CSR_KS1 0x31
#define CSR_KS2 0x32
#define CSR_KS3 0x33
#define CSR_TCFG 0x41
#define CSR_TVAL 0x42
#define CSR_TICLR 0x44
#define CSR_TLBRENTRY 0x88
#define CSR_TLBRBADV 0x89
#define CSR_TLBRERA 0x8a
#define CSR_TLBRSAVE 0x8b
#define CSR_TLBRPRMD 0x8f
#define CSR_DMW0 0x180
#define CSR_DMW1 0x181
#define CSR_DMW2 0x182
#define CSR_DMW3 0x183

// Direct-mapped windows: DMW0 = uncached (devices), DMW1 = cached (BMBT's code, data, all RAM).
#define BMBT_DMW0_VALUE 0x8000000000000001
#define BMBT_DMW1_VALUE 0x9000000000000011
// CRMD after the switch: PLV0, interrupts off, paging on, cached fetch and data (DATF = DATM = 1).
#define BMBT_CRMD_PAGED 0xb0
// Where the linker script puts __image_start (DMW1 + physical 2 MiB).
#define BMBT_LINK_BASE 0x9000000000200000

// Kernel-scratch registers: KS0 = interrupted sp while a trap saves state, KS1 = trap stack top,
// KS2 = PC of a TLB refill that the refill vector turned into a fault report.
#define KS_SAVED_SP CSR_KS0
#define KS_TRAP_STACK CSR_KS1
#define KS_REFILL_ERA CSR_KS2

// Trap frame layout (traps.S writes it, trap.h describes it): r0..r31, then the CSRs.
#define TF_REG(n) ((n) * 8)
#define TF_ERA (32 * 8)
#define TF_PRMD (33 * 8)
#define TF_ESTAT (34 * 8)
#define TF_BADV (35 * 8)
#define TF_BADI (36 * 8)
#define TF_KIND (37 * 8)
#define TF_SIZE (38 * 8)
// FP/SIMD state saved below the TrapFrame by every trap (traps.S): the 32 LASX registers (which
// contain the FP and LSX registers), then FCSR0 and the eight condition flags FCC0..7, one byte each.
#define TF_FP_FCSR (32 * 32)
#define TF_FP_FCC (32 * 32 + 8)
#define TF_FP_SIZE (32 * 32 + 32)

#ifndef __ASSEMBLER__
#include "support/types.h"

namespace bmbt::baremetal {

// EUEN: FP (bit 0), LSX (1), LASX (2) and LBT (3, BTE) instructions allowed.
constexpr u64 kEuenBte = u64(1) << 3;

template <u32 kCsr>
inline u64 csr_read() {
  u64 v;
  __asm__ volatile("csrrd %0, %1" : "=r"(v) : "i"(kCsr));
  return v;
}

template <u32 kCsr>
inline void csr_write(u64 v) {
  __asm__ volatile("csrwr %0, %1" : "+r"(v) : "i"(kCsr) : "memory");
}

// Changes only the bits in mask; returns the old value.
template <u32 kCsr>
inline u64 csr_xchg(u64 value, u64 mask) {
  __asm__ volatile("csrxchg %0, %1, %2" : "+r"(value) : "r"(mask), "i"(kCsr) : "memory");
  return value;
}

inline u32 iocsr_read32(u64 addr) {
  u32 v;
  __asm__ volatile("iocsrrd.w %0, %1" : "=r"(v) : "r"(addr));
  return v;
}
inline u64 iocsr_read64(u64 addr) {
  u64 v;
  __asm__ volatile("iocsrrd.d %0, %1" : "=r"(v) : "r"(addr));
  return v;
}
inline void iocsr_write32(u64 addr, u32 v) { __asm__ volatile("iocsrwr.w %0, %1" ::"r"(v), "r"(addr) : "memory"); }
inline void iocsr_write64(u64 addr, u64 v) { __asm__ volatile("iocsrwr.d %0, %1" ::"r"(v), "r"(addr) : "memory"); }

inline void interrupts_enable() { csr_xchg<CSR_CRMD>(4, 4); }
inline void interrupts_disable() { csr_xchg<CSR_CRMD>(0, 4); }

}  // namespace bmbt::baremetal
#endif
