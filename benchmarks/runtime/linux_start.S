/*
 * Entry of the static Linux executable: align the stack, run main, exit_group(main's result).
 * No libc: the executable is as close as possible to the guest image so the peers run the same code.
 */
    .text
    .globl _start
    .type _start, @function
_start:
    xorl    %ebp, %ebp
    andq    $-16, %rsp
    call    main
    movl    %eax, %edi
    movl    $231, %eax              /* exit_group */
    syscall
    hlt
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
