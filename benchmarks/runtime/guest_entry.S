/*
 * Entry stub of a benchmark guest image (docs/guest-image-format.md): the loader jumps to the first
 * byte in 64-bit mode. Set our own stack (inside the image's bss), run main, then hlt forever.
 * The first hlt ends the run for BMBT and for x86-native-runner.
 */
    .section .text.entry, "ax", @progbits
    .code64
    .globl _start
    .type _start, @function
_start:
    movl    $__stack_top, %esp      /* zero-extends into rsp; the image lives below 4 GiB */
    call    main
1:  hlt
    jmp     1b
    .size _start, . - _start

    .section .bss.stack, "aw", @nobits
    .balign 16
__stack_bottom:
    .skip   65536                   /* the recursion workload needs more than the skeleton's 16 KiB */
    .globl __stack_top
__stack_top:

    .section .note.GNU-stack, "", @progbits
