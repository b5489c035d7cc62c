/* geolocator-service/src/gazetteer.h: place name -> coordinates, offline,
 * from Debian's libgeonames (GeoNames cities, with their names in many
 * languages). Understands the forms people type: any case, spaces,
 * diacritics or none (Zürich, Zurich, munchen, Muenchen), local names
 * (München, Wien), and a qualifier after a comma: a country name or code
 * (London, UK / London, Canada / London, GB), or a state or region
 * (Paris, TX / Portland, Oregon / London, England). The most populous
 * match wins.
 */
#ifndef GEO_GAZETTEER_H
#define GEO_GAZETTEER_H

#include <stddef.h>

typedef struct gazetteer gazetteer_t;

typedef struct gazetteer_place {
  double latitude;
  double longitude;
  char name[256]; /* "London, England, United Kingdom" */
  unsigned population;
} gazetteer_place_t;

typedef enum gazetteer_result {
  GAZETTEER_FOUND = 0,
  GAZETTEER_NOT_FOUND,
  GAZETTEER_BAD_INPUT /* not UTF-8, control characters, too long, empty */
} gazetteer_result_t;

/* Builds the index (reads every city once per language; about a second).
 * Not thread-safe with other libgeonames or gettext use: call it at start,
 * before starting threads. Returns NULL on out of memory. */
gazetteer_t *gazetteer_create(void);
void gazetteer_destroy(gazetteer_t *g);
/* Number of cities and of names indexed. */
size_t gazetteer_city_count(const gazetteer_t *g);
size_t gazetteer_name_count(const gazetteer_t *g);

/* Looks query up. Thread-safe (the index is read-only). */
gazetteer_result_t gazetteer_lookup(const gazetteer_t *g, const char *query, gazetteer_place_t *out);

#endif /* GEO_GAZETTEER_H */
