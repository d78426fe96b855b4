import CCurl

/// Sets libcurl options on one handle; a refusal throws naming the option, never its value.
struct HTTPOptions {
    let handle: UnsafeMutableRawPointer

    func set(_ option: CURLoption, _ value: Int, _ name: String) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_long(handle, option, value), name)
    }

    func set(_ option: CURLoption, _ value: String, _ name: String) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_string(handle, option, value), name)
    }

    func check(_ code: CURLcode, _ name: String) throws(HTTPClientError) {
        guard code == CURLE_OK else {
            throw HTTPClientError(.optionRejected, "libcurl rejected CURLOPT_\(name) (error \(code.rawValue))")
        }
    }
}
