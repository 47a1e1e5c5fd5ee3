#include "generator.h"

#include <Zydis/Zydis.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "rng.h"

namespace bmbt::x86diff {

const char* family_name(Family f) {
  static const char* const kNames[] = {
#define X86DIFF_NAME(name) #name,
      X86DIFF_FAMILIES(X86DIFF_NAME)
#undef X86DIFF_NAME
  };
  return unsigned(f) < unsigned(Family::kCount) ? kNames[unsigned(f)] : "?";
}

Family family_by_name(const std::string& name) {
  for (unsigned i = 0; i < unsigned(Family::kCount); ++i) {
    std::string n = family_name(Family(i));
    if (n == name || (n.back() == '_' && n.substr(0, n.size() - 1) == name)) return Family(i);
  }
  return Family::kCount;
}

const char* feature_name(int bit) {
  static const char* const kNames[kFeatCount] = {"66",     "rex.w",  "rex",      "ah..bh", "lock",   "rep",
                                                 "repne",  "fs:",    "gs:",      "memory", "sib",    "index",
                                                 "rip-rel", "disp8", "disp32",   "no-base", "8-bit", "16-bit",
                                                 "32-bit", "64-bit", "DF=1"};
  return bit < int(kFeatCount) ? kNames[bit] : "?";
}

namespace {

// ---- the template table ------------------------------------------------------------------

enum class ModRm : u8 { kNone, kReg /* /r */, kDigit /* /digit */, kPlusReg /* register in the opcode */ };
enum class RmKind : u8 { kAny, kRegOnly, kMemOnly, kNoAccess /* lea, nop: memory form not accessed */ };
enum class Imm : u8 { kNone, kI8, kI16, kIz, kIv, kRel8, kRel32, kEnter };
enum Size : u8 { S8 = 1, S16 = 2, S32 = 4, S64 = 8, SWide = S16 | S32 | S64, SAll = 15 };
// Which RFLAGS bits the SDM defines after the instruction (see docs/x86-differential-testing.md).
enum class FlagRule : u8 { kAll, kLogic, kShift, kRotate, kShiftDouble, kMul, kDiv, kBt, kBsx, kLzTz };
// Operand values the family needs (pinned registers, memory contents, branch targets).
enum class Fix : u8 {
  kNone, kShiftCount, kDiv, kBtOffset, kString, kStack, kPopf, kBranchRel, kLoop, kJrcxz, kIndirect, kRet,
  kEnter, kLeave, kCmpxchg, kCmpxchgPair, kBsx, kCpuid, kRdtsc, kBswap,
};
enum Trait : u16 {
  kLockable = 1, kRepOk = 2, kRepCond = 4, kSeqOk = 8, kDefault64 = 16, kMandF3 = 32, kCcInOpcode = 64,
  kNoOpsize = 128, kForceW = 256,
};

struct Tmpl {
  Family fam;
  const char* form;
  u8 opc[3];
  u8 nopc;
  ModRm modrm;
  u8 digit;
  RmKind rm;
  u8 sizes;
  Imm imm;
  u16 traits;
  FlagRule flags;
  Fix fix;
  u8 rm_bytes;   // memory/register size of the r/m operand when not the operand size (0: operand size)
};

std::vector<Tmpl> build_templates() {
  std::vector<Tmpl> t;
  auto add = [&](Family f, const char* form, std::initializer_list<u8> opc, ModRm m, u8 digit, RmKind rm, u8 sizes,
                 Imm imm, u16 traits = 0, FlagRule fl = FlagRule::kAll, Fix fix = Fix::kNone, u8 rm_bytes = 0) {
    Tmpl x{f, form, {}, u8(opc.size()), m, digit, rm, sizes, imm, traits, fl, fix, rm_bytes};
    int i = 0;
    for (u8 b : opc) x.opc[i++] = b;
    t.push_back(x);
  };
  const ModRm R = ModRm::kReg, D = ModRm::kDigit, P = ModRm::kPlusReg, N = ModRm::kNone;
  const RmKind any = RmKind::kAny, mem = RmKind::kMemOnly;

  // Moves.
  add(Family::mov, "mov r/m8, r8", {0x88}, R, 0, any, S8, Imm::kNone, kSeqOk);
  add(Family::mov, "mov r/m, r", {0x89}, R, 0, any, SWide, Imm::kNone, kSeqOk);
  add(Family::mov, "mov r8, r/m8", {0x8a}, R, 0, any, S8, Imm::kNone, kSeqOk);
  add(Family::mov, "mov r, r/m", {0x8b}, R, 0, any, SWide, Imm::kNone, kSeqOk);
  add(Family::mov, "mov r/m8, imm8", {0xc6}, D, 0, any, S8, Imm::kI8, kSeqOk);
  add(Family::mov, "mov r/m, immz", {0xc7}, D, 0, any, SWide, Imm::kIz, kSeqOk);
  add(Family::mov, "mov r8, imm8", {0xb0}, P, 0, any, S8, Imm::kI8, kSeqOk);
  add(Family::mov, "mov r, imm (imm64 with rex.w)", {0xb8}, P, 0, any, SWide, Imm::kIv, kSeqOk);
  add(Family::movzx_movsx, "movzx r, r/m8", {0x0f, 0xb6}, R, 0, any, SWide, Imm::kNone, kSeqOk, FlagRule::kAll, Fix::kNone, 1);
  add(Family::movzx_movsx, "movzx r, r/m16", {0x0f, 0xb7}, R, 0, any, SWide, Imm::kNone, kSeqOk, FlagRule::kAll, Fix::kNone, 2);
  add(Family::movzx_movsx, "movsx r, r/m8", {0x0f, 0xbe}, R, 0, any, SWide, Imm::kNone, kSeqOk, FlagRule::kAll, Fix::kNone, 1);
  add(Family::movzx_movsx, "movsx r, r/m16", {0x0f, 0xbf}, R, 0, any, SWide, Imm::kNone, kSeqOk, FlagRule::kAll, Fix::kNone, 2);
  add(Family::movzx_movsx, "movsxd r, r/m32", {0x63}, R, 0, any, S32 | S64, Imm::kNone, kSeqOk, FlagRule::kAll, Fix::kNone, 4);
  add(Family::cmovcc, "cmovcc r, r/m", {0x0f, 0x40}, R, 0, any, SWide, Imm::kNone, kSeqOk | kCcInOpcode);
  add(Family::xchg, "xchg r/m8, r8", {0x86}, R, 0, any, S8, Imm::kNone, kLockable | kSeqOk);
  add(Family::xchg, "xchg r/m, r", {0x87}, R, 0, any, SWide, Imm::kNone, kLockable | kSeqOk);
  add(Family::xchg, "xchg rax, r", {0x90}, P, 0, any, SWide, Imm::kNone, kSeqOk);
  add(Family::bswap, "bswap r", {0x0f, 0xc8}, P, 0, any, SWide, Imm::kNone, 0, FlagRule::kAll, Fix::kBswap);
  add(Family::movbe, "movbe r, m", {0x0f, 0x38, 0xf0}, R, 0, mem, SWide, Imm::kNone);
  add(Family::movbe, "movbe m, r", {0x0f, 0x38, 0xf1}, R, 0, mem, SWide, Imm::kNone);
  add(Family::lea, "lea r, m", {0x8d}, R, 0, RmKind::kNoAccess, SWide, Imm::kNone);
  add(Family::cbw_cwd, "cbw/cwde/cdqe", {0x98}, N, 0, any, SWide, Imm::kNone, kSeqOk);
  add(Family::cbw_cwd, "cwd/cdq/cqo", {0x99}, N, 0, any, SWide, Imm::kNone, kSeqOk);

  // The eight classic ALU operations share one opcode pattern.
  struct Alu { Family f; FlagRule fl; bool lock; };
  const Alu alus[8] = {{Family::add, FlagRule::kAll, true},  {Family::or_, FlagRule::kLogic, true},
                       {Family::adc, FlagRule::kAll, true},  {Family::sbb, FlagRule::kAll, true},
                       {Family::and_, FlagRule::kLogic, true}, {Family::sub, FlagRule::kAll, true},
                       {Family::xor_, FlagRule::kLogic, true}, {Family::cmp, FlagRule::kAll, false}};
  for (u8 k = 0; k < 8; ++k) {
    const Alu& a = alus[k];
    u16 lk = a.lock ? kLockable : 0;
    u8 base = u8(k * 8);
    add(a.f, "op r/m8, r8", {base}, R, 0, any, S8, Imm::kNone, lk | kSeqOk, a.fl);
    add(a.f, "op r/m, r", {u8(base + 1)}, R, 0, any, SWide, Imm::kNone, lk | kSeqOk, a.fl);
    add(a.f, "op r8, r/m8", {u8(base + 2)}, R, 0, any, S8, Imm::kNone, kSeqOk, a.fl);
    add(a.f, "op r, r/m", {u8(base + 3)}, R, 0, any, SWide, Imm::kNone, kSeqOk, a.fl);
    add(a.f, "op al, imm8", {u8(base + 4)}, N, 0, any, S8, Imm::kI8, kSeqOk, a.fl);
    add(a.f, "op rax, immz", {u8(base + 5)}, N, 0, any, SWide, Imm::kIz, kSeqOk, a.fl);
    add(a.f, "op r/m8, imm8 (80)", {0x80}, D, k, any, S8, Imm::kI8, lk | kSeqOk, a.fl);
    add(a.f, "op r/m, immz (81)", {0x81}, D, k, any, SWide, Imm::kIz, lk | kSeqOk, a.fl);
    add(a.f, "op r/m, imm8 (83)", {0x83}, D, k, any, SWide, Imm::kI8, lk | kSeqOk, a.fl);
  }
  add(Family::test, "test r/m8, r8", {0x84}, R, 0, any, S8, Imm::kNone, kSeqOk, FlagRule::kLogic);
  add(Family::test, "test r/m, r", {0x85}, R, 0, any, SWide, Imm::kNone, kSeqOk, FlagRule::kLogic);
  add(Family::test, "test al, imm8", {0xa8}, N, 0, any, S8, Imm::kI8, kSeqOk, FlagRule::kLogic);
  add(Family::test, "test rax, immz", {0xa9}, N, 0, any, SWide, Imm::kIz, kSeqOk, FlagRule::kLogic);
  add(Family::test, "test r/m8, imm8", {0xf6}, D, 0, any, S8, Imm::kI8, kSeqOk, FlagRule::kLogic);
  add(Family::test, "test r/m, immz", {0xf7}, D, 0, any, SWide, Imm::kIz, kSeqOk, FlagRule::kLogic);
  add(Family::not_, "not r/m8", {0xf6}, D, 2, any, S8, Imm::kNone, kLockable | kSeqOk);
  add(Family::not_, "not r/m", {0xf7}, D, 2, any, SWide, Imm::kNone, kLockable | kSeqOk);
  add(Family::neg, "neg r/m8", {0xf6}, D, 3, any, S8, Imm::kNone, kLockable | kSeqOk);
  add(Family::neg, "neg r/m", {0xf7}, D, 3, any, SWide, Imm::kNone, kLockable | kSeqOk);
  add(Family::inc, "inc r/m8", {0xfe}, D, 0, any, S8, Imm::kNone, kLockable | kSeqOk);
  add(Family::inc, "inc r/m", {0xff}, D, 0, any, SWide, Imm::kNone, kLockable | kSeqOk);
  add(Family::dec, "dec r/m8", {0xfe}, D, 1, any, S8, Imm::kNone, kLockable | kSeqOk);
  add(Family::dec, "dec r/m", {0xff}, D, 1, any, SWide, Imm::kNone, kLockable | kSeqOk);

  // Shifts and rotates: /digit selects the operation; by 1, by CL, by imm8.
  const Family shifts[8] = {Family::rol, Family::ror, Family::rcl, Family::rcr,
                            Family::shl_sal, Family::shr, Family::shl_sal /* /6: sal alias */, Family::sar};
  for (u8 k = 0; k < 8; ++k) {
    FlagRule fl = k < 4 ? FlagRule::kRotate : FlagRule::kShift;
    add(shifts[k], "shift r/m8, 1", {0xd0}, D, k, any, S8, Imm::kNone, 0, fl, Fix::kShiftCount);
    add(shifts[k], "shift r/m, 1", {0xd1}, D, k, any, SWide, Imm::kNone, 0, fl, Fix::kShiftCount);
    add(shifts[k], "shift r/m8, cl", {0xd2}, D, k, any, S8, Imm::kNone, 0, fl, Fix::kShiftCount);
    add(shifts[k], "shift r/m, cl", {0xd3}, D, k, any, SWide, Imm::kNone, 0, fl, Fix::kShiftCount);
    add(shifts[k], "shift r/m8, imm8", {0xc0}, D, k, any, S8, Imm::kI8, 0, fl, Fix::kShiftCount);
    add(shifts[k], "shift r/m, imm8", {0xc1}, D, k, any, SWide, Imm::kI8, 0, fl, Fix::kShiftCount);
  }
  add(Family::shld, "shld r/m, r, imm8", {0x0f, 0xa4}, R, 0, any, SWide, Imm::kI8, 0, FlagRule::kShiftDouble, Fix::kShiftCount);
  add(Family::shld, "shld r/m, r, cl", {0x0f, 0xa5}, R, 0, any, SWide, Imm::kNone, 0, FlagRule::kShiftDouble, Fix::kShiftCount);
  add(Family::shrd, "shrd r/m, r, imm8", {0x0f, 0xac}, R, 0, any, SWide, Imm::kI8, 0, FlagRule::kShiftDouble, Fix::kShiftCount);
  add(Family::shrd, "shrd r/m, r, cl", {0x0f, 0xad}, R, 0, any, SWide, Imm::kNone, 0, FlagRule::kShiftDouble, Fix::kShiftCount);

  // Multiply and divide.
  add(Family::mul, "mul r/m8", {0xf6}, D, 4, any, S8, Imm::kNone, 0, FlagRule::kMul);
  add(Family::mul, "mul r/m", {0xf7}, D, 4, any, SWide, Imm::kNone, 0, FlagRule::kMul);
  add(Family::imul, "imul r/m8", {0xf6}, D, 5, any, S8, Imm::kNone, 0, FlagRule::kMul);
  add(Family::imul, "imul r/m", {0xf7}, D, 5, any, SWide, Imm::kNone, 0, FlagRule::kMul);
  add(Family::imul, "imul r, r/m", {0x0f, 0xaf}, R, 0, any, SWide, Imm::kNone, 0, FlagRule::kMul);
  add(Family::imul, "imul r, r/m, immz", {0x69}, R, 0, any, SWide, Imm::kIz, 0, FlagRule::kMul);
  add(Family::imul, "imul r, r/m, imm8", {0x6b}, R, 0, any, SWide, Imm::kI8, 0, FlagRule::kMul);
  add(Family::div, "div r/m8", {0xf6}, D, 6, any, S8, Imm::kNone, 0, FlagRule::kDiv, Fix::kDiv);
  add(Family::div, "div r/m", {0xf7}, D, 6, any, SWide, Imm::kNone, 0, FlagRule::kDiv, Fix::kDiv);
  add(Family::idiv, "idiv r/m8", {0xf6}, D, 7, any, S8, Imm::kNone, 0, FlagRule::kDiv, Fix::kDiv);
  add(Family::idiv, "idiv r/m", {0xf7}, D, 7, any, SWide, Imm::kNone, 0, FlagRule::kDiv, Fix::kDiv);

  // Bits.
  const Family bts[4] = {Family::bt, Family::bts, Family::btr, Family::btc};
  const u8 bt_reg_op[4] = {0xa3, 0xab, 0xb3, 0xbb};
  for (u8 k = 0; k < 4; ++k) {
    u16 lk = k ? kLockable : 0;
    add(bts[k], "btx r/m, r", {0x0f, bt_reg_op[k]}, R, 0, any, SWide, Imm::kNone, lk, FlagRule::kBt, Fix::kBtOffset);
    add(bts[k], "btx r/m, imm8", {0x0f, 0xba}, D, u8(4 + k), any, SWide, Imm::kI8, lk, FlagRule::kBt);
  }
  add(Family::bsf, "bsf r, r/m", {0x0f, 0xbc}, R, 0, any, SWide, Imm::kNone, 0, FlagRule::kBsx, Fix::kBsx);
  add(Family::bsr, "bsr r, r/m", {0x0f, 0xbd}, R, 0, any, SWide, Imm::kNone, 0, FlagRule::kBsx, Fix::kBsx);
  add(Family::tzcnt, "tzcnt r, r/m", {0x0f, 0xbc}, R, 0, any, SWide, Imm::kNone, kMandF3, FlagRule::kLzTz, Fix::kBsx);
  add(Family::lzcnt, "lzcnt r, r/m", {0x0f, 0xbd}, R, 0, any, SWide, Imm::kNone, kMandF3, FlagRule::kLzTz, Fix::kBsx);
  add(Family::popcnt, "popcnt r, r/m", {0x0f, 0xb8}, R, 0, any, SWide, Imm::kNone, kMandF3, FlagRule::kAll, Fix::kBsx);

  // Control transfer.
  add(Family::jcc, "jcc rel8", {0x70}, N, 0, any, S64, Imm::kRel8, kCcInOpcode | kNoOpsize, FlagRule::kAll, Fix::kBranchRel);
  add(Family::jcc, "jcc rel32", {0x0f, 0x80}, N, 0, any, S64, Imm::kRel32, kCcInOpcode | kNoOpsize, FlagRule::kAll, Fix::kBranchRel);
  add(Family::jmp, "jmp rel8", {0xeb}, N, 0, any, S64, Imm::kRel8, kNoOpsize, FlagRule::kAll, Fix::kBranchRel);
  add(Family::jmp, "jmp rel32", {0xe9}, N, 0, any, S64, Imm::kRel32, kNoOpsize, FlagRule::kAll, Fix::kBranchRel);
  add(Family::jmp, "jmp r/m64", {0xff}, D, 4, any, S64, Imm::kNone, kNoOpsize | kDefault64, FlagRule::kAll, Fix::kIndirect);
  add(Family::call, "call rel32", {0xe8}, N, 0, any, S64, Imm::kRel32, kNoOpsize, FlagRule::kAll, Fix::kBranchRel);
  add(Family::call, "call r/m64", {0xff}, D, 2, any, S64, Imm::kNone, kNoOpsize | kDefault64, FlagRule::kAll, Fix::kIndirect);
  add(Family::ret, "ret", {0xc3}, N, 0, any, S64, Imm::kNone, kNoOpsize, FlagRule::kAll, Fix::kRet);
  add(Family::ret, "ret imm16", {0xc2}, N, 0, any, S64, Imm::kI16, kNoOpsize, FlagRule::kAll, Fix::kRet);
  add(Family::loop, "loop rel8", {0xe2}, N, 0, any, S64, Imm::kRel8, kNoOpsize, FlagRule::kAll, Fix::kLoop);
  add(Family::loop, "loope rel8", {0xe1}, N, 0, any, S64, Imm::kRel8, kNoOpsize, FlagRule::kAll, Fix::kLoop);
  add(Family::loop, "loopne rel8", {0xe0}, N, 0, any, S64, Imm::kRel8, kNoOpsize, FlagRule::kAll, Fix::kLoop);
  add(Family::jrcxz, "jrcxz rel8", {0xe3}, N, 0, any, S64, Imm::kRel8, kNoOpsize, FlagRule::kAll, Fix::kJrcxz);
  add(Family::setcc, "setcc r/m8", {0x0f, 0x90}, D, 0, any, S8, Imm::kNone, kCcInOpcode | kSeqOk);

  // Stack.
  add(Family::push, "push r", {0x50}, P, 0, any, S16 | S64, Imm::kNone, kDefault64, FlagRule::kAll, Fix::kStack);
  add(Family::push, "push r/m", {0xff}, D, 6, any, S16 | S64, Imm::kNone, kDefault64, FlagRule::kAll, Fix::kStack);
  add(Family::push, "push imm8", {0x6a}, N, 0, any, S16 | S64, Imm::kI8, kDefault64, FlagRule::kAll, Fix::kStack);
  add(Family::push, "push immz", {0x68}, N, 0, any, S16 | S64, Imm::kIz, kDefault64, FlagRule::kAll, Fix::kStack);
  add(Family::pop, "pop r", {0x58}, P, 0, any, S16 | S64, Imm::kNone, kDefault64, FlagRule::kAll, Fix::kStack);
  add(Family::pop, "pop r/m", {0x8f}, D, 0, any, S16 | S64, Imm::kNone, kDefault64, FlagRule::kAll, Fix::kStack);
  add(Family::pushf_popf, "pushf", {0x9c}, N, 0, any, S16 | S64, Imm::kNone, kDefault64, FlagRule::kAll, Fix::kStack);
  add(Family::pushf_popf, "popf", {0x9d}, N, 0, any, S16 | S64, Imm::kNone, kDefault64, FlagRule::kAll, Fix::kPopf);
  add(Family::enter, "enter imm16, imm8", {0xc8}, N, 0, any, S16 | S64, Imm::kEnter, kDefault64, FlagRule::kAll, Fix::kEnter);
  add(Family::leave, "leave", {0xc9}, N, 0, any, S16 | S64, Imm::kNone, kDefault64, FlagRule::kAll, Fix::kLeave);

  // Strings (8-bit form and the wide form for each).
  struct Str { Family f; u8 op; u16 rep; };
  const Str strs[5] = {{Family::movs, 0xa4, kRepOk}, {Family::stos, 0xaa, kRepOk}, {Family::lods, 0xac, kRepOk},
                       {Family::cmps, 0xa6, kRepCond}, {Family::scas, 0xae, kRepCond}};
  for (const Str& s : strs) {
    add(s.f, "string byte", {s.op}, N, 0, any, S8, Imm::kNone, s.rep, FlagRule::kAll, Fix::kString);
    add(s.f, "string wide", {u8(s.op + 1)}, N, 0, any, SWide, Imm::kNone, s.rep, FlagRule::kAll, Fix::kString);
  }

  // Flags.
  add(Family::flag_ops, "clc", {0xf8}, N, 0, any, S32, Imm::kNone, kSeqOk);
  add(Family::flag_ops, "stc", {0xf9}, N, 0, any, S32, Imm::kNone, kSeqOk);
  add(Family::flag_ops, "cmc", {0xf5}, N, 0, any, S32, Imm::kNone, kSeqOk);
  add(Family::flag_ops, "cld", {0xfc}, N, 0, any, S32, Imm::kNone, 0);
  add(Family::flag_ops, "std", {0xfd}, N, 0, any, S32, Imm::kNone, 0);
  add(Family::lahf_sahf, "lahf", {0x9f}, N, 0, any, S32, Imm::kNone, 0);
  add(Family::lahf_sahf, "sahf", {0x9e}, N, 0, any, S32, Imm::kNone, kSeqOk);

  // Atomics.
  add(Family::xadd, "xadd r/m8, r8", {0x0f, 0xc0}, R, 0, any, S8, Imm::kNone, kLockable);
  add(Family::xadd, "xadd r/m, r", {0x0f, 0xc1}, R, 0, any, SWide, Imm::kNone, kLockable);
  add(Family::cmpxchg, "cmpxchg r/m8, r8", {0x0f, 0xb0}, R, 0, any, S8, Imm::kNone, kLockable, FlagRule::kAll, Fix::kCmpxchg);
  add(Family::cmpxchg, "cmpxchg r/m, r", {0x0f, 0xb1}, R, 0, any, SWide, Imm::kNone, kLockable, FlagRule::kAll, Fix::kCmpxchg);
  add(Family::cmpxchg8b_16b, "cmpxchg8b m64", {0x0f, 0xc7}, D, 1, mem, S32, Imm::kNone, kLockable | kNoOpsize, FlagRule::kAll, Fix::kCmpxchgPair, 8);
  add(Family::cmpxchg8b_16b, "cmpxchg16b m128", {0x0f, 0xc7}, D, 1, mem, S64, Imm::kNone, kLockable | kNoOpsize | kForceW, FlagRule::kAll, Fix::kCmpxchgPair, 16);

  // No-ops and helpers.
  add(Family::nop, "nop", {0x90}, N, 0, any, S16 | S32, Imm::kNone, kSeqOk);
  add(Family::nop, "nop r/m (0f 1f)", {0x0f, 0x1f}, D, 0, RmKind::kNoAccess, SWide, Imm::kNone, 0);
  add(Family::pause, "pause", {0x90}, N, 0, any, S32, Imm::kNone, kNoOpsize | kMandF3);
  add(Family::cpuid, "cpuid", {0x0f, 0xa2}, N, 0, any, S32, Imm::kNone, kNoOpsize, FlagRule::kAll, Fix::kCpuid);
  add(Family::rdtsc, "rdtsc", {0x0f, 0x31}, N, 0, any, S32, Imm::kNone, kNoOpsize, FlagRule::kAll, Fix::kRdtsc);
  return t;
}

const std::vector<Tmpl>& templates() {
  static const std::vector<Tmpl> t = build_templates();
  return t;
}

const std::vector<std::vector<int>>& by_family() {
  static const std::vector<std::vector<int>> f = [] {
    std::vector<std::vector<int>> out(unsigned(Family::kCount));
    for (int i = 0; i < int(templates().size()); ++i) out[unsigned(templates()[i].fam)].push_back(i);
    return out;
  }();
  return f;
}

const std::vector<int>& sequence_templates() {
  static const std::vector<int> s = [] {
    std::vector<int> out;
    for (int i = 0; i < int(templates().size()); ++i)
      if (templates()[i].traits & kSeqOk) out.push_back(i);
    return out;
  }();
  return s;
}

// ---- one instruction: choose operands, encode, describe its memory operand -----------------

struct MemRef {
  int base = -1, index = -1, scale = 1;
  int disp_size = 0;  // 0, 1, 4
  i64 disp = 0;
  bool rip = false;
  int seg = -1;       // 4 = fs, 5 = gs
  int disp_offset = -1;  // byte offset of the displacement in the encoding
  u64 ea = 0;         // solved effective address (segment base included)
};

class Builder {
 public:
  Builder(Rng& rng, Case& c) : rng_(rng), c_(c) {}

