#include "irqchip.h"

#include "board.h"
#include "csr.h"
#include "support/text.h"
#include "trap.h"

namespace bmbt::baremetal {

namespace {
// PCH-PIC registers (LS7A manual; QEMU hw/intc/loongarch_pch_pic): 64-bit masks, one bit per input.
constexpr u64 kPicMask = 0x20;      // 1 = masked
constexpr u64 kPicHtMsiEn = 0x40;   // 1 = deliver as HT MSI (unused: 0)
constexpr u64 kPicEdge = 0x60;      // 1 = edge, 0 = level
constexpr u64 kPicRouteEntry = 0x100;  // a byte per input (LS7A: output pin; fixed to 1)
constexpr u64 kPicHtMsiVec = 0x200;    // a byte per input: the EXTIOI vector it raises
constexpr u64 kPicPolarity = 0x3e0;    // 1 = active low
constexpr u32 kInputs = 64, kVectors = 256;

u64 g_pic_pa;
u32 g_extioi_base;
bool g_ready;
DeviceIrqHandler g_handlers[kInputs];
volatile u64 g_dispatched;

volatile u32* pic32(u64 reg) { return mmio<u32>(g_pic_pa + reg); }
volatile u8* pic8(u64 reg) { return mmio<u8>(g_pic_pa + reg); }

// PCH-PIC's 64-bit registers are written as two 32-bit halves (all that QEMU's model accepts).
void pic_set_bit(u64 reg, u32 input, bool value) {
  volatile u32* word = pic32(reg + (input / 32) * 4);
  u32 bit = 1u << (input % 32);
  *word = value ? (*word | bit) : (*word & ~bit);
}

u32 own_core_id() { return u32(csr_read<CSR_CPUID>()) & CSR_CPUID_MASK; }

// The CPU line's handler: the pending vectors of this core are cleared first (an input that stays
// high or rises again while its handler runs raises the vector again), then dispatched.
void on_cpu_line(TrapFrame& frame) {
  for (u32 word = 0; word < kVectors / 32; ++word) {
    u32 pending = iocsr_read32(kIocsrExtioiCoreIsr + word * 4);
    if (!pending) continue;
    iocsr_write32(kIocsrExtioiCoreIsr + word * 4, pending);
    for (; pending; pending &= pending - 1) {
      u32 vector = word * 32 + u32(__builtin_ctz(pending));
      u32 input = vector - g_extioi_base;
      if (vector < g_extioi_base || input >= kInputs || !g_handlers[input]) {
        FixedText<80> why;
        why.str("unexpected device interrupt, EXTIOI vector ").udec(vector);
        panic_report(frame, why.c_str());
      }
      g_dispatched = g_dispatched + 1;
      g_handlers[input](input);
    }
  }
}
}  // namespace

void irqchip_init(u64 pch_pic_pa, u32 extioi_base, u32 cpu_line) {
  g_pic_pa = pch_pic_pa;
  g_extioi_base = extioi_base;
  // PCH-PIC: everything masked, level-triggered, active high, delivered as vector base + input.
  for (u32 half = 0; half < 2; ++half) {
    *pic32(kPicMask + half * 4) = ~0u;
    *pic32(kPicHtMsiEn + half * 4) = 0;
    *pic32(kPicEdge + half * 4) = 0;
    *pic32(kPicPolarity + half * 4) = 0;
  }
  for (u32 i = 0; i < kInputs; ++i) {
    *pic8(kPicRouteEntry + i) = 1;
    *pic8(kPicHtMsiVec + i) = u8(extioi_base + i);
  }
  // EXTIOI: enabled (needed on hardware; QEMU's model is always on), all vectors off, no bouncing,
  // every group of 32 vectors on CPU pin cpu_line - 2.
  iocsr_write64(kIocsrMiscFunc, iocsr_read64(kIocsrMiscFunc) | kMiscFuncExtioiEnable);
  u32 pin = 1u << (cpu_line - kIrqHwi0);
  u32 ipmap = pin | pin << 8 | pin << 16 | pin << 24;
  for (u32 word = 0; word < kVectors / 32; ++word) {
    iocsr_write32(kIocsrExtioiEnable + word * 4, 0);
    iocsr_write32(kIocsrExtioiBounce + word * 4, 0);
    iocsr_write32(kIocsrExtioiCoreIsr + word * 4, ~0u);
  }
  iocsr_write32(kIocsrExtioiIpmap, ipmap);
  iocsr_write32(kIocsrExtioiIpmap + 4, ipmap);
  irq_enable(IrqLine(cpu_line), on_cpu_line);
  g_ready = true;
}

bool irqchip_ready() { return g_ready; }

void irqchip_route(u32 input, DeviceIrqHandler handler) {
  if (!g_ready || input >= kInputs) return;
  u32 vector = g_extioi_base + input;
  g_handlers[input] = handler;
  // Core map: a byte per vector holding the target core as a one-hot bit (cores 0-3 of a node).
  u64 map_word = kIocsrExtioiCoremap + (vector & ~3u);
  u32 shift = (vector & 3) * 8;
  u32 map = iocsr_read32(map_word);
  map = (map & ~(0xffu << shift)) | ((1u << (own_core_id() & 3)) << shift);
  iocsr_write32(map_word, map);
  u64 enable_word = kIocsrExtioiEnable + (vector / 32) * 4;
  iocsr_write32(enable_word, iocsr_read32(enable_word) | (1u << (vector % 32)));
  pic_set_bit(kPicEdge, input, false);
  pic_set_bit(kPicMask, input, false);
}

void irqchip_mask(u32 input) {
  if (!g_ready || input >= kInputs) return;
  pic_set_bit(kPicMask, input, true);
  u32 vector = g_extioi_base + input;
  u64 enable_word = kIocsrExtioiEnable + (vector / 32) * 4;
  iocsr_write32(enable_word, iocsr_read32(enable_word) & ~(1u << (vector % 32)));
  g_handlers[input] = nullptr;
}

u64 irqchip_dispatched() { return g_dispatched; }

}  // namespace bmbt::baremetal
