/*
 * echo_load.c - closed-loop load generator for the TCP echo benchmark.
 *
 * Opens N connections to 127.0.0.1:PORT. Each connection keeps exactly one
 * 64-byte message in flight: send it, wait until all 64 bytes have come back,
 * check them byte for byte, send the next. Single-threaded, edge-triggered
 * epoll, so the generator itself is about as cheap as the C floor server and
 * fits on one core (run it with taskset -c 0, the server on the other core).
 *
 * It runs a warm-up (not counted), then a measured window of DURATION
 * seconds, and prints one line of key=value pairs:
 *   conns= secs= round_trips= rps= p50_us= p99_us= server_cpu_ticks= clk_tck=
 *   load_cpu_ticks= machine_busy_ticks= machine_softirq_ticks= core_busy_ticks= core_softirq_ticks=
 * server_cpu_ticks is the server's utime+stime (from /proc/PID/stat, in clock
 * ticks) consumed during exactly the measured window, when -p PID is given
 * (repeat -p for a server made of several processes; their ticks are summed):
 * sampling it here, at the window's edges, keeps warm-up, start-up and
 * shutdown out of the server's CPU per round trip.
 * load_cpu_ticks (this generator's own CPU) and machine_busy_ticks (all
 * cores' non-idle time, /proc/stat) over the same window let the caller see
 * how much CPU something else took meanwhile: a noise indicator on a shared
 * machine. With -c CORE (the core the server is pinned to), core_busy_ticks
 * and core_softirq_ticks are that core's non-idle and softirq time, so
 * busy - server is what other processes took from the server's core.
 * Softirq matters because loopback TCP delivers a segment in softirq on the
 * sender's core: with tick-based CPU accounting (CONFIG_TICK_CPU_ACCOUNTING,
 * no IRQ_TIME_ACCOUNTING) that time is charged to the task it interrupted,
 * mostly the server itself; with IRQ_TIME_ACCOUNTING it would be charged to
 * no task, and server_cpu_ticks would miss it (then add core_softirq_ticks).
 *
 * Exits non-zero on any mismatch in echoed data (wrong, missing, extra or
 * another connection's bytes), on a connection error or EOF, on a stall (no
 * round trip completing for STALL_SEC), on a starved connection (none of its
 * round trips completed in the measured window), or on bad args.
 * load/selftest.sh proves each of these against a deliberately broken server.
 *
 * Build: cc -O2 -o echo_load echo_load.c
 * Usage: echo_load [-w WARMUP_S] [-p SERVER_PID]... [-c SERVER_CORE] PORT CONNS DURATION_S
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG 64
#define MAX_CONNS 10000
#define MAX_TOTAL_SEC 60.0 /* hard cap on warm-up + measured window */
#define STALL_SEC 5.0      /* no completed round trip for this long: fail */

/* ---- latency histogram: fixed, log-linear, no allocation per sample ----
 * Values in ns. Below 2^SUB_BITS each value has its own bucket; above, each
 * power of two is split into 2^SUB_BITS linear sub-buckets, so a bucket's
 * width is at most 1/32 (~3%) of its value. 40 powers of two reach ~18 min. */
#define SUB_BITS 5
#define SUB (1u << SUB_BITS)
#define NBUCKETS ((40 - SUB_BITS + 1) * SUB)
static uint64_t hist[NBUCKETS];

static unsigned bucket_of(uint64_t v) {
    if (v < SUB) return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* e >= SUB_BITS */
    unsigned idx = (e - SUB_BITS + 1) * SUB + (unsigned)((v >> (e - SUB_BITS)) & (SUB - 1));
    return idx < NBUCKETS ? idx : NBUCKETS - 1;
}
/* Upper bound (ns) of a bucket: a percentile is reported as "at most this". */
static uint64_t bucket_high(unsigned idx) {
    if (idx < SUB) return idx;
    unsigned e = idx / SUB + SUB_BITS - 1, sub = idx % SUB;
    return ((uint64_t)(SUB + sub + 1) << (e - SUB_BITS)) - 1;
}
static double percentile_us(uint64_t total, double q) {
    if (total == 0) return 0;
    uint64_t want = (uint64_t)(q * (double)total), seen = 0;
    if (want == 0) want = 1;
    for (unsigned i = 0; i < NBUCKETS; i++) {
        seen += hist[i];
        if (seen >= want) return (double)bucket_high(i) / 1000.0;
    }
    return (double)bucket_high(NBUCKETS - 1) / 1000.0;
}

