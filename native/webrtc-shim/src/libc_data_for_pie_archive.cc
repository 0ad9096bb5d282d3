// C library data objects defined inside the shim.
//
// Why: libtg_owt.a is position-independent *executable* code. It reads in6addr_any,
// in6addr_loopback, stdout and stderr PC-relatively, which in an executable works through copy
// relocations but cannot refer to a symbol in another shared object. Defining them here (hidden,
// bound locally by -Bsymbolic) satisfies those references from inside the .so:
//  - in6addr_any / in6addr_loopback are constants (RFC 3493 values), so a private copy is exact;
//  - stdout / stderr are pointers to the C library's FILE objects, initialised at load time from
//    glibc's exported _IO_2_1_stdout_ / _IO_2_1_stderr_, the objects glibc's own stdout/stderr
//    point at. (libwebrtc only writes log lines to them.)
// stdio.h is deliberately not included: it declares stdout/stderr as macros/externs of its own.
#include <netinet/in.h>

extern "C" {
struct _IO_FILE;
extern _IO_FILE _IO_2_1_stdout_;
extern _IO_FILE _IO_2_1_stderr_;

const struct in6_addr in6addr_any = IN6ADDR_ANY_INIT;
const struct in6_addr in6addr_loopback = IN6ADDR_LOOPBACK_INIT;
__attribute__((visibility("hidden"))) _IO_FILE* stdout = &_IO_2_1_stdout_;
__attribute__((visibility("hidden"))) _IO_FILE* stderr = &_IO_2_1_stderr_;
}
