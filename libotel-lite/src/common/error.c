/* SPDX-License-Identifier: Apache-2.0
 *
 * error.c: otel_strerror() and otel_err_name(), both expanded from the one
 * OTEL_ERR_MAP table in common.h so that the enum, the message and the name
 * can never disagree.
 */
#include "otel/common.h"

const char *otel_strerror(otel_err_t err) {
  switch (err) {
  case OTEL_OK:
    return "success";
#define OTEL__ERR_MSG(name, msg) \
  case OTEL_##name:              \
    return msg;
    OTEL_ERR_MAP(OTEL__ERR_MSG)
#undef OTEL__ERR_MSG
  case OTEL_ERR_MAX_:
    break;
  }
  return "unknown error";
}

const char *otel_err_name(otel_err_t err) {
  switch (err) {
  case OTEL_OK:
    return "OTEL_OK";
#define OTEL__ERR_NAME(name, msg) \
  case OTEL_##name:               \
    return "OTEL_" #name;
    OTEL_ERR_MAP(OTEL__ERR_NAME)
#undef OTEL__ERR_NAME
  case OTEL_ERR_MAX_:
    break;
  }
  return "OTEL_UNKNOWN";
}
