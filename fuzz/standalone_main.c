/* SPDX-License-Identifier: Apache-2.0
 *
 * standalone_main.c: runs a fuzz target without libFuzzer, on the files
 * given (a folder: every file in it, in name order), once each. This is
 * how `make test` replays the committed corpus and regression inputs of
 * every target with the plain build (gcc, or ASan+UBSan with SANITIZE=1):
 * a crash, a sanitizer report or a failed property fails the run.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return -1;
  }
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? 2 * cap : 65536;
      uint8_t *nb = realloc(buf, cap);
      if (!nb) abort();
      buf = nb;
    }
    size_t n = fread(buf + len, 1, cap - len, f);
    if (n == 0) break;
    len += n;
  }
  fclose(f);
  /* like libFuzzer: the input is exactly len bytes, in its own block */
  uint8_t *input = malloc(len ? len : 1);
  if (!input) abort();
  memcpy(input, buf, len);
  free(buf);
  LLVMFuzzerTestOneInput(input, len);
  free(input);
  return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv) {
  size_t runs = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) continue; /* a target may have no regressions yet */
    if (!S_ISDIR(st.st_mode)) {
      if (run_file(argv[i]) != 0) return 1;
      runs++;
      continue;
    }
    struct dirent **names;
    int n = scandir(argv[i], &names, NULL, by_name);
    for (int k = 0; k < n; k++) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
      struct stat fst;
      if (names[k]->d_name[0] != '.' && stat(path, &fst) == 0 && S_ISREG(fst.st_mode)) {
        if (run_file(path) != 0) return 1;
        runs++;
      }
      free(names[k]);
    }
    free(names);
  }
  printf("%s: %zu inputs replayed\n", argv[0], runs);
  return 0;
}
