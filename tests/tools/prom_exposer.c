/* prom_exposer: a program that records a known set of metrics and serves
 * them with libotel-lite's Prometheus exporter, for prometheus_scrape.sh
 * (promtool and a real Prometheus server read it).
 * Usage: prom_exposer PORT   (prints "listening PORT" when ready) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "otel/exporter_prometheus.h"

#include "svc_server.h"

int main(int argc, char **argv) {
  svc_block_stop_signals();
  otel_resource_t *res;
  otel_attr_t ra[] = {OTEL_ATTR_STR("service.name", "prom-exposer"),
                      OTEL_ATTR_STR("deployment.environment.name", "dev")};
  otel_resource_create(ra, 2, &res);
  otel_meter_provider_options_t o;
  otel_meter_provider_options_init(&o);
  o.resource = res;
  otel_meter_provider_t *mp;
  if (otel_meter_provider_create(&o, &mp) != OTEL_OK) return 1;
  otel_meter_t *m = otel_meter_provider_get_meter(mp, "prom-exposer", "1.0");
  otel_instrument_t *c, *h, *ud, *g;
  otel_meter_create_counter(m, "iss.requests", "{request}", "ISS position lookups", &c);
  otel_meter_create_histogram(m, "http.server.request.duration", "s", "Request duration", NULL, 0, &h);
  otel_meter_create_up_down_counter(m, "http.server.active_requests", "{request}", "Active", &ud);
  otel_meter_create_gauge(m, "iss.altitude", "m", "ISS altitude", &g);
  otel_counter_add(c, 42, &OTEL_ATTR_INT("response.status", 200), 1);
  otel_counter_add(c, 3, &OTEL_ATTR_INT("response.status", 503), 1);
  for (int i = 0; i < 10; i++) otel_histogram_record(h, i * 0.5, &OTEL_ATTR_STR("http.route", "/"), 1);
  otel_counter_add(ud, 5, NULL, 0);
  otel_gauge_record(g, 417500, NULL, 0);
  otel_prometheus_server_t *server;
  if (otel_prometheus_server_start(mp, "127.0.0.1", argc > 1 ? atoi(argv[1]) : 0, &server) != OTEL_OK) return 1;
  printf("listening %d\n", otel_prometheus_server_port(server));
  fflush(stdout);
  svc_wait_for_stop();
  otel_prometheus_server_stop(server);
  otel_meter_provider_destroy(mp);
  otel_resource_release(res);
  return 0;
}
