// Ending the machine: ACPI GED sleep/reset registers of the virt board.
#pragma once

namespace bmbt::baremetal {

[[noreturn]] void power_off();
[[noreturn]] void reset();

}  // namespace bmbt::baremetal
