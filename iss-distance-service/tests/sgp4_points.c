/* sgp4_points: prints our SGP4 state for each TLE of a file at the given
 * minutes from its epoch, for the comparison with python3-sgp4
 * (sgp4_vs_python.py). Input: a file of TLE pairs (Vallado's verification
 * file format: lines 1 and 2, comments ignored). Output per line:
 *   <catalog> <minutes> <err> x y z vx vy vz
 * Usage: sgp4_points TLEFILE MINUTES... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/sgp4.h"

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: sgp4_points TLEFILE MINUTES...\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "r");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  char line[256], l1[256] = "";
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '1' && line[1] == ' ') {
      snprintf(l1, sizeof l1, "%.69s", line);
      continue;
    }
    if (!(line[0] == '2' && line[1] == ' ' && l1[0])) continue;
    char text[600], err[200];
    snprintf(text, sizeof text, "%s\n%.69s\n", l1, line);
    l1[0] = '\0';
    tle_t t;
    if (tle_parse(text, &t, err, sizeof err)) {
      printf("# %.5s %s\n", text + 2, err);
      continue;
    }
    sgp4_t s;
    sgp4_err_t e = sgp4_init(&s, &t);
    for (int i = 2; i < argc; i++) {
      double minutes = atof(argv[i]), r[3] = {0}, v[3] = {0};
      sgp4_err_t pe = e ? e : sgp4_propagate(&s, minutes, r, v);
      printf("%d %.8f %d %.9f %.9f %.9f %.12f %.12f %.12f\n", t.catalog_number, minutes, (int)pe,
             r[0], r[1], r[2], v[0], v[1], v[2]);
    }
  }
  fclose(f);
  return 0;
}
