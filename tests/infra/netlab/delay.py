#!/usr/bin/env python3
"""Delay (and jitter) for the network lab, where the kernel has no netem.

Runs inside a router namespace. iptables sends every forwarded packet to NFQUEUE number QUEUE
(lab.sh delay); this program receives each packet's id over netfilter netlink (no payload copied)
and gives the kernel its ACCEPT verdict only DELAY ms +- JITTER ms (uniform) after it arrived: the
packet waits in the kernel's queue meanwhile. Verdicts are given in time order, so jitter larger
than the gap between packets reorders them (as netem's jitter does).

    delay.py QUEUE DELAY_MS JITTER_MS

Plain sockets only (Python standard library), so it needs nothing beyond python3 and the
nfnetlink_queue kernel module. The iptables rule has no --queue-bypass: should this program die,
the router forwards nothing (a test then fails) rather than silently forwarding undelayed.
"""
import heapq
import os
import random
import select
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NF_ACCEPT = 1


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def message(kind, queue, attrs, flags=NLM_F_REQUEST):
    # nfgenmsg: family, version, resource id (the queue number, big-endian)
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, 0, 0) + body


def check_ack(sock):
    data = sock.recv(65536)
    length, kind = struct.unpack_from("=IH", data)
    if kind == NLMSG_ERROR:
        (error,) = struct.unpack_from("=i", data, 16)
        if error != 0:
            raise OSError(-error, os.strerror(-error))


def packet_ids(data):
    offset = 0
    while offset + 16 <= len(data):
        length, kind = struct.unpack_from("=IH", data, offset)
        if length < 16:
            break
        if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            a = offset + 20  # netlink header (16) + nfgenmsg (4)
            while a + 4 <= offset + length:
                alen, akind = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if akind & 0x7FFF == NFQA_PACKET_HDR:
                    yield struct.unpack_from("!I", data, a + 4)[0]
                a += (alen + 3) & ~3
        offset += (length + 3) & ~3


def main():
    queue, delay_ms, jitter_ms = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    # Bind to the queue (protocol family in the command), then ask for metadata only.
    sock.send(message(NFQNL_MSG_CONFIG, queue, [attr(NFQA_CFG_CMD, struct.pack("=BxH", NFQNL_CFG_CMD_BIND, socket.htons(socket.AF_INET)))], NLM_F_REQUEST | NLM_F_ACK))
    check_ack(sock)
    sock.send(message(NFQNL_MSG_CONFIG, queue, [attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META))], NLM_F_REQUEST | NLM_F_ACK))
    check_ack(sock)
    print(f"delay: queue {queue}, {delay_ms} ms +- {jitter_ms} ms", flush=True)

    due = []  # (time, sequence, packet id)
    sequence = 0
    while True:
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else None
        readable, _, _ = select.select([sock], [], [], timeout)
        if readable:
            now = time.monotonic()
            for packet_id in packet_ids(sock.recv(1 << 16)):
                wait = max(0.0, delay_ms + random.uniform(-jitter_ms, jitter_ms)) / 1000
                heapq.heappush(due, (now + wait, sequence, packet_id))
                sequence += 1
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, _, packet_id = heapq.heappop(due)
            sock.send(message(NFQNL_MSG_VERDICT, queue, [attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))]))


if __name__ == "__main__":
    main()
