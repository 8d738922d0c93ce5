/*
 * main: the multi-call entry point, for the one applet that runs another
 * applet of this binary (bridge, its IPAM delegate: core/cni/cni.h,
 * struct xc_cni_exec's self_main).
 */
#ifndef XC_MAIN_H
#define XC_MAIN_H

/*
 * Run the applet argv[0] names, exactly as main() does for a process
 * started through that name (or "xcluster-cni APPLET ..."); returns its
 * exit status.
 */
int xc_main(int argc, char **argv);

#endif
