/*
 * durable-sink: the least an SMTP server can do and still have each message on disk before its "250".
 * Like Postfix's smtp-sink it answers every command at once, but each message's data is written to one
 * file and flushed (fdatasync) before its "250": the disk's part of a durable server's cost, with nothing
 * else of a mail server's (no parsing beyond the end of the data, no queue, no index, no log).
 * bench/run.sh runs it beside smtp-sink and Tern as the bound a durable store leaves on this machine.
 *
 *   durable-sink ADDRESS PORT FILE [FILE_MIB [no-flush]]
 *
 * One thread answers all connections (epoll); a second one flushes. The envelope's commands and every
 * byte of DATA are kept in memory as they arrive; when no flush is under way, what has been kept is
 * written to FILE and flushed, and when the flush ends, the messages whose end was in it get their "250"
 * (a group commit: the messages that end while one flush is under way share the next). FILE is written
 * with zeros first (FILE_MIB, default 512) and then written over as a ring, the oldest first, as a spool
 * whose deliveries keep up reuses its space: a flush writes data, not the file's size or block map.
 * With no-flush every step is the same but the fdatasync itself: what the flush costs, measured.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FD 65536
#define IN_SIZE 16384
#define OUT_SIZE 4096

enum { CMD, DATA };
/* The end of DATA, CRLF "." CRLF, as states: at a line's start, within a line, after CR, after a dot
 * at a line's start, after that dot's CR. */
enum { BOL, MID, CR, DOT, DOTCR };

struct conn {
    int open;
    unsigned serial; /* a reply owed to a connection closed meanwhile is not sent to its successor */
    int mode, state;
    int held;   /* a message's "250" is owed: what follows it waits */
    int events; /* what epoll watches for */
    char in[IN_SIZE];
    size_t inlen;
    char out[OUT_SIZE];
    size_t outlen;
};

struct owed {
    int fd;
    unsigned serial;
};

static struct conn *conns[MAX_FD];
static int ep, done_fd, file_fd;
static long long file_size, file_off;

/* Bytes of DATA received and not yet written, and the messages whose end they hold. */
static char *pend;
static size_t pend_len, pend_cap;
static struct owed *owed_next, *owed_flushing;
static size_t n_next, n_flushing, owed_cap;
static int flushing;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int flush_requested;
static int no_flush;

static void process(int fd);

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void *flusher(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (!flush_requested) {
            pthread_cond_wait(&cv, &mu);
        }
        flush_requested = 0;
        pthread_mutex_unlock(&mu);
        if (!no_flush && fdatasync(file_fd) != 0) {
            die("fdatasync");
        }
        uint64_t one = 1;
        if (write(done_fd, &one, sizeof one) != sizeof one) {
            die("eventfd");
        }
    }
    return NULL;
}

static void close_conn(int fd) {
    struct conn *c = conns[fd];
    c->open = 0;
    c->serial++;
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
}

