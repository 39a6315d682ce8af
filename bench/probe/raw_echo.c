// bench/probe/raw_echo.c — a measuring stick, not a server: the least work a WebSocket echo can take per
// message (one level-triggered epoll round, one read, one write; no framework, no allocation per message).
// Run beside wsecho under the shared generator, it shows how much of a scenario's rate the server can still
// move: where this does no better than the real servers, the generator is the limit (bench/RESULTS.md).
//
// Small frames only (payloads under 64 KiB, whole frames per read, no fragmentation, no validation, no
// partial writes): scenarios a and b. Loopback only. Build and run beside the peers:
//     cc -O2 -o build/raw_echo bench/probe/raw_echo.c -lcrypto
//     build/peer-bench/run.sh --no-build --scenarios a --add "probe=$PWD/build/raw_echo {port}" ...
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct { int fd; int upgraded; size_t len; unsigned char in[65536]; } conn;

static int handshake(conn* c) {
    c->in[c->len] = 0;
    char* end = strstr((char*)c->in, "\r\n\r\n");
    if (!end) return 0;
    char* k = strcasestr((char*)c->in, "Sec-WebSocket-Key:");
    if (!k) return -1;
    k += 18; while (*k == ' ') ++k;
    char key[128]; int n = 0; while (k[n] != '\r' && n < 60) { key[n] = k[n]; ++n; }
    strcpy(key + n, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    unsigned char sha[20]; SHA1((unsigned char*)key, strlen(key), sha);
    char acc[64]; EVP_EncodeBlock((unsigned char*)acc, sha, 20);
    char res[256];
    int m = snprintf(res, sizeof res, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
    if (write(c->fd, res, m) != m) return -1;
    size_t used = (size_t)(end + 4 - (char*)c->in);
    memmove(c->in, c->in + used, c->len - used); c->len -= used; c->upgraded = 1;
    return 1;
}

// Echoes every whole frame in c->in with one write. -1: close. `out` needs no bound check: a server frame is
// its client frame less the 4-byte mask, so the echoes of one buffer never outgrow it.
static int echo(conn* c) {
    unsigned char out[sizeof c->in]; size_t o = 0, i = 0; int closing = 0;
    while (c->len - i >= 6) {
        unsigned char* f = c->in + i; size_t len = f[1] & 0x7f, h = 2;
        if (len == 126) { if (c->len - i < 8) break; len = (size_t)f[2] << 8 | f[3]; h = 4; }
        else if (len == 127) return -1;
        if (c->len - i < h + 4 + len) break;
        unsigned char* mk = f + h; unsigned char* p = mk + 4;
        for (size_t j = 0; j < len; ++j) p[j] ^= mk[j & 3];
        out[o++] = f[0]; if (len < 126) out[o++] = (unsigned char)len; else { out[o++] = 126; out[o++] = len >> 8; out[o++] = len & 255; }
        memcpy(out + o, p, len); o += len; i += h + 4 + len;
        if ((f[0] & 0x0f) == 8) { closing = 1; break; }
    }
    memmove(c->in, c->in + i, c->len - i); c->len -= i;
    if (o && write(c->fd, out, o) < 0) return -1;
    if (closing) { shutdown(c->fd, SHUT_WR); return -1; }
    return 0;
}

int main(int argc, char** argv) {
    int port = argc > 1 ? atoi(argv[1]) : 9101;
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(ls, (struct sockaddr*)&a, sizeof a) || listen(ls, 1024)) { perror("listen"); return 1; }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int e = 0; e < n; ++e) {
            if (!evs[e].data.ptr) {
                int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
                if (fd < 0) continue;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                conn* c = calloc(1, sizeof *c); c->fd = fd;
                struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};  // level-triggered: one read per round
                epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                continue;
            }
            conn* c = evs[e].data.ptr;
            ssize_t r = read(c->fd, c->in + c->len, sizeof c->in - 1 - c->len);
            int rc = r <= 0 ? -1 : 0;
            if (!rc) {
                c->len += (size_t)r;
                if (!c->upgraded && handshake(c) < 0) rc = -1;
                else if (c->upgraded) rc = echo(c);  // also the frames that came behind the upgrade request
            }
            if (rc < 0) { close(c->fd); free(c); }
        }
    }
}
