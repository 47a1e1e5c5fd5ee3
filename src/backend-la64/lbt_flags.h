// The LBT flag strategy's pieces shared by the code generator and the trampoline: under it the
// six arithmetic flags live in the LBT eflags register for as long as translated code runs
// (DF stays a guest-state byte), and are written back to the per-flag bytes of CpuState on
// every way out to C++ (block exit, helper call), then reloaded.
#pragma once
#include "backend-la64/assembler.h"
#include "ir/flag_groups.h"

namespace bmbt::la64 {

// Bit of each ir::Flag (CF PF AF ZF SF OF) in eflags; x86mfflag/x86mtflag mask bit f selects it.
constexpr u8 kEflagsBit[6] = {0, 2, 4, 6, 7, 11};
constexpr u8 kAllFlagsMask = 0x3f;

// eflags -> the six flag bytes of the CpuState at `env` (two scratch registers).
void emit_eflags_to_state(Assembler& as, Gpr env, Gpr t, Gpr u);
// The six flag bytes -> eflags.
void emit_state_to_eflags(Assembler& as, Gpr env, Gpr t, Gpr u);

// The LBT instruction that sets the flags of group kind `k` at `width` bits, register form
// (second operand in rk; none for inc/dec) and, for shifts and rotates, immediate form.
Op lbt_flag_op(ir::FlagGroupKind k, int width);
Op lbt_flag_op_imm(ir::FlagGroupKind k, int width);

}  // namespace bmbt::la64
