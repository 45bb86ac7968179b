// Micro-benchmark of Sources/CJSONScan on real CloudTrail (built and run by scripts/bench/scan.sh).
//   scan_bench MEGABYTES[,MEGABYTES...] TRAIL.json.gz...
// Takes the records of the trail files byte for byte, as NDJSON (one record a line) repeated to each size,
// and as one trail file of the same records; then times, side by side in one process, memchr and every
// scan kernel this CPU runs on both functions of CJSONScan.h.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "CJSONScanKernels.h"

typedef struct {
    uint8_t *bytes;
    int64_t length;
} buffer;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void append(buffer *to, int64_t *capacity, const uint8_t *bytes, int64_t count) {
    if (to->length + count > *capacity) {
        *capacity = (to->length + count) * 2;
        to->bytes = realloc(to->bytes, (size_t)*capacity);
    }
    memcpy(to->bytes + to->length, bytes, (size_t)count);
    to->length += count;
}

static buffer gunzip(const char *path) {
    gzFile file = gzopen(path, "rb");
    if (!file) {
        perror(path);
        exit(1);
    }
    buffer out = {NULL, 0};
    int64_t capacity = 0;
    uint8_t chunk[1 << 16];
    int got;
    while ((got = gzread(file, chunk, sizeof chunk)) > 0) append(&out, &capacity, chunk, got);
    if (got < 0) {
        fprintf(stderr, "%s: not gzip\n", path);
        exit(1);
    }
    gzclose(file);
    return out;
}

/// The records of the trail files ({"Records":[...]}), byte for byte, one a line: cut by the reference.
static buffer records_as_ndjson(char **paths, int count) {
    buffer out = {NULL, 0};
    int64_t capacity = 0;
    static int64_t ends[1 << 16];
    for (int p = 0; p < count; p++) {
        buffer trail = gunzip(paths[p]);
        tfd_scan_state state = {0, 0, 0};
        int64_t consumed = 0;
        int64_t found = tfd_scan_unit_ends_reference(trail.bytes, trail.length, 2, &state, ends, 1 << 16, &consumed);
        // Records start after the '[' of "Records" and after each record's end.
        const uint8_t *array = memchr(trail.bytes, '[', (size_t)trail.length);
        int64_t start = array ? array - trail.bytes + 1 : trail.length;
        for (int64_t r = 0; r < found; r++) {
            while (trail.bytes[start] != '{') start++;
            append(&out, &capacity, trail.bytes + start, ends[r] - start);
            append(&out, &capacity, (const uint8_t *)"\n", 1);
            start = ends[r];
        }
        free(trail.bytes);
    }
    return out;
}

/// Whole lines of `records`, again and again, to at least `size` bytes.
static buffer repeat_ndjson(buffer records, int64_t size) {
    buffer out = {malloc((size_t)(size + records.length)), 0};
    int64_t at = 0;
    while (out.length < size) {
        const uint8_t *newline = memchr(records.bytes + at, '\n', (size_t)(records.length - at));
        int64_t line = newline - (records.bytes + at) + 1;
        memcpy(out.bytes + out.length, records.bytes + at, (size_t)line);
        out.length += line;
        at = (at + line) % records.length;
    }
    return out;
}

/// The same records as one trail file: {"Records":[r1,r2,...]}.
static buffer as_trail_file(buffer ndjson) {
    buffer out = {malloc((size_t)ndjson.length + 32), 0};
    memcpy(out.bytes, "{\"Records\":[", 12);
    out.length = 12;
    for (int64_t i = 0; i < ndjson.length; i++) {
        out.bytes[out.length++] = ndjson.bytes[i] == '\n' ? ',' : ndjson.bytes[i];
    }
    if (out.bytes[out.length - 1] == ',') out.length--;
    memcpy(out.bytes + out.length, "]}", 2);
    out.length += 2;
    return out;
}

static volatile int64_t sink;

