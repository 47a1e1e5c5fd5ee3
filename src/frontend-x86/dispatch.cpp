#include "frontend-x86/families.h"

namespace bmbt::x86 {

namespace {
struct Entry { ZydisMnemonic mnemonic; Handler handler; };
constexpr Entry kEntries[] = {
#define X86_INSN(mnemonic, handler) {ZYDIS_MNEMONIC_##mnemonic, handler},
#include "frontend-x86/mnemonics.inc"
#undef X86_INSN
};

struct Table {
  Handler by_mnemonic[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {};
  constexpr Table() {
    for (const Entry& e : kEntries) by_mnemonic[e.mnemonic] = e.handler;
  }
};
constexpr Table kTable;
}  // namespace

Handler handler_for(ZydisMnemonic m) {
  return (m >= 0 && m <= ZYDIS_MNEMONIC_MAX_VALUE) ? kTable.by_mnemonic[m] : nullptr;
}

}  // namespace bmbt::x86
