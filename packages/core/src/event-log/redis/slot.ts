// Redis Cluster's key -> slot mapping (the cluster specification's `HASH_SLOT`): CRC16
// (XMODEM) of the key's hash tag, the part between the first `{` and the next `}` when
// that part is not empty, else of the whole key; modulo 16384. Computed here so that the
// cluster tailer can route a stream to its node without a command.

/** Slots in a Redis Cluster. */
export const SLOTS = 16_384;

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[i] = crc & 0xffff;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);
  return crc;
}

const encoder = new TextEncoder();

/** The cluster slot of `key`, as `CLUSTER KEYSLOT` computes it. */
export function keySlot(key: string): number {
  const open = key.indexOf("{");
  if (open !== -1) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) return crc16(encoder.encode(key.slice(open + 1, close))) % SLOTS;
  }
  return crc16(encoder.encode(key)) % SLOTS;
}
