// kbench: a small load generator on librdkafka for Plexus's Kafka benchmark (see run.sh).
//   kbench produce BROKER TOPIC SIZE COUNT [LINGER_MS [CODEC]] -> MB/s and msgs/s, acks=all, linger 5 ms unless
//                                                     given, uncompressed unless CODEC (gzip|snappy|lz4|zstd)
//   kbench consume BROKER TOPIC COUNT              -> MB/s and msgs/s, partition 0 from the start
//   kbench latency BROKER TOPIC SIZE RATE SECONDS  -> produce latency percentiles at a fixed rate
//   kbench rawsync FILE SIZE SECONDS               -> write+fdatasync MB/s and fdatasync latency percentiles
//   kbench floor FILE SIZE RATE SECONDS            -> the storage floor of produce latency: group commit alone
//   kbench groupjoin BROKER TOPIC MEMBERS PARTITIONS -> time until MEMBERS subscribers own all PARTITIONS
//   kbench commits BROKER GROUP THREADS SECONDS   -> OffsetCommit requests/s (synchronous, THREADS clients)
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void percentiles(const char *what, double *v, long n) {
    if (n == 0) { printf("%s: no samples\n", what); return; }
    qsort(v, n, sizeof(double), cmp);
    printf("%s: p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms  (%ld samples)\n", what, v[n / 2] * 1e3,
           v[(long)(n * 0.99)] * 1e3, v[(long)(n * 0.999)] * 1e3, v[n - 1] * 1e3, n);
}

static _Atomic long delivered, failed;
static double *latencies;
static long latency_count;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk; (void)opaque;
    if (m->err) { failed++; return; }
    delivered++;
    if (latencies && m->_private) {
        double sent = *(double *)m->_private;
        latencies[latency_count++] = now() - sent;
        free(m->_private);
    }
}

static const char *compression = "none";

static rd_kafka_t *producer(const char *broker, const char *linger) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "compression.type", compression, err, sizeof err);
    rd_kafka_conf_set(conf, "bootstrap.servers", broker, err, sizeof err);
    rd_kafka_conf_set(conf, "acks", "all", err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", linger, err, sizeof err);
    rd_kafka_conf_set(conf, "batch.size", "1000000", err, sizeof err);
    rd_kafka_conf_set(conf, "queue.buffering.max.messages", "1000000", err, sizeof err);
    rd_kafka_conf_set(conf, "queue.buffering.max.kbytes", "1048576", err, sizeof err);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "producer: %s\n", err); exit(1); }
    return rk;
}

static int produce(const char *broker, const char *topic, int size, long count, const char *linger) {
    rd_kafka_t *rk = producer(broker, linger);
    char *payload = malloc(size);
    memset(payload, 'x', size);
    double start = now();
    for (long i = 0; i < count; i++) {
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_VALUE(payload, size),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 120000);
    double elapsed = now() - start;
    printf("produce %d B: %.1f MB/s  %.0f msgs/s  (%ld delivered, %ld failed)\n", size, count * (double)size / elapsed / 1e6,
           count / elapsed, delivered, failed);
    rd_kafka_destroy(rk);
    return failed ? 1 : 0;
}

static int consume(const char *broker, const char *topic, long count) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", broker, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "kbench", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_conf_set(conf, "fetch.max.bytes", "52428800", err, sizeof err);
    rd_kafka_conf_set(conf, "max.partition.fetch.bytes", "10485760", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "consumer: %s\n", err); return 1; }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, parts);
    // Messages are taken in batches from the consumer queue (librdkafka's fastest consumer API), so the
    // figure is the broker's and the transport's rather than one poll call per message.
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);
    static rd_kafka_message_t *batch[10000];
    long got = 0; double bytes = 0, start = 0;
    while (got < count) {
        // Never ask for more than remain: the call waits for a full batch until its timeout.
        size_t want = count - got < 10000 ? (size_t)(count - got) : 10000;
        ssize_t n = rd_kafka_consume_batch_queue(queue, 1000, batch, want);
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *m = batch[i];
            if (!m->err) { if (!got) start = now(); got++; bytes += m->len; }
            rd_kafka_message_destroy(m);
        }
    }
    rd_kafka_queue_destroy(queue);
    double elapsed = now() - start;
    printf("consume: %.1f MB/s  %.0f msgs/s  (%ld messages)\n", bytes / elapsed / 1e6, got / elapsed, got);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return 0;
}

static atomic_bool polling_done;

