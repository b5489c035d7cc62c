/* test_page.c: the result page (page.c): the world map is drawn only when
 * the gateway's answer has both positions, never with an error, and what
 * came from upstream stays escaped in the map too; while the gateway is not
 * ready the page says the app is starting up and reloads itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../src/page.h"
#include "../src/sha256.h"

static const char zurich_json[] =
    "{\"distance\": 7123.45, \"place\": \"Zurich, Canton of Zurich, Switzerland\","
    " \"location\": {\"latitude\": 47.3769, \"longitude\": 8.5417},"
    " \"iss_position\": {\"latitude\": -35.5, \"longitude\": -120.25},"
    " \"altitude_km\": 420.1, \"slant_range_km\": 7000.2,"
    " \"timestamp\": \"2026-11-22T18:00:00Z\", \"source\": \"sgp4\"}";

static char *render(const page_view_t *v, html_t *h) {
  page_render(h, v);
  assert_false(h->oom);
  assert_non_null(h->data);
  return h->data;
}

static void test_page_result_with_positions_draws_map(void **state) {
  (void)state;
  html_t h = {0};
  page_view_t v = {.location = "Zurich", .result_json = zurich_json};
  const char *page = render(&v, &h);
  const char *result = strstr(page, "id=\"result\"");
  const char *map = strstr(page, "<svg id=\"world-map\"");
  assert_non_null(result);
  assert_non_null(map);
  assert_true(map > result);
  assert_non_null(strstr(map, "id=\"place-marker\" cx=\"8.542\" cy=\"-47.377\""));
  assert_non_null(strstr(map, "id=\"iss-marker\" cx=\"-120.250\" cy=\"35.500\""));
  assert_non_null(strstr(map, "id=\"place-label\""));
  assert_non_null(strstr(map, ">Zurich</text>")); /* the first part of the place */
  html_free(&h);
}

struct no_map_case {
  const char *name;
  page_view_t view;
};

static void test_page_no_map_table(void **state) {
  (void)state;
  static const struct no_map_case cases[] = {
      {"error", {.location = "Nowhere", .error_status = 404, .error_text = "Location not found"}},
      {"error wins over a result", {.result_json = zurich_json, .error_status = 502, .error_text = "x"}},
      {"form only", {.location = NULL}},
      {"unreadable answer", {.result_json = "not json"}},
      {"no iss_position", {.result_json = "{\"distance\": 1, \"location\": {\"latitude\": 1, \"longitude\": 2}}"}},
      {"no location", {.result_json = "{\"distance\": 1, \"iss_position\": {\"latitude\": 1, \"longitude\": 2}}"}},
      {"latitude as a string",
       {.result_json = "{\"location\": {\"latitude\": \"1\", \"longitude\": 2},"
                       " \"iss_position\": {\"latitude\": 1, \"longitude\": 2}}"}},
      {"latitude out of range",
       {.result_json = "{\"location\": {\"latitude\": 91, \"longitude\": 2},"
                       " \"iss_position\": {\"latitude\": 1, \"longitude\": 2}}"}},
      {"longitude out of range",
       {.result_json = "{\"location\": {\"latitude\": 1, \"longitude\": 2},"
                       " \"iss_position\": {\"latitude\": 1, \"longitude\": -181}}"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    html_t h = {0};
    page_render(&h, &cases[i].view);
    if (!h.data || strstr(h.data, "world-map") || strstr(h.data, "<svg"))
      fail_msg("%s: map drawn (or no page)", cases[i].name);
    html_free(&h);
  }
}

static void test_page_map_label_escaped(void **state) {
  (void)state;
  html_t h = {0};
  page_view_t v = {.result_json = "{\"place\": \"<script>x</script>&, rest\","
                                  " \"location\": {\"latitude\": 0, \"longitude\": 0},"
                                  " \"iss_position\": {\"latitude\": 10, \"longitude\": 10}}"};
  const char *page = render(&v, &h);
  assert_non_null(strstr(page, "id=\"world-map\""));
  assert_null(strstr(page, "<script"));
  assert_non_null(strstr(page, ">&lt;script&gt;x&lt;/script&gt;&amp;</text>"));
  html_free(&h);
}

static void test_page_starting_up_reloads_itself(void **state) {
  (void)state;
  html_t h = {0};
  page_view_t v = {.location = "London", .starting_up_retry_s = 5};
  const char *page = render(&v, &h);
  const char *refresh = strstr(page, "<meta http-equiv=\"refresh\" content=\"5\">");
  assert_non_null(refresh);
  assert_true(refresh < strstr(page, "</head>"));
  assert_non_null(strstr(page, "id=\"starting-up\""));
  assert_non_null(strstr(page, "tries again in 5 seconds"));
  assert_null(strstr(page, "id=\"error\""));
  assert_non_null(strstr(page, "value=\"London\""));
  html_free(&h);
  page_view_t plain = {.location = "London", .error_status = 502, .error_text = "x"};
  page = render(&plain, &h);
  assert_null(strstr(page, "http-equiv=\"refresh\""));
  assert_null(strstr(page, "starting-up"));
  html_free(&h);
}

/* The CSP names the page's one <style> by the hash of exactly its text, and
 * allows nothing else: no script, no frame, the form posting home only. */
static void test_page_csp_allows_its_own_style_only(void **state) {
  (void)state;
  html_t h = {0};
  page_view_t v = {.location = "Zurich", .result_json = zurich_json};
  const char *page = render(&v, &h);
  const char *open = strstr(page, "<style>");
  assert_non_null(open);
  open += strlen("<style>");
  const char *close = strstr(open, "</style>");
  assert_non_null(close);
  assert_null(strstr(close + 1, "<style"));
  assert_null(strstr(page, "<script"));
  assert_null(strstr(page, " style=\""));
  uint8_t d[SHA256_DIGEST_SIZE];
  sha256(open, (size_t)(close - open), d);
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char want[128] = "style-src 'sha256-";
  size_t n = strlen(want);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i += 3) {
    uint32_t x = (uint32_t)d[i] << 16 | (i + 1 < SHA256_DIGEST_SIZE ? (uint32_t)d[i + 1] << 8 : 0) |
                 (i + 2 < SHA256_DIGEST_SIZE ? d[i + 2] : 0);
    want[n++] = abc[x >> 18 & 63];
    want[n++] = abc[x >> 12 & 63];
    want[n++] = i + 1 < SHA256_DIGEST_SIZE ? abc[x >> 6 & 63] : '=';
    want[n++] = i + 2 < SHA256_DIGEST_SIZE ? abc[x & 63] : '=';
  }
  strcpy(want + n, "'; ");
  const char *csp = page_security_headers();
  if (!strstr(csp, want)) fail_msg("CSP %s lacks %s", csp, want);
  assert_non_null(strstr(csp, "Content-Security-Policy: default-src 'none'; "));
  assert_non_null(strstr(csp, "; form-action 'self'; frame-ancestors 'none'"));
  assert_non_null(strstr(csp, "\r\nReferrer-Policy: no-referrer\r\n"));
  assert_null(strstr(csp, "unsafe"));
  html_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_page_result_with_positions_draws_map),
      cmocka_unit_test(test_page_no_map_table),
      cmocka_unit_test(test_page_map_label_escaped),
      cmocka_unit_test(test_page_starting_up_reloads_itself),
      cmocka_unit_test(test_page_csp_allows_its_own_style_only),
  };
  return cmocka_run_group_tests_name("page", tests, NULL, NULL);
}
