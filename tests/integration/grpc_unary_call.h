/* grpc_unary_call.h: integration-test helper that makes one unary gRPC call
 * with the C core (send one message, read the status, the answer and the
 * status details), as an OTLP exporter does. Header-only (a static
 * function) because each integration test is one program; include it after
 * cmocka.h: a failed call step fails the test. */
#ifndef GRPC_UNARY_CALL_H
#define GRPC_UNARY_CALL_H

#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/support/time.h>
#include <stdlib.h>
#include <string.h>

/* Copies a slice into malloc'd, NUL-terminated bytes (*len its length). */
static char *grpc_unary_copy_slice(grpc_slice s, size_t *len) {
  size_t n = GRPC_SLICE_LENGTH(s);
  char *out = malloc(n + 1);
  assert_non_null(out);
  memcpy(out, GRPC_SLICE_START_PTR(s), n);
  out[n] = '\0';
  if (len) *len = n;
  return out;
}

/* Calls method on channel with data, waiting at most timeout_s. Returns the
 * status. answer (with answer_len) and details, when not NULL, receive
 * malloc'd copies of the answer message (NULL when there is none) and of
 * the status details; the caller frees them. */
static grpc_status_code grpc_unary_call(grpc_channel *channel, const char *method, const void *data,
                                        size_t len, int timeout_s, char **answer, size_t *answer_len,
                                        char **details_out) {
  grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
  gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_REALTIME),
                                       gpr_time_from_seconds(timeout_s, GPR_TIMESPAN));
  grpc_slice m = grpc_slice_from_static_string(method);
  grpc_call *call = grpc_channel_create_call(channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, m,
                                             NULL, deadline, NULL);
  grpc_slice payload = grpc_slice_from_copied_buffer(data, len);
  grpc_byte_buffer *send = grpc_raw_byte_buffer_create(&payload, 1);
  grpc_slice_unref(payload);
  grpc_metadata_array init_md, trail_md;
  grpc_metadata_array_init(&init_md);
  grpc_metadata_array_init(&trail_md);
  grpc_byte_buffer *recv = NULL;
  grpc_status_code status = GRPC_STATUS_UNKNOWN;
  grpc_slice details = grpc_empty_slice();
  grpc_op ops[6];
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = send;
  ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[3].data.recv_initial_metadata.recv_initial_metadata = &init_md;
  ops[4].op = GRPC_OP_RECV_MESSAGE;
  ops[4].data.recv_message.recv_message = &recv;
  ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[5].data.recv_status_on_client.trailing_metadata = &trail_md;
  ops[5].data.recv_status_on_client.status = &status;
  ops[5].data.recv_status_on_client.status_details = &details;
  assert_int_equal(grpc_call_start_batch(call, ops, 6, (void *)1, NULL), GRPC_CALL_OK);
  grpc_event ev = grpc_completion_queue_pluck(cq, (void *)1, deadline, NULL);
  assert_int_equal(ev.type, GRPC_OP_COMPLETE);
  if (answer) {
    *answer = NULL;
    if (answer_len) *answer_len = 0;
  }
  if (recv) {
    if (answer) {
      grpc_byte_buffer_reader rd;
      grpc_byte_buffer_reader_init(&rd, recv);
      grpc_slice all = grpc_byte_buffer_reader_readall(&rd);
      *answer = grpc_unary_copy_slice(all, answer_len);
      grpc_slice_unref(all);
      grpc_byte_buffer_reader_destroy(&rd);
    }
    grpc_byte_buffer_destroy(recv);
  }
  if (details_out) *details_out = grpc_unary_copy_slice(details, NULL);
  grpc_slice_unref(details);
  grpc_metadata_array_destroy(&init_md);
  grpc_metadata_array_destroy(&trail_md);
  grpc_byte_buffer_destroy(send);
  grpc_call_unref(call);
  grpc_completion_queue_shutdown(cq);
  grpc_completion_queue_destroy(cq);
  return status;
}

#endif /* GRPC_UNARY_CALL_H */
