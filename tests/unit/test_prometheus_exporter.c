/* test_prometheus_exporter.c: the Prometheus text exposition
 * (prometheus_exporter.c): name translation, unit suffixes, _total,
 * histogram series, label sanitising and escaping, target_info. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otel/exporter_prometheus.h"

static void test_prometheus_text_translation(void **state) {
  (void)state;
  otel_resource_t *res;
  otel_attr_t ra[] = {OTEL_ATTR_STR("service.name", "iss-distance-service")};
  otel_resource_create(ra, 1, &res);
  otel_meter_provider_options_t o;
  otel_meter_provider_options_init(&o);
  o.resource = res;
  otel_meter_provider_t *mp;
  assert_int_equal(otel_meter_provider_create(&o, &mp), OTEL_OK);
  otel_meter_t *m = otel_meter_provider_get_meter(mp, "iss", "1.0");
  otel_instrument_t *c, *h, *ud, *g;
  otel_meter_create_counter(m, "iss.requests", "{request}", "ISS position lookups", &c);
  otel_meter_create_histogram(m, "http.server.request.duration", "s", "Request duration",
                              (const double[]){0.1, 1}, 2, &h);
  otel_meter_create_up_down_counter(m, "http.server.active_requests", "{request}", "", &ud);
  otel_meter_create_gauge(m, "queue-size", "By", "", &g);
  otel_counter_add(c, 3, &OTEL_ATTR_INT("response.status", 200), 1);
  otel_histogram_record(h, 0.05, &OTEL_ATTR_STR("http.route", "/"), 1);
  otel_histogram_record(h, 2.5, &OTEL_ATTR_STR("http.route", "/"), 1);
  otel_counter_add(ud, 2, NULL, 0);
  otel_gauge_record(g, 1024, &OTEL_ATTR_STR("weird key", "a\"b\\c\nd"), 1);
  otel_gauge_record(g, 7, &OTEL_ATTR_STR("user_agent", "Mozilla \xe9t\xe9"), 1);
  char *text;
  size_t len;
  assert_int_equal(otel_prometheus_text(mp, &text, &len), OTEL_OK);
  assert_int_equal(strlen(text), len);
  static const char *const want[] = {
      "# TYPE target_info gauge\n",
      "target_info{service_name=\"iss-distance-service\",",
      "# HELP iss_requests_total ISS position lookups\n# TYPE iss_requests_total counter\n",
      "iss_requests_total{otel_scope_name=\"iss\",otel_scope_version=\"1.0\",response_status=\"200\"} 3\n",
      "# TYPE http_server_request_duration_seconds histogram\n",
      "http_server_request_duration_seconds_bucket{otel_scope_name=\"iss\",otel_scope_version=\"1.0\",http_route=\"/\",le=\"0.1\"} 1\n",
      "http_server_request_duration_seconds_bucket{otel_scope_name=\"iss\",otel_scope_version=\"1.0\",http_route=\"/\",le=\"1\"} 1\n",
      "http_server_request_duration_seconds_bucket{otel_scope_name=\"iss\",otel_scope_version=\"1.0\",http_route=\"/\",le=\"+Inf\"} 2\n",
      "http_server_request_duration_seconds_sum{otel_scope_name=\"iss\",otel_scope_version=\"1.0\",http_route=\"/\"} 2.55\n",
      "http_server_request_duration_seconds_count{otel_scope_name=\"iss\",otel_scope_version=\"1.0\",http_route=\"/\"} 2\n",
      "# TYPE http_server_active_requests gauge\n",
      "http_server_active_requests{otel_scope_name=\"iss\",otel_scope_version=\"1.0\"} 2\n",
      "# TYPE queue_size_bytes gauge\n",
      "queue_size_bytes{otel_scope_name=\"iss\",otel_scope_version=\"1.0\",weird_key=\"a\\\"b\\\\c\\nd\"} 1024\n",
      "queue_size_bytes{otel_scope_name=\"iss\",otel_scope_version=\"1.0\",user_agent=\"Mozilla \xEF\xBF\xBDt\xEF\xBF\xBD\"} 7\n",
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    if (!strstr(text, want[i])) fail_msg("missing:\n%s\nin:\n%s", want[i], text);
  free(text);
  otel_meter_provider_destroy(mp);
  otel_resource_release(res);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_prometheus_text_translation)};
  return cmocka_run_group_tests_name("prometheus_exporter", tests, NULL, NULL);
}
