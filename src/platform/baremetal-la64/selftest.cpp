// bmbt.selftest: checks of the platform pieces the guest run does not exercise, each printing one
// "bmbt: selftest <name>: ok|FAILED (...)" line. Expected values come from the architecture (the
// TLB must translate to the page that was written through the DMW window; the counter runs at the
// board's 100 MHz), not from the code under test.
#include "board.h"
#include "fp_selftest.h"
#include "kernel.h"
#include "memory.h"
#include "support/log.h"
#include "timer.h"
#include "tlb.h"
#include "trap.h"

namespace bmbt::baremetal {

namespace {
int g_failures;

void report(const char* name, bool ok, const char* detail = "") {
  LogLine line;
  line.str("bmbt: selftest ").str(name).str(ok ? ": ok" : ": FAILED").str(*detail ? " (" : "").str(detail)
      .str(*detail ? ")" : "");
  if (!ok) ++g_failures;
}

u64 read_va(u64 va) { return *reinterpret_cast<volatile u64*>(va); }

void timer_test() {
  constexpr u64 kPeriodNs = 1000000;  // 1 ms
  constexpr u64 kTicks = 20;
  u64 start_ticks = timer_ticks();
  u64 start = timer_counter();
  timer_start_periodic(kPeriodNs);
  u64 idles = 0;
  while (timer_ticks() - start_ticks < kTicks && idles < 100000) {
    idle_until_interrupt();
    ++idles;
  }
  timer_stop();
  u64 elapsed_us = (timer_counter() - start) / (kTimerHz / 1000000);
  FixedText<120> d;
  d.udec(timer_ticks() - start_ticks).str(" interrupts in ").udec(elapsed_us).str(" us, ").udec(idles).str(" idles");
  // 20 periods of 1 ms take at least 20 ms of the stable counter.
  report("timer", timer_ticks() - start_ticks == kTicks && elapsed_us >= kTicks * 1000 - 100, d.c_str());
}

void tlb_test() {
  constexpr u64 kVa = 0x0000000200000000ull;  // low half: no DMW, so the TLB translates it
  constexpr u64 kPage = u64(1) << tlb::kStlbPageShift;
  u64 pa_a = alloc_phys(kPage), pa_b = alloc_phys(kPage), pa_c = alloc_phys(kPage);
  *static_cast<volatile u64*>(phys_to_virt(pa_a)) = 0xaaaa0000aaaa0001ull;
  *static_cast<volatile u64*>(phys_to_virt(pa_b)) = 0xbbbb0000bbbb0002ull;
  *static_cast<volatile u64*>(phys_to_virt(pa_c)) = 0xcccc0000cccc0003ull;
  u16 saved = tlb::asid();
  FixedText<64> d;
  d.udec(tlb::asid_bits()).str("-bit ASIDs");
  report("tlb asid width", tlb::asid_bits() >= 8, d.c_str());

  tlb::map(kVa, pa_a, 5, tlb::kReadWrite);
  tlb::set_asid(5);
  report("tlb map 16K page", read_va(kVa) == 0xaaaa0000aaaa0001ull);
  u64 pa = 0;
  report("tlb lookup", tlb::lookup(kVa + 0x18, 5, &pa) && pa == pa_a + 0x18);
  tlb::map(kVa + kPage, pa_c, 5, tlb::kReadWrite);  // odd half of the same pair
  report("tlb pair halves", read_va(kVa) == 0xaaaa0000aaaa0001ull && read_va(kVa + kPage) == 0xcccc0000cccc0003ull);
  report("tlb other asid misses", !tlb::lookup(kVa, 6, &pa));
  tlb::map(kVa, pa_b, 6, tlb::kReadWrite);
  tlb::set_asid(6);
  bool b_seen = read_va(kVa) == 0xbbbb0000bbbb0002ull;
  tlb::set_asid(5);
  report("tlb per-asid mappings", b_seen && read_va(kVa) == 0xaaaa0000aaaa0001ull);
  tlb::set_asid(saved);
  report("tlb unmap page", tlb::unmap(kVa, 5) && !tlb::lookup(kVa, 5, &pa) && tlb::lookup(kVa + kPage, 5, &pa) &&
                               tlb::lookup(kVa, 6, &pa));
  tlb::flush_asid(6);
  report("tlb invtlb by asid", !tlb::lookup(kVa, 6, &pa) && tlb::lookup(kVa + kPage, 5, &pa));
  tlb::flush_page(kVa + kPage, 5);
  report("tlb invtlb by va", !tlb::lookup(kVa + kPage, 5, &pa));

  // A 32 MiB pinned page over the image's own memory (physical 0x200000 lies inside it).
  constexpr u64 kBigVa = 0x0000000400000000ull;
  u64 big_pa = virt_to_phys(reinterpret_cast<void*>(BMBT_LINK_BASE)) & ~((u64(1) << tlb::kPs32M) - 1);
  tlb::map_pinned(40, kBigVa, tlb::kPs32M, big_pa, 0, 0, tlb::kValid | tlb::kCached | tlb::kGlobal);
  u64 off = virt_to_phys(reinterpret_cast<void*>(BMBT_LINK_BASE)) - big_pa;
  report("tlb 32M page", *reinterpret_cast<volatile u16*>(kBigVa + off) == 0x5a4d /* "MZ" */);
  tlb::flush_page(kBigVa, 0);
}

void memory_test() {
  u64 before = free_bytes();
  u64 a = alloc_phys(3 * kPageSize), b = alloc_phys(kPageSize, u64(1) << 21);
  bool ok = a && b && (a % kPageSize) == 0 && (b % (u64(1) << 21)) == 0 && (b >= a + 3 * kPageSize || b + kPageSize <= a) &&
            free_bytes() < before;
  FixedText<80> d;
  d.str("free ").udec(before >> 20).str(" MiB");
  report("page allocator", ok, d.c_str());
}
}  // namespace

void run_selftests() {
  memory_test();
  tlb_test();
  timer_test();
  FixedText<160> d;
  report("fp state across interrupts", fp_state_survives_interrupt(d), d.c_str());
  LogLine().str("bmbt: selftest done, ").udec(u64(g_failures)).str(" failures");
}

}  // namespace bmbt::baremetal