  // Generates instruction `t` at c_.code + c_.code_len; false if constraints could not be met.
  bool single(const Tmpl& t);
  bool sequence();

 private:
  struct Enc {
    u8 legacy[6];
    int nlegacy = 0;
    bool w = false, r = false, x = false, b = false, rex = false, no_rex = false;
    u8 opc[3]{};
    int nopc = 0;
    bool has_modrm = false;
    u8 mod = 0, regf = 0, rm = 0;
    bool has_sib = false;
    u8 ss = 0, idx = 0, bas = 0;
    int disp_size = 0;
    i64 disp = 0;
    int imm_size = 0;
    u64 imm = 0;
  };

  int pick_size(u8 mask) {
    int opts[4], n = 0;
    for (int i = 0; i < 4; ++i)
      if (mask & (1 << i)) opts[n++] = 8 << i;
    return opts[rng_.below(u64(n))];
  }
  u64 mask_of(int bits) { return bits == 64 ? ~0ull : (1ull << bits) - 1; }
  void set_reg(int r, u64 v) { c_.in.gpr[r] = v; pinned_ |= 1u << r; }
  void set_low(int r, int bits, u64 v) {
    c_.in.gpr[r] = (c_.in.gpr[r] & ~mask_of(bits)) | (v & mask_of(bits));
    pinned_ |= 1u << r;
  }
  u64 pick_target(int len_bound);
  void encode_mem(Enc& e, MemRef& m, bool allow_rip);
  bool solve(MemRef& m, u64 target);
  u64 pick_ea(int bytes, int align, u64 margin);
  void add_patch(u64 addr, const u8* bytes, int len);
  void patch_value(u64 addr, u64 v, int bytes) {
    u8 b[8];
    for (int i = 0; i < 8; ++i) b[i] = u8(v >> (8 * i));
    add_patch(addr, b, bytes);
  }
  int emit_bytes(const Enc& e, u8* out, int* disp_at, int* imm_at);

