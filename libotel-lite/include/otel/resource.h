/* SPDX-License-Identifier: Apache-2.0
 *
 * resource.h: the Resource, i.e. the entity producing telemetry (service
 * name, environment, SDK identity), attached to every span, metric point
 * and log record. Specification: "Resource SDK" and the environment
 * variables OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 */
#ifndef OTEL_RESOURCE_H
#define OTEL_RESOURCE_H

#include "otel/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OTEL_SDK_NAME "libotel-lite"
#define OTEL_SDK_VERSION "0.1.0"

typedef struct otel_resource otel_resource_t; /* opaque, immutable once made */

/* Creates the default resource, merging, lowest priority first:
 *   telemetry.sdk.name=libotel-lite, telemetry.sdk.language=c,
 *   telemetry.sdk.version, service.name="unknown_service:<process name>";
 *   then attrs (borrowed, copied; may be NULL with n 0);
 *   then OTEL_RESOURCE_ATTRIBUTES (key1=value1,key2=value2, percent-decoded;
 *   an invalid list is reported and ignored as a whole, per the spec);
 *   then OTEL_SERVICE_NAME for service.name.
 * Explicit attrs (e.g. service.name passed by the program) lose to the
 * environment, so an operator can always override them.
 * Returns owned via *out (NULL on error); free with otel_resource_release.
 * Errors: OTEL_ENOMEM. Thread-safe. */
OTEL_API otel_err_t otel_resource_create(const otel_attr_t *attrs, size_t n,
                                         otel_resource_t **out);

/* Creates an empty resource (no attributes at all). Owned. */
OTEL_API otel_err_t otel_resource_create_empty(otel_resource_t **out);

/* Returns a new resource with a's attributes updated by b's (b wins on the
 * same key). Neither input is changed. Owned via *out. */
OTEL_API otel_err_t otel_resource_merge(const otel_resource_t *a,
                                        const otel_resource_t *b,
                                        otel_resource_t **out);

/* Number of attributes, and the i-th as a borrowed view (valid while the
 * resource lives). Returns NULL past the end. */
OTEL_API size_t otel_resource_attr_count(const otel_resource_t *r);
OTEL_API const otel_attr_t *otel_resource_attr_at(const otel_resource_t *r, size_t i);
/* Returns the borrowed attribute with this key, or NULL. */
OTEL_API const otel_attr_t *otel_resource_get(const otel_resource_t *r, const char *key);

/* Resources are reference-counted so providers can share one. _retain
 * takes one more reference and returns r; _release drops one and frees at
 * zero. NULL is a no-op. */
OTEL_API otel_resource_t *otel_resource_retain(otel_resource_t *r);
OTEL_API void otel_resource_release(otel_resource_t *r);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_RESOURCE_H */
