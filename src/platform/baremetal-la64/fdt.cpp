#include "fdt.h"

#include "board.h"

// libfdt's C interface (libfdt.h needs a C library's headers, so the few functions used are
// declared here with the same signatures).
extern "C" {
int fdt_check_header(const void* fdt);
int fdt_next_node(const void* fdt, int offset, int* depth);
const void* fdt_getprop(const void* fdt, int nodeoffset, const char* name, int* lenp);
int fdt_node_offset_by_compatible(const void* fdt, int startoffset, const char* compatible);
int fdt_address_cells(const void* fdt, int nodeoffset);
int fdt_size_cells(const void* fdt, int nodeoffset);
int fdt_parent_offset(const void* fdt, int nodeoffset);
int fdt_node_offset_by_phandle(const void* fdt, uint32_t phandle);
int fdt_node_check_compatible(const void* fdt, int nodeoffset, const char* compatible);
}

namespace bmbt::baremetal {

namespace {
u32 be32_at(const void* p) { return __builtin_bswap32(*static_cast<const u32*>(p)); }

u64 read_cells(const u8*& p, int cells) {
  u64 v = 0;
  for (int i = 0; i < cells; ++i, p += 4) v = (v << 32) | be32_at(p);
  return v;
}

bool equals(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

// First (address, size) of a node's reg, with the parent's cell counts.
bool first_reg(const void* fdt, int node, u64* addr, u64* size) {
  int len = 0;
  const u8* reg = static_cast<const u8*>(fdt_getprop(fdt, node, "reg", &len));
  int parent = fdt_parent_offset(fdt, node);
  int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
  if (!reg || ac < 1 || sc < 0 || len < 4 * (ac + sc)) return false;
  *addr = read_cells(reg, ac);
  *size = read_cells(reg, sc);
  return true;
}

// The first cell of a u32 property, or `fallback`.
u32 first_cell(const void* fdt, int node, const char* name, u32 fallback) {
  int len = 0;
  const void* p = fdt_getprop(fdt, node, name, &len);
  return p && len >= 4 ? be32_at(p) : fallback;
}

// The node that receives `node`'s interrupts: its own or the nearest ancestor's interrupt-parent.
int interrupt_parent(const void* fdt, int node) {
  for (int n = node; n >= 0; n = fdt_parent_offset(fdt, n)) {
    u32 phandle = first_cell(fdt, n, "interrupt-parent", 0);
    if (phandle) return fdt_node_offset_by_phandle(fdt, phandle);
  }
  return -1;
}

// UART -> PCH-PIC -> EXTIOI -> CPU line, each step checked by its compatible string.
FdtSummary::UartIrq uart_irq_route(const void* fdt, int uart) {
  FdtSummary::UartIrq r{};
  int pic = interrupt_parent(fdt, uart);
  if (pic < 0 || fdt_node_check_compatible(fdt, pic, "loongson,pch-pic-1.0") != 0) return r;
  int extioi = interrupt_parent(fdt, pic);
  if (extioi < 0 || (fdt_node_check_compatible(fdt, extioi, "loongson,ls2k2000-eiointc") != 0 &&
                     fdt_node_check_compatible(fdt, extioi, "loongson,ls2k0500-eiointc") != 0))
    return r;
  u64 size = 0;
  r.pch_pic_input = first_cell(fdt, uart, "interrupts", ~0u);
  r.extioi_base = first_cell(fdt, pic, "loongson,pic-base-vec", 0);
  r.cpu_line = first_cell(fdt, extioi, "interrupts", ~0u);
  r.valid = first_reg(fdt, pic, &r.pch_pic_pa, &size) && r.pch_pic_input < 64 && r.cpu_line >= 2 &&
            r.cpu_line <= 9 && r.extioi_base + r.pch_pic_input < 256;
  return r;
}
}  // namespace

FdtSummary g_fdt;

bool fdt_summarize(u64 fdt_pa, FdtSummary* s) {
  *s = FdtSummary{};
  if (!fdt_pa) return false;
  const void* fdt = phys_to_virt(fdt_pa);
  if (fdt_check_header(fdt) != 0) return false;
  s->valid = true;
  int depth = 0;
  for (int node = fdt_next_node(fdt, -1, &depth); node >= 0; node = fdt_next_node(fdt, node, &depth)) {
    int len = 0;
    const char* type = static_cast<const char*>(fdt_getprop(fdt, node, "device_type", &len));
    if (type && equals(type, "memory")) {
      const u8* reg = static_cast<const u8*>(fdt_getprop(fdt, node, "reg", &len));
      int parent = fdt_parent_offset(fdt, node);
      int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
      const u8* end = reg ? reg + len : nullptr;
      while (reg && ac > 0 && reg + 4 * (ac + sc) <= end && s->memory_count < array_size(s->memory)) {
        u64 base = read_cells(reg, ac);
        u64 size = read_cells(reg, sc);
        s->memory[s->memory_count++] = {base, size};
      }
    }
    if (type && equals(type, "cpu")) {
      if (s->cpu_count < array_size(s->cpu_ids)) s->cpu_ids[s->cpu_count] = first_cell(fdt, node, "reg", s->cpu_count);
      ++s->cpu_count;
    }
    if (fdt_getprop(fdt, node, "interrupt-controller", &len) && s->irqchip_count < array_size(s->irqchips)) {
      const char* compat = static_cast<const char*>(fdt_getprop(fdt, node, "compatible", &len));
      s->irqchips[s->irqchip_count++] = compat ? compat : "?";
    }
  }
  u64 size = 0;
  for (int uart = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
       uart >= 0 && s->uart_count < array_size(s->uarts); uart = fdt_node_offset_by_compatible(fdt, uart, "ns16550a")) {
    FdtSummary::Uart& u = s->uarts[s->uart_count];
    if (!first_reg(fdt, uart, &u.pa, &size)) continue;
    u.irq = uart_irq_route(fdt, uart);
    ++s->uart_count;
  }
  s->uart_pa = s->uart_count ? s->uarts[0].pa : 0;
  int pci = fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic");
  if (pci >= 0) first_reg(fdt, pci, &s->pci_ecam_pa, &s->pci_ecam_size);
  return true;
}

void fdt_describe(const FdtSummary& s, TextBuf& line) {
  line.str("fdt: ").udec(s.cpu_count).str(" cpu, memory");
  for (u32 i = 0; i < s.memory_count; ++i) line.str(" ").hex0x(s.memory[i].base).str("+").hex0x(s.memory[i].size);
  line.str(", uart ").hex0x(s.uart_pa).str(", pci ecam ").hex0x(s.pci_ecam_pa).str("+").hex0x(s.pci_ecam_size)
      .str(", irqchips");
  for (u32 i = 0; i < s.irqchip_count; ++i) line.str(" ").str(s.irqchips[i]);
}

}  // namespace bmbt::baremetal
