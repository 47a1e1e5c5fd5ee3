#include "capstone_check.h"

#include <Zydis/Zydis.h>
#include <capstone/capstone.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace bmbt::x86diff {

CapstoneCheck::CapstoneCheck() {
  csh h;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
    std::fprintf(stderr, "x86-diff: cs_open failed\n");
    return;
  }
  cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
  handle_ = h;
}

CapstoneCheck::~CapstoneCheck() {
  if (handle_) {
    csh h = handle_;
    cs_close(&h);
  }
}

void CapstoneCheck::note(std::map<std::string, u64>& where, const std::string& what) {
  auto it = where.find(what);
  if (it != where.end()) ++it->second;
  else if (where.size() < 12) where[what] = 1;
}

namespace {
std::string hex(const u8* p, int n) {
  std::string s;
  char b[4];
  for (int i = 0; i < n; ++i) { std::snprintf(b, sizeof b, "%02x", p[i]); s += (i ? " " : "") + std::string(b); }
  return s;
}
}  // namespace

// Disagreements where the host CPU sides with Zydis (the instruction executes as Zydis
// decodes it and the differential test passes), i.e. Capstone 4.0.2 defects, and one
// difference of presentation.
const char* CapstoneCheck::known_difference(const ZydisDecodedInstruction& zi) {
  switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_CMPSW:
    case ZYDIS_MNEMONIC_SCASW:
      if (zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE))
        return "capstone 4 drops 66 on rep string ops";
      return nullptr;
    case ZYDIS_MNEMONIC_MOVSXD:
      return zi.operand_width != 64 ? "capstone 4 shows a 64-bit destination for movsxd without rex.w" : nullptr;
    case ZYDIS_MNEMONIC_NOP:
      return "zydis lists the modrm.reg register of the hint nop (0f 1f /r)";
    default: return nullptr;
  }
}

void CapstoneCheck::check(const u8* code, int len) {
  if (!handle_) return;
  static ZydisDecoder zd = [] {
    ZydisDecoder d;
    ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    return d;
  }();
  cs_insn* ci = cs_malloc(handle_);
  int off = 0;
  while (off < len) {
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&zd, code + off, usize(len - off), &zi, zo))) break;
    ++checked_;
    const u8* p = code + off;
    size_t size = usize(len - off);
    uint64_t addr = kCodeAddr + u64(off);
    std::string zname = ZydisMnemonicGetString(zi.mnemonic);
    if (!cs_disasm_iter(handle_, &p, &size, &addr, ci)) {
      ++cs_failed_;
      note(failed_examples_, zname + ": " + hex(code + off, zi.length));
    } else if (ci->size != zi.length) {
      ++length_mismatch_;
      note(length_examples_, zname + ": " + hex(code + off, zi.length) + " (zydis " + std::to_string(zi.length) +
                                 ", capstone " + std::to_string(ci->size) + ")");
    } else {
      // Register operands in order, as names: the ones Zydis shows in Intel syntax (explicit or
      // implied by the opcode, like cl in "shl eax, cl") against Capstone's register operands.
      // Capstone also lists some registers Zydis keeps hidden (al in "stosb [rdi], al"): those
      // are dropped from Capstone's list when Zydis has them as hidden operands.
      std::vector<std::string> zregs, zhidden, cregs;
      for (int i = 0; i < zi.operand_count; ++i) {
        if (zo[i].type != ZYDIS_OPERAND_TYPE_REGISTER) continue;
        std::string name = ZydisRegisterGetString(zo[i].reg.value);
        if (zo[i].visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN) zhidden.push_back(name);
        else zregs.push_back(name);
      }
      const cs_x86& x = ci->detail->x86;
      for (int i = 0; i < x.op_count; ++i) {
        if (x.operands[i].type != X86_OP_REG) continue;
        std::string name = cs_reg_name(handle_, x.operands[i].reg);
        bool hidden_in_zydis = std::find(zhidden.begin(), zhidden.end(), name) != zhidden.end() &&
                               std::find(zregs.begin(), zregs.end(), name) == zregs.end();
        if (!hidden_in_zydis) cregs.push_back(name);
      }
      // Order is not compared: the two disagree on the operand order of "xchg r, rax" (90+r).
      std::sort(zregs.begin(), zregs.end());
      std::sort(cregs.begin(), cregs.end());
      const char* known = zregs == cregs ? nullptr : known_difference(zi);
      if (known) {
        ++known_;
        note(known_examples_, std::string(known) + ": " + hex(code + off, zi.length) + " (capstone: " + ci->mnemonic + " " +
                                  ci->op_str + ")");
      } else if (zregs != cregs) {
        ++reg_mismatch_;
        std::string z, c;
        for (auto& r : zregs) z += " " + r;
        for (auto& r : cregs) c += " " + r;
        note(reg_examples_, zname + ": " + hex(code + off, zi.length) + " zydis{" + z + " } capstone{" + c + " } (" +
                                ci->mnemonic + " " + ci->op_str + ")");
      }
    }
    off += zi.length;
  }
  cs_free(ci, 1);
}

void CapstoneCheck::print_summary() const {
  std::printf("Zydis vs Capstone: %llu instructions, %llu length mismatches, %llu register-operand mismatches, "
              "%llu not decoded by Capstone\n",
              (unsigned long long)checked_, (unsigned long long)length_mismatch_, (unsigned long long)reg_mismatch_,
              (unsigned long long)cs_failed_);
  auto show = [](const char* title, const std::map<std::string, u64>& m) {
    if (m.empty()) return;
    std::printf("  %s (first kinds):\n", title);
    for (auto& [k, n] : m) std::printf("    %-90s x%llu\n", k.c_str(), (unsigned long long)n);
  };
  show("length mismatches", length_examples_);
  show("register mismatches", reg_examples_);
  if (known_) std::printf("  known differences (not failures): %llu\n", (unsigned long long)known_);
  show("known differences", known_examples_);
  show("not decoded by Capstone", failed_examples_);
}

}  // namespace bmbt::x86diff
