/*
 * echo_epoll.c - the floor of the echo benchmark.
 *
 * A minimal single-threaded, edge-triggered epoll TCP echo server on
 * 127.0.0.1:PORT. It does nothing but what every echo server must do
 * (accept, read, write back), so what it costs per round trip is, to a good
 * approximation, the kernel's share: any other server's cost above this one
 * is its own runtime's overhead.
 *
 * Build: cc -O2 -o echo_epoll echo_epoll.c
 * Run:   ./echo_epoll PORT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE 16384
#define MAX_EVENTS 256

/* Per-connection state. `pend` holds bytes read but not yet written back
 * (a partial write): while it is non-empty we stop reading from this
 * connection, so the buffer never needs to grow, and wait for EPOLLOUT. */
struct conn {
    int fd;
    size_t pend_off, pend_len;
    char buf[BUF_SIZE];
};

static void die(const char *what) { perror(what); exit(1); }

static void close_conn(struct conn *c) {
    close(c->fd); /* close() removes the fd from the epoll set */
    free(c);
}

/* Write out what is pending. Returns 0 when all is written, 1 when the
 * socket is full (wait for EPOLLOUT), -1 on error. */
static int flush_pending(struct conn *c) {
    while (c->pend_len > 0) {
        ssize_t n = send(c->fd, c->buf + c->pend_off, c->pend_len, MSG_NOSIGNAL);
        if (n > 0) { c->pend_off += (size_t)n; c->pend_len -= (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 1;
        return -1;
    }
    c->pend_off = 0;
    return 0;
}

/* Edge-triggered: on every readiness event we must drain the socket until
 * EAGAIN, or we would never be told again about the bytes left behind.
 * Returns -1 when the connection should be closed. */
static int on_ready(struct conn *c) {
    int r = flush_pending(c);
    if (r < 0) return -1;
    if (r > 0) return 0; /* still blocked on output: EPOLLOUT will call us */
    for (;;) {
        ssize_t n = recv(c->fd, c->buf, BUF_SIZE, 0);
        if (n > 0) {
            c->pend_off = 0;
            c->pend_len = (size_t)n;
            r = flush_pending(c);
            if (r < 0) return -1;
            if (r > 0) return 0; /* partial write: rest stays buffered */
            continue;
        }
        if (n == 0) return -1; /* peer closed */
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PORT\n", argv[0]); return 2; }
    int port = atoi(argv[1]);
    if (port <= 0 || port > 65535) { fprintf(stderr, "bad port\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) die("socket");
    int one = 1;
    if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("SO_REUSEADDR");
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (listen(lfd, 1024) < 0) die("listen");

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    /* The listener is tagged with a NULL pointer; connections with theirs. */
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.ptr = NULL };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) die("epoll_ctl listen");

    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        if (n < 0) { if (errno == EINTR) continue; die("epoll_wait"); }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == NULL) {
                /* Edge-triggered listener: accept until the backlog is empty. */
                for (;;) {
                    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) {
                        if (errno == EINTR) continue;
                        if (errno != EAGAIN && errno != EWOULDBLOCK) perror("accept4");
                        break;
                    }
                    /* Small request/response: Nagle would delay the echo. */
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *nc = malloc(sizeof *nc);
                    if (!nc) { close(fd); continue; }
                    nc->fd = fd; nc->pend_off = nc->pend_len = 0;
                    /* EPOLLIN|EPOLLOUT edge-triggered once: no epoll_ctl(MOD)
                     * per partial write; EPOLLOUT edges are just ignored while
                     * nothing is pending. */
                    struct epoll_event cev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                                               .data.ptr = nc };
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) < 0) { perror("epoll_ctl"); close(fd); free(nc); }
                }
                continue;
            }
            if ((events[i].events & (EPOLLERR | EPOLLHUP)) || on_ready(c) < 0)
                close_conn(c);
        }
    }
}
