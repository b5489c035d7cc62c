/* geolocator-service/src/gazetteer.c: the offline gazetteer (see
 * gazetteer.h). At start it copies libgeonames' city table, then reads the
 * city and state names again in a set of languages (libgeonames translates
 * through gettext with the LANGUAGE variable), and indexes every folded
 * name in a hash table: name -> cities. A lookup folds the query, splits
 * "city, qualifier", and keeps the most populous city whose country name,
 * country code or state matches the qualifier.
 */
#include "gazetteer.h"

#include <geonames.h>
#include <libintl.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

#define MAX_QUERY 256
#define FOLD_CAP 512

/* Languages whose names are indexed as aliases (libgeonames has 190). */
static const char *const languages[] = {"de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da",
                                        "nb", "fi", "cs", "tr", "hu", "ro", NULL};

typedef struct city {
  char *name, *state, *country; /* English, for display */
  char cc[3];                   /* ISO 3166-1 alpha-2, lower case */
  char *country_folded, *state_folded, *state_short; /* for qualifiers */
  double lat, lon;
  unsigned population;
} city_t;

typedef struct entry {
  char *key;       /* folded name */
  int *cities;     /* indices, most populous first */
  int count, cap;
} entry_t;

struct gazetteer {
  city_t *cities;
  int n_cities;
  entry_t *table;  /* open addressing */
  size_t table_cap;
  size_t n_names;
};

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
  return h;
}

static entry_t *slot(const gazetteer_t *g, const char *key) {
  size_t i = hash(key) & (g->table_cap - 1);
  while (g->table[i].key && strcmp(g->table[i].key, key)) i = (i + 1) & (g->table_cap - 1);
  return &g->table[i];
}

static int grow(gazetteer_t *g) {
  size_t old_cap = g->table_cap;
  entry_t *old = g->table;
  g->table_cap = old_cap ? old_cap * 2 : 1 << 16;
  g->table = calloc(g->table_cap, sizeof(entry_t));
  if (!g->table) return -1;
  for (size_t i = 0; i < old_cap; i++)
    if (old[i].key) *slot(g, old[i].key) = old[i];
  free(old);
  return 0;
}

/* Adds city index ci under the folded form of name (and its German
 * transliteration when different). */
static int add_name(gazetteer_t *g, const char *name, int ci) {
  for (int german = 0; german <= 1; german++) {
    char key[FOLD_CAP];
    if (!name || fold_text(name, key, sizeof key, german) <= 0) continue;
    if ((g->n_names + 1) * 2 > g->table_cap && grow(g)) return -1;
    entry_t *e = slot(g, key);
    if (!e->key) {
      if (!(e->key = strdup(key))) return -1;
      g->n_names++;
    }
    if (e->count && e->cities[e->count - 1] == ci) continue; /* same name again */
    int dup = 0;
    for (int i = 0; i < e->count; i++) dup |= e->cities[i] == ci;
    if (dup) continue;
    if (e->count == e->cap) {
      int cap = e->cap ? e->cap * 2 : 2;
      int *grown = realloc(e->cities, (size_t)cap * sizeof(int));
      if (!grown) return -1;
      e->cities = grown;
      e->cap = cap;
    }
    e->cities[e->count++] = ci;
  }
  return 0;
}

static char *fold_dup(const char *s) {
  char buf[FOLD_CAP];
  return fold_text(s ? s : "", buf, sizeof buf, 0) >= 0 ? strdup(buf) : strdup("");
}

/* "State of Maine" -> "maine", "Canton of Zurich" -> "zurich",
 * "Île-de-France Region" -> "ile de france". */
static char *state_short(const char *folded) {
  static const char *const prefixes[] = {"state of ", "canton of ", "province of ", "region of ",
                                         "county of ", "city of ", "autonomous community of ", NULL};
  static const char *const suffixes[] = {" region", " province", " state", " prefecture",
                                         " oblast", " county", " voivodeship", NULL};
  const char *s = folded;
  for (int i = 0; prefixes[i]; i++)
    if (!strncmp(s, prefixes[i], strlen(prefixes[i]))) s += strlen(prefixes[i]);
  char *out = strdup(s);
  if (!out) return NULL;
  size_t n = strlen(out);
  for (int i = 0; suffixes[i]; i++) {
    size_t k = strlen(suffixes[i]);
    if (n > k && !strcmp(out + n - k, suffixes[i])) out[n - k] = '\0';
  }
  return out;
}

