// glibc's malloc tuning (mallopt, M_MMAP_THRESHOLD, M_ARENA_MAX): <malloc.h> is not in the Glibc module.
#include <malloc.h>
