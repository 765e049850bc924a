/*
 * udp_flood: sends COUNT RFC 3164 syslog messages (~150 bytes, sshd and cron lines, each with a
 * sequence number) to HOST:PORT over UDP at RATE messages per second, then prints one JSON line:
 * {"sent": N, "errors": E, "seconds": S, "rate": R}.
 *
 *   udp_flood HOST PORT RATE COUNT [MARKER]
 *
 * Pacing: messages go out in batches of about 200 µs worth (sendmmsg); before each batch the
 * sender sleeps, then spins, until that batch is due (CLOCK_MONOTONIC), so the rate holds on
 * average without bursts larger than one batch. MARKER (default "lbx") is written into every
 * message so a receiver's output can be counted with grep.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 256
#define MSG_CAP 256

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void wait_until(double due) {
    for (;;) {
        double left = due - now();
        if (left <= 0) return;
        if (left > 0.0002) {
            /* Sleep most of the gap; spin the last 100 µs. */
            double nap = left - 0.0001;
            struct timespec ts = {(time_t)nap, (long)((nap - (double)(time_t)nap) * 1e9)};
            nanosleep(&ts, NULL);
        }
    }
}

static const char *hosts[] = {"web-01.eu-west.example.net", "web-02.eu-west.example.net", "db-01.eu-west.example.net",
                              "bastion.eu-west.example.net", "worker-07.eu-west.example.net"};
static const char *users[] = {"admin", "root", "oracle", "deploy", "test", "ubuntu"};
static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Writes message number seq into buf; returns its length. */
static int format_message(char *buf, uint64_t seq, const char *marker, const struct tm *tm) {
    const char *host = hosts[seq % 5];
    const char *user = users[(seq / 5) % 6];
    unsigned pid = 1000 + (unsigned)(seq % 30011);
    char stamp[32];
    snprintf(stamp, sizeof stamp, "%s %2d %02d:%02d:%02d", months[tm->tm_mon], tm->tm_mday,
             tm->tm_hour, tm->tm_min, tm->tm_sec);
    switch (seq % 4) {
    case 0:
        return snprintf(buf, MSG_CAP,
                        "<38>%s %s sshd[%u]: Failed password for invalid user %s from 203.0.113.%u "
                        "port %u ssh2 %s=%010llu",
                        stamp, host, pid, user, (unsigned)(seq % 254) + 1,
                        (unsigned)(1024 + seq % 60000), marker, (unsigned long long)seq);
    case 1:
        return snprintf(buf, MSG_CAP,
                        "<86>%s %s sshd[%u]: Accepted publickey for %s from 10.20.%u.%u port %u ssh2: "
                        "RSA SHA256:q3Xk9 %s=%010llu",
                        stamp, host, pid, user, (unsigned)(seq % 200), (unsigned)(seq % 250) + 1,
                        (unsigned)(1024 + seq % 60000), marker, (unsigned long long)seq);
    case 2:
        return snprintf(buf, MSG_CAP,
                        "<78>%s %s CRON[%u]: (root) CMD (command -v debian-sa1 > /dev/null && "
                        "debian-sa1 1 1) %s=%010llu",
                        stamp, host, pid, marker, (unsigned long long)seq);
    default:
        return snprintf(buf, MSG_CAP,
                        "<38>%s %s sshd[%u]: pam_unix(sshd:session): session closed for user %s "
                        "by (uid=0) %s=%010llu",
                        stamp, host, pid, user, marker, (unsigned long long)seq);
    }
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: udp_flood HOST PORT RATE COUNT [MARKER]\n");
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    double rate = atof(argv[3]);
    uint64_t count = strtoull(argv[4], NULL, 10);
    const char *marker = argc > 5 ? argv[5] : "lbx";
    if (port <= 0 || port > 65535 || rate <= 0) {
        fprintf(stderr, "udp_flood: bad port or rate\n");
        return 2;
    }

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    int sndbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    struct sockaddr_in to = {0};
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1) { fprintf(stderr, "udp_flood: bad host\n"); return 2; }
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) { perror("connect"); return 1; }

    int batch = (int)(rate * 0.0002);
    if (batch < 1) batch = 1;
    if (batch > MAX_BATCH) batch = MAX_BATCH;

    static char bufs[MAX_BATCH][MSG_CAP];
    struct iovec iov[MAX_BATCH];
    struct mmsghdr msgs[MAX_BATCH];
    memset(msgs, 0, sizeof msgs);

    time_t wall = time(NULL);
    struct tm tm;
    gmtime_r(&wall, &tm);

    uint64_t sent = 0, errors = 0;
    double start = now();
    while (sent < count) {
        int n = (int)((count - sent) < (uint64_t)batch ? (count - sent) : (uint64_t)batch);
        wait_until(start + (double)sent / rate);
        for (int i = 0; i < n; i++) {
            int len = format_message(bufs[i], sent + (uint64_t)i, marker, &tm);
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = (size_t)(len < MSG_CAP ? len : MSG_CAP - 1);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int done = 0;
        while (done < n) {
            int r = sendmmsg(fd, msgs + done, (unsigned)(n - done), 0);
            if (r < 0) {
                if (errno == EINTR) continue;
                /* ECONNREFUSED (nobody listening yet) and the like: count the message as sent but failed. */
                errors++;
                done++;
                continue;
            }
            done += r;
        }
        sent += (uint64_t)n;
    }
    double seconds = now() - start;
    close(fd);
    printf("{\"sent\": %llu, \"errors\": %llu, \"seconds\": %.4f, \"rate\": %.1f}\n",
           (unsigned long long)sent, (unsigned long long)errors, seconds, (double)sent / seconds);
    return 0;
}