/* Watches for input unless a held connection's buffer is full, and for room to write while replies wait. */
static void interest(int fd) {
    struct conn *c = conns[fd];
    int want = (c->held && c->inlen == IN_SIZE ? 0 : EPOLLIN) | (c->outlen ? EPOLLOUT : 0);
    if (want != c->events) {
        struct epoll_event ev = {.events = (uint32_t)want, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
        c->events = want;
    }
}

static void send_out(int fd) {
    struct conn *c = conns[fd];
    size_t off = 0;
    while (off < c->outlen) {
        ssize_t n = write(fd, c->out + off, c->outlen - off);
        if (n < 0) {
            if (errno == EAGAIN) {
                break;
            }
            c->outlen = 0;
            close_conn(fd);
            return;
        }
        off += (size_t)n;
    }
    memmove(c->out, c->out + off, c->outlen - off);
    c->outlen -= off;
    interest(fd);
}

static void reply(int fd, const char *text) {
    struct conn *c = conns[fd];
    size_t len = strlen(text);
    if (c->outlen + len > OUT_SIZE) {
        close_conn(fd); /* a client that reads no replies */
        return;
    }
    memcpy(c->out + c->outlen, text, len);
    c->outlen += len;
    if (c->outlen == len) {
        send_out(fd);
    }
}

static void keep(const char *data, size_t len) {
    if (pend_len + len > pend_cap) {
        pend_cap = (pend_len + len) * 2;
        pend = realloc(pend, pend_cap);
        if (!pend) {
            die("realloc");
        }
    }
    memcpy(pend + pend_len, data, len);
    pend_len += len;
}

static void owe(int fd) {
    if (n_next == owed_cap) {
        owed_cap = owed_cap ? owed_cap * 2 : 1024;
        owed_next = realloc(owed_next, owed_cap * sizeof *owed_next);
        owed_flushing = realloc(owed_flushing, owed_cap * sizeof *owed_flushing);
        if (!owed_next || !owed_flushing) {
            die("realloc");
        }
    }
    owed_next[n_next++] = (struct owed){fd, conns[fd]->serial};
    conns[fd]->held = 1;
}

/* Writes what is pending and hands its flush to the flusher, if no flush is under way. */
static void start_flush(void) {
    if (flushing || n_next == 0) {
        return;
    }
    if (file_off + (long long)pend_len > file_size) {
        file_off = 0;
    }
    size_t off = 0;
    while (off < pend_len) {
        ssize_t n = pwrite(file_fd, pend + off, pend_len - off, file_off);
        if (n < 0) {
            die("pwrite");
        }
        off += (size_t)n;
        file_off += n;
    }
    pend_len = 0;
    struct owed *t = owed_flushing;
    owed_flushing = owed_next;
    owed_next = t;
    n_flushing = n_next;
    n_next = 0;
    flushing = 1;
    pthread_mutex_lock(&mu);
    flush_requested = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

static void flushed(void) {
    uint64_t v;
    if (read(done_fd, &v, sizeof v) != sizeof v) {
        return;
    }
    flushing = 0;
    for (size_t i = 0; i < n_flushing; i++) {
        struct conn *c = conns[owed_flushing[i].fd];
        if (c && c->open && c->serial == owed_flushing[i].serial) {
            c->held = 0;
            reply(owed_flushing[i].fd, "250 2.0.0 Ok: kept\r\n");
            if (c->open) {
                process(owed_flushing[i].fd); /* what the client sent after the message */
            }
        }
    }
    n_flushing = 0;
}

/* Scans DATA for its end; keeps what belongs to the message. Returns how many bytes were DATA. */
static size_t data(int fd, const char *p, size_t len) {
    struct conn *c = conns[fd];
    size_t i = 0;
    while (i < len) {
        if (c->state == MID) {
            const char *r = memchr(p + i, '\r', len - i);
            if (!r) {
                i = len;
                break;
            }
            i = (size_t)(r - p) + 1;
            c->state = CR;
            continue;
        }
        char ch = p[i++];
        switch (c->state) {
        case BOL: c->state = ch == '.' ? DOT : ch == '\r' ? CR : MID; break;
        case CR: c->state = ch == '\n' ? BOL : ch == '\r' ? CR : MID; break;
        case DOT: c->state = ch == '\r' ? DOTCR : MID; break;
        case DOTCR:
            if (ch == '\n') {
                keep(p, i);
                c->mode = CMD;
                owe(fd);
                return i;
            }
            c->state = ch == '\r' ? CR : MID;
            break;
        }
    }
    keep(p, i);
    return i;
}

static void command(int fd, const char *line, size_t len) {
    struct conn *c = conns[fd];
    char verb[5] = {0};
    for (size_t i = 0; i < 4 && i < len; i++) {
        verb[i] = (char)(line[i] & ~0x20);
    }
    if (!strcmp(verb, "EHLO")) {
        reply(fd, "250-durable-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 0\r\n");
    } else if (!strcmp(verb, "HELO")) {
        reply(fd, "250 durable-sink\r\n");
    } else if (!strcmp(verb, "MAIL")) {
        keep(line, len); /* the envelope is kept with the message */
        reply(fd, "250 2.1.0 Ok\r\n");
    } else if (!strcmp(verb, "RCPT")) {
        keep(line, len);
        reply(fd, "250 2.1.5 Ok\r\n");
    } else if (!strcmp(verb, "DATA")) {
        c->mode = DATA;
        c->state = BOL;
        reply(fd, "354 End data with <CR><LF>.<CR><LF>\r\n");
    } else if (!strcmp(verb, "RSET") || !strcmp(verb, "NOOP")) {
        reply(fd, "250 2.0.0 Ok\r\n");
    } else if (!strcmp(verb, "QUIT")) {
        reply(fd, "221 2.0.0 Bye\r\n");
        if (c->open) {
            close_conn(fd);
        }
    } else {
        reply(fd, "502 5.5.2 Error: command not recognized\r\n");
    }
}

/* Answers what the input holds, up to a message whose "250" is owed. */
static void process(int fd) {
    struct conn *c = conns[fd];
    size_t at = 0;
    while (at < c->inlen && c->open && !c->held) {
        if (c->mode == DATA) {
            at += data(fd, c->in + at, c->inlen - at);
            continue;
        }
        char *lf = memchr(c->in + at, '\n', c->inlen - at);
        if (!lf) {
            break;
        }
        size_t len = (size_t)(lf - (c->in + at)) + 1;
        command(fd, c->in + at, len);
        at += len;
    }
    if (!c->open) {
        return;
    }
    memmove(c->in, c->in + at, c->inlen - at);
    c->inlen -= at;
    if (c->inlen == IN_SIZE && !c->held) {
        reply(fd, "500 5.5.0 Error: line too long\r\n");
        if (c->open) {
            close_conn(fd);
        }
        return;
    }
    interest(fd);
}

static void readable(int fd) {
    struct conn *c = conns[fd];
    while (c->open && c->inlen < IN_SIZE) {
        ssize_t n = read(fd, c->in + c->inlen, IN_SIZE - c->inlen);
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            close_conn(fd);
            return;
        }
        if (n < 0) {
            break;
        }
        size_t room = IN_SIZE - c->inlen;
        c->inlen += (size_t)n;
        process(fd);
        if ((size_t)n < room) {
            break; /* the rest, if any, is read when epoll says so */
        }
    }
    if (c->open) {
        interest(fd);
    }
}

static void accept_all(int lfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) {
            return;
        }
        if (fd >= MAX_FD) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (!conns[fd]) {
            conns[fd] = calloc(1, sizeof(struct conn));
        }
        struct conn *c = conns[fd];
        c->open = 1;
        c->mode = CMD;
        c->held = 0;
        c->events = EPOLLIN;
        c->inlen = c->outlen = 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        reply(fd, "220 durable-sink ESMTP\r\n");
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: durable-sink ADDRESS PORT FILE [FILE_MIB [no-flush]]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    file_size = (argc > 4 ? atoll(argv[4]) : 512) << 20;
    no_flush = argc > 5 && !strcmp(argv[5], "no-flush");
    file_fd = open(argv[3], O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (file_fd < 0) {
        die(argv[3]);
    }
    static char zeros[1 << 20];
    for (long long off = 0; off < file_size; off += sizeof zeros) {
        if (pwrite(file_fd, zeros, sizeof zeros, off) != (ssize_t)sizeof zeros) {
            die("pwrite");
        }
    }
    if (fsync(file_fd) != 0) {
        die("fsync");
    }
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "durable-sink: not an IPv4 address: %s\n", argv[1]);
        return 2;
    }
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 4096) != 0) {
        die("listen");
    }
    ep = epoll_create1(0);
    done_fd = eventfd(0, EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.fd = done_fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, done_fd, &ev);
    pthread_t t;
    if (pthread_create(&t, NULL, flusher, NULL) != 0) {
        die("pthread_create");
    }
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                accept_all(lfd);
            } else if (fd == done_fd) {
                flushed();
            } else if (conns[fd] && conns[fd]->open) {
                if (events[i].events & EPOLLOUT) {
                    send_out(fd);
                }
                if (conns[fd]->open && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
                    readable(fd);
                }
            }
        }
        start_flush();
    }
}
