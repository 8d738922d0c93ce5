/* placeholder: replaced by the real ipcalc */
#include <stdio.h>
const char ipcalc_usage[] = "usage: ipcalc CIDR|ADDR\n";
int ipcalc_main(int argc, char **argv) { (void)argc; (void)argv; return 2; }
