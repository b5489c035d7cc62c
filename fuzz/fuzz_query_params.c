/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_query_params.c: how the services read their parameters: servicekit's
 * svc_get_param (percent-decoding with civetweb's mg_get_var, length limit,
 * UTF-8 and control-character check, trimming) on a query string or an
 * application/x-www-form-urlencoded body, and the coordinate parsing of
 * iss-distance-service (coords_parse) on what it returns, as the frontend,
 * the gateway and the ISS service do. The first input byte picks the
 * buffer size (1..256), the rest is the query or form. Properties: an OK
 * value fits the buffer, is clean text, is not empty and has no
 * surrounding spaces; anything else leaves it "".
 */
#include "fuzz.h"

#include "../iss-distance-service/src/coords.h"
#include "../servicekit/svc_http.h"

static void one(const char *form, const char *name, size_t cap) {
  char *out = malloc(cap);
  if (!out) abort();
  memset(out, 'X', cap);
  svc_param_result_t r = svc_get_param(NULL, form, name, out, cap);
  size_t len = strnlen(out, cap);
  FUZZ_CHECK(len < cap);
  if (r == SVC_PARAM_OK) {
    FUZZ_CHECK(len > 0);
    FUZZ_CHECK(svc_text_is_clean(out, len));
    FUZZ_CHECK(out[0] != ' ' && out[len - 1] != ' ');
    double v;
    if (coords_parse(out, -90, 90, &v)) FUZZ_CHECK(v >= -90 && v <= 90);
    if (coords_parse(out, -180, 180, &v)) FUZZ_CHECK(v >= -180 && v <= 180);
  } else {
    FUZZ_CHECK(len == 0);
  }
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t cap = (size_t)data[0] + 1;
  char *form = fuzz_string(data + 1, size - 1);
  static const char *const names[] = {"location", "latitude", "longitude", "q"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) one(form, names[i], cap);
  free(form);
  return 0;
}