/* ---- connections ---- */
struct conn {
    int fd;
    uint32_t id;
    uint64_t seq;      /* sequence number of the message in flight */
    int sent;          /* bytes of tx already sent */
    int got;           /* bytes of the echo already received into rx */
    uint64_t t_send;   /* ns, when the message's first byte was handed to send() */
    uint64_t done;     /* round trips completed (reset at the window's start) */
    unsigned char tx[MSG], rx[MSG];
};
static struct conn *conns;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Every message differs from the one before it and from every other
 * connection's: id and sequence up front, then a pattern mixing both. So an
 * echo that returns stale, shifted, duplicated or another connection's bytes
 * fails the check, not only one that returns garbage. */
static void fill(struct conn *c) {
    memcpy(c->tx, &c->id, 4);
    memcpy(c->tx + 4, &c->seq, 8);
    uint32_t x = c->id * 2654435761u ^ (uint32_t)c->seq * 40503u ^ (uint32_t)(c->seq >> 32);
    for (int i = 12; i < MSG; i++) { x = x * 1103515245u + 12345u; c->tx[i] = (unsigned char)(x >> 16); }
    c->sent = 0; c->got = 0;
}

static void fail(const char *fmt, unsigned id, const char *what) {
    fprintf(stderr, "echo_load: connection %u: ", id);
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    exit(1);
}

static uint64_t completed; /* round trips completed in the current phase */
static uint64_t last_progress;

/* Drive one connection as far as it will go without blocking. Edge-triggered:
 * we must keep going until send or recv says EAGAIN. */
static void drive(struct conn *c) {
    for (;;) {
        if (c->sent < MSG) {
            if (c->sent == 0) c->t_send = now_ns();
            ssize_t n = send(c->fd, c->tx + c->sent, (size_t)(MSG - c->sent), MSG_NOSIGNAL);
            if (n > 0) { c->sent += (int)n; continue; }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return; /* EPOLLOUT resumes */
            fail("send: %s", c->id, strerror(errno));
        }
        /* Read at most what is still missing of this message: any byte the
         * server sends beyond the 64 we sent lands in the next message's rx
         * and fails its check, so extra data is caught too. */
        ssize_t n = recv(c->fd, c->rx + c->got, (size_t)(MSG - c->got), 0);
        if (n > 0) {
            c->got += (int)n;
            if (c->got < MSG) continue;
            if (memcmp(c->rx, c->tx, MSG) != 0) {
                int at = 0;
                while (c->rx[at] == c->tx[at]) at++;
                char why[96];
                snprintf(why, sizeof why, "seq %llu byte %d: sent 0x%02x got 0x%02x",
                         (unsigned long long)c->seq, at, c->tx[at], c->rx[at]);
                fail("echo mismatch, %s", c->id, why);
            }
            uint64_t t = now_ns();
            hist[bucket_of(t - c->t_send)]++;
            completed++;
            c->done++;
            last_progress = t;
            c->seq++;
            fill(c);
            continue;
        }
        if (n == 0) fail("%s", c->id, "server closed the connection");
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        fail("recv: %s", c->id, strerror(errno));
    }
}

/* /proc/PID/stat: utime and stime are fields 14 and 15. Field 2 (comm) may
 * contain spaces and parentheses, so parse from the last ')'. utime+stime
 * there covers all of the process's threads, live and exited. */
static long long proc_cpu_ticks(int pid) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long long ut = 0, st = 0;
    /* after ")": state(3) ppid(4) ... utime(14) stime(15) */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) return -1;
    return (long long)(ut + st);
}