// Delivery reports are taken by a thread of their own, blocked in rd_kafka_poll, so each latency is stamped
// when the report arrives rather than when the generator next gets round to polling.
static void *poller(void *arg) {
    rd_kafka_t *rk = arg;
    while (!atomic_load(&polling_done)) rd_kafka_poll(rk, 100);
    return NULL;
}

static int latency(const char *broker, const char *topic, int size, double rate, double seconds) {
    rd_kafka_t *rk = producer(broker, "0");
    long total = (long)(rate * seconds);
    latencies = calloc(total + 1, sizeof(double));
    char *payload = malloc(size);
    memset(payload, 'y', size);
    pthread_t thread;
    pthread_create(&thread, NULL, poller, rk);
    double start = now();
    for (long i = 0; i < total; i++) {
        double due = start + i / rate, wait = due - now();
        if (wait > 0) {  // sleep, don't spin: on 2 cores a spinning generator starves the broker
            struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
            nanosleep(&ts, NULL);
        }
        double *stamp = malloc(sizeof(double));
        *stamp = now();
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_VALUE(payload, size),
                          RD_KAFKA_V_OPAQUE(stamp), RD_KAFKA_V_END);
    }
    double deadline = now() + 60;
    while (delivered + failed < total && now() < deadline) usleep(1000);
    atomic_store(&polling_done, 1);
    pthread_join(thread, NULL);
    rd_kafka_flush(rk, 60000);
    char what[128];
    snprintf(what, sizeof what, "produce latency at %.0f msgs/s of %d B", rate, size);
    percentiles(what, latencies, latency_count);
    rd_kafka_destroy(rk);
    return 0;
}

static int rawsync(const char *path, int size, double seconds) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror(path); return 1; }
    char *block = malloc(size);
    memset(block, 'z', size);
    long max = 1000000, n = 0;
    double *syncs = calloc(max, sizeof(double));
    double start = now();
    off_t at = 0;
    while (now() - start < seconds && n < max) {
        if (pwrite(fd, block, size, at) != size) { perror("pwrite"); return 1; }
        at += size;
        double t = now();
        fdatasync(fd);
        syncs[n++] = now() - t;
    }
    double elapsed = now() - start;
    printf("raw write+fdatasync %d B: %.1f MB/s\n", size, at / elapsed / 1e6);
    percentiles("fdatasync latency", syncs, n);
    close(fd);
    unlink(path);
    return 0;
}

// The latency of group commit alone, with no network, protocol or broker CPU: records of SIZE bytes are due
// at RATE per second; one writer writes all that are due, fdatasyncs, and each record's latency is the end of
// the fdatasync that covers it minus the moment it was due — what any broker acknowledging only after an
// fdatasync pays at best. Once appending to the file (as a log does), once overwriting blocks that were
// written and synced before (no allocation or size change for the fdatasync to write).
static void floor_run(const char *path, int size, double rate, double seconds, int prewritten) {
    long total = (long)(rate * seconds), sent = 0, syncs = 0;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror(path); exit(1); }
    long chunk = 8L << 20;
    char *block = calloc(1, chunk);
    if (prewritten) {
        for (long at = 0; at < total * (long)size + chunk; at += chunk) pwrite(fd, block, chunk, at);
        fdatasync(fd);
    }
    memset(block, 'f', chunk);
    double *lat = calloc(total, sizeof(double));
    off_t at = 0;
    double start = now();
    while (sent < total) {
        long due = (long)((now() - start) * rate);
        if (due > total) due = total;
        long n = due - sent;
        if (n * size > chunk) n = chunk / size;
        if (n <= 0) { usleep(10); continue; }
        if (pwrite(fd, block, n * size, at) != n * size) { perror("pwrite"); exit(1); }
        at += n * size;
        fdatasync(fd);
        syncs++;
        double done = now();
        for (long i = sent; i < sent + n; i++) lat[i] = done - (start + i / rate);
        sent += n;
    }
    char what[128];
    snprintf(what, sizeof what, "group-commit floor, %s, %.0f records/s of %d B (%.0f fdatasyncs/s)",
             prewritten ? "overwriting pre-written blocks" : "appending", rate, size, syncs / seconds);
    percentiles(what, lat, total);
    free(lat);
    free(block);
    close(fd);
    unlink(path);
}

static rd_kafka_t *group_consumer(const char *broker, const char *group) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", broker, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_conf_set(conf, "session.timeout.ms", "10000", err, sizeof err);
    rd_kafka_conf_set(conf, "heartbeat.interval.ms", "500", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) { fprintf(stderr, "consumer: %s\n", err); exit(1); }
    return rk;
}

