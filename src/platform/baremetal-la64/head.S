// The first bytes of the image and both entry points.
// - .head: an MZ stub + PE32+ header (LoongArch64, EFI application) describing the image that
//   `llvm-objcopy -O binary` makes of this ELF; file offsets equal RVAs (link.ld).
// - efi_entry: UEFI calls it at wherever it loaded the PE image (paging on, identity map).
// - _start: the ELF entry (QEMU -kernel: direct-address mode at physical 0x200000), and also where
//   the UEFI path jumps after ExitBootServices and copying the image.
#include "csr.h"

    .section .head, "a"
dos_header:
    .ascii  "MZ"
    .org    dos_header + 0x3c
    .long   pe_header - dos_header
pe_header:
    .ascii  "PE\0\0"
    .short  0x6264                          // Machine: LoongArch64
    .short  2                               // NumberOfSections
    .long   0, 0, 0                         // TimeDateStamp, PointerToSymbolTable, NumberOfSymbols
    .short  section_table - optional_header // SizeOfOptionalHeader
    .short  0x0206                          // executable, no line numbers, no debug info (relocations NOT stripped)
optional_header:
    .short  0x020b                          // PE32+
    .byte   0, 0                            // linker version
    .long   __pe_text_size                  // SizeOfCode
    .long   __pe_data_file_size             // SizeOfInitializedData
    .long   0                               // SizeOfUninitializedData (.bss is part of .data's virtual size)
    .long   __pe_entry_rva                  // AddressOfEntryPoint
    .long   __pe_text_rva                   // BaseOfCode
    .quad   0                               // ImageBase: anywhere (the code relocates itself)
    .long   0x1000                          // SectionAlignment
    .long   0x1000                          // FileAlignment (equal: file offsets are RVAs)
    .short  0, 0, 0, 0, 0, 0                // OS, image, subsystem versions
    .long   0                               // Win32VersionValue
    .long   __pe_image_size                 // SizeOfImage
    .long   __pe_text_rva                   // SizeOfHeaders
    .long   0                               // CheckSum
    .short  10                              // Subsystem: EFI application
    .short  0                               // DllCharacteristics
    .quad   0, 0, 0, 0                      // stack and heap reserve/commit
    .long   0                               // LoaderFlags
    .long   6                               // NumberOfRvaAndSizes
    .quad   0, 0, 0, 0, 0, 0                // export, import, resource, exception, certificate, base relocation: none
section_table:
    .ascii  ".text\0\0\0"
    .long   __pe_text_size, __pe_text_rva   // VirtualSize, VirtualAddress
    .long   __pe_text_size, __pe_text_rva   // SizeOfRawData, PointerToRawData
    .long   0, 0                            // relocations, line numbers
    .short  0, 0
    .long   0x60000020                      // code, execute, read
    .ascii  ".data\0\0\0"
    .long   __pe_data_virt_size, __pe_data_rva
    .long   __pe_data_file_size, __pe_data_rva
    .long   0, 0
    .short  0, 0
    .long   0xc0000040                      // initialized data, read, write

// Interrupts off, BMBT's DMW windows, continue at the same physical address seen through DMW1
// (works from direct-address mode, which ignores the high bits, and from a firmware identity
// map), paging on, a clean TLB, FPU/LSX/LASX on. Uses t0, t1. Every core runs it once.
.macro ENTER_BMBT_MODE
    li.w        $t0, 0x4
    csrxchg     $zero, $t0, CSR_CRMD        // interrupts off
    li.d        $t0, BMBT_DMW0_VALUE
    csrwr       $t0, CSR_DMW0
    li.d        $t0, BMBT_DMW1_VALUE
    csrwr       $t0, CSR_DMW1
    csrwr       $zero, CSR_DMW2
    csrwr       $zero, CSR_DMW3
    la.pcrel    $t0, 1f
    li.d        $t1, 0xffffffffffff
    and         $t0, $t0, $t1
    lu52i.d     $t1, $zero, -0x700          // 0x9000000000000000
    or          $t0, $t0, $t1
    jr          $t0
1:  li.w        $t0, BMBT_CRMD_PAGED
    csrwr       $t0, CSR_CRMD
    invtlb      0, $zero, $zero             // nothing the firmware left in the TLB may match
    ori         $t0, $zero, 0x7             // FPU, LSX, LASX: the compiler uses them
    csrwr       $t0, CSR_EUEN
.endm

    .section .text.entry, "ax"
    .globl  _start
