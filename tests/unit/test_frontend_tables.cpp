// The frontend's shortcuts around Zydis's own tables agree with Zydis on every register.
#include <doctest/doctest.h>

#include "frontend-x86/context.h"

using namespace bmbt;

TEST_CASE("is_gpr is Zydis's GPR8/16/32/64 classes, for every register") {
  int gprs = 0;
  for (int r = 0; r <= ZYDIS_REGISTER_MAX_VALUE; ++r) {
    const ZydisRegisterClass c = ZydisRegisterGetClass(ZydisRegister(r));
    const bool zydis_gpr = c == ZYDIS_REGCLASS_GPR8 || c == ZYDIS_REGCLASS_GPR16 || c == ZYDIS_REGCLASS_GPR32 ||
                           c == ZYDIS_REGCLASS_GPR64;
    CHECK_MESSAGE(x86::is_gpr(ZydisRegister(r)) == zydis_gpr, "register ", r);
    gprs += zydis_gpr;
  }
  CHECK(gprs == 20 + 3 * 16);
}