static int64_t count_lines_memchr(buffer in) {
    int64_t lines = 0;
    const uint8_t *at = in.bytes;
    const uint8_t *end = in.bytes + in.length;
    while ((at = memchr(at, '\n', (size_t)(end - at))) != NULL) {
        lines++;
        at++;
    }
    return lines;
}

static int64_t scan_absent_memchr(buffer in) {
    return memchr(in.bytes, 0x01, (size_t)in.length) != NULL;
}

static int64_t ends_buffer[4096];

static int64_t unit_ends(tfd_scan_kernel kernel, buffer in, int32_t depth) {
    tfd_scan_state state = {0, 0, 0};
    int64_t units = 0;
    int64_t offset = 0;
    while (offset < in.length) {
        int64_t consumed = 0;
        units += tfd_scan_unit_ends_with(kernel, in.bytes + offset, in.length - offset, depth, &state, ends_buffer,
                                         4096, &consumed);
        offset += consumed;
        if (state.depth < 0) break;
    }
    return units;
}

/// Skips every record of the NDJSON buffer whole (each line is one object).
static int64_t skip_records(tfd_scan_kernel kernel, buffer in) {
    int64_t records = 0;
    int64_t at = 0;
    while (at < in.length) {
        int64_t end = tfd_skip_container_with(kernel, in.bytes, at, in.length);
        if (end < 0) break;
        records++;
        at = end + 1;
    }
    return records;
}

typedef struct {
    int64_t *starts;
    int64_t count;
    int64_t bytes;
} member_list;

/// Where the object and array values of every record's members start (userIdentity, requestParameters,
/// responseElements, resources, ...): what the detector skips whole.
static member_list find_members(buffer in) {
    member_list list = {malloc(sizeof(int64_t) * (size_t)(in.length / 8 + 1)), 0, 0};
    int depth = 0;
    int in_string = 0;
    int escaped = 0;
    for (int64_t i = 0; i < in.length; i++) {
        uint8_t byte = in.bytes[i];
        if (in_string) {
            if (escaped) escaped = 0;
            else if (byte == '\\') escaped = 1;
            else if (byte == '"') in_string = 0;
            continue;
        }
        if (byte == '"') in_string = 1;
        else if (byte == '{' || byte == '[') {
            if (depth == 1) {
                int64_t end = tfd_skip_container_reference(in.bytes, i, in.length);
                list.starts[list.count++] = i;
                list.bytes += end - i;
            }
            depth++;
        } else if (byte == '}' || byte == ']') depth--;
    }
    return list;
}

static int64_t skip_members(tfd_scan_kernel kernel, buffer in, member_list members) {
    int64_t skipped = 0;
    for (int64_t m = 0; m < members.count; m++) {
        skipped += tfd_skip_container_with(kernel, in.bytes, members.starts[m], in.length) - members.starts[m];
    }
    return skipped;
}

typedef enum { UNIT_ENDS_NDJSON, UNIT_ENDS_TRAIL, SKIP_RECORDS, SKIP_MEMBERS, MEMCHR_LINES, MEMCHR_ABSENT } task;

typedef struct {
    buffer ndjson;
    buffer trail;
    member_list members;
} corpus;

static int64_t run(task what, tfd_scan_kernel kernel, const corpus *c) {
    switch (what) {
    case UNIT_ENDS_NDJSON: return unit_ends(kernel, c->ndjson, 0);
    case UNIT_ENDS_TRAIL: return unit_ends(kernel, c->trail, 2);
    case SKIP_RECORDS: return skip_records(kernel, c->ndjson);
    case SKIP_MEMBERS: return skip_members(kernel, c->ndjson, c->members);
    case MEMCHR_LINES: return count_lines_memchr(c->ndjson);
    case MEMCHR_ABSENT: return scan_absent_memchr(c->ndjson);
    }
    return 0;
}

