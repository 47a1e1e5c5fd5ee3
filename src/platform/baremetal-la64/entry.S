// ELF entry for the bare-metal link check: stack, clear .bss, call C++.
    .section .text.entry, "ax"
    .globl _start
_start:
    // The compiler may use FP and LSX registers (struct copies, memset): enable FPU, LSX, LASX.
    ori         $t0, $zero, 0x7
    csrwr       $t0, 0x2
    la.pcrel    $sp, __stack_top
    la.pcrel    $t0, __bss_start
    la.pcrel    $t1, __bss_end
1:  bgeu        $t0, $t1, 2f
    st.d        $zero, $t0, 0
    addi.d      $t0, $t0, 8
    b           1b
2:  bl          bmbt_baremetal_main
3:  idle        0
    b           3b