// Subscribes MEMBERS consumers of one new group at once and reports the time until every partition is
// owned (each member polled in turn, so rebalance callbacks run).
static int groupjoin(const char *broker, const char *topic, int members, int partitions) {
    char group[64];
    snprintf(group, sizeof group, "kbench-join-%d-%ld", members, (long)(now() * 1000));
    rd_kafka_t **rks = calloc(members, sizeof *rks);
    for (int i = 0; i < members; i++) rks[i] = group_consumer(broker, group);
    double start = now();
    for (int i = 0; i < members; i++) {
        rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_subscribe(rks[i], sub);
        rd_kafka_topic_partition_list_destroy(sub);
    }
    double stable = -1;
    while (now() - start < 120) {
        int owned = 0, empty = 0;
        for (int i = 0; i < members; i++) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(rks[i], 0);
            if (m) rd_kafka_message_destroy(m);
            rd_kafka_topic_partition_list_t *a = NULL;
            if (!rd_kafka_assignment(rks[i], &a) && a) {
                owned += a->cnt;
                if (a->cnt == 0) empty++;
                rd_kafka_topic_partition_list_destroy(a);
            }
        }
        if (owned == partitions && (members > partitions || empty == 0)) { stable = now() - start; break; }
        usleep(2000);
    }
    if (stable < 0) printf("group of %d: no stable assignment within 120 s\n", members);
    else printf("group of %d members over %d partitions: stable assignment after %.3f s\n", members, partitions, stable);
    for (int i = 0; i < members; i++) { rd_kafka_consumer_close(rks[i]); rd_kafka_destroy(rks[i]); }
    return stable < 0;
}

struct committer { const char *broker; char group[64]; double until; long done; };

static void *commit_loop(void *arg) {
    struct committer *c = arg;
    rd_kafka_t *rk = group_consumer(c->broker, c->group);
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_add(offsets, "kbench-commits", 0);
    while (now() < c->until) {
        p->offset = c->done + 1;
        if (rd_kafka_commit(rk, offsets, 0) == RD_KAFKA_RESP_ERR_NO_ERROR) c->done++;
    }
    rd_kafka_topic_partition_list_destroy(offsets);
    rd_kafka_destroy(rk);
    return NULL;
}

// THREADS clients, each committing one partition's offset synchronously in a loop (each in a group of
// its own, generation -1 as assign()-style consumers do): durable OffsetCommits per second.
static int commits(const char *broker, const char *group, int threads, double seconds) {
    pthread_t *ids = calloc(threads, sizeof *ids);
    struct committer *cs = calloc(threads, sizeof *cs);
    double start = now();
    for (int i = 0; i < threads; i++) {
        cs[i].broker = broker;
        cs[i].until = start + seconds;
        snprintf(cs[i].group, sizeof cs[i].group, "%s-%d", group, i);
        pthread_create(&ids[i], NULL, commit_loop, &cs[i]);
    }
    long total = 0;
    for (int i = 0; i < threads; i++) { pthread_join(ids[i], NULL); total += cs[i].done; }
    printf("offset commits: %.0f commits/s with %d synchronous committers\n", total / (now() - start), threads);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 8) compression = argv[7];
    if (argc >= 6 && !strcmp(argv[1], "produce"))
        return produce(argv[2], argv[3], atoi(argv[4]), atol(argv[5]), argc >= 7 ? argv[6] : "5");
    if (argc >= 5 && !strcmp(argv[1], "consume")) return consume(argv[2], argv[3], atol(argv[4]));
    if (argc >= 7 && !strcmp(argv[1], "latency"))
        return latency(argv[2], argv[3], atoi(argv[4]), atof(argv[5]), atof(argv[6]));
    if (argc >= 5 && !strcmp(argv[1], "rawsync")) return rawsync(argv[2], atoi(argv[3]), atof(argv[4]));
    if (argc >= 6 && !strcmp(argv[1], "floor")) {
        floor_run(argv[2], atoi(argv[3]), atof(argv[4]), atof(argv[5]), 0);
        floor_run(argv[2], atoi(argv[3]), atof(argv[4]), atof(argv[5]), 1);
        return 0;
    }
    if (argc >= 6 && !strcmp(argv[1], "groupjoin")) return groupjoin(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
    if (argc >= 6 && !strcmp(argv[1], "commits")) return commits(argv[2], argv[3], atoi(argv[4]), atof(argv[5]));
    fprintf(stderr, "usage: see the comment at the top of kbench.c\n");
    return 2;
}
