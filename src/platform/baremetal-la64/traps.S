// Exception and TLB-refill vectors. Every exception and interrupt enters trap_vector (ECFG.VS = 0)
// on the dedicated trap stack (KS1), saves all registers and the exception CSRs in a TrapFrame
// (csr.h: TF_*), saves the FP/LSX/LASX state below it (an interrupt may arrive while translated
// code holds guest values there, and the C++ handlers may use those registers), calls
// bmbt_trap(frame) and returns with ertn using the frame's (possibly changed) ERA and PRMD. The trap stack is separate so that a fault caused by the normal stack (overflow into
// its guard page) can still be reported.
#include "csr.h"

    .section .text.traps, "ax"

.macro SAVE_GPRS
    st.d        $r1, $sp, TF_REG(1)
    st.d        $r2, $sp, TF_REG(2)
    .irp n, 4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    st.d        $r\n, $sp, TF_REG(\n)
    .endr
    csrrd       $t0, KS_SAVED_SP
    st.d        $t0, $sp, TF_REG(3)
    st.d        $zero, $sp, TF_REG(0)
.endm

// LASX registers xr0..31 (they hold f0..31 and vr0..31 too), FCSR0 and FCC0..7 at \base.
.macro SAVE_FP base
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    xvst        $xr\n, \base, \n * 32
    .endr
    movfcsr2gr  $t0, $fcsr0
    st.d        $t0, \base, TF_FP_FCSR
    .irp n, 0,1,2,3,4,5,6,7
    movcf2gr    $t0, $fcc\n
    st.b        $t0, \base, TF_FP_FCC + \n
    .endr
.endm

.macro RESTORE_FP base
    .irp n, 0,1,2,3,4,5,6,7
    ld.bu       $t0, \base, TF_FP_FCC + \n
    movgr2cf    $fcc\n, $t0
    .endr
    ld.d        $t0, \base, TF_FP_FCSR
    movgr2fcsr  $fcsr0, $t0
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    xvld        $xr\n, \base, \n * 32
    .endr
.endm

    .balign 4096                            // EENTRY ignores the low 12 bits
    .globl  bmbt_trap_vector
bmbt_trap_vector:
    csrwr       $sp, KS_SAVED_SP
    csrrd       $sp, KS_TRAP_STACK
    addi.d      $sp, $sp, -TF_SIZE
    SAVE_GPRS
    csrrd       $t0, CSR_ERA
    st.d        $t0, $sp, TF_ERA
    csrrd       $t0, CSR_BADV
    st.d        $t0, $sp, TF_BADV
    st.d        $zero, $sp, TF_KIND
trap_common:
    csrrd       $t0, CSR_PRMD
    st.d        $t0, $sp, TF_PRMD
    csrrd       $t0, CSR_ESTAT
    st.d        $t0, $sp, TF_ESTAT
    csrrd       $t0, CSR_BADI
    st.d        $t0, $sp, TF_BADI
    addi.d      $sp, $sp, -TF_FP_SIZE
    SAVE_FP     $sp
    addi.d      $a0, $sp, TF_FP_SIZE
    move        $fp, $zero                  // backtraces stop at the trap
    bl          bmbt_trap
    RESTORE_FP  $sp
    addi.d      $sp, $sp, TF_FP_SIZE
    ld.d        $t0, $sp, TF_ERA
    csrwr       $t0, CSR_ERA
    ld.d        $t0, $sp, TF_PRMD
    csrwr       $t0, CSR_PRMD
    ld.d        $r1, $sp, TF_REG(1)
    ld.d        $r2, $sp, TF_REG(2)
    .irp n, 4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld.d        $r\n, $sp, TF_REG(\n)
    .endr
    ld.d        $sp, $sp, TF_REG(3)
    ertn

// TLB refill: runs in direct-address mode at the physical address in TLBRENTRY. BMBT installs
// every mapping explicitly (tlb.cpp), so a refill is always an access to unmapped memory (a stray
// pointer, or the stack running into its guard page): leave refill mode with ertn into
// refill_fault, which reports it through the ordinary trap path with kind = 1.
    .balign 4096
    .globl  bmbt_tlb_refill_vector
bmbt_tlb_refill_vector:
    csrwr       $t0, CSR_TLBRSAVE
    csrwr       $t1, CSR_KS3
    csrrd       $t0, CSR_TLBRERA
    csrwr       $t0, KS_REFILL_ERA
    la.pcrel    $t0, refill_fault
    li.d        $t1, 0xffffffffffff
    and         $t0, $t0, $t1
    lu52i.d     $t1, $zero, -0x700          // DMW1 segment
    or          $t0, $t0, $t1
    ori         $t0, $t0, 1                 // keep IsTLBR so that ertn leaves refill mode
    csrwr       $t0, CSR_TLBRERA
    csrrd       $t1, CSR_KS3
    csrrd       $t0, CSR_TLBRSAVE
    ertn

// Reached in paged mode after a refill miss, all registers as they were at the fault.
refill_fault:
    csrwr       $sp, KS_SAVED_SP
    csrrd       $sp, KS_TRAP_STACK
    addi.d      $sp, $sp, -TF_SIZE
    SAVE_GPRS
    csrrd       $t0, KS_REFILL_ERA
    srli.d      $t0, $t0, 2
    slli.d      $t0, $t0, 2
    st.d        $t0, $sp, TF_ERA
    csrrd       $t0, CSR_TLBRBADV
    st.d        $t0, $sp, TF_BADV
    li.w        $t0, 1
    st.d        $t0, $sp, TF_KIND
    b           trap_common
