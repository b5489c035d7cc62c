/* hello_signals.c: the smallest program that uses an installed
 * libotel-lite: one span, one counter increment and one log record, sent
 * with OTLP to wherever OTEL_EXPORTER_OTLP_ENDPOINT points (by default a
 * collector or `otel-viewer` on localhost:4317), then flushed at exit.
 *
 *   cc hello_signals.c $(pkg-config --cflags --libs otel-lite) -o hello_signals
 *   OTEL_SERVICE_NAME=hello ./hello_signals
 */
#include <otel/sdk.h>

#include <stdio.h>

int main(void) {
  otel_sdk_options_t o;
  otel_sdk_options_init(&o); /* defaults, then the OTEL_* variables */
  o.service_name = "hello-signals";
  otel_sdk_t *sdk;
  otel_err_t err = otel_sdk_init(&o, &sdk);
  if (err != OTEL_OK) {
    fprintf(stderr, "hello_signals: otel_sdk_init: %s\n", otel_strerror(err));
    return 1;
  }
  otel_tracer_t *tracer = otel_sdk_tracer(sdk, "hello-signals", "1.0");
  otel_logger_t *logger = otel_sdk_logger(sdk, "hello-signals", "1.0");
  otel_meter_t *meter = otel_sdk_meter(sdk, "hello-signals", "1.0");

  otel_instrument_t *greetings;
  otel_meter_create_counter(meter, "hello.greetings", "{greeting}", "greetings said", &greetings);
  {
    OTEL_SCOPED_SPAN(span, tracer, "say-hello"); /* ends at '}' */
    otel_span_set_attribute_str(span, "hello.to", "world");
    otel_counter_add(greetings, 1, (otel_attr_t[]){OTEL_ATTR_STR("hello.to", "world")}, 1);
    otel_log_info(logger, "hello, %s", "world"); /* carries the span's ids */
  }
  /* exports what is queued (the span, the log record, the counter's point) */
  err = otel_sdk_shutdown(sdk, 5000);
  if (err != OTEL_OK) fprintf(stderr, "hello_signals: shutdown: %s\n", otel_strerror(err));
  puts("hello_signals: done");
  return err == OTEL_OK ? 0 : 1;
}
