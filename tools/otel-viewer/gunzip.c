/* SPDX-License-Identifier: Apache-2.0
 *
 * gunzip.c: inflates a Content-Encoding: gzip body of OTLP/HTTP, never to
 * more than the --max-body limit (a gzip bomb gets 413, not the memory):
 * the output buffer grows by doubling up to that limit and inflating stops
 * there.
 */
#include "viewer.h"

#include <stdlib.h>
#include <zlib.h>

int vw_gunzip(const uint8_t *in, size_t in_len, size_t max, uint8_t **out, size_t *out_len) {
  z_stream zs = {0};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return 400;
  size_t cap = in_len * 4 + 1024;
  if (cap > max) cap = max;
  uint8_t *buf = malloc(cap + 1);
  if (!buf) { inflateEnd(&zs); return 413; }
  zs.next_in = (Bytef *)in;
  zs.avail_in = (uInt)in_len;
  int rc = Z_OK, status = 0;
  size_t len = 0;
  while (rc != Z_STREAM_END) {
    if (len == cap) {
      if (cap >= max) { status = 413; break; }
      cap = cap * 2 > max ? max : cap * 2;
      uint8_t *nb = realloc(buf, cap + 1);
      if (!nb) { status = 413; break; }
      buf = nb;
    }
    zs.next_out = buf + len;
    zs.avail_out = (uInt)(cap - len);
    rc = inflate(&zs, Z_NO_FLUSH);
    len = cap - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_out == 0)) { status = 400; break; }
    if (zs.avail_in == 0 && zs.avail_out != 0) { status = 400; break; } /* truncated */
  }
  inflateEnd(&zs);
  if (status) { free(buf); return status; }
  *out = buf;
  *out_len = len;
  return 0;
}

