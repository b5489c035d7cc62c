/* frontend/src/sha256.h: SHA-256 (FIPS 180-4) of a byte string, for the
 * hash of the page's own style sheet in its Content-Security-Policy
 * (page.c). Small and self-contained so the frontend needs no crypto
 * library; not meant for secrets (no constant-time concerns arise here).
 */
#ifndef FRONTEND_SHA256_H
#define FRONTEND_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

/* Writes the SHA-256 digest of data[0..len) to out. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

#endif /* FRONTEND_SHA256_H */
