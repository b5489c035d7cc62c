/* test_sha256.c: the frontend's SHA-256 (sha256.c) against the FIPS 180-4
 * and NIST CAVS example digests, padding edges (55, 56, 63, 64 bytes:
 * one or two final blocks) included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../src/sha256.h"

static void hex(const uint8_t *d, char *out) {
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_sha256_known_digests(void **state) {
  (void)state;
  static char a1000[1001];
  memset(a1000, 'a', 1000);
  static const char a55[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  struct {
    const char *name, *msg, *digest;
    size_t len;
  } cases[] = {
      {"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0},
      {"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3},
      {"two blocks (56 bytes)", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", 56},
      {"55 a (one final block)", a55,
       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318", 55},
      {"63 a (two final blocks)", a1000,
       "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34", 63},
      {"64 a (a whole block, then padding)", a1000,
       "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb", 64},
      {"1000 a", a1000, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3", 1000},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t d[SHA256_DIGEST_SIZE];
    char got[2 * SHA256_DIGEST_SIZE + 1];
    sha256(cases[i].msg, cases[i].len, d);
    hex(d, got);
    if (strcmp(got, cases[i].digest) != 0)
      fail_msg("%s: got %s, want %s", cases[i].name, got, cases[i].digest);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sha256_known_digests),
  };
  return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}