  Rng& rng_;
  Case& c_;
  u32 pinned_ = 0;
  bool seq_mode_ = false;  // sequences use register operands only
};

u64 Builder::pick_ea(int bytes, int align, u64 margin) {
  u64 lo = kWindowBase + margin, hi = kWindowBase + kWindowSize - margin - u64(bytes);
  u64 ea = lo + rng_.below(hi - lo);
  if (align > 1) ea &= ~u64(align - 1);
  return ea;
}

void Builder::add_patch(u64 addr, const u8* bytes, int len) {
  if (c_.n_patches >= kMaxPatches) { std::fprintf(stderr, "x86-diff: too many patches\n"); std::abort(); }
  Patch& p = c_.patches[c_.n_patches++];
  p.offset = u16(addr - kWindowBase);
  p.len = u8(len);
  std::memcpy(p.bytes, bytes, usize(len));
}

// Branch targets: int3 bytes of the code page (outside the case's own bytes), the data window
// (not executable: a fetch fault after the branch) or unmapped memory (also a fetch fault).
u64 Builder::pick_target(int len_bound) {
  switch (rng_.below(4)) {
    case 0: case 1: {
      u64 t;
      do t = kCodePage + rng_.below(kCodePageSize);
      while (t >= kCodeAddr && t < kCodeAddr + u64(len_bound));
      return t;
    }
    case 2: return kWindowBase + rng_.below(kWindowSize);
    default: return 0x20000000 + rng_.below(0x60000000);
  }
}

// Fills the ModRM/SIB/displacement part of `e` for a random addressing form.
void Builder::encode_mem(Enc& e, MemRef& m, bool allow_rip) {
  e.has_modrm = true;
  u64 form = rng_.below(100);
  if (allow_rip && form < 12) {
    m.rip = true; m.disp_size = 4; m.disp = i64(i32(rng_.next()));
    e.mod = 0; e.rm = 5; e.disp_size = 4;
    c_.features |= kFeatRipRel;
    return;
  }
  if (form < 20) {  // index*scale + disp32, no base
    m.index = int(rng_.below(15)); if (m.index >= 4) m.index++;  // never rsp
    m.scale = 1 << rng_.below(4); m.disp_size = 4;
    e.mod = 0; e.rm = 4; e.has_sib = true; e.ss = u8(rng_.below(4)); m.scale = 1 << e.ss;
    e.idx = u8(m.index & 7); e.x = m.index >= 8; e.bas = 5; e.disp_size = 4;
    m.disp = i64(i32(rng_.value()));
    c_.features |= kFeatSib | kFeatIndex | kFeatNoBase | kFeatDisp32;
    return;
  }
  if (form < 24) {  // absolute disp32 through a SIB byte without base and index
    m.disp_size = 4; m.disp = i64(i32(rng_.next()));
    e.mod = 0; e.rm = 4; e.has_sib = true; e.ss = 0; e.idx = 4; e.bas = 5; e.disp_size = 4;
    c_.features |= kFeatSib | kFeatNoBase | kFeatDisp32;
    return;
  }
  m.base = int(rng_.below(16));
  bool with_index = rng_.chance(45);
  u64 dsel = rng_.below(3);
  m.disp_size = dsel == 0 ? 0 : dsel == 1 ? 1 : 4;
  if ((m.base & 7) == 5 && m.disp_size == 0) m.disp_size = 1;  // mod 00 would mean rip/no-base
  e.mod = u8(m.disp_size == 0 ? 0 : m.disp_size == 1 ? 1 : 2);
  e.disp_size = m.disp_size;
  e.b = m.base >= 8;
  if (m.disp_size == 1) c_.features |= kFeatDisp8;
  if (m.disp_size == 4) c_.features |= kFeatDisp32;
  if (with_index || (m.base & 7) == 4) {
    e.rm = 4; e.has_sib = true; e.bas = u8(m.base & 7);
    c_.features |= kFeatSib;
    if (with_index) {
      m.index = int(rng_.below(15)); if (m.index >= 4) m.index++;
      e.ss = u8(rng_.below(4)); m.scale = 1 << e.ss;
      e.idx = u8(m.index & 7); e.x = m.index >= 8;
      c_.features |= kFeatIndex;
    } else {
      e.idx = 4; e.ss = u8(rng_.below(4));  // no index: the scale bits are ignored
    }
  } else {
    e.rm = u8(m.base & 7);
  }
  m.disp = m.disp_size == 1 ? i64(i8(rng_.next())) : m.disp_size == 4 ? i64(i32(rng_.value())) : 0;
}

// Makes the effective address of `m` equal `target` by choosing a free quantity: the base
// register, else the index register, else the 32-bit displacement, else the segment base.
bool Builder::solve(MemRef& m, u64 target) {
  u64 seg = m.seg == 4 ? c_.in.fs_base : m.seg == 5 ? c_.in.gs_base : 0;
  auto rest = [&](bool with_base, bool with_index) {
    u64 v = seg + u64(m.disp);
    if (m.rip) v += 0;  // next RIP is added by the caller (disp is patched later)
    if (with_base && m.base >= 0) v += c_.in.gpr[m.base];
    if (with_index && m.index >= 0) v += c_.in.gpr[m.index] * u64(m.scale);
    return v;
  };
  // RSP is never the free quantity: solving for it would make it non-canonical (see make_case).
  bool base_free = m.base >= 0 && m.base != 4 && !(pinned_ & (1u << m.base));
  bool index_free = m.index >= 0 && !(pinned_ & (1u << m.index));
  if (base_free && m.base == m.index) {
    u64 k = u64(m.scale) + 1;
    u64 x = target - seg - u64(m.disp);
    if (k == 2) { target -= x & 1; x -= x & 1; set_reg(m.base, x / 2); }
    else {
      u64 inv = k;  // Newton iteration for the inverse of an odd k modulo 2^64
      for (int i = 0; i < 6; ++i) inv *= 2 - k * inv;
      set_reg(m.base, x * inv);
    }
  } else if (base_free) {
    set_reg(m.base, target - rest(false, true));
  } else if (index_free) {
    u64 x = target - rest(true, false);
    u64 rem = x % u64(m.scale);
    target -= rem; x -= rem;
    set_reg(m.index, x / u64(m.scale));
  } else if (m.disp_size == 4) {
    i64 d = i64(target - (rest(true, true) - u64(m.disp)));
    if (d != i64(i32(d))) return false;
    m.disp = d;
  } else if (m.seg >= 0) {
    u64 s = target - (rest(true, true) - seg);
    if (s >> 47) return false;
    if (m.seg == 4) c_.in.fs_base = s; else c_.in.gs_base = s;
  } else {
    return false;
  }
  m.ea = target;
  return true;
}

int Builder::emit_bytes(const Enc& e, u8* out, int* disp_at, int* imm_at) {
  int n = 0;
  for (int i = 0; i < e.nlegacy; ++i) out[n++] = e.legacy[i];
  if (e.rex || e.w || e.r || e.x || e.b) out[n++] = u8(0x40 | (e.w << 3) | (e.r << 2) | (e.x << 1) | u8(e.b));
  for (int i = 0; i < e.nopc; ++i) out[n++] = e.opc[i];
  if (e.has_modrm) out[n++] = u8(e.mod << 6 | (e.regf & 7) << 3 | (e.rm & 7));
  if (e.has_sib) out[n++] = u8(e.ss << 6 | (e.idx & 7) << 3 | (e.bas & 7));
  *disp_at = n;
  for (int i = 0; i < e.disp_size; ++i) out[n++] = u8(u64(e.disp) >> (8 * i));
  *imm_at = n;
  for (int i = 0; i < e.imm_size; ++i) out[n++] = u8(e.imm >> (8 * i));
  return n;
}

// Count of a shift/rotate/double shift in [0,255], biased to the interesting range.
u64 shift_count(Rng& rng, int bits) {
  switch (rng.below(4)) {
    case 0: return rng.below(4);
    case 1: return rng.below(u64(bits) + 3);
    case 2: return u64(bits) - 1 + rng.below(3);
    default: return rng.below(256);
  }
}

bool Builder::single(const Tmpl& t) {
  Enc e;
  int size = pick_size(t.sizes);
  bool wide_default64 = t.traits & kDefault64;
  c_.features |= size == 8 ? kFeat8 : size == 16 ? kFeat16 : size == 32 ? kFeat32 : kFeat64;
  if (c_.form.empty()) c_.form = t.form;

  // Prefixes: operand size, segment, lock, rep, mandatory F3 (last).
  bool has_mem_form = t.modrm == ModRm::kReg || t.modrm == ModRm::kDigit;
  bool is_mem = has_mem_form && (t.rm == RmKind::kMemOnly ||
                                 ((t.rm == RmKind::kAny || t.rm == RmKind::kNoAccess) && !seq_mode_ && rng_.chance(50)));
  if (t.rm == RmKind::kNoAccess && t.fam == Family::lea) is_mem = true;
  u8 pre[6]; int np = 0;
  if (size == 16 && !(t.traits & kNoOpsize)) { pre[np++] = 0x66; c_.features |= kFeatOpsize; }
  int seg = -1;
  bool string = t.fix == Fix::kString;
  if ((is_mem || string) && rng_.chance(20)) {
    seg = rng_.chance(50) ? 4 : 5;
    pre[np++] = seg == 4 ? 0x64 : 0x65;
    c_.features |= seg == 4 ? kFeatSegFs : kFeatSegGs;
  } else if ((is_mem || string) && rng_.chance(5)) {
    const u8 ignored[4] = {0x26, 0x2e, 0x36, 0x3e};  // es cs ss ds: no effect in 64-bit mode
    pre[np++] = ignored[rng_.below(4)];
  }
  if ((t.traits & kLockable) && is_mem && rng_.chance(50)) { pre[np++] = 0xf0; c_.features |= kFeatLock; }
  int rep = 0;
  if ((t.traits & (kRepOk | kRepCond)) && rng_.chance(60)) {
    rep = (t.traits & kRepCond) && rng_.chance(50) ? 0xf2 : 0xf3;
    pre[np++] = u8(rep);
    c_.features |= rep == 0xf3 ? kFeatRep : kFeatRepne;
  }
  for (int i = np - 1; i > 0; --i) { int j = int(rng_.below(u64(i) + 1)); u8 tmp = pre[i]; pre[i] = pre[j]; pre[j] = tmp; }
  if (t.traits & kMandF3) pre[np++] = 0xf3;
  std::memcpy(e.legacy, pre, usize(np));
  e.nlegacy = np;

  // Opcode and operand size.
  e.nopc = t.nopc;
  std::memcpy(e.opc, t.opc, t.nopc);
  if (t.traits & kCcInOpcode) e.opc[t.nopc - 1] = u8(e.opc[t.nopc - 1] + rng_.below(16));
  e.w = (size == 64 && !wide_default64 && !(t.traits & kNoOpsize)) || (t.traits & kForceW) ||
        (wide_default64 && size == 64 && rng_.chance(20));
  if (e.w) c_.features |= kFeatRexW;
  const int rm_bits = t.rm_bytes ? t.rm_bytes * 8 : size;
  const bool reg8 = size == 8, rm8 = rm_bits == 8;

  // Registers.
  int regop = -1, rmreg = -1;
  MemRef m;
  m.seg = seg;
  if (t.modrm == ModRm::kReg) {
    regop = int(rng_.below(16));
    e.regf = u8(regop & 7); e.r = regop >= 8;
  } else if (t.modrm == ModRm::kDigit) {
    e.regf = t.digit;
  }
  if (t.modrm == ModRm::kPlusReg) {
    rmreg = int(rng_.below(16));
    e.opc[t.nopc - 1] = u8(e.opc[t.nopc - 1] + (rmreg & 7)); e.b = rmreg >= 8;
  } else if (has_mem_form && !is_mem) {
    rmreg = int(rng_.below(16));
    e.has_modrm = true; e.mod = 3; e.rm = u8(rmreg & 7); e.b = rmreg >= 8;
  } else if (is_mem) {
    encode_mem(e, m, true);
    c_.features |= kFeatMem;
  }
  // 8-bit registers 4..7 mean ah..bh without REX and spl..dil with it.
  bool any8 = (reg8 && regop >= 0) || (rm8 && rmreg >= 0);
  if (any8 && !(e.w || e.r || e.x || e.b)) {
    if (rng_.chance(50)) e.rex = true;
    else if ((reg8 && regop >= 4 && regop < 8) || (rm8 && rmreg >= 4 && rmreg < 8)) c_.features |= kFeatHighByte;
  } else if (!any8 && rng_.chance(8)) {
    e.rex = true;  // a redundant REX prefix changes nothing
  }
  if (e.rex || e.w || e.r || e.x || e.b) c_.features |= kFeatRex;
  bool high8 = any8 && !(e.rex || e.w || e.r || e.x || e.b);
  // The GPR holding an 8-bit register operand (ah..bh live in rax..rbx bits 8-15).
  auto gpr_of8 = [&](int r) { return high8 && r >= 4 && r < 8 ? r - 4 : r; };

  // Immediate.
  switch (t.imm) {
    case Imm::kNone: break;
    case Imm::kI8: e.imm_size = 1; e.imm = rng_.value(); break;
    case Imm::kI16: e.imm_size = 2; e.imm = rng_.value(); break;
    case Imm::kIz: e.imm_size = size == 16 ? 2 : 4; e.imm = rng_.value(); break;
    case Imm::kIv: e.imm_size = size == 64 ? 8 : size == 16 ? 2 : 4; e.imm = rng_.value(); break;
    case Imm::kRel8: e.imm_size = 1; break;
    case Imm::kRel32: e.imm_size = 4; break;
    case Imm::kEnter: {
      e.imm_size = 3;
      u64 level = rng_.chance(40) ? 0 : rng_.chance(50) ? 1 + rng_.below(3) : rng_.below(256);
      // The allocation keeps the new RSP inside the window: the host probes the final stack
      // top with a write (a fault there is outside what this tester compares).
      e.imm = (rng_.chance(20) ? rng_.below(0x400) : rng_.below(0x40) * 8) | level << 16;
      break;
    }
  }

  // Family-specific operand values (pinned registers) before the address is solved.
  const int width = size;
  const u64 wmask = mask_of(width);
  u64 mem_value = 0;      // value to place at the memory operand (when want_mem_value)
  bool want_mem_value = false;
  int mem_bytes = rm_bits / 8;
  int mem_align = 1;
  u64 ea_margin = kWindowMargin;
  u64 count = 0;
  const u64 insn_start = kCodeAddr + u64(c_.code_len);
  switch (t.fix) {
    case Fix::kNone: case Fix::kBswap: break;
    case Fix::kShiftCount:
      if (t.imm == Imm::kI8) { count = shift_count(rng_, width); e.imm = count; }
      else if (t.opc[t.nopc - 1] == 0xd0 || t.opc[t.nopc - 1] == 0xd1) count = 1;
      else {
        count = shift_count(rng_, width);
        set_low(1, 8, count);
        if (rmreg == 1 && !is_mem) count = c_.in.gpr[1] & 0xff;  // shift cl, cl
      }
      break;
    case Fix::kDiv: {
      // Dividend in (r|e)dx:(r|e)ax (or ax); divisor chosen so that most cases do not trap.
      bool sign = t.digit == 7;
      u64 divisor = rng_.chance(8) ? 0 : rng_.value() & wmask;
      if (divisor == 0 && rng_.chance(50)) divisor = 1;
      u64 lo = rng_.value() & wmask, hi;
      if (rng_.chance(70)) {
        if (sign) hi = (lo >> (width - 1)) & 1 ? wmask : 0;
        else hi = divisor ? rng_.below(divisor) : 0;
      } else {
        hi = rng_.value() & wmask;
      }
      if (width == 8) set_low(0, 16, (hi << 8) | lo);
      else { set_low(0, width, lo); set_low(2, width, hi); }
      if (is_mem) {
        want_mem_value = true;
        mem_value = divisor;
      } else if (width == 8) {
        int g = gpr_of8(rmreg);
        int shift = g != rmreg ? 8 : 0;  // ah..bh
        if (g != 0) set_reg(g, (c_.in.gpr[g] & ~(0xffull << shift)) | divisor << shift);
      } else if (rmreg != 0 && rmreg != 2) {
        set_low(rmreg, width, divisor);  // (a divisor in rax/rdx is part of the dividend)
      }
      break;
    }
    case Fix::kBtOffset:
      if (is_mem) {
        // A signed bit offset reaches up to 0x300 bytes either side of the operand.
        i64 off = i64(rng_.below(0x3000)) - 0x1800;
        if (rng_.chance(30)) off = i64(rng_.below(u64(width)));
        set_low(regop, width, u64(off));
        ea_margin = 0x400;
      }
      break;
    case Fix::kString: {
      int elem = width / 8;
      u64 n = rep ? (rng_.chance(10) ? 0 : 1 + rng_.below(kPatchBytes / u64(elem))) : rng_.value();
      if (rep) set_reg(1, n);
      bool back = rng_.chance(40);
      if (back) c_.in.rflags |= kDF; else c_.in.rflags &= ~kDF;
      u64 region = u64(kPatchBytes);
      u64 src = pick_ea(int(region), 1, kWindowMargin), dst = pick_ea(int(region), 1, kWindowMargin);
      if (rng_.chance(10)) src &= ~7ull, dst &= ~7ull;
      u64 si = back ? src + region - u64(elem) : src, di = back ? dst + region - u64(elem) : dst;
      u8 op = t.opc[0] & 0xfe;
      bool uses_si = op == 0xa4 || op == 0xac || op == 0xa6;
      bool uses_di = op != 0xac;
      u64 sbase = seg == 4 ? c_.in.fs_base : seg == 5 ? c_.in.gs_base : 0;
      if (uses_si) set_reg(6, si - sbase);
      if (uses_di) set_reg(7, di);
      u8 pat[kPatchBytes];
      if (op == 0xa6) {
        for (u8& b : pat) b = u8(rng_.next());
        add_patch(src, pat, int(region));
        if (rng_.chance(60)) pat[rng_.below(region)] ^= u8(1 + rng_.below(255));
        add_patch(dst, pat, int(region));
      } else if (op == 0xae) {
        u64 a = c_.in.gpr[0];
        for (u64 i = 0; i < region; ++i) pat[i] = rep == 0xf3 ? u8(a >> (8 * (i % u64(elem)))) : u8(rng_.next());
        u64 at = rng_.below(region / u64(elem)) * u64(elem);
        for (int i = 0; i < elem; ++i) pat[at + u64(i)] = rep == 0xf3 ? u8(~a >> (8 * i)) : u8(a >> (8 * i));
        if (rng_.chance(30)) for (int i = 0; i < elem; ++i) pat[at + u64(i)] = u8(a >> (8 * i));
        add_patch(dst, pat, int(region));
      }
      break;
    }
    case Fix::kStack: case Fix::kPopf: {
      u64 sp = kStackLo + rng_.below(kStackHi - kStackLo);
      if (rng_.chance(85)) sp &= ~7ull;
      set_reg(4, sp);
      if (t.fix == Fix::kPopf) {
        u64 fl = (rng_.next() & (kArithFlags | kDF)) | 0x202;
        patch_value(sp, fl, width == 16 ? 2 : 8);
      }
      break;
    }
    case Fix::kEnter: case Fix::kLeave: {
      u64 sp = (kStackLo + 0x100 + rng_.below(kStackHi - kStackLo - 0x100)) & ~7ull;
      u64 bp = (kStackLo + 0x100 + rng_.below(kStackHi - kStackLo - 0x100)) & ~7ull;
      set_reg(4, sp);
      set_reg(5, bp);
      break;
    }
    case Fix::kBranchRel: case Fix::kLoop: case Fix::kJrcxz: {
      if (t.fix == Fix::kLoop && rng_.chance(40)) set_reg(1, rng_.chance(50) ? 1 : 0);
      if (t.fix == Fix::kJrcxz && rng_.chance(50)) set_reg(1, rng_.chance(50) ? 0 : u64(1) << (32 + rng_.below(32)));
      if (t.fam == Family::call) set_reg(4, (kStackLo + rng_.below(kStackHi - kStackLo)) & ~7ull);
      break;  // displacement chosen once the length is known
    }
    case Fix::kIndirect: case Fix::kRet: {
      u64 sp = (kStackLo + rng_.below(kStackHi - kStackLo)) & ~7ull;
      set_reg(4, sp);
      u64 target = pick_target(kMaxCode);
      if (t.fix == Fix::kRet) patch_value(sp, target, 8);
      else if (is_mem) { want_mem_value = true; mem_value = target; mem_bytes = 8; }
      else if (rmreg == 4 && t.fam == Family::call) return false;  // call rsp would push onto the target
      else set_reg(rmreg, target);
      break;
    }
    case Fix::kCmpxchg:
      if (rng_.chance(50)) {
        if (is_mem) { want_mem_value = true; mem_value = c_.in.gpr[0] & wmask; }
        else if (width == 8) {
          int g = gpr_of8(rmreg);
          u64 al = c_.in.gpr[0] & 0xff;
          if (high8 && rmreg >= 4 && rmreg < 8) set_reg(g, (c_.in.gpr[g] & ~0xff00ull) | al << 8);
          else set_low(g, 8, al);
        } else {
          set_low(rmreg, width, c_.in.gpr[0]);
        }
        pinned_ |= 1u;
      }
      break;
    case Fix::kCmpxchgPair:
      // cmpxchg16b needs a 16-byte aligned operand (#GP otherwise: tested now and then).
      mem_align = rng_.chance(95) ? t.rm_bytes : 1;
      if (t.rm_bytes == 8) mem_align = rng_.chance(80) ? 8 : 1;
      if (rng_.chance(50)) {
        want_mem_value = true;
        pinned_ |= 1u | 4u;
      }
      break;
    case Fix::kBsx:
      if (rng_.chance(15)) {
        if (is_mem) { want_mem_value = true; mem_value = 0; }
        else set_low(rmreg, width, 0);
      } else if (rng_.chance(30)) {
        u64 v = u64(1) << rng_.below(u64(width));
        if (is_mem) { want_mem_value = true; mem_value = v; }
        else set_low(rmreg, width, v);
      }
      break;
    case Fix::kCpuid: {
      static const u64 leaves[] = {0, 1, 2, 4, 7, 0xb, 0xd, 0x80000000, 0x80000001, 0x80000007, 0x80000008};
      set_low(0, 32, leaves[rng_.below(sizeof leaves / sizeof leaves[0])]);
      set_low(1, 32, rng_.below(3));
      break;
    }
    case Fix::kRdtsc: break;
  }

  // Memory operand: place it in the window.
  if (is_mem && t.rm != RmKind::kNoAccess) {
    m.disp = m.disp_size ? m.disp : 0;
    u64 target = pick_ea(mem_bytes, mem_align, ea_margin);
    // RIP-relative: EA = next RIP + disp32 (+ segment base); next RIP is known from the length.
    if (m.rip) {
      Enc probe = e; int da, ia; u8 tmp[32];
      int len = emit_bytes(probe, tmp, &da, &ia);
      u64 next = insn_start + u64(len);
      u64 sbase = seg == 4 ? c_.in.fs_base : seg == 5 ? c_.in.gs_base : 0;
      if (seg >= 0 && rng_.chance(50)) {
        m.disp = i64(i32(rng_.next()));
        u64 s = target - next - u64(m.disp);
        if (s >> 47) return false;
        if (seg == 4) c_.in.fs_base = s; else c_.in.gs_base = s;
      } else {
        i64 d = i64(target - next - sbase);
        if (d != i64(i32(d))) return false;
        m.disp = d;
      }
      m.ea = target;
    } else if (!solve(m, target)) {
      return false;
    }
    if (mem_align > 1 && (m.ea & u64(mem_align - 1))) return false;
    e.disp = m.disp;
    if (want_mem_value && t.fix == Fix::kCmpxchgPair) {
      u8 b[16];
      int half = t.rm_bytes / 2;
      for (int i = 0; i < half; ++i) { b[i] = u8(c_.in.gpr[0] >> (8 * i)); b[half + i] = u8(c_.in.gpr[2] >> (8 * i)); }
      add_patch(m.ea, b, t.rm_bytes);
    } else if (want_mem_value) {
      patch_value(m.ea, mem_value, mem_bytes);
    }
  } else if (is_mem) {
    e.disp = m.disp;  // lea / nop: any address
  }

  // Encode; branch displacements need the final length.
  u8* out = c_.code + c_.code_len;
  int disp_at, imm_at;
  int len = emit_bytes(e, out, &disp_at, &imm_at);
  if (c_.code_len + len > kMaxCode) return false;
  if (t.imm == Imm::kRel8 || t.imm == Imm::kRel32) {
    u64 next = insn_start + u64(len);
    i64 rel;
    for (int tries = 0;; ++tries) {
      if (tries > 100) return false;
      if (t.imm == Imm::kRel8) rel = i64(i8(rng_.next()));
      else if (rng_.chance(50)) rel = i64(rng_.below(0x800)) - 0x400;
      else rel = i64(i32(rng_.next()));
      u64 target = next + u64(rel);
      // Never into the case's own bytes (an endless loop natively), never onto the vsyscall page.
      bool vsyscall = (target >> 12) == (0xffffffffff600000ull >> 12);
      if ((target < kCodeAddr || target >= kCodeAddr + kMaxCode) && !vsyscall) break;
    }
    for (int i = 0; i < e.imm_size; ++i) out[imm_at + i] = u8(u64(rel) >> (8 * i));
  }

  // Which results the SDM leaves undefined for these inputs.
  u64 fm = kArithFlags | kDF;
  auto dest_undefined = [&] {  // the r/m destination
    if (is_mem) c_.strict_memory = false;
    else c_.strict_regs &= ~(1u << rmreg);
  };
  switch (t.flags) {
    case FlagRule::kAll: break;
    case FlagRule::kLogic: fm &= ~kAF; break;
    case FlagRule::kShift: {
      u64 mc = count & (width == 64 ? 63 : 31);
      if (mc != 0) {
        fm &= ~kAF;
        if (mc != 1) fm &= ~kOF;
        if (t.digit != 7 && mc >= u64(width)) fm &= ~kCF;
      }
      break;
    }
    case FlagRule::kRotate: {
      u64 mc = count & (width == 64 ? 63 : 31);
      if (mc != 1) fm &= ~kOF;
      break;
    }
    case FlagRule::kShiftDouble: {
      u64 mc = count & (width == 64 ? 63 : 31);
      if (mc != 0) {
        fm &= ~kAF;
        if (mc != 1) fm &= ~kOF;
        if (mc > u64(width)) { fm = kDF; dest_undefined(); }
      }
      break;
    }
    case FlagRule::kMul: fm = kCF | kOF | kDF; break;
    case FlagRule::kDiv: fm = kDF; break;
    case FlagRule::kBt: fm = kCF | kZF | kDF; break;
    case FlagRule::kBsx: {
      fm = kZF | kDF;
      // The destination is "undefined" for a zero source (the host leaves it unchanged). A
      // memory source from the pseudo-random fill is zero with negligible probability.
      bool zero_src = is_mem ? (want_mem_value && mem_value == 0) : (c_.in.gpr[rmreg] & wmask) == 0;
      if (zero_src) c_.strict_regs &= ~(1u << regop);
      break;
    }
    case FlagRule::kLzTz: fm = kCF | kZF | kDF; break;
  }
  if (t.fix == Fix::kBswap && width == 16) c_.strict_regs &= ~(1u << rmreg);  // bswap r16 is undefined
  if (t.fix == Fix::kCpuid) c_.strict_regs &= ~0xfu;
  if (t.fix == Fix::kRdtsc) c_.strict_regs &= ~0x5u;
  c_.flags_mask &= fm;
  c_.code_len += len;
  c_.n_insns++;
  return true;
}

bool Builder::sequence() {
  int n = 2 + int(rng_.below(3));
  bool logic = false;
  seq_mode_ = true;
  for (int i = 0; i < n; ++i) {
    const Tmpl& t = templates()[usize(sequence_templates()[rng_.below(sequence_templates().size())])];
    logic |= t.flags == FlagRule::kLogic;
    if (!single(t)) return false;
  }
  if (logic) c_.flags_mask &= ~kAF;
  c_.form = "register-only sequence";
  return true;
}

}  // namespace

std::vector<int> templates_per_family() {
  std::vector<int> n(unsigned(Family::kCount));
  for (unsigned f = 0; f < unsigned(Family::kCount); ++f) n[f] = int(by_family()[f].size());
  n[unsigned(Family::sequence)] = int(sequence_templates().size());
  return n;
}

// Checks our encoding against Zydis: every instruction must decode with exactly our length.
static bool zydis_agrees(const Case& c) {
  static ZydisDecoder dec = [] {
    ZydisDecoder d;
    ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    return d;
  }();
  int off = 0;
  for (int i = 0; i < c.n_insns; ++i) {
    ZydisDecodedInstruction insn;
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, nullptr, c.code + off, usize(c.code_len - off), &insn)))
      return false;
    off += insn.length;
  }
  return off == c.code_len;
}

