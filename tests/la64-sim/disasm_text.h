// A listing of LoongArch words with BMBT's disassembler, for mismatch reports.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "backend-la64/disasm.h"

namespace bmbt::la64sim {

inline std::string disassemble_words(const std::vector<uint32_t>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    FixedText<120> t;
    la64::disassemble(words[i], t);
    char line[180];
    std::snprintf(line, sizeof(line), "    %4zx:  %08x  %s\n", i * 4, words[i], t.c_str());
    out += line;
  }
  return out;
}

}  // namespace bmbt::la64sim
