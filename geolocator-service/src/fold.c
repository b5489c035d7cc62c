/* geolocator-service/src/fold.c: place-name folding (see fold.h). Code
 * points of Latin-1 and Latin Extended-A map to their base letter; other
 * letters (Greek, Cyrillic, CJK...) are kept as UTF-8 bytes, so names in
 * those scripts still match themselves. */
#include "fold.h"

#include <string.h>

/* Base letters for U+00C0..U+017F ('\0': drop, '?': keep as is). */
static const char latin[] =
    "AAAAAAACEEEEIIII" "DNOOOOO\0OUUUUYTs"   /* C0-DF (D7 x, DF ß handled apart) */
    "aaaaaaaceeeeiiii" "dnooooo\0ouuuuyty"   /* E0-FF */
    "AaAaAaCcCcCcCcDd" "DdEeEeEeEeEeGgGg"   /* 100-11F */
    "GgGgHhHhIiIiIiIi" "IiJjJjKkkLlLlLlL"   /* 120-13F */
    "lLlNnNnNnnNnOoOo" "OoOoRrRrRrSsSsSs"   /* 140-15F */
    "SsTtTtTtUuUuUuUu" "UuUuWwYyYZzZzZzs";  /* 160-17F */

static int decode(const unsigned char **p, unsigned *cp) {
  const unsigned char *s = *p;
  if (s[0] < 0x80) { *cp = s[0]; *p += 1; return 0; }
  int n = (s[0] & 0xe0) == 0xc0 ? 1 : (s[0] & 0xf0) == 0xe0 ? 2 : (s[0] & 0xf8) == 0xf0 ? 3 : -1;
  if (n < 0) return -1;
  unsigned v = s[0] & (0x3f >> n);
  for (int i = 1; i <= n; i++) {
    if ((s[i] & 0xc0) != 0x80) return -1;
    v = (v << 6) | (s[i] & 0x3f);
  }
  static const unsigned min[] = {0, 0x80, 0x800, 0x10000};
  if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return -1;
  *cp = v;
  *p += n + 1;
  return 0;
}

int fold_text(const char *text, char *out, size_t cap, int german) {
  const unsigned char *p = (const unsigned char *)text;
  size_t n = 0;
  int pending_space = 0;
#define PUT(c)                                \
  do {                                        \
    if (n + 2 >= cap) return -1;              \
    if (pending_space && n) out[n++] = ' ';   \
    pending_space = 0;                        \
    out[n++] = (char)(c);                     \
  } while (0)
  while (*p) {
    const unsigned char *start = p;
    unsigned cp;
    if (decode(&p, &cp) != 0) return -1;
    if (cp < 0x80) {
      if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) PUT(cp);
      else if (cp >= 'A' && cp <= 'Z') PUT(cp + 32);
      else if (cp == '\'') continue; /* "Xi'an" -> xian */
      else pending_space = 1;        /* spaces, dashes, dots, commas */
      continue;
    }
    if (german && (cp == 0xe4 || cp == 0xc4 || cp == 0xf6 || cp == 0xd6 || cp == 0xfc || cp == 0xdc)) {
      PUT(cp == 0xe4 || cp == 0xc4 ? 'a' : cp == 0xf6 || cp == 0xd6 ? 'o' : 'u');
      PUT('e');
      continue;
    }
    if (cp == 0xdf) { PUT('s'); PUT('s'); continue; } /* ß */
    if (cp >= 0xc0 && cp <= 0x17f) {
      char b = latin[cp - 0xc0];
      if (b == '\0') pending_space = 1;
      else PUT(b >= 'A' && b <= 'Z' ? b + 32 : b);
      continue;
    }
    if (cp == 0xa0 || (cp >= 0x2000 && cp <= 0x206f)) { pending_space = 1; continue; } /* spaces, dashes */
    for (const unsigned char *q = start; q < p; q++) PUT(*q); /* other scripts as they are */
  }
#undef PUT
  out[n] = '\0';
  return (int)n;
}
