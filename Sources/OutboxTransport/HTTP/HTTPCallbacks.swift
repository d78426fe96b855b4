import CCurl

/// libcurl's C callbacks for ``HTTPClient``. They cannot capture, so each reaches its
/// ``HTTPResponseSink`` through the user data pointer (CURLOPT_WRITEDATA for the body,
/// CURLOPT_HEADERDATA for header lines, both served by the write function).
enum HTTPCallbacks {
    /// CURLOPT_WRITEFUNCTION: appends received bytes to the sink.
    static let write: curl_write_callback = { data, size, count, userData in
        guard let userData else { return 0 }
        let sink = Unmanaged<HTTPResponseSink>.fromOpaque(userData).takeUnretainedValue()
        guard let data else { return 0 }
        return sink.append(UnsafeRawBufferPointer(start: data, count: size * count))
    }
}