Case make_case(u64 seed, u64 index) {
  for (u64 attempt = 0;; ++attempt) {
    Rng rng(seed, index, attempt);
    Case c;
    c.seed = seed;
    c.index = index;
    c.mem_seed = rng.next();
    for (u64& r : c.in.gpr) r = rng.value();
    // RSP must be canonical (bits 63..47 equal): the native runner enters each case through
    // sigreturn, and x86-64 CPUs differ on a non-canonical stack pointer there (AMD's IRET raises
    // #GP before the first instruction, Intel's loads it). The value stays random in its low bits.
    c.in.gpr[4] = u64(i64(c.in.gpr[4] << 16) >> 16);
    c.in.rip = kCodeAddr;
    c.in.rflags = 0x202 | (rng.next() & kArithFlags) | (rng.chance(25) ? kDF : 0);
    // Segment bases must be canonical user addresses (arch_prctl refuses others).
    c.in.fs_base = rng.chance(10) ? 0 : rng.below(u64(1) << 47);
    c.in.gs_base = rng.chance(10) ? 0 : rng.below(u64(1) << 47);
    // Families are drawn uniformly, then a template within the family.
    Family f = Family(rng.below(unsigned(Family::kCount)));
    c.family = f;
    Builder b(rng, c);
    bool ok;
    if (f == Family::sequence) ok = b.sequence();
    else {
      const std::vector<int>& ts = by_family()[unsigned(f)];
      ok = b.single(templates()[usize(ts[rng.below(ts.size())])]);
    }
    if (!ok) continue;
    if (!is_canonical(c.in.gpr[4])) continue;  // a template chose a non-canonical RSP
    if (c.in.rflags & kDF) c.features |= kFeatDF;
    if (!zydis_agrees(c)) {
      std::fprintf(stderr, "x86-diff: generator produced bytes Zydis does not decode as intended (seed %llu case %llu attempt %llu):",
                   (unsigned long long)seed, (unsigned long long)index, (unsigned long long)attempt);
      for (int i = 0; i < c.code_len; ++i) std::fprintf(stderr, " %02x", c.code[i]);
      std::fprintf(stderr, "\n");
      std::abort();
    }
    return c;
  }
}

}  // namespace bmbt::x86diff