_start:
    // a0..a3 are boot arguments: keep them in s0..s3.
    move        $s0, $a0
    move        $s1, $a1
    move        $s2, $a2
    move        $s3, $a3
    ENTER_BMBT_MODE
    la.pcrel    $sp, __boot_stack_top
    move        $fp, $zero
    la.pcrel    $t0, __bss_start
    la.pcrel    $t1, __bss_end
2:  bgeu        $t0, $t1, 3f
    st.d        $zero, $t0, 0
    addi.d      $t0, $t0, 8
    b           2b
3:  bl          apply_relocations
    move        $a4, $a0                    // relocation entries of an unexpected type
    move        $a0, $s0
    move        $a1, $s1
    move        $a2, $s2
    move        $a3, $s3
    bl          bmbt_kernel_main
4:  idle        0
    b           4b

    .text
// UEFI application entry: a0 = ImageHandle, a1 = SystemTable; returns an EFI_STATUS.
    .globl  efi_entry
efi_entry:
    addi.d      $sp, $sp, -32
    st.d        $ra, $sp, 24
    st.d        $s0, $sp, 16
    st.d        $s1, $sp, 8
    move        $s0, $a0
    move        $s1, $a1
    csrrd       $t0, CSR_EUEN
    ori         $t0, $t0, 0x7
    csrwr       $t0, CSR_EUEN
    la.pcrel    $t0, __bss_start
    la.pcrel    $t1, __bss_end
1:  bgeu        $t0, $t1, 2f
    st.d        $zero, $t0, 0
    addi.d      $t0, $t0, 8
    b           1b
2:  bl          apply_relocations
    move        $a2, $a0
    move        $a0, $s0
    move        $a1, $s1
    bl          bmbt_efi_main
    ld.d        $s1, $sp, 8
    ld.d        $s0, $sp, 16
    ld.d        $ra, $sp, 24
    addi.d      $sp, $sp, 32
    jr          $ra

// Rewrites every R_LARCH_RELATIVE target for the address the image runs at. RELA entries carry
// their addend, so this can run again on a copy of an already relocated image.
// Leaf: uses t0..t7 only. Returns in a0 the number of entries of any other type (expected 0).
    .globl  apply_relocations
apply_relocations:
    la.pcrel    $t0, __image_start          // where the image runs
    li.d        $t1, BMBT_LINK_BASE         // where it was linked
    sub.d       $t2, $t0, $t1               // displacement
    la.pcrel    $t3, __rela_start
    la.pcrel    $t4, __rela_end
    move        $a0, $zero
    li.w        $t7, 3                      // R_LARCH_RELATIVE
1:  bgeu        $t3, $t4, 3f
    ld.wu       $t5, $t3, 8                 // r_info: type in the low 32 bits
    beq         $t5, $t7, 2f
    addi.d      $a0, $a0, 1
    addi.d      $t3, $t3, 24
    b           1b
2:  ld.d        $t5, $t3, 0                 // r_offset (link address)
    sub.d       $t5, $t5, $t1
    add.d       $t5, $t5, $t0
    ld.d        $t6, $t3, 16                // r_addend
    add.d       $t6, $t6, $t2
    st.d        $t6, $t5, 0
    addi.d      $t3, $t3, 24
    b           1b
3:  jr          $ra

// Secondary cores: the boot code that parks them (QEMU's for -kernel, the firmware's under UEFI)
// jumps to the physical address CPU 0 wrote into mailbox 0 (smp.cpp). Each core takes its stack
// from bmbt_secondary_stacks[its CPUID] (0: none, stay here) and calls bmbt_secondary_main(cpuid).
    .globl  bmbt_secondary_entry
bmbt_secondary_entry:
    ENTER_BMBT_MODE
    csrrd       $a0, CSR_CPUID
    andi        $a0, $a0, CSR_CPUID_MASK
    li.w        $t1, BMBT_MAX_CPUS
    bgeu        $a0, $t1, 6f
    la.pcrel    $t0, bmbt_secondary_stacks
    alsl.d      $t0, $a0, $t0, 3
    ld.d        $sp, $t0, 0
    beqz        $sp, 6f
    move        $fp, $zero
    move        $ra, $zero
    bl          bmbt_secondary_main
6:  idle        0
    b           6b

// switch_stack(arg, fn, new_sp): calls fn(arg) on another stack; never returns.
    .globl  bmbt_switch_stack
bmbt_switch_stack:
    move        $sp, $a2
    move        $fp, $zero
    move        $ra, $zero
    jirl        $ra, $a1, 0
5:  idle        0
    b           5b