/* From /proc/stat's line for all cores (core < 0) or for one core: non-idle
 * ticks (user nice system irq softirq steal; not idle, iowait) and softirq. */
static int stat_ticks(int core, long long *busy, long long *softirq) {
    char want[32], line[512];
    if (core < 0) snprintf(want, sizeof want, "cpu ");
    else snprintf(want, sizeof want, "cpu%d ", core);
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return -1;
    int ok = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, want, strlen(want)) != 0) continue;
        unsigned long long v[8] = {0};
        if (sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu %llu",
                   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
            *busy = (long long)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
            *softirq = (long long)v[6];
            ok = 0;
        }
        break;
    }
    fclose(f);
    return ok;
}
static int server_core = -1;
struct stat_sample { long long self, busy, softirq, core_busy, core_softirq; };
static void sample_stat(struct stat_sample *s) {
    s->self = proc_cpu_ticks(getpid());
    stat_ticks(-1, &s->busy, &s->softirq);
    s->core_busy = s->core_softirq = 0;
    if (server_core >= 0) stat_ticks(server_core, &s->core_busy, &s->core_softirq);
}

#define MAX_PIDS 16
static int server_pids[MAX_PIDS], n_server_pids;

/* Sum over the server's processes; -1 if any of them is gone. */
static long long server_cpu_ticks(void) {
    long long sum = 0;
    for (int i = 0; i < n_server_pids; i++) {
        long long t = proc_cpu_ticks(server_pids[i]);
        if (t < 0) {
            fprintf(stderr, "echo_load: cannot read /proc/%d/stat (server died?)\n", server_pids[i]);
            return -1;
        }
        sum += t;
    }
    return sum;
}

/* Reset the counters and sample the server's CPU at the window's start.
 * Round trips already in flight are counted when they finish inside the
 * window; those in flight at its end are not: in a steady state the two
 * edges cancel out. */
static struct stat_sample st0;
static int n_conns;
static void start_window(long long *cpu0, uint64_t *t_win) {
    completed = 0;
    for (int i = 0; i < n_conns; i++) conns[i].done = 0;
    memset(hist, 0, sizeof hist);
    if ((*cpu0 = server_cpu_ticks()) < 0) exit(1);
    sample_stat(&st0);
    *t_win = now_ns();
}

static void usage(const char *a0) {
    fprintf(stderr, "usage: %s [-w WARMUP_S] [-p SERVER_PID]... [-c SERVER_CORE] PORT CONNS DURATION_S\n"
                    "  warm-up + duration are capped at %.0f s in total\n", a0, MAX_TOTAL_SEC);
    exit(2);
}

