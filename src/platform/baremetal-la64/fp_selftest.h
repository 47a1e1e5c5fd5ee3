#pragma once
#include "support/text.h"

namespace bmbt::baremetal {

// True if an interrupt whose handler uses every FP/SIMD register leaves the interrupted code's
// LASX registers, FCSR0 and FCC flags as they were (fp_selftest.cpp); a summary goes to `detail`.
bool fp_state_survives_interrupt(TextBuf& detail);

}  // namespace bmbt::baremetal
