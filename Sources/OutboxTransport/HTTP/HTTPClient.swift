import CCurl
import OutboxCore

/// A small blocking HTTP client over one libcurl easy handle per request: no redirects,
/// http/https only, TLS verified unless the request says otherwise, response bodies capped.
///
/// libcurl's verbose trace stays off (no debug callback is installed), so neither request
/// headers (which carry tokens) nor bodies are ever printed. Errors name options, never
/// their values.
public enum HTTPClient {
    /// Sends `request` and returns the response, whatever its status. Throws only when no
    /// complete response arrived (see ``HTTPClientError``).
    public static func perform(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        if let problem = HTTPURLPolicy.problem(with: request.url, allowingPlainHTTP: request.allowsPlainHTTP) {
            throw HTTPClientError(.invalidURL, problem)
        }
        for field in request.headers where (field.name + field.value).unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw HTTPClientError(.invalidHeader, "header \(field.name.filter { !$0.isNewline }) contains a line break or NUL")
        }
        guard CurlRuntime.ensureInitialised(), let handle = curl_easy_init() else {
            throw HTTPClientError(.curlUnavailable, "libcurl could not make a handle")
        }
        defer { curl_easy_cleanup(handle) }
        let body = HTTPResponseSink(limit: request.maximumResponseBytes)
        let head = HTTPResponseSink(limit: 256 * 1024)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        var headers: UnsafeMutablePointer<curl_slist>?
        for field in request.headers { headers = curl_slist_append(headers, "\(field.name): \(field.value)") }
        headers = curl_slist_append(headers, "Expect:")  // no 100-continue round trip
        defer { curl_slist_free_all(headers) }

        let options = HTTPOptions(handle: handle)
        try options.set(CURLOPT_URL, request.url, "URL")
        try options.set(CURLOPT_PROTOCOLS_STR, "http,https", "PROTOCOLS_STR")
        try options.set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try options.set(CURLOPT_FOLLOWLOCATION, 0, "FOLLOWLOCATION")
        try options.check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        try options.check(ccurl_easy_setopt_write_function(handle, HTTPCallbacks.write), "WRITEFUNCTION")
        try options.check(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(body).toOpaque()), "WRITEDATA")
        try options.check(ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(head).toOpaque()), "HEADERDATA")
        try options.check(ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headers), "HTTPHEADER")
        try options.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, request.connectTimeout.milliseconds), "CONNECTTIMEOUT_MS")
        try options.set(CURLOPT_TIMEOUT_MS, max(1, request.totalTimeout.milliseconds), "TIMEOUT_MS")
        try options.set(CURLOPT_SSL_VERIFYPEER, request.verifyTLS ? 1 : 0, "SSL_VERIFYPEER")
        try options.set(CURLOPT_SSL_VERIFYHOST, request.verifyTLS ? 2 : 0, "SSL_VERIFYHOST")
        if let caFile = request.caFile { try options.set(CURLOPT_CAINFO, caFile, "CAINFO") }
        switch request.method {
        case .get:
            try options.set(CURLOPT_HTTPGET, 1, "HTTPGET")
        case .post:
            try options.set(CURLOPT_POST, 1, "POST")
            try options.check(ccurl_easy_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)), "POSTFIELDSIZE_LARGE")
            // COPYPOSTFIELDS copies the bytes now, so the buffer need not outlive this call.
            let copied = request.body.withUnsafeBytes { bytes in
                let pointer = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(errorBuffer))
                return ccurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, pointer)
            }
            try options.check(copied, "COPYPOSTFIELDS")
        }

        let code = curl_easy_perform(handle)
        if body.overflowed {
            throw HTTPClientError(.responseTooLarge, "the response from \(HTTPURLPolicy.host(of: request.url)) is larger than \(request.maximumResponseBytes) bytes")
        }
        guard code == CURLE_OK else {
            let transport = CurlResultMapping.result(code, message: String(cString: errorBuffer))
            throw HTTPClientError(.transport, "\(request.method.rawValue) \(request.url) failed: \(transport)", transport: transport)
        }
        var status = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: HTTPHeaderParser.fields(head.bytes), body: body.bytes)
    }
}
