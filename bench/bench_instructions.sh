#!/usr/bin/env bash
# bench_instructions.sh: what telemetry costs a request, in instructions
# (make bench). Callgrind counts user-space instructions of every thread of
# a service under OTLP/gRPC export to the real otel-viewer, against the
# same binary with OTEL_SDK_DISABLED=true in the same run, for
# iss-distance-service, geolocator-service, gateway and frontend; then the
# viewer's instructions per received span or log record. It prints the
# table (instrumented, disabled, ratio, telemetry = the difference) and the
# top libotel-lite functions by instructions per request (inclusive, self).
# Counts, not time: they do not depend on the machine's load. The method
# (warm-up, windows opened and closed with callgrind_control, full export
# batches so that each window holds the same exports) is in the header of
# bench_instructions.py, the driver.
#
# Variables: BENCH_REQUESTS (200 counted), BENCH_WARMUP (300),
# BENCH_BATCH_REQUESTS (100 requests per export batch; the two above are
# multiples of it), BENCH_VIEWER_REQUESTS (500; 0 skips the viewer),
# BENCH_SERVICES (the four), BENCH_TOP (12 functions), BENCH_KEEP=1 keeps
# the callgrind dumps for callgrind_annotate; BENCH_DEFAULT_BATCH=1 exports
# batches of the SDK's default size (512 spans, 512 log records: what the
# services send under load) instead of BENCH_BATCH_REQUESTS requests' worth;
# BENCH_WARMUP and BENCH_REQUESTS must then be multiples of 512.
#
# What moves between runs: the disabled count itself, by a few percent,
# with the data (iss: the ISS position's digits through printf and cJSON;
# frontend: the map drawn for it); the telemetry column by a few hundred
# instructions (gRPC's own threads and timers).
#
# Before issue 19's changes (commit 06ef44a, this script as committed):
#   service                instrumented   disabled   ratio  telemetry  spans  logs
#   iss-distance-service        125,734     99,288   1.266     26,446    3.0   1.0
#   geolocator-service           55,135     36,914   1.494     18,221    1.0   0.0
#   gateway                     338,920    287,476   1.179     51,444    3.0   0.0
#   frontend                  1,198,076  1,153,308   1.039     44,769    2.0   0.0
#   otel-viewer: 17,035 instructions per received span or log record
#   (500 requests through the gateway: 3500 spans, 500 log records; 23,788
#   with the counter-like trace ids this script first sent, which the
#   viewer's trace index hashed into a few slots)
# Top functions then (iss, inclusive per request): span export 14,417 of
# which OTLP span encoding 12,762 (otel__utf8_clean_len 4,967),
# on_begin_request 9,682 (otel_tracer_start_span 5,087, list_set_attr),
# find_series 3,545; gateway: curl's transfer_end 24,302 (libcurl's URL
# parser), span encoding 18,051.
#
# After issue 19's changes (branch cost with main merged: iss, geolocator,
# frontend and viewer measured at 1b6e082, gateway at 5558ac0):
#   service                instrumented   disabled   ratio  telemetry  spans  logs
#   iss-distance-service        112,290     95,853   1.171     16,437    3.0   1.0
#   geolocator-service           43,785     34,284   1.277      9,502    1.0   0.0
#   gateway                     302,668    282,584   1.071     20,084    3.0   0.0
#   frontend                    673,400    658,088   1.023     15,313    2.0   0.0
#   otel-viewer: 21,287 instructions per received span or log record
# (iss's telemetry column moved between 16,437 and 18,586 over three runs:
# its disabled and instrumented runs draw different ISS positions.) The
# viewer: its ingest and store went from about 5,100 to 2,600 per item,
# but decoding (wire-format and UTF-8 checks added meanwhile on main, then
# protobuf-c's unpack) is 18,200 of the 21,287. Top functions now (iss):
# span export 7,768 (encoding 6,120), on_begin_request 4,896.
#
# Then (branch cost at 926fb9a, the whole script, one run):
#   service                instrumented   disabled   ratio  telemetry  spans  logs
#   iss-distance-service        109,935     94,138   1.168     15,797    3.0   1.0
#   geolocator-service           41,718     33,812   1.234      7,906    1.0   0.0
#   gateway                     301,229    282,537   1.066     18,692    3.0   0.0
#   frontend                  1,435,528  1,422,889   1.009     12,638    2.0   0.0
#   otel-viewer: 19,256 instructions per received span or log record
# (iss: 13,765 / 1.142 at 2d4977f: its column swings by about 2,000 between
# runs with the ISS position each run draws, while its telemetry functions
# do not move; the frontend's disabled count moves with the map drawn.)
# What the commits since the figures above took off, per request:
# OTLP string and int attributes sized and written without the generic
# AnyValue switch (geolocator span export 5,242 -> 4,626); our
# instrumentation's literal keys appended straight to a new span
# (start_span 2,460 -> 2,052 in geolocator); begin_request no longer
# zeroing 1.3 kB of buffers (on_begin_request self 533 -> 384); the server
# span's status code added without comparing keys (on_end_request 1,665
# -> 1,492). Top functions now, inclusive per request: iss span export
# about 7,260 (encoding 5,589; gRPC send 2,282, of which
# grpc_slice_from_copied_buffer copies the encoded batch), on_begin_request
# 3,867 (start_span 3,004); geolocator span export 4,621 (encoding 3,422),
# on_begin_request 3,940 (start_span 2,005, context extraction about 870),
# on_end_request 1,492 (histogram and counter find_series about 840).
# Then (main at a851108: one-pass backward OTLP writer, gRPC body sent
# without a copy, per-thread kept metric series in the civetweb and curl
# instrumentation, log records from the span pool, span start and
# attributes in one pass; whole script, one run):
#   service                instrumented   disabled   ratio  telemetry  spans  logs
#   iss-distance-service        103,433     92,093   1.123     11,340    3.0   1.0
#   geolocator-service           38,344     33,777   1.135      4,567    1.0   0.0
#   gateway                     294,681    283,763   1.038     10,918    3.0   0.0
#   frontend                  1,045,192  1,031,004   1.014     14,188    2.0   0.0
#   otel-viewer: 7,289 instructions per received span or log record
#   (one-pass decoder tools/otel-viewer/pb_decode.c)
# and with the SDK's own batch size (BENCH_DEFAULT_BATCH=1 BENCH_WARMUP=512
# BENCH_REQUESTS=512: gRPC's fixed cost per call, about 73,000
# instructions, over 512 spans instead of 100 requests' worth):
#   geolocator-service           37,795     33,764   1.119      4,030    1.0   0.0
#   iss-distance-service        103,386     95,045   1.088      8,341    3.0   1.0
# Top functions then (geolocator, default batches, inclusive per request):
# on_begin_request 3,073 (start_span 1,415, span_set_attr 903 for its 11
# attributes, extraction 755 of which otel_traceparent_parse 475), span
# export 2,187 (encoding 2,021, of which otel__wback_attrs, inlined and
# called, 727 + 695),
# on_end_request 645, the gRPC send 165.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "bench_instructions: valgrind is not installed (apt-get install valgrind)"; exit 1; }
exec /usr/bin/python3 bench/bench_instructions.py
