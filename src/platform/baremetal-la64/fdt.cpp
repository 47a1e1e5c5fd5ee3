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
}  // namespace

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
    if (type && equals(type, "cpu")) ++s->cpu_count;
    if (fdt_getprop(fdt, node, "interrupt-controller", &len) && s->irqchip_count < array_size(s->irqchips)) {
      const char* compat = static_cast<const char*>(fdt_getprop(fdt, node, "compatible", &len));
      s->irqchips[s->irqchip_count++] = compat ? compat : "?";
    }
  }
  int uart = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
  u64 size = 0;
  if (uart >= 0) first_reg(fdt, uart, &s->uart_pa, &size);
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
