/* histogram: sorts sensor readings into ten buckets and reports the total.
 *
 * It has a real bug, the kind debugtape is for. `bucket_of` maps a reading in [0, max] to a
 * bucket in [0, NBUCKETS), except a reading equal to `max`, which lands in bucket NBUCKETS:
 * one past the end of `counts`. That write lands on `total`, the field right after the array,
 * so the report counts more readings than it was given.
 *
 *   ./histogram [READINGS]      (default 5000)
 *
 * Debug it with gdb and debugtape (`make demo` does this):
 *   debugtape record --gdb --break 'histogram.c:37:bucket == 10' --snappoint report --sample 100hz -- ./histogram
 */
#include <stdio.h>
#include <stdlib.h>

#define NBUCKETS 10

struct histogram {
    int counts[NBUCKETS];
    int total;
    const char *label;
};

static unsigned int seed = 12345;

static int next_reading(int max) {
    seed = seed * 1103515245u + 12345u;
    return (int)((seed >> 8) % (unsigned int)(max + 1)); /* 0..max inclusive */
}

int bucket_of(int value, int max) {
    return value * NBUCKETS / max; /* BUG: value == max gives NBUCKETS */
}

void add(struct histogram *h, int value, int max) {
    int bucket = bucket_of(value, max);
    h->counts[bucket]++; /* bucket NBUCKETS is h->total */
    h->total++;
}

/* Slow on purpose, so a sampled run has something to see: a smoothing pass per reading. */
double smooth(const int *window, int n) {
    double acc = 0;
    for (int round = 0; round < 300; round++)
        for (int i = 0; i < n; i++)
            acc = acc * 0.5 + window[i] * 0.25 + round * 1e-9;
    return acc;
}

void report(const struct histogram *h, int readings) {
    printf("%s: %d readings, total %d%s\n", h->label, readings, h->total,
           h->total == readings ? "" : "  <-- wrong!");
    for (int b = 0; b < NBUCKETS; b++)
        printf("  bucket %d: %d\n", b, h->counts[b]);
}

int main(int argc, char **argv) {
    int readings = argc > 1 ? atoi(argv[1]) : 5000;
    int max = 1000;
    int window[16] = {0};
    double smoothed = 0;
    struct histogram h = {{0}, 0, "sensor"};
    /* A secret the debugger sees like any other local: debugtape stores it redacted. */
    const char *upload_token = getenv("SENSOR_UPLOAD_TOKEN");
    for (int i = 0; i < readings; i++) {
        int value = next_reading(max);
        window[i % 16] = value;
        add(&h, value, max);
        smoothed += smooth(window, 16);
    }
    report(&h, readings);
    if (upload_token)
        printf("(would upload the histogram with the token)\n");
    return smoothed < 0;
}
