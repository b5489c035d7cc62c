/* SPDX-License-Identifier: Apache-2.0
 *
 * simple_log_processor.c: the simple LogRecordProcessor: every record is
 * exported on its own, as soon as the background thread can, in emission
 * order. Unlike the spec's synchronous simple processor, the export never
 * runs on the emitting thread: the request path must not wait for a
 * console or a network (docs/design.md, two paths). It is the batch engine with a batch of
 * one and no delay. Spec: "Logs SDK", Simple processor.
 */
#include "logs_internal.h"

otel_err_t otel_simple_log_processor_create(otel_log_exporter_t *exporter,
                                            otel_log_processor_t **out) {
  otel_batch_log_processor_options_t o = {
      .schedule_delay_ms = 0,
      .max_queue_size = 2048,
      .max_export_batch_size = 1,
      .export_timeout_ms = 30000,
  };
  return otel__log_queue_processor_create(exporter, &o, "simple log processor", out);
}
