/* The JNI build compiles the whole simulator with its glue in one unit (as the cpu target does with
 * its kernels), so the jar carries one library and no separate native build step is needed. The
 * CMake-free C++ test and sanitizer builds compile npu_sim.cpp on its own. */
#include "npu_sim.cpp"
