// Addresses of QEMU's LoongArch `virt` board (REFERENCE.md section 1; the same UART address as a
// 3A5000/3A6000 board) and the mapping between physical and BMBT virtual addresses.
#pragma once
#include "support/types.h"

namespace bmbt::baremetal {

// All of RAM is reachable through the cached window DMW1, all devices through uncached DMW0.
constexpr u64 kCachedWindow = 0x9000000000000000ull;
constexpr u64 kUncachedWindow = 0x8000000000000000ull;
constexpr u64 kPhysMask = 0x0000ffffffffffffull;

inline void* phys_to_virt(u64 pa) { return reinterpret_cast<void*>(pa | kCachedWindow); }
inline u64 virt_to_phys(const void* va) { return reinterpret_cast<u64>(va) & kPhysMask; }
template <class T>
inline volatile T* mmio(u64 pa) { return reinterpret_cast<volatile T*>(pa | kUncachedWindow); }

constexpr u64 kDefaultUartPa = 0x1fe001e0;
constexpr u64 kGedSleepControlPa = 0x100e001c;  // write 0x34: power off
constexpr u64 kGedResetPa = 0x100e001e;         // write 0x42: reset
constexpr u64 kFwCfgPa = 0x1e020000;
constexpr u64 kDirectBootFdtPa = 0x100000;      // where QEMU's -kernel boot leaves the device tree
constexpr u64 kTimerHz = 100000000;             // stable counter (rdtime) and constant timer

}  // namespace bmbt::baremetal