/// One row: `bytes` and `units` (records, or skipped containers) per second of the fastest run.
static void report(const char *label, const char *kernel_name, task what, tfd_scan_kernel kernel, const corpus *c,
                   int64_t bytes, int64_t units, int64_t expect) {
    double best = 1e9;
    int64_t result = 0;
    // The fastest of many runs (at least 7, and at least 1 s of CPU in all): on a shared machine the
    // slower runs measure the neighbours.
    double total = 0;
    for (int repeat = 0; repeat < 7 || total < 1.0; repeat++) {
        double start = now();
        result = run(what, kernel, c);
        double seconds = now() - start;
        total += seconds;
        if (seconds < best) best = seconds;
    }
    sink = result;
    if (expect >= 0 && result != expect) {
        fprintf(stderr, "%s/%s: got %lld, expected %lld\n", label, kernel_name, (long long)result, (long long)expect);
        exit(1);
    }
    char rate[32] = "-";
    if (units > 0) snprintf(rate, sizeof rate, "%.0f", (double)units / best);
    printf("| %-34s | %-10s | %6.2f | %11s |\n", label, kernel_name, (double)bytes / best / 1e9, rate);
}

static void measure(buffer records, int64_t size) {
    corpus c;
    c.ndjson = repeat_ndjson(records, size);
    c.trail = as_trail_file(c.ndjson);
    c.members = find_members(c.ndjson);
    int64_t lines = count_lines_memchr(c.ndjson);
    printf("\n%lld records: NDJSON %.1f MB, trail form %.1f MB; %lld member objects/arrays of records (%.1f MB, "
           "%.0f%% of the bytes)\n\n",
           (long long)lines, c.ndjson.length / 1e6, c.trail.length / 1e6, (long long)c.members.count,
           c.members.bytes / 1e6, 100.0 * c.members.bytes / c.ndjson.length);
    printf("| %-34s | %-10s | %6s | %11s |\n", "what", "kernel", "GB/s", "units/s");
    printf("|%s|%s|%s|%s|\n", "------------------------------------", "------------", "-------:", "------------:");
    report("memchr('\\n'), every line", "libc", MEMCHR_LINES, 0, &c, c.ndjson.length, lines, lines);
    report("memchr(absent byte), whole buffer", "libc", MEMCHR_ABSENT, 0, &c, c.ndjson.length, 0, 0);
    const char *names[] = {"reference", "SSE2", "SSE2+CLMUL", "AVX2", "AVX-512"};
    struct {
        const char *label;
        task what;
        int64_t bytes;
        int64_t expect;
    } rows[] = {
        {"scan_unit_ends depth 0, NDJSON", UNIT_ENDS_NDJSON, c.ndjson.length, lines},
        {"scan_unit_ends depth 2, trail file", UNIT_ENDS_TRAIL, c.trail.length, lines},
        {"skip_container, whole records", SKIP_RECORDS, c.ndjson.length, lines},
        {"skip_container, record members", SKIP_MEMBERS, c.members.bytes, c.members.bytes},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        for (int k = TFD_SCAN_REFERENCE; k <= TFD_SCAN_AVX512; k++) {
            if (!tfd_scan_kernel_available((tfd_scan_kernel)k)) continue;
            report(rows[r].label, names[k], rows[r].what, (tfd_scan_kernel)k, &c, rows[r].bytes,
                   rows[r].what == SKIP_MEMBERS ? c.members.count : lines, rows[r].expect);
        }
    }
    free(c.ndjson.bytes);
    free(c.trail.bytes);
    free(c.members.starts);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MEGABYTES[,MEGABYTES...] TRAIL.json.gz...\n", argv[0]);
        return 2;
    }
    buffer records = records_as_ndjson(argv + 2, argc - 2);
    printf("records of %d trail files: %.1f MB as NDJSON; kernel selected on this CPU: %d\n", argc - 2,
           records.length / 1e6, tfd_scan_kernel_selected());
    for (char *size = argv[1]; size && *size; size = strchr(size, ',') ? strchr(size, ',') + 1 : NULL) {
        measure(records, (int64_t)(atof(size) * 1048576.0));
    }
    return 0;
}
