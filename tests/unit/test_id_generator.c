/* test_id_generator.c: trace and span ids (id_generator.c): never all
 * zeros, different across many draws and across threads, and a forked
 * child does not repeat its parent's next ids (it reseeds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pthread.h>

#include <cmocka.h>

#include "otel/trace.h"

#define DRAWS 20000

static int cmp64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void test_ids_are_never_zero_and_do_not_repeat(void **state) {
  (void)state;
  static uint64_t seen[DRAWS];
  static const uint8_t zero[16];
  for (int i = 0; i < DRAWS; i++) {
    uint8_t t[16], s[8];
    otel_generate_trace_id(t);
    otel_generate_span_id(s);
    assert_memory_not_equal(t, zero, 16);
    assert_memory_not_equal(s, zero, 8);
    memcpy(&seen[i], s, 8);
  }
  qsort(seen, DRAWS, sizeof seen[0], cmp64);
  for (int i = 1; i < DRAWS; i++) assert_true(seen[i] != seen[i - 1]);
}

static void *draw(void *out) {
  otel_generate_span_id(out);
  return NULL;
}

static void test_threads_draw_different_ids(void **state) {
  (void)state;
  enum { N = 8 };
  pthread_t th[N];
  uint64_t ids[N];
  for (int i = 0; i < N; i++) assert_int_equal(pthread_create(&th[i], NULL, draw, &ids[i]), 0);
  for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
  qsort(ids, N, sizeof ids[0], cmp64);
  for (int i = 1; i < N; i++) assert_true(ids[i] != ids[i - 1]);
}

static void test_forked_child_reseeds(void **state) {
  (void)state;
  uint8_t warm[8];
  otel_generate_span_id(warm); /* the parent's generator is seeded */
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    uint8_t id[8];
    otel_generate_span_id(id);
    _exit(write(fds[1], id, 8) == 8 ? 0 : 1);
  }
  uint8_t parent[8], child[8];
  otel_generate_span_id(parent); /* what the child would repeat without reseeding */
  assert_int_equal(read(fds[0], child, 8), 8);
  int status;
  waitpid(pid, &status, 0);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  assert_memory_not_equal(parent, child, 8);
  close(fds[0]);
  close(fds[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ids_are_never_zero_and_do_not_repeat),
      cmocka_unit_test(test_threads_draw_different_ids),
      cmocka_unit_test(test_forked_child_reseeds),
  };
  return cmocka_run_group_tests_name("id_generator", tests, NULL, NULL);
}