static int by_population(const void *a, const void *b, void *cities) {
  const city_t *c = cities;
  unsigned pa = c[*(const int *)a].population, pb = c[*(const int *)b].population;
  return (pa < pb) - (pa > pb);
}

gazetteer_t *gazetteer_create(void) {
  gazetteer_t *g = calloc(1, sizeof(*g));
  if (!g || grow(g)) goto fail;
  g->n_cities = geonames_get_n_cities();
  g->cities = calloc((size_t)g->n_cities, sizeof(city_t));
  if (!g->cities) goto fail;
  /* Local names first: libgeonames translates through GLib's gettext,
   * which reads LANGUAGE only under a locale other than "C" and decides
   * once, at its first call, whether to translate at all. */
  char *old_lang = getenv("LANGUAGE") ? strdup(getenv("LANGUAGE")) : NULL;
  char *old_locale = strdup(setlocale(LC_ALL, NULL));
  if (setlocale(LC_ALL, "C.UTF-8")) { /* UTF-8 output needs LC_CTYPE too */
    for (int l = 0; languages[l]; l++) {
      setenv("LANGUAGE", languages[l], 1);
      textdomain(textdomain(NULL)); /* makes gettext drop its cached catalogs */
      for (int i = 0; i < g->n_cities; i++) {
        GeonamesCity *c = geonames_get_city(i);
        int err = add_name(g, geonames_city_get_name(c), i);
        geonames_city_free(c);
        if (err) break;
      }
    }
  }
  /* Then the English names, for display: under the C locale gettext
   * returns the message id and libgeonames its English name. */
  if (old_lang) setenv("LANGUAGE", old_lang, 1);
  else unsetenv("LANGUAGE");
  setlocale(LC_ALL, "C");
  textdomain(textdomain(NULL));
  for (int i = 0; i < g->n_cities; i++) {
    GeonamesCity *c = geonames_get_city(i);
    city_t *ct = &g->cities[i];
    ct->name = strdup(geonames_city_get_name(c));
    ct->state = strdup(geonames_city_get_state(c) ? geonames_city_get_state(c) : "");
    ct->country = strdup(geonames_city_get_country(c) ? geonames_city_get_country(c) : "");
    const char *cc = geonames_city_get_country_code(c);
    ct->cc[0] = cc && cc[0] ? (char)(cc[0] | 32) : 0;
    ct->cc[1] = cc && cc[0] ? (char)(cc[1] | 32) : 0;
    ct->lat = geonames_city_get_latitude(c);
    ct->lon = geonames_city_get_longitude(c);
    ct->population = geonames_city_get_population(c);
    geonames_city_free(c);
    ct->country_folded = fold_dup(ct->country);
    ct->state_folded = fold_dup(ct->state);
    ct->state_short = ct->state_folded ? state_short(ct->state_folded) : NULL;
    if (!ct->name || !ct->state || !ct->country || !ct->state_short || add_name(g, ct->name, i)) {
      setlocale(LC_ALL, old_locale ? old_locale : "C");
      free(old_lang);
      free(old_locale);
      goto fail;
    }
  }
  setlocale(LC_ALL, old_locale ? old_locale : "C"); /* the caller's again */
  textdomain(textdomain(NULL));
  free(old_lang);
  free(old_locale);
  for (size_t i = 0; i < g->table_cap; i++)
    if (g->table[i].key) qsort_r(g->table[i].cities, (size_t)g->table[i].count, sizeof(int), by_population, g->cities);
  return g;
fail:
  gazetteer_destroy(g);
  return NULL;
}

void gazetteer_destroy(gazetteer_t *g) {
  if (!g) return;
  for (int i = 0; g->cities && i < g->n_cities; i++) {
    city_t *c = &g->cities[i];
    free(c->name), free(c->state), free(c->country);
    free(c->country_folded), free(c->state_folded), free(c->state_short);
  }
  for (size_t i = 0; i < g->table_cap; i++) {
    free(g->table[i].key);
    free(g->table[i].cities);
  }
  free(g->cities);
  free(g->table);
  free(g);
}

size_t gazetteer_city_count(const gazetteer_t *g) { return g ? (size_t)g->n_cities : 0; }
size_t gazetteer_name_count(const gazetteer_t *g) { return g ? g->n_names : 0; }

