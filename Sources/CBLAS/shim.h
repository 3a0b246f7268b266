// OpenBLAS' CBLAS interface, for the tensor kernels (Debian: libopenblas-dev).
// Debian installs cblas.h under the multiarch include directory (through the
// alternatives system), which is not on every compiler's default search path, so
// look in the usual places in turn.
#ifndef KILN_CBLAS_SHIM_H
#define KILN_CBLAS_SHIM_H

#if __has_include(<cblas.h>)
#include <cblas.h>
#elif __has_include(<x86_64-linux-gnu/cblas.h>)
#include <x86_64-linux-gnu/cblas.h>
#elif __has_include(<aarch64-linux-gnu/cblas.h>)
#include <aarch64-linux-gnu/cblas.h>
#elif __has_include(<openblas/cblas.h>)
#include <openblas/cblas.h>
#elif __has_include(<x86_64-linux-gnu/openblas-pthread/cblas.h>)
#include <x86_64-linux-gnu/openblas-pthread/cblas.h>
#elif __has_include(<aarch64-linux-gnu/openblas-pthread/cblas.h>)
#include <aarch64-linux-gnu/openblas-pthread/cblas.h>
#else
#error "cblas.h not found: install OpenBLAS (Debian: apt-get install libopenblas-dev)"
#endif

#endif
