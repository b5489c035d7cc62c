/* bench_grpc_channel_churn.c: what re-creating a gRPC channel costs in
 * resident memory with Debian's gRPC core 1.51, the way the OTLP/gRPC
 * exporter does after UNAVAILABLE (otlp_grpc.c; at most once a second per
 * exporter while the collector is away). Each round makes an insecure
 * channel (with a local subchannel pool, as otlp_grpc.c) to a port that
 * refuses connections, one unary call (it fails
 * UNAVAILABLE), and destroys the channel; the control makes the same
 * calls on one channel. Prints VmRSS along the way. bench/soak.sh showed
 * the services' RSS creeping up by tens of KB per collector restart over
 * gRPC and not over HTTP; this isolates the cause. */
#include <arpa/inet.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = 0;
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "VmRSS:", 6)) v = atol(line + 6);
  if (f) fclose(f);
  return v;
}

static void one_call(grpc_channel *ch) {
  grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
  gpr_timespec deadline =
      gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_millis(500, GPR_TIMESPAN));
  grpc_call *call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
                                             grpc_slice_from_static_string("/x.Y/Z"), NULL,
                                             deadline, NULL);
  grpc_metadata_array initial, trailing;
  grpc_metadata_array_init(&initial);
  grpc_metadata_array_init(&trailing);
  grpc_status_code status;
  grpc_slice details;
  grpc_op ops[4];
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[1].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ops[2].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[2].data.recv_initial_metadata.recv_initial_metadata = &initial;
  ops[3].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[3].data.recv_status_on_client.trailing_metadata = &trailing;
  ops[3].data.recv_status_on_client.status = &status;
  ops[3].data.recv_status_on_client.status_details = &details;
  if (grpc_call_start_batch(call, ops, 4, (void *)1, NULL) == GRPC_CALL_OK) {
    grpc_completion_queue_pluck(cq, (void *)1, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    grpc_slice_unref(details);
  }
  grpc_metadata_array_destroy(&initial);
  grpc_metadata_array_destroy(&trailing);
  grpc_call_unref(call);
  grpc_completion_queue_shutdown(cq);
  while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
         GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(cq);
}

int main(void) {
  /* a port bound but not listening: every connection is refused */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
      getsockname(fd, (struct sockaddr *)&a, &alen)) {
    perror("bench_grpc_channel_churn: socket");
    return 1;
  }
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d", ntohs(a.sin_port));
  grpc_init();
  grpc_channel_credentials *creds = grpc_insecure_credentials_create();
  enum { ROUNDS = 6000, STEP = 1500 };

  /* as otlp_grpc.c makes its channels: a local subchannel pool each */
  grpc_arg arg = {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL,
                  .value.integer = 1};
  grpc_channel_args args = {1, &arg};
  grpc_channel *one = grpc_channel_create(target, creds, &args);
  long base = rss_kb();
  for (int i = 1; i <= ROUNDS; i++) one_call(one);
  grpc_channel_destroy(one);
  printf("gRPC core %s, %d failing calls on one channel: VmRSS %+ld kB\n", grpc_version_string(), ROUNDS,
         rss_kb() - base);

  base = rss_kb();
  printf("the same calls, each on a channel of its own (created, used, destroyed):\n");
  for (int i = 1; i <= ROUNDS; i++) {
    grpc_channel *ch = grpc_channel_create(target, creds, &args);
    one_call(ch);
    grpc_channel_destroy(ch);
    if (i % STEP == 0)
      printf("  after %5d channels: VmRSS %+6ld kB (%.1f kB per channel so far)\n", i,
             rss_kb() - base, (double)(rss_kb() - base) / i);
  }
  grpc_channel_credentials_release(creds);
  grpc_shutdown();
  close(fd);
  return 0;
}
