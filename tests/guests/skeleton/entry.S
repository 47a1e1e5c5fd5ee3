/*
 * BMBT skeleton guest: entry stub.
 *
 * The loader copies the flat image to 0x100000 and jumps to its first byte
 * (this code) in 64-bit mode. We set up our own stack inside the image's
 * .bss, call main() and halt forever. Nothing else is initialised: .data and
 * .bss are already part of the flat image (bss is stored as zeros).
 */
    .section .text.entry, "ax", @progbits
    .code64
    .globl _start
    .type _start, @function
_start:
    movl    $__stack_top, %esp      /* zero-extends into rsp; image lives below 4 GiB */
    call    main
1:  hlt
    jmp     1b
    .size _start, . - _start

    .section .bss.stack, "aw", @nobits
    .balign 16
__stack_bottom:
    .skip   16384
    .globl __stack_top
__stack_top:

    .section .note.GNU-stack, "", @progbits
