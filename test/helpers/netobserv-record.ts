/** One NetObserv flow record (a JSON line) of a connection's first packet: a TCP SYN (Flags 2), or a UDP datagram, at `time` (ms). */
export function netobservRecord(r: { src: string; dst: string; dstPort: number; proto: 6 | 17; srcPort: number; time: number }): string {
  return JSON.stringify({
    SrcAddr: r.src,
    DstAddr: r.dst,
    SrcPort: r.srcPort,
    DstPort: r.dstPort,
    Proto: r.proto,
    Etype: 2048,
    Packets: 1,
    Bytes: 80,
    ...(r.proto === 6 ? { Flags: 2 } : {}),
    TimeFlowStartMs: r.time,
    TimeFlowEndMs: r.time,
  });
}
