/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz.h: what every fuzz target shares. Each fuzz_*.c defines
 * LLVMFuzzerTestOneInput; it is linked either with libFuzzer (clang
 * -fsanitize=fuzzer, `make fuzz`) or with standalone_main.c, which feeds it
 * the files of the corpus and regression folders (`make test`). A target
 * aborts (FUZZ_CHECK) when a property of the code under test fails, so
 * that both count it as a crash.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                   \
    }                                                                            \
  } while (0)

/* The input as a NUL-terminated string (cut at its first NUL, as a C
 * string would be); the caller frees. */
static inline char *fuzz_string(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) abort();
  memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

#endif /* FUZZ_H */
