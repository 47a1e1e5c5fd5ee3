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

// IOCSR registers (per core: each core sees its own through iocsrrd/iocsrwr). Loongson 3A5000
// manual; the same on QEMU's virt board (REFERENCE.md section 1).
constexpr u64 kIocsrMiscFunc = 0x420;
constexpr u64 kMiscFuncExtioiEnable = u64(1) << 48;
// IPI: status, enable, set, clear; four 64-bit mailboxes; send registers that reach other cores.
constexpr u64 kIocsrIpiStatus = 0x1000;
constexpr u64 kIocsrIpiEnable = 0x1004;
constexpr u64 kIocsrIpiClear = 0x100c;
constexpr u64 kIocsrMailbox0 = 0x1020;
constexpr u64 kIocsrIpiSend = 0x1040;   // bit 31 wait, cpu << 16, vector in bits 4:0
constexpr u64 kIocsrMailSend = 0x1048;  // data << 32, bit 31 wait, cpu << 16, 32-bit half index << 2
// EXTIOI (the CPU-side extended I/O interrupt controller, 256 vectors).
constexpr u64 kIocsrExtioiIpmap = 0x14c0;    // 8 bytes: CPU pin (one-hot, pin n = line 2+n) per 32 vectors
constexpr u64 kIocsrExtioiEnable = 0x1600;   // 256 bits
constexpr u64 kIocsrExtioiBounce = 0x1680;   // 256 bits
constexpr u64 kIocsrExtioiCoreIsr = 0x1800;  // 256 bits, this core's pending vectors, write 1 to clear
constexpr u64 kIocsrExtioiCoremap = 0x1c00;  // a byte per vector: target core (one-hot)

}  // namespace bmbt::baremetal
