// LoongArch64 disassembler over the shared instruction table; output matches llvm-objdump-19.
#include "backend-la64/disasm.h"

namespace bmbt::la64 {
namespace {

const char* const kGprNames[32] = {
    "$zero", "$ra", "$tp", "$sp", "$a0", "$a1", "$a2", "$a3", "$a4", "$a5", "$a6",
    "$a7",   "$t0", "$t1", "$t2", "$t3", "$t4", "$t5", "$t6", "$t7", "$t8",
    "$r21",  // reserved by the ABI; llvm prints it by number
    "$fp",   "$s0", "$s1", "$s2", "$s3", "$s4", "$s5", "$s6", "$s7", "$s8"};

const char* const kFprNames[32] = {
    "$fa0", "$fa1", "$fa2", "$fa3", "$fa4",  "$fa5",  "$fa6",  "$fa7",  "$ft0",  "$ft1", "$ft2",
    "$ft3", "$ft4", "$ft5", "$ft6", "$ft7",  "$ft8",  "$ft9",  "$ft10", "$ft11", "$ft12", "$ft13",
    "$ft14", "$ft15", "$fs0", "$fs1", "$fs2", "$fs3", "$fs4", "$fs5", "$fs6", "$fs7"};

const char* const kVrNames[32] = {
    "$vr0",  "$vr1",  "$vr2",  "$vr3",  "$vr4",  "$vr5",  "$vr6",  "$vr7",  "$vr8",  "$vr9",  "$vr10",
    "$vr11", "$vr12", "$vr13", "$vr14", "$vr15", "$vr16", "$vr17", "$vr18", "$vr19", "$vr20", "$vr21",
    "$vr22", "$vr23", "$vr24", "$vr25", "$vr26", "$vr27", "$vr28", "$vr29", "$vr30", "$vr31"};

const char* const kFccNames[8] = {"$fcc0", "$fcc1", "$fcc2", "$fcc3", "$fcc4", "$fcc5", "$fcc6", "$fcc7"};
const char* const kScrNames[4] = {"$scr0", "$scr1", "$scr2", "$scr3"};
const char* const kFcsrNames[4] = {"$fcsr0", "$fcsr1", "$fcsr2", "$fcsr3"};

// Aliases llvm-objdump prints instead of the base instruction.  `need` pins operand values
// (-1 = any); `show` lists the operands printed (-1 ends the list).  First match wins.
struct Alias {
  Op op;
  const char* name;
  i8 need[4];
  i8 show[3];
};
constexpr Alias kAliases[] = {
    {Op::ANDI, "nop", {0, 0, 0, -1}, {-1, -1, -1}},
    {Op::OR, "move", {-1, -1, 0, -1}, {0, 1, -1}},
    {Op::JIRL, "ret", {0, 1, 0, -1}, {-1, -1, -1}},
    {Op::JIRL, "jr", {0, -1, 0, -1}, {1, -1, -1}},
};

void print_operand(const Operand& o, TextBuf& out) {
  if (o.kind == OperandKind::kImm) out.dec(o.value);
  else out.str(register_name(o.kind, u32(o.value)));
}

}  // namespace

const char* register_name(OperandKind kind, u32 n) {
  switch (kind) {
    case OperandKind::kGpr: return n < 32 ? kGprNames[n] : "$r?";
    case OperandKind::kFpr: return n < 32 ? kFprNames[n] : "$f?";
    case OperandKind::kVr: return n < 32 ? kVrNames[n] : "$vr?";
    case OperandKind::kFcc: return n < 8 ? kFccNames[n] : "$fcc?";
    case OperandKind::kScr: return n < 4 ? kScrNames[n] : "$scr?";
    case OperandKind::kFcsr: return n < 4 ? kFcsrNames[n] : "$fcsr?";
    default: return "?";
  }
}

bool disassemble(u32 word, TextBuf& out) {
  Decoded d;
  if (!decode(word, &d)) {
    out.str("<unknown>");
    return false;
  }
  for (const Alias& a : kAliases) {
    if (a.op != d.op) continue;
    bool match = true;
    for (int i = 0; i < d.count && i < 4; ++i)
      if (a.need[i] >= 0 && d.ops[i].value != a.need[i]) match = false;
    if (!match) continue;
    out.str(a.name);
    for (int i = 0; i < 3 && a.show[i] >= 0; ++i) {
      out.str(i == 0 ? "\t" : ", ");
      print_operand(d.ops[a.show[i]], out);
    }
    return true;
  }
  out.str(mnemonic(d.op));
  for (int i = 0; i < d.count; ++i) {
    out.str(i == 0 ? "\t" : ", ");
    print_operand(d.ops[i], out);
  }
  return true;
}

}  // namespace bmbt::la64
