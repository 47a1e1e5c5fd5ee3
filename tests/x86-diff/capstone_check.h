// Cross-check of Zydis (BMBT's decoder) against Capstone (an independent decoder) on the
// generated instruction stream: lengths must agree, and so must the explicit register operands
// where both decode the instruction.
#pragma once
#include <map>
#include <string>

#include <Zydis/Zydis.h>

#include "layout.h"

namespace bmbt::x86diff {

class CapstoneCheck {
 public:
  CapstoneCheck();
  ~CapstoneCheck();
  // Checks every instruction of `code`; records disagreements.
  void check(const u8* code, int len);
  void print_summary() const;
  u64 checked() const { return checked_; }
  u64 length_mismatches() const { return length_mismatch_; }
  u64 register_mismatches() const { return reg_mismatch_; }
  u64 capstone_failures() const { return cs_failed_; }

 private:
  static const char* known_difference(const ZydisDecodedInstruction& zi);
  void note(std::map<std::string, u64>& where, const std::string& what);
  unsigned long handle_ = 0;
  u64 checked_ = 0, length_mismatch_ = 0, reg_mismatch_ = 0, cs_failed_ = 0, known_ = 0;
  std::map<std::string, u64> length_examples_, reg_examples_, failed_examples_, known_examples_;
};

}  // namespace bmbt::x86diff