/* US state codes, and other short names people use for countries. */
static const char *const us_states[][2] = {
    {"al", "alabama"}, {"ak", "alaska"}, {"az", "arizona"}, {"ar", "arkansas"}, {"ca", "california"},
    {"co", "colorado"}, {"ct", "connecticut"}, {"de", "delaware"}, {"fl", "florida"}, {"ga", "georgia"},
    {"hi", "hawaii"}, {"id", "idaho"}, {"il", "illinois"}, {"in", "indiana"}, {"ia", "iowa"},
    {"ks", "kansas"}, {"ky", "kentucky"}, {"la", "louisiana"}, {"me", "maine"}, {"md", "maryland"},
    {"ma", "massachusetts"}, {"mi", "michigan"}, {"mn", "minnesota"}, {"ms", "mississippi"},
    {"mo", "missouri"}, {"mt", "montana"}, {"ne", "nebraska"}, {"nv", "nevada"},
    {"nh", "new hampshire"}, {"nj", "new jersey"}, {"nm", "new mexico"}, {"ny", "new york"},
    {"nc", "north carolina"}, {"nd", "north dakota"}, {"oh", "ohio"}, {"ok", "oklahoma"},
    {"or", "oregon"}, {"pa", "pennsylvania"}, {"ri", "rhode island"}, {"sc", "south carolina"},
    {"sd", "south dakota"}, {"tn", "tennessee"}, {"tx", "texas"}, {"ut", "utah"}, {"vt", "vermont"},
    {"va", "virginia"}, {"wa", "washington"}, {"wv", "west virginia"}, {"wi", "wisconsin"},
    {"wy", "wyoming"}, {"dc", "washington d c"}};
static const char *const country_aliases[][2] = {
    {"uk", "gb"}, {"great britain", "gb"}, {"britain", "gb"}, {"usa", "us"}, {"united states", "us"},
    {"america", "us"}, {"the netherlands", "nl"}, {"holland", "nl"}, {"deutschland", "de"},
    {"schweiz", "ch"}, {"suisse", "ch"}, {"espana", "es"}, {"italia", "it"}, {"osterreich", "at"},
    {"russia", "ru"}, {"south korea", "kr"}, {"uae", "ae"}};

/* Does city c match the folded qualifier q? */
static int qualifier_matches(const city_t *c, const char *q) {
  if (!strcmp(q, c->country_folded) || !strcmp(q, c->state_folded) || !strcmp(q, c->state_short))
    return 1;
  if (strlen(q) == 2 && !strcmp(q, c->cc)) return 1;
  for (size_t i = 0; i < sizeof country_aliases / sizeof country_aliases[0]; i++)
    if (!strcmp(q, country_aliases[i][0]) && !strcmp(c->cc, country_aliases[i][1])) return 1;
  if (!strcmp(c->cc, "us"))
    for (size_t i = 0; i < sizeof us_states / sizeof us_states[0]; i++)
      if (!strcmp(q, us_states[i][0]) && !strcmp(c->state_short, us_states[i][1])) return 1;
  return 0;
}

static void display_name(const city_t *c, char *out, size_t cap) {
  if (c->state[0] && strcmp(c->state, c->name))
    snprintf(out, cap, "%s, %s, %s", c->name, c->state, c->country);
  else
    snprintf(out, cap, "%s, %s", c->name, c->country);
}

gazetteer_result_t gazetteer_lookup(const gazetteer_t *g, const char *query, gazetteer_place_t *out) {
  memset(out, 0, sizeof(*out));
  if (!g || !query || strlen(query) >= MAX_QUERY) return GAZETTEER_BAD_INPUT;
  for (const unsigned char *p = (const unsigned char *)query; *p; p++)
    if (*p < 0x20 || *p == 0x7f) return GAZETTEER_BAD_INPUT;
  char place[MAX_QUERY], qual[FOLD_CAP] = "", key[FOLD_CAP];
  snprintf(place, sizeof place, "%s", query);
  char *comma = strchr(place, ',');
  if (comma) {
    *comma = '\0';
    if (fold_text(comma + 1, qual, sizeof qual, 0) < 0) return GAZETTEER_BAD_INPUT;
  }
  int n = fold_text(place, key, sizeof key, 0);
  if (n < 0) return GAZETTEER_BAD_INPUT;
  if (n == 0) return comma ? GAZETTEER_NOT_FOUND : GAZETTEER_BAD_INPUT;
  const entry_t *e = slot(g, key);
  for (int i = 0; e->key && i < e->count; i++) {
    const city_t *c = &g->cities[e->cities[i]];
    if (qual[0] && !qualifier_matches(c, qual)) continue;
    out->latitude = c->lat;
    out->longitude = c->lon;
    out->population = c->population;
    display_name(c, out->name, sizeof out->name);
    return GAZETTEER_FOUND;
  }
  return GAZETTEER_NOT_FOUND;
}
