/* The cost floor for HTTP/1.1 on this machine: a minimal single-threaded epoll
 * server on 127.0.0.1:PORT that answers every request of a connection (request
 * boundaries found by "\r\n\r\n"; no bodies) with one fixed plaintext response.
 * Responses to pipelined requests read together go out in one write.
 * Usage: http_epoll PORT */
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

#define BUF 65536
static const char RESP[] =
    "HTTP/1.1 200 OK\r\nServer: floor\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
#define RESP_LEN (sizeof(RESP) - 1)

typedef struct { int fd; int have; int match; char out[BUF]; } conn;

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096)) { perror("listen"); return 1; }
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    struct epoll_event evs[256];
    static char in[BUF];
    fprintf(stderr, "http_epoll on 127.0.0.1:%d\n", port);
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = nc };
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
                }
                continue;
            }
            for (;;) {
                ssize_t r = read(c->fd, in, sizeof in);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) { close(c->fd); free(c); break; }
                if (r < 0) break;
                /* count request ends ("\r\n\r\n"), the match state carried across reads */
                int out = 0;
                static const char end[] = "\r\n\r\n";
                for (ssize_t k = 0; k < r; k++) {
                    if (in[k] == end[c->match]) c->match++;
                    else c->match = in[k] == '\r' ? 1 : 0;
                    if (c->match == 4) {
                        c->match = 0;
                        if (out + RESP_LEN > BUF) { if (write(c->fd, c->out, out) < 0) break; out = 0; }
                        memcpy(c->out + out, RESP, RESP_LEN);
                        out += RESP_LEN;
                    }
                }
                if (out && write(c->fd, c->out, out) < 0) { /* client gone: the next read sees it */ }
                if (r < (ssize_t)sizeof in) break;
            }
        }
    }
}
