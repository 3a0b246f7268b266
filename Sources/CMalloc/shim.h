// glibc's allocator settings (mallopt), which Swift's Glibc module does not import.
#ifndef KILN_CMALLOC_SHIM_H
#define KILN_CMALLOC_SHIM_H

#include <malloc.h>

#endif
