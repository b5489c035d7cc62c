/* geolocator-service/src/fold.h: text folding for place-name matching:
 * lower case, Latin diacritics removed (Zürich -> zurich), spaces and
 * punctuation collapsed, and the German transliteration variant
 * (München -> muenchen) so every form people type finds the same place.
 */
#ifndef GEO_FOLD_H
#define GEO_FOLD_H

#include <stddef.h>

/* Folds UTF-8 text into out (cap bytes): lower-case ASCII letters and
 * digits with single spaces. Returns the length, or -1 when text is not
 * valid UTF-8 or does not fit. german != 0 writes ä/ö/ü/ß as ae/oe/ue/ss. */
int fold_text(const char *text, char *out, size_t cap, int german);

#endif /* GEO_FOLD_H */