int main(int argc, char **argv) {
    double warmup = 2.0;
    int opt;
    while ((opt = getopt(argc, argv, "w:p:c:")) != -1) {
        if (opt == 'w') warmup = atof(optarg);
        else if (opt == 'c') server_core = atoi(optarg);
        else if (opt == 'p' && n_server_pids < MAX_PIDS && atoi(optarg) > 0) server_pids[n_server_pids++] = atoi(optarg);
        else usage(argv[0]);
    }
    if (argc - optind != 3) usage(argv[0]);
    int port = atoi(argv[optind]);
    int nconns = atoi(argv[optind + 1]);
    double duration = atof(argv[optind + 2]);
    if (port <= 0 || port > 65535 || nconns <= 0 || nconns > MAX_CONNS || duration <= 0 || warmup < 0)
        usage(argv[0]);
    if (warmup + duration > MAX_TOTAL_SEC) {
        fprintf(stderr, "echo_load: warm-up + duration > %.0f s, refusing\n", MAX_TOTAL_SEC);
        return 2;
    }
    /* Backstop against any hang we did not foresee: SIGALRM's default action
     * kills us, which the caller sees as a failure. */
    alarm((unsigned)(warmup + duration + 15));
    signal(SIGPIPE, SIG_IGN);

    conns = calloc((size_t)nconns, sizeof *conns);
    n_conns = nconns;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (!conns || ep < 0) { perror("setup"); return 1; }
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* only ever 127.0.0.1 */

    int one = 1;
    struct timeval tmo = { .tv_sec = 5 };
    for (int i = 0; i < nconns; i++) {
        /* Blocking connect (bounded by SO_SNDTIMEO) keeps setup simple; on
         * loopback the handshake completes in the kernel right away. */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) { perror("socket"); return 1; }
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof tmo);
        if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) fail("connect: %s", (unsigned)i, strerror(errno));
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        /* Non-blocking from here on: the event loop must never block. */
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) { perror("fcntl"); return 1; }
        conns[i].fd = fd;
        conns[i].id = (uint32_t)i;
        fill(&conns[i]);
        struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = &conns[i] };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) { perror("epoll_ctl"); return 1; }
    }

    /* Phase 0 = warm-up, phase 1 = measured window. Every connection gets its
     * first message out now; after that, only epoll events drive them. */
    uint64_t t0 = now_ns(), t_win = t0, t_end = t0;
    uint64_t warm_ns = (uint64_t)(warmup * 1e9), dur_ns = (uint64_t)(duration * 1e9);
    int phase = 0;
    long long cpu0 = 0, cpu1 = 0;
    struct stat_sample st1 = {0};
    last_progress = t0;
    for (int i = 0; i < nconns; i++) drive(&conns[i]);
    if (warm_ns == 0) { start_window(&cpu0, &t_win); phase = 1; }

    struct epoll_event events[512];
    for (;;) {
        int n = epoll_wait(ep, events, 512, 100);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (events[i].events & EPOLLERR) {
                int err = 0; socklen_t l = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
                fail("socket error: %s", c->id, strerror(err));
            }
            /* EPOLLHUP/RDHUP: drive() reads the EOF (after any last bytes) and fails. */
            drive(c);
        }
        uint64_t t = now_ns();
        if (t - last_progress > (uint64_t)(STALL_SEC * 1e9)) {
            fprintf(stderr, "echo_load: stalled: no round trip completed for %.0f s\n", STALL_SEC);
            return 1;
        }
        if (phase == 0 && t - t0 >= warm_ns) {
            start_window(&cpu0, &t_win);
            phase = 1;
            continue;
        }
        if (phase == 1 && t - t_win >= dur_ns) {
            t_end = t;
            if ((cpu1 = server_cpu_ticks()) < 0) return 1;
            sample_stat(&st1);
            break;
        }
    }

    /* The stall check above only sees the whole; a server that starves one
     * connection (say, lost a byte of its echo) while serving the others is
     * broken too. */
    for (int i = 0; i < nconns; i++)
        if (conns[i].done == 0 || t_end - conns[i].t_send > (uint64_t)(STALL_SEC * 1e9))
            fail("%s", (unsigned)i, "starved: no round trip completed in the measured window");

    double secs = (double)(t_end - t_win) / 1e9;
    if (completed == 0) { fprintf(stderr, "echo_load: no round trip completed\n"); return 1; }
    printf("conns=%d secs=%.3f round_trips=%llu rps=%.0f p50_us=%.1f p99_us=%.1f server_cpu_ticks=%lld clk_tck=%ld"
           " load_cpu_ticks=%lld machine_busy_ticks=%lld machine_softirq_ticks=%lld core_busy_ticks=%lld core_softirq_ticks=%lld\n",
           nconns, secs, (unsigned long long)completed, (double)completed / secs,
           percentile_us(completed, 0.50), percentile_us(completed, 0.99),
           n_server_pids > 0 ? cpu1 - cpu0 : -1LL, sysconf(_SC_CLK_TCK),
           st1.self - st0.self, st1.busy - st0.busy, st1.softirq - st0.softirq,
           server_core >= 0 ? st1.core_busy - st0.core_busy : -1LL,
           server_core >= 0 ? st1.core_softirq - st0.core_softirq : -1LL);
    fflush(stdout);
    /* Connections close at exit; the server just sees EOF on each. */
    return 0;
}
