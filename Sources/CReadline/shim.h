// GNU readline and its history library, for the REPL. readline.h uses FILE without
// including stdio.h itself, so stdio.h must come first.
#ifndef KILN_CREADLINE_SHIM_H
#define KILN_CREADLINE_SHIM_H

#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>

#endif
