/// What SHA-256 and MD5 share: the padded final blocks of a message.

/// The last one or two 64-byte blocks of a Merkle–Damgård hash (SHA-256, MD5): the bytes of
/// `message` from `start`, a 0x80 byte, zeros, and the message length in bits as 64 bits,
/// big-endian for SHA-256 and little-endian for MD5.
func paddedFinalBlocks(_ message: [UInt8], from start: Int, bigEndianLength: Bool) -> [[UInt8]] {
    var tail = Array(message[start...])
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    let bits = UInt64(message.count) &* 8
    for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bits >> (bigEndianLength ? 56 - 8 * UInt64(i) : 8 * UInt64(i)))) }
    return stride(from: 0, to: tail.count, by: 64).map { Array(tail[$0..<($0 + 64)]) }
}
