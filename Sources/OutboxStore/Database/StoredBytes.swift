import CZlib
import Foundation
import GRDB

/// Message bodies and attachment contents as the outbox stores them: zlib-compressed
/// (Debian's zlib1g, fastest level) when that saves at least an eighth, else as given.
/// Text compresses 3–10×, so enqueue writes less, sending reads less and the outbox is
/// smaller; what is read back is byte for byte what was given.
///
/// A body column holds TEXT (stored as given) or a BLOB: one format byte (1: zlib), the
/// length of the UTF-8 text (4 bytes, little-endian), then the zlib stream. An attachment's
/// `content.data` is compressed when `content.encoding` is `zlib` (its `size` is the
/// original length either way).
package enum StoredBytes {
    /// Shorter input is stored as given: too little to gain.
    static let minimumLength = 200
    /// `content.encoding` of compressed attachment data.
    static let zlibEncoding = "zlib"
    private static let bodyFormat: UInt8 = 1
    private static let headerLength = 5

    /// The zlib stream of `bytes`, or nil when it is short or would not save an eighth.
    static func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        guard bytes.count >= minimumLength, bytes.count <= Int(UInt32.max) else { return nil }
        // Room for seven eighths only: output that does not fit is not worth keeping, and
        // zlib stops as soon as it is full.
        var capacity = bytes.count - bytes.count / 8
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            let status = czlib_compress(buffer.baseAddress!, &capacity, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count, 1)
            initialized = status == 0 ? capacity : 0
        }
        return output.isEmpty ? nil : output
    }

    /// `length` bytes decompressed from `stream`; nil when it is not such a stream.
    static func decompress(_ stream: UnsafeRawBufferPointer, length: Int) -> [UInt8]? {
        guard length > 0, let source = stream.baseAddress else { return nil }
        var written = length
        var output = [UInt8](repeating: 0, count: length)
        let status = output.withUnsafeMutableBytes { out in
            czlib_uncompress(out.baseAddress!.assumingMemoryBound(to: UInt8.self), &written,
                             source.assumingMemoryBound(to: UInt8.self), stream.count)
        }
        return status == 0 && written == length ? output : nil
    }

    private static func damaged(_ what: String) -> StoreError {
        StoreError(.corruptData, "\(what) cannot be read back: its stored compressed form is damaged")
    }

    // MARK: Bodies

    /// The column value for a body: a compressed BLOB when worthwhile, else the text.
    static func body(_ text: String?) -> DatabaseValue {
        guard var text else { return .null }
        let stream = text.withUTF8 { compress(UnsafeRawBufferPointer($0)) }
        guard let stream else { return text.databaseValue }
        var length = UInt32(text.utf8.count).littleEndian
        var blob = Data([bodyFormat])
        withUnsafeBytes(of: &length) { blob.append(contentsOf: $0) }
        blob.append(contentsOf: stream)
        return blob.databaseValue
    }

    /// The body text a column value holds; `what` names it in errors.
    static func text(_ value: DatabaseValue, what: @autoclosure () -> String) throws(StoreError) -> String? {
        switch value.storage {
        case .null: return nil
        case .string(let text): return text
        case .blob(let blob):
            let bytes = blob.withUnsafeBytes { raw -> [UInt8]? in
                guard raw.count > headerLength, raw[0] == bodyFormat else { return nil }
                return decompress(UnsafeRawBufferPointer(rebasing: raw[headerLength...]), length: length(raw))
            }
            guard let bytes else { throw damaged(what()) }
            return String(decoding: bytes, as: UTF8.self)
        case .int64, .double:
            return String(describing: value)
        }
    }

    /// The length in UTF-8 bytes of the body a column value holds (0 for none).
    static func textLength(_ value: DatabaseValue) -> Int {
        switch value.storage {
        case .null: return 0
        case .string(let text): return text.utf8.count
        case .blob(let blob): return blob.count > headerLength ? blob.withUnsafeBytes { length($0) } : blob.count
        case .int64, .double: return String(describing: value).utf8.count
        }
    }

    private static func length(_ header: UnsafeRawBufferPointer) -> Int {
        Int(header[1]) | Int(header[2]) << 8 | Int(header[3]) << 16 | Int(header[4]) << 24
    }

    // MARK: Attachment contents

    /// What to store for an attachment's bytes: (data, encoding), encoding nil when as given.
    /// Content that will not compress is stored as given without compressing it whole
    /// (see ``isWorthCompressing(_:)``).
    static func content(_ bytes: [UInt8]) -> (data: Data, encoding: String?) {
        let stream = bytes.withUnsafeBytes { isWorthCompressing($0) ? compress($0) : nil }
        if let stream { return (Data(stream), zlibEncoding) }
        return (Data(bytes), nil)
    }

    /// Content this long or longer is sampled before it is compressed whole.
    static let trialThreshold = 8 * 1024
    /// The sample compressed on trial: one block from the middle of the content. zlib
    /// spends ~150 instructions a byte on data it cannot shrink (callgrind: 3.5M on 20 KB,
    /// 0.3M on this block, most of it setting up the stream).
    static let trialLength = 2 * 1024

    /// False when compressing `bytes` would almost surely not save an eighth: a format that
    /// is already compressed (ZIP and so DOCX/XLSX/ODT, gzip, zstd, xz, bzip2, 7z, JPEG, PNG,
    /// GIF), or a long content whose middle block does not save an eighth on its own
    /// (encrypted or random data, PDFs of compressed streams). zlib spends about as long on
    /// data it cannot shrink as on text, so this keeps an invoice enqueue from compressing
    /// every attachment to throw the result away; a long content is tried on 2 KiB instead.
    static func isWorthCompressing(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= minimumLength else { return false }
        if compressedFormatMagic.contains(where: { bytes.starts(with: $0) }) { return false }
        guard bytes.count >= trialThreshold else { return true }
        let middle = (bytes.count - trialLength) / 2
        return compress(UnsafeRawBufferPointer(rebasing: bytes[middle..<(middle + trialLength)])) != nil
    }

    /// Leading bytes of file formats whose content is already compressed.
    private static let compressedFormatMagic: [[UInt8]] = [
        [0x50, 0x4B, 0x03, 0x04],  // ZIP (DOCX, XLSX, ODT, JAR, EPUB)
        [0x1F, 0x8B],  // gzip
        [0x28, 0xB5, 0x2F, 0xFD],  // zstd
        [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00],  // xz
        [0x42, 0x5A, 0x68],  // bzip2
        [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C],  // 7z
        [0xFF, 0xD8, 0xFF],  // JPEG
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],  // PNG
        [0x47, 0x49, 0x46, 0x38],  // GIF
    ]

    /// The attachment bytes stored as `data` with `encoding`, `size` bytes long.
    package static func content(_ data: Data, encoding: String?, size: Int, sha256: String) throws(StoreError) -> [UInt8] {
        switch encoding {
        case nil: return Array(data)
        case zlibEncoding?:
            guard let bytes = data.withUnsafeBytes({ decompress($0, length: size) }) else {
                throw damaged("attachment content \(sha256)")
            }
            return bytes
        case let other?:
            throw StoreError(.corruptData, "attachment content \(sha256) has an unknown encoding '\(other)'")
        }
    }
}
